#include "core/backoff.hpp"
#include "core/health.hpp"
#include "core/log.hpp"
#include "core/task_group.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

namespace asio = boost::asio;
using namespace jigasi;
using namespace std::chrono_literals;

TEST_CASE("backoff doubles from min, caps at max with jitter, resets", "[core]") {
    core::backoff b(1000ms, 8000ms, 42);
    const auto within = [](std::chrono::milliseconds d, long base) {
        return d.count() >= base * 8 / 10 && d.count() <= base * 12 / 10;
    };
    CHECK(within(b.next(), 1000));
    CHECK(within(b.next(), 2000));
    CHECK(within(b.next(), 4000));
    CHECK(within(b.next(), 8000));
    for (int i = 0; i < 100; ++i) CHECK(within(b.next(), 8000));  // never grows past the cap
    CHECK(b.attempts() == 104);
    b.reset();
    CHECK(within(b.next(), 1000));
}

TEST_CASE("backoff jitter differs between seeds", "[core]") {
    core::backoff a(1000ms, 60000ms, 1), b(1000ms, 60000ms, 2);
    std::vector<long> va, vb;
    for (int i = 0; i < 6; ++i) {
        va.push_back(a.next().count());
        vb.push_back(b.next().count());
    }
    CHECK(va != vb);
}

TEST_CASE("health: critical down makes the process unhealthy, non-critical does not", "[core]") {
    core::health_registry h;
    CHECK(h.healthy());
    h.report("http", core::health_state::up, "listening");
    h.report("sip.trunk", core::health_state::down, "403", false);
    CHECK(h.healthy());
    h.report("xmpp.default", core::health_state::down, "refused");
    CHECK_FALSE(h.healthy());
    const auto since = h.snapshot().at("xmpp.default").since;
    h.report("xmpp.default", core::health_state::down, "refused again");
    CHECK(h.snapshot().at("xmpp.default").since == since);  // same state keeps its start time
    CHECK(h.snapshot().at("xmpp.default").detail == "refused again");
    h.report("xmpp.default", core::health_state::up, "connected");
    CHECK(h.healthy());
    h.remove("http");
    CHECK(h.snapshot().count("http") == 0);
}

TEST_CASE("logger: journald prefix, subsystem, scope, per-subsystem levels", "[core]") {
    std::vector<std::string> lines;
    core::logger l([&](std::string_view s) { lines.emplace_back(s); });
    config::log_config cfg;
    cfg.level = config::log_level::info;
    cfg.subsystems["sip"] = config::log_level::debug;
    l.configure(cfg);

    core::log_channel http(l, "http");
    core::log_channel call = core::log_channel(l, "sip").scoped("call 1f2e side=sip");
    http.info("listening on ", "127.0.0.1", ":", 8788);
    http.debug("not shown");
    call.debug("INVITE from ", "alice");
    http.error("two\nlines");
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "<6>http: listening on 127.0.0.1:8788\n");
    CHECK(lines[1] == "<7>sip [call 1f2e side=sip]: INVITE from alice\n");
    CHECK(lines[2] == "<3>http: two lines\n");  // one journald record per message

    cfg.subsystems.clear();
    cfg.level = config::log_level::warning;
    l.configure(cfg);  // live change, as on SIGHUP
    call.info("hidden now");
    http.warning("shown");
    CHECK(lines.size() == 4);
}

TEST_CASE("task_group: an exception ends only its task and is reported", "[core]") {
    asio::io_context ioc;
    core::logger l([](std::string_view) {});
    std::vector<std::string> failed;
    core::task_group tasks(core::log_channel(l, "test"), [&](const std::string& n) { failed.push_back(n); });
    bool survivor_done = false;
    tasks.spawn(asio::make_strand(ioc), []() -> asio::awaitable<void> {
        throw std::runtime_error("bug");
        co_return;
    }(), "call bad");
    tasks.spawn(asio::make_strand(ioc), [](bool& done) -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor, 20ms);
        co_await t.async_wait(asio::use_awaitable);
        done = true;
    }(survivor_done), "call good");
    ioc.run();
    CHECK(failed == std::vector<std::string>{"call bad"});
    CHECK(survivor_done);
    CHECK(tasks.size() == 0);
}

TEST_CASE("task_group: terminal cancellation ends waiting tasks, total does not by default", "[core]") {
    asio::io_context ioc;
    core::logger l([](std::string_view) {});
    core::task_group tasks(core::log_channel(l, "test"));
    int aborted = 0;
    for (int i = 0; i < 3; ++i) {
        tasks.spawn(asio::make_strand(ioc), [](int& n) -> asio::awaitable<void> {
            asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::hours(1));
            try {
                co_await t.async_wait(asio::use_awaitable);
            } catch (const boost::system::system_error&) {
                ++n;
            }
        }(aborted), "waiter");
    }
    bool stopped = false;
    asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor, 20ms);
        co_await t.async_wait(asio::use_awaitable);
        tasks.emit(asio::cancellation_type::total);
        t.expires_after(50ms);
        co_await t.async_wait(asio::use_awaitable);
        CHECK(tasks.size() == 3);  // awaitables filter out total cancellation unless they opt in
        tasks.emit(asio::cancellation_type::terminal);
        co_await tasks.async_wait_empty();
        stopped = true;
    }, asio::detached);
    ioc.run_for(5s);
    CHECK(stopped);
    CHECK(aborted == 3);
}
