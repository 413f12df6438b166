// http_get against real sockets: a canned server on 127.0.0.1 per test.

#include "core/error.hpp"
#include "http/client.hpp"
#include "support/canned_http.hpp"
#include "support/net.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

namespace asio = boost::asio;
using namespace jigasi;
using namespace std::chrono_literals;
using test::canned_http_server;

namespace {

core::result<http::http_response> get(asio::io_context& ioc, std::string url, std::chrono::milliseconds timeout = 5s,
                                      std::size_t limit = http::default_body_limit) {
    auto op = http::http_get(ioc.get_executor(), std::move(url), timeout, limit);
    return test::run(ioc, std::move(op));
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

/// co_spawn needs a default-constructible value; the code is enough here (none: success).
asio::awaitable<std::error_code> code_of(asio::awaitable<core::result<http::http_response>> op) {
    auto r = co_await std::move(op);
    co_return r ? std::error_code() : r.error().code;
}

}  // namespace

TEST_CASE("parse_url: http and https URLs apart, the rest refused with a reason", "[http][http_client]") {
    auto u = http::parse_url("http://mapper.example.com/conferenceMapper?x=1#frag");
    REQUIRE(u);
    CHECK_FALSE(u->tls);
    CHECK(u->host == "mapper.example.com");
    CHECK(u->port == "80");
    CHECK(u->target == "/conferenceMapper?x=1");
    u = http::parse_url("HTTPS://[2001:db8::1]:8443");
    REQUIRE(u);
    CHECK(u->tls);
    CHECK(u->host == "2001:db8::1");
    CHECK(u->port == "8443");
    CHECK(u->target == "/");
    u = http::parse_url("https://h.example?id=");
    REQUIRE(u);
    CHECK(u->port == "443");
    CHECK(u->target == "/?id=");

    for (const char* bad : {"", "ftp://h/", "http://", "http:///x", "http://user:pw@h/", "http://h:0/", "http://h:65536/",
                            "http://h:x/", "http://h/a b", "http://h/\r\nX: y", "http://[::1/", "http://[nope]/",
                            "http://::1/", "http://h\xC3\xA9/"}) {
        INFO(bad);
        auto r = http::parse_url(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == core::errc::bad_input);
        CHECK(r.error().diagnostic.starts_with("bad URL"));
        CHECK_FALSE(contains(r.error().diagnostic, "\r"));
    }
}

TEST_CASE("http_get: status, headers and body of a 200; the request it sends", "[http][http_client]") {
    asio::io_context ioc;
    canned_http_server server(ioc, canned_http_server::reply(200, R"({"ok": true})"));
    auto r = get(ioc, server.url("/conferenceMapper?id=42"));
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->content_type == "application/json");
    CHECK(r->body == R"({"ok": true})");
    REQUIRE(server.requests().size() == 1);
    const auto& req = server.requests()[0];
    CHECK(req.starts_with("GET /conferenceMapper?id=42 HTTP/1.1\r\n"));
    CHECK(contains(req, "Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"));
    CHECK(contains(req, "Connection: close\r\n"));
    CHECK(contains(req, "Accept: application/json\r\n"));
    CHECK(contains(req, "User-Agent: jigasi-ng/"));
}

TEST_CASE("http_get: chunked and close-delimited bodies", "[http][http_client]") {
    asio::io_context ioc;
    canned_http_server chunked(ioc, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    auto r = get(ioc, chunked.url());
    REQUIRE(r);
    CHECK(r->body == "hello world");
    canned_http_server until_close(ioc, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it");
    r = get(ioc, until_close.url());
    REQUIRE(r);
    CHECK(r->body == "all of it");
}

TEST_CASE("http_get: redirects are returned, not followed", "[http][http_client]") {
    asio::io_context ioc;
    canned_http_server server(ioc, "HTTP/1.1 302 Found\r\nLocation: http://elsewhere.example/x\r\nContent-Length: 0\r\n\r\n");
    auto r = get(ioc, server.url());
    REQUIRE(r);
    CHECK(r->status == 302);
    CHECK(r->location == "http://elsewhere.example/x");
    CHECK(server.requests().size() == 1);
}

TEST_CASE("http_get: bodies over the limit are refused, announced or not", "[http][http_client]") {
    asio::io_context ioc;
    const std::string big(70000, 'x');
    canned_http_server announced(ioc, canned_http_server::reply(200, big));
    auto r = get(ioc, announced.url());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == core::errc::limit_exceeded);
    CHECK(contains(r.error().diagnostic, "larger than 65536 bytes"));
    canned_http_server streamed(ioc, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + big);
    r = get(ioc, streamed.url());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == core::errc::limit_exceeded);
    canned_http_server small(ioc, canned_http_server::reply(200, "0123456789"));
    CHECK_FALSE(get(ioc, small.url(), 5s, 9));
    CHECK(get(ioc, small.url(), 5s, 10));
    canned_http_server headers(ioc, "HTTP/1.1 200 OK\r\nX-Junk: " + std::string(9000, 'j') + "\r\n\r\n");
    r = get(ioc, headers.url());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == core::errc::limit_exceeded);
}

TEST_CASE("http_get: malformed answers and a closed connection", "[http][http_client]") {
    asio::io_context ioc;
    canned_http_server garbage(ioc, "SIP/2.0 200 OK\r\n\r\n");
    auto r = get(ioc, garbage.url());
    REQUIRE_FALSE(r);
    CHECK(r.error().code == core::errc::bad_input);
    CHECK(r.error().diagnostic.starts_with("unreadable HTTP answer from 127.0.0.1:"));
    canned_http_server mute(ioc, "");
    r = get(ioc, mute.url());
    REQUIRE_FALSE(r);
    CHECK(contains(r.error().diagnostic, "closed the connection without answering"));
}

TEST_CASE("http_get: one timeout for the whole exchange with a server that never answers", "[http][http_client]") {
    asio::io_context ioc;
    canned_http_server server(ioc, "", canned_http_server::mode::silent);
    const auto start = std::chrono::steady_clock::now();
    auto r = get(ioc, server.url(), 200ms);
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(r);
    CHECK(r.error().code == core::errc::timeout);
    CHECK(contains(r.error().diagnostic, "within 200 ms"));
    CHECK(took >= 195ms);
    CHECK(took < 1500ms);
    CHECK(server.requests().size() == 1);
}

TEST_CASE("http_get: connection refused, bad URL, unknown host", "[http][http_client]") {
    asio::io_context ioc;
    auto r = get(ioc, "http://127.0.0.1:" + std::to_string(test::free_port()) + "/");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == std::errc::connection_refused);
    CHECK(r.error().diagnostic.starts_with("connect 127.0.0.1:"));
    r = get(ioc, "gopher://127.0.0.1/");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == core::errc::bad_input);
    // Without DNS in the sandbox the query may fail or time out; either way within the timeout.
    const auto start = std::chrono::steady_clock::now();
    r = get(ioc, "http://no-such-host.invalid/", 1000ms);
    CHECK_FALSE(r);
    CHECK(std::chrono::steady_clock::now() - start < 2500ms);
}

TEST_CASE("http_get: https checks the certificate and sends the host name (SNI)", "[http][http_client]") {
    asio::io_context ioc;
    canned_http_server server(ioc, "", canned_http_server::mode::tls);
    const auto port = std::to_string(server.port());
    auto r = get(ioc, "https://localhost:" + port + "/");
    REQUIRE_FALSE(r);
    INFO(r.error().diagnostic);
    CHECK(r.error().diagnostic.starts_with("TLS handshake with localhost:" + port));
    CHECK(contains(r.error().diagnostic, "certificate verify failed"));
    r = get(ioc, "https://127.0.0.1:" + port + "/");
    REQUIRE_FALSE(r);
    CHECK(contains(r.error().diagnostic, "certificate verify failed"));
    // The ClientHello of the first named the host; an IP literal is never sent as SNI (RFC 6066 §3).
    CHECK(server.server_names() == std::vector<std::string>{"localhost", ""});
    CHECK(server.requests().empty());
}

TEST_CASE("http_get: many at once from a pool of threads, some timing out", "[http][http_client]") {
    asio::io_context server_ioc;
    canned_http_server answering(server_ioc, canned_http_server::reply(200, "ok"));
    canned_http_server silent(server_ioc, "", canned_http_server::mode::silent);
    auto server_work = asio::make_work_guard(server_ioc);
    std::thread server_thread([&] { server_ioc.run(); });

    asio::io_context pool;
    auto pool_work = asio::make_work_guard(pool);
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) threads.emplace_back([&] { pool.run(); });
    std::vector<std::future<std::error_code>> answered, timed_out;
    for (int i = 0; i < 20; ++i) {
        auto a = code_of(http::http_get(pool.get_executor(), answering.url(), 5s));
        answered.push_back(asio::co_spawn(pool, std::move(a), asio::use_future));
        if (i % 4) continue;
        auto t = code_of(http::http_get(pool.get_executor(), silent.url(), 100ms));
        timed_out.push_back(asio::co_spawn(pool, std::move(t), asio::use_future));
    }
    std::size_t ok = 0, timeouts = 0;
    for (auto& f : answered) ok += f.get() ? 0 : 1;
    for (auto& f : timed_out) timeouts += f.get() == core::errc::timeout ? 1 : 0;
    pool_work.reset();
    for (auto& t : threads) t.join();
    server_work.reset();
    server_ioc.stop();
    server_thread.join();
    CHECK(ok == 20);
    CHECK(timeouts == 5);
}
