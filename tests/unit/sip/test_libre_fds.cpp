// fd_listen/fd_close through the bridge: level-triggered readiness, re-registration and close from
// inside a handler, fd number reuse, and a stop() that leaves nothing behind.

#include "sip/libre.hpp"
#include "sip_fixture.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <optional>
#include <stdexcept>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

namespace asio = boost::asio;
using namespace jigasi;
using namespace std::chrono_literals;

namespace {

struct socket_pair {
    int fd[2] = {-1, -1};
    explicit socket_pair(bool open = true) {
        if (open) REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fd) == 0);
    }
    ~socket_pair() { close_both(); }
    socket_pair(const socket_pair&) = delete;
    socket_pair& operator=(const socket_pair&) = delete;
    void close_both() {
        for (int& x : fd) {
            if (x >= 0) ::close(x);
            x = -1;
        }
    }
};

struct fd_probe {
    test::sip_fixture* f = nullptr;
    std::optional<sip::completion> done;
    std::vector<int> flags_seen;
    int fd = -1;
    int peer = -1;
    int reads_left = 0;
    int reused_fd = -1;
    socket_pair* second = nullptr;

    void finish() {
        // Take it out first: completing may let the test (and this probe's owner) move on.
        auto d = std::move(done);
        done.reset();
        if (d) d->complete({});
    }
};

asio::awaitable<void> pause(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

}  // namespace

TEST_CASE("fd_listen is level-triggered: data left unread fires again", "[sip]") {
    test::sip_fixture f;
    socket_pair sp;
    fd_probe p;
    p.f = &f;
    p.fd = sp.fd[0];
    p.reads_left = 5;
    f.run([&]() -> asio::awaitable<void> {
        co_await sip::async_on_strand(f.strand, [&](sip::completion done) {
            p.done = done;
            REQUIRE(fd_listen(p.fd, FD_READ, [](int flags, void* arg) {
                auto* p = static_cast<fd_probe*>(arg);
                p->f->note_callback();
                p->flags_seen.push_back(flags);
                char c;
                p->f->expect(::read(p->fd, &c, 1) == 1);  // one byte per event, like libre's UDP reader
                if (--p->reads_left == 0) p->finish();
            }, &p) == 0);
            REQUIRE(::write(sp.fd[1], "abcde", 5) == 5);  // one edge, five events' worth of data
        });
        co_await pause(100ms);  // nothing left to read: no further events
    });
    f.on_strand([&] {
        CHECK(p.flags_seen == std::vector<int>(5, FD_READ));
        CHECK(f.bridge->watched_fds() == 1);
        fd_close(p.fd);
        CHECK(f.bridge->watched_fds() == 0);
    });
    CHECK(f.off_strand_callbacks == 0);
    CHECK(f.failures == 0);
}

TEST_CASE("a handler re-registers its fd for other events, then closes it", "[sip]") {
    test::sip_fixture f;
    socket_pair sp;
    fd_probe p;
    p.f = &f;
    p.fd = sp.fd[0];
    static fd_h* const on_write = [](int flags, void* arg) {
        auto* p = static_cast<fd_probe*>(arg);
        p->f->note_callback();
        p->flags_seen.push_back(flags);
        fd_close(p->fd);  // from inside its own callback; the pending read wait must stay silent
        p->f->expect(::write(p->fd, "x", 1) == 1);  // fd_close did not close it
        p->finish();
    };
    f.run([&]() -> asio::awaitable<void> {
        co_await sip::async_on_strand(f.strand, [&](sip::completion done) {
            p.done = done;
            REQUIRE(fd_listen(p.fd, FD_READ, [](int flags, void* arg) {
                auto* p = static_cast<fd_probe*>(arg);
                p->f->note_callback();
                p->flags_seen.push_back(flags);
                char c;
                p->f->expect(::read(p->fd, &c, 1) == 1);
                // Same fd, new flags and handler, from inside the handler.
                p->f->expect(fd_listen(p->fd, FD_READ | FD_WRITE, on_write, p) == 0);
            }, &p) == 0);
            REQUIRE(::write(sp.fd[1], "a", 1) == 1);
        });
        // The peer now writes again: with the fd closed to libre, nobody may be called.
        REQUIRE(::write(sp.fd[1], "b", 1) == 1);
        co_await pause(100ms);
    });
    f.on_strand([&] {
        REQUIRE(p.flags_seen.size() == 2);
        CHECK(p.flags_seen[0] == FD_READ);
        CHECK((p.flags_seen[1] & FD_WRITE) != 0);
        CHECK(f.bridge->watched_fds() == 0);
    });
    CHECK(f.off_strand_callbacks == 0);
    CHECK(f.failures == 0);
}

TEST_CASE("fd_close + close inside a handler, then the fd number is reused", "[sip]") {
    test::sip_fixture f;
    socket_pair first;
    socket_pair replacement_holder(false);  // opened inside the handler
    fd_probe p;
    p.f = &f;
    p.fd = first.fd[0];
    p.second = &replacement_holder;
    f.run([&]() -> asio::awaitable<void> {
        co_await sip::async_on_strand(f.strand, [&](sip::completion done) {
            p.done = done;
            REQUIRE(fd_listen(p.fd, FD_READ, [](int, void* arg) {
                auto* p = static_cast<fd_probe*>(arg);
                p->f->note_callback();
                p->flags_seen.push_back(1);
                // What libre's socket destructors do: fd_close, then close.
                fd_close(p->fd);
                ::close(p->fd);
                const int old = p->fd;
                // The kernel hands out the lowest free number: the one just closed.
                p->f->expect(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p->second->fd) == 0);
                p->reused_fd = p->second->fd[0] == old ? old : -1;
                p->fd = p->second->fd[0];
                p->f->expect(fd_listen(p->fd, FD_READ, [](int flags, void* arg) {
                    auto* p = static_cast<fd_probe*>(arg);
                    p->f->note_callback();
                    p->flags_seen.push_back(flags);
                    fd_close(p->fd);
                    p->finish();
                }, p) == 0);
                p->f->expect(::write(p->second->fd[1], "z", 1) == 1);
            }, &p) == 0);
            REQUIRE(::write(first.fd[1], "a", 1) == 1);
        });
    });
    first.fd[0] = -1;  // closed inside the handler
    CHECK(p.reused_fd >= 0);
    CHECK(p.flags_seen == std::vector<int>{1, FD_READ});
    f.on_strand([&] { CHECK(f.bridge->watched_fds() == 0); });
    CHECK(f.off_strand_callbacks == 0);
    CHECK(f.failures == 0);
}

TEST_CASE("stop() leaves no watched fd and no pending timer", "[sip]") {
    test::sip_fixture f;
    udp_sock* us = nullptr;
    tcp_sock* ts = nullptr;
    tmr t{};
    socket_pair sp;
    f.on_strand([&] {
        sa local;
        REQUIRE(sa_set_str(&local, "127.0.0.1", 0) == 0);
        REQUIRE(udp_listen(&us, &local, [](const sa*, mbuf*, void*) {}, nullptr) == 0);
        REQUIRE(tcp_listen(&ts, &local, [](const sa*, void*) {}, nullptr) == 0);
        REQUIRE(fd_listen(sp.fd[0], FD_READ | FD_WRITE, [](int, void*) {}, nullptr) == 0);
        tmr_start(&t, 60000, [](void*) {}, nullptr);
        CHECK(f.bridge->watched_fds() == 3);
        CHECK(f.bridge->timer_pending());

        f.bridge->stop();
        CHECK(f.bridge->watched_fds() == 0);
        CHECK_FALSE(f.bridge->timer_pending());
        // libre objects freed after stop(): their fd_close is a no-op, their fds get closed.
        us = static_cast<udp_sock*>(mem_deref(us));
        ts = static_cast<tcp_sock*>(mem_deref(ts));
        fd_close(sp.fd[0]);
        tmr_cancel(&t);
        CHECK(sip::libre_bridge::libre_timer_count() == 0);
        // With no active bridge libre cannot listen: it gets an error, not a silent dead socket.
        CHECK(fd_listen(sp.fd[1], FD_READ, [](int, void*) {}, nullptr) == ENODEV);
    });
    // Completions aborted by stop() run after it and must not call libre back.
    f.run([]() -> asio::awaitable<void> { co_await pause(50ms); });
}

TEST_CASE("only one bridge at a time; a new one may follow a stopped one", "[sip]") {
    auto f = std::make_unique<test::sip_fixture>();
    CHECK_THROWS_AS(sip::libre_bridge(f->strand, core::log_channel(f->logger, "sip")), std::logic_error);
    f.reset();
    test::sip_fixture again;  // the first bridge stopped in its fixture's destructor
    again.on_strand([&] { CHECK(again.bridge->watched_fds() == 0); });
}
