// The HTTP server with the gateway routes, in-process on 127.0.0.1, driven by raw sockets.

#include "config/load.hpp"
#include "config/store.hpp"
#include "core/health.hpp"
#include "core/stats.hpp"
#include "core/task_group.hpp"
#include "http/endpoints.hpp"
#include "http/server.hpp"
#include "metrics/metrics.hpp"
#include "support/net.hpp"
#include "support/promtool.hpp"

#include <boost/asio/strand.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <prometheus/registry.h>

#include <atomic>
#include <regex>
#include <thread>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace jigasi;
using namespace std::chrono_literals;
using test::http_request;

namespace {

config::config test_config(std::uint16_t port) {
    auto c = config::defaults();
    c.http.port = port;
    c.http.read_timeout_s = 1;
    c.http.idle_timeout_s = 1;
    c.http.max_header_bytes = 2048;
    c.http.max_body_bytes = 4096;
    c.http.max_connections = 8;
    return c;
}

// A running server with the gateway routes; stopped the way the app stops it.
struct fixture {
    std::uint16_t port = test::free_port();
    config::store cfg{test_config(port)};
    core::logger logger{[](std::string_view) {}};
    core::health_registry health;
    core::gateway_stats stats;
    metrics::metrics_registry metrics{stats, health, 100};
    std::atomic<int> shutdown_requests{0};
    http::router routes;
    asio::io_context ioc;
    core::task_group tasks{core::log_channel(logger, "test")};
    http::server server{ioc, routes, cfg, core::log_channel(logger, "http"), metrics.registry()};
    std::thread runner;

    fixture() {
        http::add_gateway_routes(routes, {health, stats, metrics, cfg, [this] {
                                              return shutdown_requests.fetch_add(1) == 0;
                                          }});
        health.report("http", core::health_state::up, "listening");
        REQUIRE_FALSE(server.listen("127.0.0.1", port));
        tasks.spawn(asio::make_strand(ioc), server.accept_loop(tasks), "http accept");
        runner = std::thread([this] { ioc.run(); });
    }
    ~fixture() {
        server.close();
        tasks.emit(asio::cancellation_type::terminal);
        runner.join();  // run() returns once every task has ended: no connection leaked
    }
};

json::value body_json(const test::http_reply& r) { return json::parse(r.body); }

}  // namespace

TEST_CASE("GET /about/health: 200 when healthy, 503 naming the subsystem that is down", "[http]") {
    fixture f;
    auto r = http_request(f.port, "GET", "/about/health");
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type") == "application/json");
    auto v = body_json(r);
    CHECK(v.at("status") == "healthy");
    CHECK(v.at("subsystems").at("http").at("state") == "up");

    f.health.report("xmpp.default", core::health_state::down, "connect 127.0.0.1:5222: Connection refused");
    r = http_request(f.port, "GET", "/about/health");
    REQUIRE(r.status == 503);
    v = body_json(r);
    CHECK(v.at("status") == "unhealthy");
    CHECK(v.at("reasons").at(0) == "xmpp.default is down: connect 127.0.0.1:5222: Connection refused");

    f.health.report("xmpp.default", core::health_state::up, "connected");
    f.stats.graceful_shutdown = true;
    r = http_request(f.port, "GET", "/about/health");
    CHECK(r.status == 503);
    CHECK(body_json(r).at("reasons").at(0) == "draining for shutdown");
}

TEST_CASE("GET /about/stats has Jigasi's fields with live values", "[http]") {
    fixture f;
    f.stats.conferences = 3;
    f.stats.participants = 11;
    auto r = http_request(f.port, "GET", "/about/stats");
    REQUIRE(r.status == 200);
    const auto v = body_json(r).as_object();
    for (const char* k : {"conferences", "participants", "stress_level", "conference_sizes", "threads",
                          "current_timestamp", "graceful_shutdown", "total_conferences_completed",
                          "total_participants", "total_conference_seconds",
                          "total_calls_with_dropped_media", "total_count_dropped_media",
                          "total_calls_with_connection_failed", "total_calls_with_sip_call_waiting",
                          "total_calls_with_sip_call_reconnected", "total_calls_with_jvb_migrate",
                          "total_calls_jvb_no_media", "total_calls_no_heartbeat_response"})
        CHECK(v.contains(k));
    CHECK(v.at("conferences") == 3);
    CHECK(v.at("participants") == 11);
    CHECK(v.at("stress_level").as_double() == Approx(0.03));
    CHECK(v.at("conference_sizes").as_array().size() == 22);
    CHECK(v.at("threads").to_number<int>() >= 2);  // this test process has at least two
    CHECK(std::regex_match(std::string(v.at("current_timestamp").as_string()),
                           std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})")));
}

TEST_CASE("GET /stats has Jigate's four keys", "[http]") {
    fixture f;
    f.stats.active_calls = 2;
    f.health.report("xmpp.default", core::health_state::up, "connected");
    const auto v = body_json(http_request(f.port, "GET", "/stats")).as_object();
    CHECK(v.size() == 4);
    CHECK(v.at("activeCalls") == 2);
    CHECK(v.at("registrations") == 0);
    CHECK(v.at("internalProfileRunning") == true);
    CHECK(v.at("externalProfileRunning") == false);  // no SIP transport reports up
}

TEST_CASE("GET /metrics is valid Prometheus text", "[http]") {
    fixture f;
    f.health.report("xmpp.default", core::health_state::down, "refused");
    http_request(f.port, "GET", "/nope");  // makes a 404 sample appear
    const auto r = http_request(f.port, "GET", "/metrics");
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type") == "text/plain; version=0.0.4; charset=utf-8");
    for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                             "process_open_fds", "process_start_time_seconds", "process_threads",
                             "jigasi_ng_build_info", "jitsi_jigasi_conferences", "jitsi_jigasi_stress_level",
                             "jitsi_jigasi_total_calls_with_dropped_media_total",
                             "jigasi_ng_subsystem_up{subsystem=\"xmpp.default\"} 0",
                             "jigasi_ng_http_requests_total{code=\"404\"} 1"})
        CHECK(r.body.find(name) != std::string::npos);
    const auto check = test::promtool_check(r.body);
    INFO(check.output);
    CHECK(check.exit_code == 0);
}

TEST_CASE("web UI assets are served from the binary", "[http]") {
    fixture f;
    auto r = http_request(f.port, "GET", "/");
    CHECK(r.status == 200);
    CHECK(r.header("content-type") == "text/html; charset=utf-8");
    CHECK(r.body.find("<title>jigasi-ng</title>") != std::string::npos);
    CHECK(http_request(f.port, "GET", "/webui/app.js").header("content-type") == "text/javascript; charset=utf-8");
    CHECK(http_request(f.port, "GET", "/webui/../../etc/passwd").status == 404);
}

TEST_CASE("routing: 404, 405 with Allow, HEAD without body", "[http]") {
    fixture f;
    auto r = http_request(f.port, "GET", "/no/such/thing");
    CHECK(r.status == 404);
    CHECK(body_json(r).at("error") == "no such resource: /no/such/thing");
    r = http_request(f.port, "DELETE", "/about/health");
    CHECK(r.status == 405);
    CHECK(r.header("allow") == "GET, HEAD");
    r = test::parse_reply(test::exchange(f.port, "HEAD /about/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    CHECK(r.status == 200);
    CHECK(r.body.empty());
    CHECK(std::stoul(r.header("content-length")) > 100);
}

TEST_CASE("POST /about/shutdown starts a drain once, or is refused when disabled", "[http]") {
    fixture f;
    auto r = http_request(f.port, "POST", "/about/shutdown");
    CHECK(r.status == 200);
    CHECK(body_json(r).at("already") == false);
    CHECK(body_json(http_request(f.port, "POST", "/about/shutdown")).at("already") == true);
    auto c = *f.cfg.get();
    c.http.shutdown_enabled = false;
    f.cfg.replace(c);
    CHECK(http_request(f.port, "POST", "/about/shutdown").status == 403);
    CHECK(f.shutdown_requests == 2);
}

TEST_CASE("bad requests get a clean 4xx and the server stays up", "[http]") {
    fixture f;
    SECTION("garbage request line -> 400") {
        CHECK(test::parse_reply(test::exchange(f.port, "GARBAGE\r\n\r\n")).status == 400);
    }
    SECTION("binary junk -> 400") {
        CHECK(test::parse_reply(test::exchange(f.port, std::string("\x00\x01\xff\xfe\r\n\r\n", 8))).status == 400);
    }
    SECTION("header block over http.max_header_bytes -> 431") {
        const std::string req = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n";
        CHECK(test::parse_reply(test::exchange(f.port, req)).status == 431);
    }
    SECTION("body over http.max_body_bytes -> 413") {
        const std::string req = "POST /about/shutdown HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                                std::string(8000, 'x');
        CHECK(test::parse_reply(test::exchange(f.port, req)).status == 413);
    }
    SECTION("bad Content-Length -> 400") {
        CHECK(test::parse_reply(test::exchange(f.port, "POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n")).status == 400);
    }
    SECTION("request that stalls half-way -> 408 after http.read_timeout_s") {
        const auto t0 = std::chrono::steady_clock::now();
        const auto r = test::parse_reply(test::exchange(f.port, "GET /about/health HTTP/1.1\r\nHost:", 5s));
        CHECK(r.status == 408);
        CHECK(std::chrono::steady_clock::now() - t0 < 3s);
    }
    SECTION("idle keep-alive connection is closed after http.idle_timeout_s") {
        const auto t0 = std::chrono::steady_clock::now();
        const auto raw = test::exchange(f.port, "GET /stats HTTP/1.1\r\nHost: x\r\n\r\n", 5s);
        CHECK(test::parse_reply(raw).status == 200);
        CHECK(std::chrono::steady_clock::now() - t0 < 3s);  // closed by the server, not by us
    }
    SECTION("two requests on one keep-alive connection") {
        const auto raw = test::exchange(
            f.port, "GET /stats HTTP/1.1\r\nHost: x\r\n\r\nGET /about/version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        CHECK(raw.find("activeCalls") != std::string::npos);
        CHECK(raw.find("\"name\":\"jigasi-ng\"") != std::string::npos);
    }
    // Whatever came before, the server still answers and holds no stray connection.
    CHECK(http_request(f.port, "GET", "/about/health").status == 200);
    for (int i = 0; i < 50 && f.server.active_connections() != 0; ++i) std::this_thread::sleep_for(20ms);
    CHECK(f.server.active_connections() == 0);
}

TEST_CASE("connections beyond http.max_connections get 503", "[http]") {
    fixture f;
    std::vector<std::thread> idle;
    std::atomic<int> refused{0};
    // 8 allowed; 12 idle connections are opened, then one more request must be refused.
    for (int i = 0; i < 12; ++i)
        idle.emplace_back([&] {
            const auto raw = test::exchange(f.port, "GET /stats HTTP/1.1\r\nHost: x\r\n", 3s);
            if (test::parse_reply(raw).status == 503) ++refused;
        });
    std::this_thread::sleep_for(300ms);
    const auto r = http_request(f.port, "GET", "/about/health");
    for (auto& t : idle) t.join();
    CHECK((r.status == 503 || refused > 0));
    CHECK(refused >= 3);
    CHECK(http_request(f.port, "GET", "/about/health").status == 200);
}
