// The real binary as an operator runs it: flags, --check-config, health with an XMPP server that is
// down and then comes up, /metrics through promtool, SIGHUP reload, SIGTERM and POST shutdown.

#include "support/net.hpp"
#include "support/process.hpp"
#include "support/promtool.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <thread>

using namespace jigasi;
using namespace std::chrono_literals;

namespace {

std::string server_config(std::uint16_t http_port, std::uint16_t xmpp_port, const std::string& extra = "") {
    return "{\n  // written by test_process.cpp\n"
           "  \"server\": {\"threads\": 2, \"drain_timeout_s\": 5},\n"
           "  \"log\": {\"level\": \"info\"" + extra + "},\n"
           "  \"http\": {\"port\": " + std::to_string(http_port) + "},\n"
           "  \"xmpp\": {\"servers\": [{\"id\": \"meet\", \"host\": \"127.0.0.1\", \"port\": " +
           std::to_string(xmpp_port) + "}], \"reconnect_min_s\": 1, \"reconnect_max_s\": 2},\n"
           "  \"sip\": {\"listen\": []},\n}\n";
}

/// Poll /about/health until it answers `status` with `needle` in the body.
test::http_reply wait_for_health(std::uint16_t port, int status, std::chrono::milliseconds timeout,
                                 const std::string& needle = "") {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    test::http_reply r;
    while (std::chrono::steady_clock::now() < deadline) {
        r = test::http_request(port, "GET", "/about/health");
        if (r.status == status && r.body.find(needle) != std::string::npos) break;
        std::this_thread::sleep_for(50ms);
    }
    return r;
}

}  // namespace

TEST_CASE("--help and --version", "[process]") {
    auto r = test::run({"--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("--check-config") != std::string::npos);
    r = test::run({"--version"});
    CHECK(r.exit_code == 0);
    CHECK(r.output.rfind("jigasi-ng ", 0) == 0);
    r = test::run({"--no-such-flag"});
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("--no-such-flag") != std::string::npos);
}

TEST_CASE("--check-config accepts the shipped file and rejects an unknown key with its path", "[process]") {
    auto r = test::run({"--config", test::source_root() + "/config/jigasi-ng.json", "--check-config"});
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK(test::run({"--check-config"}).exit_code == 0);  // the embedded defaults

    test::temp_file bad("{\"sip\": {\"accounts\": [{\"id\": \"a\", \"user\": \"u\", \"domain\": \"d\", "
                        "\"password\": \"p\", \"pasword\": \"typo\"}]}}");
    r = test::run({"--config", bad.path, "--check-config"});
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("sip.accounts[0].pasword") != std::string::npos);

    test::temp_file syntax("{\n  \"http\": {\n    \"port\": 80,,\n  }\n}\n");
    r = test::run({"--config", syntax.path, "--check-config"});
    CHECK(r.exit_code == 1);
    CHECK(r.output.find(syntax.path + ":3:") != std::string::npos);

    r = test::run({"--config", "/nonexistent/jigasi.json", "--check-config"});
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("/nonexistent/jigasi.json") != std::string::npos);
}

TEST_CASE("Jigasi's flags override the file", "[process]") {
    const auto port = test::free_port();
    test::temp_file cfg(server_config(port, test::free_port()));
    // Component flags without a secret are incomplete: the path of the missing key is reported.
    auto r = test::run({"--config", cfg.path, "--domain", "meet.example.com", "--check-config"});
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("xmpp.component.secret: required") != std::string::npos);
    r = test::run({"--config", cfg.path, "--domain=meet.example.com", "--secret", "s3cret",
                   "--min-port", "30000", "--max-port", "20000", "--check-config"});
    CHECK(r.exit_code == 1);  // min-port above max-port
    CHECK(r.output.find("media.") != std::string::npos);
    r = test::run({"--config", cfg.path, "--domain=meet.example.com", "--secret", "s3cret",
                   "--subdomain", "cc", "--host", "127.0.0.1", "--port", "5347", "--check-config"});
    CHECK(r.exit_code == 0);
}

TEST_CASE("starts with XMPP down, reports it, recovers when the server appears", "[process]") {
    const auto http_port = test::free_port();
    const auto xmpp_port = test::free_port();
    test::temp_file cfg(server_config(http_port, xmpp_port));
    test::child server({"--config", cfg.path});

    const auto reason = "xmpp.meet is down: connect 127.0.0.1:" + std::to_string(xmpp_port) +
                        ": Connection refused; retry ";
    auto r = wait_for_health(http_port, 503, 10s, reason);
    INFO(server.stderr_text());
    REQUIRE(r.status == 503);
    CHECK(r.body.find(reason) != std::string::npos);
    CHECK(server.wait_for_log("<4>xmpp: xmpp.meet: cannot connect to 127.0.0.1:", 5s));

    // The XMPP port opens: retries with backoff (1..2 s here) find it.
    test::listener xmpp(xmpp_port);
    REQUIRE(xmpp.ok());
    r = wait_for_health(http_port, 200, 10s);
    CHECK(r.status == 200);

    const auto metrics = test::http_request(http_port, "GET", "/metrics");
    REQUIRE(metrics.status == 200);
    const auto check = test::promtool_check(metrics.body);
    INFO(check.output);
    CHECK(check.exit_code == 0);
    CHECK(metrics.body.find("jigasi_ng_subsystem_up{subsystem=\"xmpp.meet\"} 1") != std::string::npos);

    server.signal(SIGTERM);
    CHECK(server.wait(10s) == 0);
    CHECK(server.stderr_text().find("<5>app: stopped") != std::string::npos);
}

TEST_CASE("SIGHUP reloads: live changes applied, others reported, bad files rejected", "[process]") {
    const auto http_port = test::free_port();
    const auto xmpp_port = test::free_port();
    test::temp_file cfg(server_config(http_port, xmpp_port));
    test::child server({"--config", cfg.path});
    REQUIRE(wait_for_health(http_port, 503, 10s).status == 503);

    cfg.write(server_config(test::free_port(), xmpp_port, ", \"subsystems\": {\"http\": \"debug\"}"));
    server.signal(SIGHUP);
    CHECK(server.wait_for_log("log.subsystems changed (applied now)", 5s));
    CHECK(server.wait_for_log("http.port changed (takes effect after a restart)", 5s));

    cfg.write("{ \"http\": { \"port\": \"eighty\" } }");
    server.signal(SIGHUP);
    CHECK(server.wait_for_log("failed, keeping the running configuration", 5s));
    CHECK(server.wait_for_log("http.port", 5s));
    // Still serving on the original port.
    CHECK(test::http_request(http_port, "GET", "/about/stats").status == 200);

    server.signal(SIGINT);
    CHECK(server.wait(10s) == 0);
}

TEST_CASE("POST /about/shutdown drains and exits 0", "[process]") {
    const auto http_port = test::free_port();
    test::temp_file cfg(server_config(http_port, test::free_port()));
    test::child server({"--config", cfg.path});
    REQUIRE(wait_for_health(http_port, 503, 10s).status == 503);
    const auto r = test::http_request(http_port, "POST", "/about/shutdown");
    CHECK(r.status == 200);
    CHECK(server.wait(10s) == 0);
    CHECK(server.stderr_text().find("shutting down (POST /about/shutdown)") != std::string::npos);
}
