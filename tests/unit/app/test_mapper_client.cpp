// The external conference mapper client against a real HTTP server on 127.0.0.1 answering in
// jitsi-meet's format (jitsi-protocol.md §6.3), and against the ways such a server fails.

#include "app/mapper_client.hpp"
#include "config/load.hpp"
#include "core/error.hpp"
#include "support/canned_http.hpp"
#include "support/net.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <chrono>

namespace asio = boost::asio;
using namespace jigasi;
using namespace std::chrono_literals;
using test::canned_http_server;

namespace {

/// A client whose dialin.mapper_url is `url`; the log lines it writes are kept.
struct fixture {
    explicit fixture(std::string url, std::chrono::milliseconds timeout = 2s)
        : cfg(with_url(std::move(url))), client(cfg, logger, timeout) {}
    static config::config with_url(std::string url) {
        auto c = config::defaults();
        c.dialin.mapper_url = std::move(url);
        return c;
    }
    core::result<std::optional<std::string>> lookup(asio::io_context& ioc, std::string digits) {
        auto op = client.lookup(std::move(digits));
        return test::run(ioc, std::move(op));
    }
    std::vector<std::string> lines;
    core::logger logger{[this](std::string_view l) { lines.emplace_back(l); }};
    config::store cfg;
    app::mapper_client client;
};

std::string answer(std::string_view json, unsigned status = 200) { return canned_http_server::reply(status, json); }

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("mapper client: a known ID gives its conference, lower-cased", "[dialin][mapper_client]") {
    asio::io_context ioc;
    canned_http_server server(ioc, answer(R"({"message": "Successfully retrieved conference mapping",
        "id": 1234567890, "conference": "Room1234@Conference.Meet.Example.COM"})"));
    fixture f(server.url("/conferenceMapper"));
    CHECK(f.client.configured());
    auto r = f.lookup(ioc, "1234567890");
    REQUIRE(r);
    CHECK(*r == std::optional<std::string>("room1234@conference.meet.example.com"));
    REQUIRE(server.requests().size() == 1);
    CHECK(server.requests()[0].starts_with("GET /conferenceMapper?id=1234567890 HTTP/1.1\r\n"));
    CHECK(f.lines.empty());
}

TEST_CASE("mapper client: the ID as a string, and a URL that has a query already", "[dialin][mapper_client]") {
    asio::io_context ioc;
    canned_http_server server(ioc, answer(R"({"id": "0042", "conference": "r@muc.example"})"));
    fixture f(server.url("/map?token=abc#ignored"));
    auto r = f.lookup(ioc, "42");
    REQUIRE(r);
    CHECK(*r == std::optional<std::string>("r@muc.example"));
    CHECK(server.requests()[0].starts_with("GET /map?token=abc&id=42 HTTP/1.1\r\n"));
    CHECK(app::mapper_lookup_url("http://h/m", "7") == "http://h/m?id=7");
    CHECK(app::mapper_lookup_url("http://h/m?", "7") == "http://h/m?id=7");
    CHECK(app::mapper_lookup_url("http://h/m?a=1&", "7") == "http://h/m?a=1&id=7");
}

TEST_CASE("mapper client: unknown IDs are nullopt: 404, or no conference", "[dialin][mapper_client]") {
    asio::io_context ioc;
    for (const std::string& reply :
         {answer(R"({"message": "No conference mapping was found", "id": 1234567890, "conference": false})", 404),
          answer("not found, and not JSON either", 404), answer(R"({"message": "none", "id": 1234567890, "conference": ""})"),
          answer(R"({"id": 1234567890, "conference": false})"), answer(R"({"id": 1234567890, "conference": null})"),
          answer(R"({"message": "none"})")}) {
        INFO(reply);
        canned_http_server server(ioc, reply);
        fixture f(server.url("/conferenceMapper"));
        auto r = f.lookup(ioc, "1234567890");
        REQUIRE(r);
        CHECK_FALSE(r->has_value());
        REQUIRE(f.lines.size() == 1);  // said at info level, without the ID
        CHECK(contains(f.lines[0], ": unknown (HTTP "));
        CHECK_FALSE(contains(f.lines[0], "1234567890"));
    }
}

TEST_CASE("mapper client: answers not in jitsi-meet's format are errors", "[dialin][mapper_client]") {
    asio::io_context ioc;
    struct bad {
        std::string reply;
        std::string_view why;
    };
    for (const auto& b : {bad{answer(R"({"conference": "room@muc.example")"), "not JSON"},
                          bad{answer("<html>Welcome</html>", 200), "not JSON"},
                          bad{answer(R"(["room@muc.example"])"), "not a JSON object"},
                          bad{answer(R"({"id": 999, "conference": "room@muc.example"})"), "is not the ID asked about"},
                          bad{answer(R"({"id": 1.5e9, "conference": "room@muc.example"})"), "\"id\" is not a meeting ID"},
                          bad{answer(R"({"conference": "just-a-room"})"), "is not room@muc-domain"},
                          bad{answer(R"({"conference": "room@muc.example/res"})"), "is not room@muc-domain"},
                          bad{answer(R"({"conference": 7})"), "\"conference\" is not a string"}}) {
        INFO(b.reply);
        canned_http_server server(ioc, b.reply);
        fixture f(server.url("/m"));
        auto r = f.lookup(ioc, "1234567890");
        REQUIRE_FALSE(r);
        CHECK(r.error().code == core::errc::bad_input);
        CHECK(contains(r.error().diagnostic, b.why));
        REQUIRE(f.lines.size() == 1);
        CHECK(contains(f.lines[0], "failed: answer not in jitsi-meet's format"));
    }
}

TEST_CASE("mapper client: HTTP errors and redirects are errors that say so", "[dialin][mapper_client]") {
    asio::io_context ioc;
    canned_http_server broken(ioc, answer(R"({"message": "database down"})", 503));
    fixture f(broken.url("/m"));
    auto r = f.lookup(ioc, "1234567890");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == core::errc::unavailable);
    CHECK(r.error().diagnostic == "HTTP 503: \"database down\"");
    canned_http_server moved(ioc, "HTTP/1.1 301 Moved\r\nLocation: https://new.example/m\r\nContent-Length: 0\r\n\r\n");
    fixture g(moved.url("/m"));
    r = g.lookup(ioc, "1234567890");
    REQUIRE_FALSE(r);
    CHECK(contains(r.error().diagnostic, "HTTP 301 (a redirect to \"https://new.example/m\"; redirects are not followed"));
    CHECK(moved.requests().size() == 1);
}

TEST_CASE("mapper client: an oversized answer is refused", "[dialin][mapper_client]") {
    asio::io_context ioc;
    canned_http_server server(ioc, answer(R"({"conference": "r@muc.example", "junk": ")" + std::string(70000, 'x') + "\"}"));
    fixture f(server.url("/m"));
    auto r = f.lookup(ioc, "1234567890");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == core::errc::limit_exceeded);
    REQUIRE(f.lines.size() == 1);
    CHECK(contains(f.lines[0], "larger than 65536 bytes"));
}

TEST_CASE("mapper client: a mapper that never answers times out on time", "[dialin][mapper_client]") {
    asio::io_context ioc;
    canned_http_server server(ioc, "", canned_http_server::mode::silent);
    fixture f(server.url("/m"), 200ms);
    const auto start = std::chrono::steady_clock::now();
    auto r = f.lookup(ioc, "1234567890");
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(r);
    CHECK(r.error().code == core::errc::timeout);
    CHECK(took >= 195ms);
    CHECK(took < 1500ms);
    REQUIRE(f.lines.size() == 1);
    CHECK(contains(f.lines[0], "10-digit ID at http://127.0.0.1:"));
    CHECK(contains(f.lines[0], "no complete answer within 200 ms"));
}

TEST_CASE("mapper client: refused connections, bad URLs, bad digits, no mapper", "[dialin][mapper_client]") {
    asio::io_context ioc;
    fixture refused("http://127.0.0.1:" + std::to_string(test::free_port()) + "/m");
    auto r = refused.lookup(ioc, "1234567890");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == std::errc::connection_refused);
    CHECK(refused.lines.size() == 1);

    fixture bad_url("ftp://mapper.example/m");  // validate() refuses it; the client must too
    r = bad_url.lookup(ioc, "1234567890");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == core::errc::bad_input);
    CHECK(bad_url.lines.size() == 1);

    canned_http_server server(ioc, answer(R"({"conference": "r@muc.example"})"));
    fixture f(server.url("/m"));
    for (const char* digits : {"", "12a4", "1234 5", "123456789012345678901234567890123"}) {
        r = f.lookup(ioc, digits);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == core::errc::bad_input);
    }
    CHECK(server.requests().empty());

    fixture none("");
    CHECK_FALSE(none.client.configured());
    r = none.lookup(ioc, "1234567890");
    REQUIRE(r);
    CHECK_FALSE(r->has_value());
    CHECK(none.lines.empty());
}

TEST_CASE("mapper client: the URL is read at each lookup", "[dialin][mapper_client]") {
    asio::io_context ioc;
    canned_http_server server(ioc, answer(R"({"conference": "r@muc.example"})"));
    fixture f("");
    auto c = *f.cfg.get();
    c.dialin.mapper_url = server.url("/m");
    f.cfg.replace(c);
    auto r = f.lookup(ioc, "1234567890");
    REQUIRE(r);
    CHECK(*r == std::optional<std::string>("r@muc.example"));
}
