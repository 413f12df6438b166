// libre's own UDP and TCP sockets talking to Asio sockets through the bridge.

#include "sip/libre.hpp"
#include "sip_fixture.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <optional>
#include <set>
#include <string>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using namespace jigasi;
using namespace std::chrono_literals;

namespace {

std::uint16_t port_of(const sa& a) { return sa_port(&a); }

asio::awaitable<void> deadline(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
    throw std::runtime_error("timed out");
}

struct udp_probe {
    test::sip_fixture* f = nullptr;
    udp_sock* us = nullptr;
    std::set<std::string> received;
    std::size_t expected = 0;
    std::optional<sip::completion> done;
};

}  // namespace

TEST_CASE("UDP: a libre udp_listen socket and an Asio socket exchange datagrams", "[sip]") {
    test::sip_fixture f;
    udp_probe p;
    p.f = &f;
    p.expected = 50;
    std::uint16_t libre_port = 0;
    f.on_strand([&] {
        sa local;
        REQUIRE(sa_set_str(&local, "127.0.0.1", 0) == 0);
        REQUIRE(udp_listen(&p.us, &local, [](const sa*, mbuf* mb, void* arg) {
            auto* p = static_cast<udp_probe*>(arg);
            p->f->note_callback();
            p->received.emplace(reinterpret_cast<const char*>(mbuf_buf(mb)), mbuf_get_left(mb));
            if (p->received.size() == p->expected && p->done) {
                auto done = std::move(*p->done);
                p->done.reset();
                done.complete({});
            }
        }, &p) == 0);
        sa bound;
        REQUIRE(udp_local_get(p.us, &bound) == 0);
        libre_port = port_of(bound);
        CHECK(f.bridge->watched_fds() == 1);
    });
    REQUIRE(libre_port != 0);

    f.run([&]() -> asio::awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        asio::ip::udp::socket sock(ex, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        const asio::ip::udp::endpoint to(asio::ip::make_address("127.0.0.1"), libre_port);

        // Asio -> libre: a burst, so several datagrams are queued behind one readiness edge.
        for (std::size_t i = 0; i < p.expected; ++i) {
            const std::string msg = "datagram " + std::to_string(i);
            co_await sock.async_send_to(asio::buffer(msg), to, asio::use_awaitable);
        }
        // Awaitables are lazy: this runs after the burst, so the datagrams may all be in already.
        auto got_all = sip::async_on_strand(f.strand, [&](sip::completion done) {
            if (p.received.size() == p.expected) done.complete({});
            else p.done = done;
        });
        co_await (std::move(got_all) || deadline(5s));

        // libre -> Asio.
        const auto me = sock.local_endpoint();
        co_await sip::async_run_on_strand(f.strand, [&] {
            sa dst;
            f.expect(sa_set_str(&dst, "127.0.0.1", me.port()) == 0);
            mbuf* mb = mbuf_alloc(64);
            mbuf_write_str(mb, "from libre");
            mb->pos = 0;
            f.expect(udp_send(p.us, &dst, mb) == 0);
            mem_deref(mb);
        });
        char buf[64];
        asio::ip::udp::endpoint from;
        const auto n = co_await sock.async_receive_from(asio::buffer(buf), from, asio::use_awaitable);
        CHECK(std::string(buf, n) == "from libre");
        CHECK(from.port() == libre_port);
    });
    CHECK(p.received.size() == p.expected);
    f.on_strand([&] {
        p.us = static_cast<udp_sock*>(mem_deref(p.us));
        CHECK(f.bridge->watched_fds() == 0);
    });
    CHECK(f.off_strand_callbacks == 0);
    CHECK(f.failures == 0);
}

namespace {

struct tcp_probe {
    test::sip_fixture* f = nullptr;
    tcp_sock* ts = nullptr;
    tcp_conn* conn = nullptr;
    int accepted = 0;
    std::size_t echoed = 0;
    std::optional<int> close_err;
    std::optional<sip::completion> closed;
};

void on_tcp_conn(const sa*, void* arg) {
    auto* p = static_cast<tcp_probe*>(arg);
    p->f->note_callback();
    ++p->accepted;
    p->f->expect(tcp_accept(&p->conn, p->ts, nullptr,
        [](mbuf* mb, void* arg) {  // echo
            auto* p = static_cast<tcp_probe*>(arg);
            p->f->note_callback();
            p->echoed += mbuf_get_left(mb);
            p->f->expect(tcp_send(p->conn, mb) == 0);
        },
        [](int err, void* arg) {
            auto* p = static_cast<tcp_probe*>(arg);
            p->f->note_callback();
            p->close_err = err;
            p->conn = static_cast<tcp_conn*>(mem_deref(p->conn));
            auto closed = std::move(p->closed);
            p->closed.reset();
            if (closed) closed->complete({});
        },
        p) == 0);
}

}  // namespace

TEST_CASE("TCP: libre tcp_listen accepts an Asio client and echoes", "[sip]") {
    test::sip_fixture f;
    tcp_probe p;
    p.f = &f;
    std::uint16_t libre_port = 0;
    f.on_strand([&] {
        sa local;
        REQUIRE(sa_set_str(&local, "127.0.0.1", 0) == 0);
        REQUIRE(tcp_listen(&p.ts, &local, on_tcp_conn, &p) == 0);
        sa bound;
        REQUIRE(tcp_local_get(p.ts, &bound) == 0);
        libre_port = port_of(bound);
    });
    f.run([&]() -> asio::awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        asio::ip::tcp::socket sock(ex);
        co_await sock.async_connect({asio::ip::make_address("127.0.0.1"), libre_port}, asio::use_awaitable);
        for (const std::string& msg : {std::string("hello"), std::string("a longer second message"),
                                      std::string(100000, 'x')}) {
            co_await asio::async_write(sock, asio::buffer(msg), asio::use_awaitable);
            std::string back(msg.size(), '\0');
            co_await asio::async_read(sock, asio::buffer(back), asio::use_awaitable);
            CHECK(back == msg);
        }
        sock.shutdown(asio::ip::tcp::socket::shutdown_send);
        // libre sees the FIN and closes its side (maybe before we get to ask).
        auto closed = sip::async_on_strand(f.strand, [&](sip::completion done) {
            if (p.close_err) done.complete({});
            else p.closed = done;
        });
        co_await (std::move(closed) || deadline(5s));
    });
    CHECK(p.accepted == 1);
    CHECK(p.close_err == 0);
    f.on_strand([&] {
        CHECK(p.conn == nullptr);
        CHECK(f.bridge->watched_fds() == 1);  // the listener
        p.ts = static_cast<tcp_sock*>(mem_deref(p.ts));
        CHECK(f.bridge->watched_fds() == 0);
    });
    CHECK(f.off_strand_callbacks == 0);
    CHECK(f.failures == 0);
}
