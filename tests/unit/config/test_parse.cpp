// parse(): syntax, types, unknown keys and list defaults. Semantic checks are in test_validate.cpp.

#include "config/load.hpp"
#include "config_test_util.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace jigasi::config;
using jigasi::config::test::errors_of;
using jigasi::config::test::parse_ok;
using strings = std::vector<std::string>;

TEST_CASE("an empty object is the default configuration", "[config]") {
    CHECK(parse_ok("{}") == defaults());
    CHECK(parse_ok(" \n{ }\n") == defaults());
}

TEST_CASE("comments, trailing commas and a byte order mark are accepted", "[config]") {
    const char* text = R"(// leading comment
/* block
   comment */ {
  "http": {
    "port": 9000, // after a value
    "address": "0.0.0.0", /* inline */
  },
  "log": { "subsystems": { "http": "debug", }, },
}
// trailing comment)";
    auto cfg = parse_ok(text);
    CHECK(cfg.http.port == 9000);
    CHECK(cfg.http.address == "0.0.0.0");
    CHECK(cfg.log.subsystems == std::map<std::string, log_level>{{"http", log_level::debug}});
    CHECK(parse_ok("\xEF\xBB\xBF{}") == defaults());
}

TEST_CASE("a full good file is read into the model", "[config]") {
    auto cfg = parse_ok(R"({
      "server": { "threads": 4, "drain_timeout_s": 5, "region": "eu", "conferences_threshold": 7 },
      "log": { "level": "debug", "timestamps": true, "subsystems": { "sip": "warning" } },
      "xmpp": {
        "servers": [ { "id": "a", "domain": "example.org", "tls": "direct",
                       "control": { "enabled": true, "password": "pw" } } ],
        "component": { "enabled": true, "domain": "example.org", "secret": "s" },
        "reconnect_min_s": 2, "reconnect_max_s": 30, "connect_timeout_s": 3
      },
      "sip": {
        "listen": [ { "transport": "tls", "port": 5061, "certificate": "c.pem", "private_key": "k.pem" } ],
        "public_address": "203.0.113.5",
        "accounts": [ { "id": "p", "user": "u", "domain": "sip.example.com", "password": "x",
                        "transport": "tcp", "expires_s": 300, "display_name": "Gateway" } ]
      },
      "media": { "min_port": 30000, "max_port": 30100 }
    })");
    CHECK(cfg.server.threads == 4);
    CHECK(cfg.server.region == "eu");
    CHECK(cfg.log.level == log_level::debug);
    CHECK(cfg.log.subsystems.at("sip") == log_level::warning);
    REQUIRE(cfg.xmpp.servers.size() == 1);
    const auto& s = cfg.xmpp.servers[0];
    CHECK(s.tls == xmpp_tls::direct);
    CHECK(s.host == "127.0.0.1");  // missing key: in-class default
    CHECK(s.muc_domain == "muc.example.org");
    CHECK(s.control.brewery == "jigasibrewery@internal-muc.example.org");
    CHECK(cfg.xmpp.component.secret == "s");
    REQUIRE(cfg.sip.listen.size() == 1);
    CHECK(cfg.sip.listen[0].transport == sip_transport::tls);
    REQUIRE(cfg.sip.accounts.size() == 1);
    CHECK(cfg.sip.accounts[0].auth_user == "u");
    CHECK(cfg.sip.accounts[0].registrar == "sip:sip.example.com");
    CHECK(cfg.sip.accounts[0].transport == sip_transport::tcp);
    CHECK(cfg.media.min_port == 30000);
}

TEST_CASE("list defaults apply only when the list is absent", "[config]") {
    auto absent = parse_ok("{}");
    REQUIRE(absent.xmpp.servers.size() == 1);
    CHECK(absent.xmpp.servers[0].id == "default");
    REQUIRE(absent.sip.listen.size() == 2);
    CHECK(absent.sip.listen[0].transport == sip_transport::udp);
    CHECK(absent.sip.listen[1].transport == sip_transport::tcp);
    CHECK(absent.sip.listen[1].port == 5060);

    auto empty = parse(R"({"xmpp": {"servers": []}, "sip": {"listen": []}})", "t");
    REQUIRE(empty.value);
    CHECK(empty.value->xmpp.servers.empty());
    CHECK(empty.value->sip.listen.empty());

    auto one = parse_ok(R"({"sip": {"listen": [{"transport": "tcp", "port": 5070}]}})");
    REQUIRE(one.sip.listen.size() == 1);
    CHECK(one.sip.listen[0].address == "0.0.0.0");
}

TEST_CASE("syntax errors give origin:line:column", "[config]") {
    CHECK(errors_of("{\n  \"http\": {\n    \"port\": 8788,,\n  }\n}") ==
          strings{"test.json:3:18: syntax error: unexpected ','"});
    CHECK(errors_of("{\"a\": 1\n \"b\": 2}") == strings{"test.json:2:2: syntax error: unexpected '\"'"});
    CHECK(errors_of(R"({"log": {"timestamps": tru}})") ==
          strings{"test.json:1:24: syntax error: unexpected 'tru'"});
    CHECK(errors_of(R"({"media": {"min_port": 01}})") ==
          strings{"test.json:1:25: syntax error: unexpected '1'"});
    CHECK(errors_of("{\"http\": {") == strings{"test.json:1:11: unexpected end of input"});
    CHECK(errors_of("{} /* never closed") == strings{"test.json:1:19: unexpected end of input"});
    CHECK(errors_of("{} {}") == strings{"test.json:1:4: unexpected data after the top-level value"});
    // Columns count characters, not bytes; CRLF files count lines like LF files.
    CHECK(errors_of("{\"server\": {\"region\": \"\xC3\xA9\xC3\xA9\",,}}") ==
          strings{"test.json:1:28: syntax error: unexpected ','"});
    CHECK(errors_of("{\r\n\"http\": {\r\n  \"port\" 1}}") == strings{"test.json:3:10: syntax error: unexpected '1'"});
    CHECK(errors_of("{\"server\": {\"region\": \"a\tb\"}}") ==
          strings{"test.json:1:25: syntax error: unexpected control character 0x09"});
    CHECK(errors_of("{NaN: 1}") == strings{"test.json:1:2: syntax error: unexpected 'NaN'"});
}

TEST_CASE("empty input and non-object roots are errors", "[config]") {
    CHECK(errors_of("") == strings{"test.json:1:1: empty document, expected a JSON object"});
    CHECK(errors_of("  // nothing\n") == strings{"test.json:2:1: empty document, expected a JSON object"});
    CHECK(errors_of("// nothing, no newline") ==
          strings{"test.json:1:23: empty document, expected a JSON object"});
    for (const char* root : {"[]", "42", "\"x\"", "null", "true", "[{}]"})
        CHECK(errors_of(root) == strings{"test.json: expected a JSON object at the top level"});
}

TEST_CASE("invalid UTF-8 is a syntax error at the bad byte", "[config]") {
    CHECK(errors_of("{\"server\": {\"region\": \"a\xFF\"}}") == strings{"test.json:1:25: invalid UTF-8"});
    // An encoded surrogate (CESU-8) and an overlong '/' are not UTF-8 either.
    CHECK(errors_of("{\"server\": {\"region\": \"\xED\xA0\x80\"}}") == strings{"test.json:1:24: invalid UTF-8"});
    CHECK(errors_of("{\"server\": {\"region\": \"\xC0\xAF\"}}") == strings{"test.json:1:24: invalid UTF-8"});
    // Valid multi-byte text is fine.
    CHECK(parse_ok("{\"server\": {\"region\": \"\xE6\x9D\xB1\xE4\xBA\xAC \xF0\x9F\x98\x80\"}}").server.region ==
          "\xE6\x9D\xB1\xE4\xBA\xAC \xF0\x9F\x98\x80");
}

TEST_CASE("deeply nested junk stops at the depth limit", "[config]") {
    std::string deep = "{\"server\": " + std::string(10000, '[') + std::string(10000, ']') + "}";
    auto errors = errors_of(deep);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == "test.json:1:43: nesting too deep (more than 32 levels)");
    // Nesting within the limit but where no object belongs is a type error, not a crash.
    CHECK(errors_of(R"({"server": {"region": [[[{"a": [{}]}]]]}})") == strings{"server.region: expected a string"});
}

TEST_CASE("unknown keys are errors with their path", "[config]") {
    CHECK(errors_of(R"({"htp": {}})") == strings{"htp: unknown key"});
    CHECK(errors_of(R"({"xmpp": {"servers": [{"id": "a", "hots": "x"}]}})") ==
          strings{"xmpp.servers[0].hots: unknown key"});
    CHECK(errors_of(R"({"xmpp": {"servers": [{"id": "a"}, {"id": "b", "control": {"pasword": "x"}}]}})") ==
          strings{"xmpp.servers[1].control.pasword: unknown key"});
    CHECK(errors_of(R"({"sip": {"accounts": [{"id": "a", "user": "u", "domain": "d", "password": "p", "expiry": 5}]}})") ==
          strings{"sip.accounts[0].expiry: unknown key"});
    // Keys that are not identifiers are quoted, so a path cannot carry a newline into a log.
    CHECK(errors_of(R"({"http": {"a b\n": 1}})") == strings{R"(http["a b\n"]: unknown key)"});
}

TEST_CASE("duplicate keys are errors", "[config]") {
    CHECK(errors_of(R"({"http": {"port": 1000, "port": 2000}})") == strings{"http.port: duplicate key"});
    CHECK(errors_of(R"({"xmpp": {"servers": [{"id": "a"}, {"id": "b", "id": "c"}]}, "xmpp": {}})") ==
          strings{"xmpp.servers[1].id: duplicate key", "xmpp: duplicate key"});
    CHECK(errors_of(R"({"log": {"subsystems": {"sip": "debug", "sip": "info"}}})") ==
          strings{"log.subsystems.sip: duplicate key"});
}

TEST_CASE("wrong types are errors with their path", "[config]") {
    CHECK(errors_of(R"({"http": {"port": "8788"}})") == strings{"http.port: expected an integer 1..65535"});
    CHECK(errors_of(R"({"http": {"port": 0}})") == strings{"http.port: expected an integer 1..65535"});
    CHECK(errors_of(R"({"http": {"port": 65536}})") == strings{"http.port: expected an integer 1..65535"});
    CHECK(errors_of(R"({"http": {"port": 8788.0}})") == strings{"http.port: expected an integer 1..65535"});
    CHECK(errors_of(R"({"http": {"port": -1}})") == strings{"http.port: expected an integer 1..65535"});
    CHECK(errors_of(R"({"http": {"shutdown_enabled": "yes"}})") ==
          strings{"http.shutdown_enabled: expected true or false"});
    CHECK(errors_of(R"({"http": {"address": 127}})") == strings{"http.address: expected a string"});
    CHECK(errors_of(R"({"http": {"address": null}})") == strings{"http.address: expected a string"});
    CHECK(errors_of(R"({"http": []})") == strings{"http: expected an object"});
    CHECK(errors_of(R"({"xmpp": {"servers": {}}})") == strings{"xmpp.servers: expected an array"});
    CHECK(errors_of(R"({"xmpp": {"servers": ["a"]}})") == strings{"xmpp.servers[0]: expected an object"});
    CHECK(errors_of(R"({"log": {"level": "verbose"}})") ==
          strings{"log.level: expected one of emerg, alert, crit, error, warning, notice, info, debug"});
    CHECK(errors_of(R"({"log": {"level": "INFO"}})") ==
          strings{"log.level: expected one of emerg, alert, crit, error, warning, notice, info, debug"});
    CHECK(errors_of(R"({"log": {"subsystems": {"sip": 7}}})") ==
          strings{"log.subsystems.sip: expected one of emerg, alert, crit, error, warning, notice, info, debug"});
    CHECK(errors_of(R"({"xmpp": {"servers": [{"id": "a", "tls": "ssl"}]}})") ==
          strings{"xmpp.servers[0].tls: expected one of starttls, required, direct, none"});
    CHECK(errors_of(R"({"sip": {"listen": [{"transport": "sctp"}]}})") ==
          strings{"sip.listen[0].transport: expected one of udp, tcp, tls"});
}

TEST_CASE("huge numbers are range errors, not overflows", "[config]") {
    CHECK(errors_of(R"({"http": {"port": 1e999}})") == strings{"http.port: expected an integer 1..65535"});
    CHECK(errors_of(R"({"server": {"threads": 4294967296}})") ==
          strings{"server.threads: expected an integer 0..4294967295"});
    CHECK(errors_of(R"({"http": {"max_body_bytes": 18446744073709551616}})") ==
          strings{"http.max_body_bytes: expected an integer 0..18446744073709551615"});
    CHECK(errors_of(R"({"http": {"max_body_bytes": -9223372036854775808}})") ==
          strings{"http.max_body_bytes: expected an integer 0..18446744073709551615"});
    CHECK(parse_ok(R"({"http": {"max_body_bytes": 18446744073709551615}})").http.max_body_bytes ==
          18446744073709551615u);
}

TEST_CASE("all problems are collected, in file order, without repeats", "[config]") {
    CHECK(errors_of(R"({
      "http": {"port": "x", "bogus": 1},
      "xmpp": {"servers": [{"id": "a", "hots": "h"}, {"id": "a"}]},
      "sip": {"accounts": [{"id": "p", "user": "u", "domain": "d", "password": 5}]},
      "media": {"min_port": 20000, "max_port": 10000}
    })") == strings{
                "http.port: expected an integer 1..65535",
                "http.bogus: unknown key",
                "xmpp.servers[0].hots: unknown key",
                "sip.accounts[0].password: expected a string",  // not also "required"
                "xmpp.servers[1].id: duplicate \"a\"",
                "media.min_port: must be less than media.max_port (10000)",
            });
}

TEST_CASE("media addresses must be IP literals, speakers 1..16, the media timeout positive", "[config]") {
    CHECK(errors_of(R"({"media": {"addresses": ["192.0.2.7", "media.example", "10.0.0.0/8"],
                                  "max_speakers": 0, "timeout_s": 0}})") ==
          strings{"media.addresses[1]: not an IPv4 or IPv6 address: media.example",
                  "media.addresses[2]: not an IPv4 or IPv6 address: 10.0.0.0/8",
                  "media.max_speakers: must lie between 1 and 16", "media.timeout_s: must be greater than 0"});
    auto cfg = parse_ok(R"({"media": {"addresses": ["127.0.0.1", "2001:db8::1"], "max_speakers": 5}})");
    CHECK(cfg.media.addresses == std::vector<std::string>{"127.0.0.1", "2001:db8::1"});
    CHECK(cfg.media.max_speakers == 5);
}

TEST_CASE("load_file reports unreadable files at their path", "[config]") {
    auto r = load_file("/nonexistent/jigasi-ng.json");
    CHECK_FALSE(r.value);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].where == "/nonexistent/jigasi-ng.json");
    CHECK(r.errors[0].message.starts_with("cannot read: "));
    auto endless = load_file("/dev/zero");
    CHECK(test::lines(endless.errors) == strings{"/dev/zero: larger than 16 MiB"});
}

TEST_CASE("mangled files never throw and never yield a model with errors", "[config]") {
    std::string good = to_json(defaults(), false);
    std::mt19937 rng(20240611);
    const std::string junk = "{}[]\",:/*\\ 0-e.tfn\xFF\xC3\n";
    for (int round = 0; round < 3000; ++round) {
        std::string text = good;
        int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            std::size_t at = rng() % text.size();
            switch (rng() % 3) {
                case 0: text[at] = junk[rng() % junk.size()]; break;
                case 1: text.insert(at, 1, junk[rng() % junk.size()]); break;
                default: text.erase(at, 1 + rng() % 8); break;
            }
        }
        load_result r;
        REQUIRE_NOTHROW(r = parse(text, "fuzz"));
        CHECK(r.value.has_value() == r.errors.empty());
    }
    // Every proper prefix is incomplete: the error points into the text.
    for (std::size_t n = 0; n + 2 < good.size(); n += 5) {
        auto r = parse(good.substr(0, n), "cut");
        REQUIRE_FALSE(r.value);
        CHECK(r.errors.front().where.starts_with("cut:"));
    }
}
