// validate(), fill_derived() and the warnings parse() reports.

#include "config/load.hpp"
#include "config_test_util.hpp"

#include <catch2/catch.hpp>

using namespace jigasi::config;
using jigasi::config::test::errors_of;
using jigasi::config::test::lines;
using jigasi::config::test::parse_ok;
using strings = std::vector<std::string>;

TEST_CASE("defaults are valid and derived", "[config]") {
    auto cfg = defaults();
    CHECK(validate(cfg).empty());
    REQUIRE(cfg.xmpp.servers.size() == 1);
    const auto& s = cfg.xmpp.servers[0];
    CHECK(s.id == "default");
    CHECK(s.domain == "meet.jitsi");
    CHECK(s.muc_domain == "muc.meet.jitsi");
    CHECK(s.focus_jid == "focus.meet.jitsi");
    CHECK(s.control.auth_domain == "auth.meet.jitsi");
    CHECK(s.call_login.auth_domain == "auth.meet.jitsi");
    CHECK(s.call_login.username.empty());  // calls log in anonymously by default (§3.1)
    CHECK(s.control.brewery == "jigasibrewery@internal-muc.meet.jitsi");
    CHECK(s.control.allowed_jid == s.control.brewery);
    REQUIRE(cfg.sip.listen.size() == 2);
    CHECK(parse("{}", "t").warnings.empty());
}

TEST_CASE("fill_derived fills only empty keys and is idempotent", "[config]") {
    config cfg;
    cfg.xmpp.servers.resize(2);
    cfg.xmpp.servers[0].domain = "example.org";
    cfg.xmpp.servers[0].muc_domain = "conference.example.org";
    cfg.xmpp.servers[0].control.brewery = "gw@rooms.example.org";
    cfg.xmpp.servers[1].domain.clear();  // nothing to derive from: stays empty, validate says why
    cfg.sip.accounts.resize(1);
    cfg.sip.accounts[0].user = "alice";
    cfg.sip.accounts[0].domain = "sip.example.com";
    fill_derived(cfg);
    const auto& s = cfg.xmpp.servers[0];
    CHECK(s.muc_domain == "conference.example.org");
    CHECK(s.focus_jid == "focus.example.org");
    CHECK(s.control.auth_domain == "auth.example.org");
    CHECK(s.control.allowed_jid == "gw@rooms.example.org");  // follows a custom brewery
    CHECK(cfg.xmpp.servers[1].muc_domain.empty());
    CHECK(cfg.sip.accounts[0].auth_user == "alice");
    CHECK(cfg.sip.accounts[0].registrar == "sip:sip.example.com");
    config again = cfg;
    fill_derived(again);
    CHECK(again == cfg);
}

TEST_CASE("required keys", "[config]") {
    CHECK(errors_of(R"({"sip": {"accounts": [
        {"id": "a", "user": "u", "domain": "d", "password": "p"},
        {"id": "b", "user": "", "domain": "d"}]}})") ==
          strings{"sip.accounts[1].user: required", "sip.accounts[1].password: required"});
    CHECK(errors_of(R"({"xmpp": {"servers": [{"id": "m", "call_login": {"username": "jigasi"}}]}})") ==
          strings{"xmpp.servers[0].call_login.password: required"});
    CHECK(errors_of(R"({"xmpp": {"servers": [{"control": {"enabled": true}}]}})") ==
          strings{"xmpp.servers[0].id: required", "xmpp.servers[0].control.password: required"});
    CHECK(errors_of(R"({"xmpp": {"servers": [{"id": "a", "domain": "", "host": ""}]}})") ==
          strings{"xmpp.servers[0].domain: required", "xmpp.servers[0].host: required"});
    CHECK(errors_of(R"({"xmpp": {"component": {"enabled": true}}})") ==
          strings{"xmpp.component.domain: required", "xmpp.component.secret: required"});
    CHECK(errors_of(R"({"sip": {"listen": [{"transport": "tls", "port": 5061}]}})") ==
          strings{"sip.listen[0].certificate: required", "sip.listen[0].private_key: required"});
    CHECK(errors_of(R"({"http": {"address": ""}})") == strings{"http.address: required"});
    // Disabled sections need nothing.
    CHECK(errors_of(R"({"xmpp": {"component": {"enabled": false}}})").empty());
}

TEST_CASE("ids are unique within their list", "[config]") {
    CHECK(errors_of(R"({"xmpp": {"servers": [{"id": "a"}, {"id": "a"}, {"id": "b"}, {"id": "a"}]}})") ==
          strings{"xmpp.servers[1].id: duplicate \"a\"", "xmpp.servers[3].id: duplicate \"a\""});
    CHECK(errors_of(R"({"sip": {"accounts": [
        {"id": "x", "user": "u", "domain": "d", "password": "p"},
        {"id": "x", "user": "u", "domain": "d", "password": "p"}]}})") ==
          strings{"sip.accounts[1].id: duplicate \"x\""});
    // Same id in different lists is fine.
    CHECK(errors_of(R"({"xmpp": {"servers": [{"id": "x"}]},
        "sip": {"accounts": [{"id": "x", "user": "u", "domain": "d", "password": "p"}]}})").empty());
}

TEST_CASE("ranges and orders", "[config]") {
    CHECK(errors_of(R"({"media": {"min_port": 20000, "max_port": 20000}})") ==
          strings{"media.min_port: must be less than media.max_port (20000)"});
    CHECK(errors_of(R"({"server": {"threads": 1025}})") == strings{"server.threads: at most 1024 (0 = one per core)"});
    CHECK(errors_of(R"({"server": {"threads": 1024, "conferences_threshold": 0}})") ==
          strings{"server.conferences_threshold: must be greater than 0"});
    CHECK(errors_of(R"({"http": {"max_header_bytes": 0, "max_body_bytes": 0, "read_timeout_s": 0,
                        "idle_timeout_s": 0, "max_connections": 0}})") ==
          strings{"http.max_header_bytes: must be greater than 0", "http.max_body_bytes: must be greater than 0",
                  "http.read_timeout_s: must be greater than 0", "http.idle_timeout_s: must be greater than 0",
                  "http.max_connections: must be greater than 0"});
    CHECK(errors_of(R"({"xmpp": {"reconnect_min_s": 10, "reconnect_max_s": 5, "connect_timeout_s": 0}})") ==
          strings{"xmpp.reconnect_max_s: must be at least xmpp.reconnect_min_s (10)",
                  "xmpp.connect_timeout_s: must be greater than 0"});
    CHECK(errors_of(R"({"log": {"subsystems": {"": "debug"}}})") ==
          strings{"log.subsystems: subsystem name must not be empty"});
    CHECK(errors_of(R"({"sip": {"listen": [{"port": 5070}, {"transport": "tcp", "port": 5070}, {"port": 5070}]}})") ==
          strings{"sip.listen[2]: same transport, address and port as sip.listen[0]"});
    CHECK(errors_of(R"({"sip": {"accounts": [{"id": "a", "user": "u", "domain": "d", "password": "p",
                        "registrar": "example.com", "expires_s": 0}]}})") ==
          strings{"sip.accounts[0].registrar: expected a SIP URI (sip:host[:port])",
                  "sip.accounts[0].expires_s: must be greater than 0"});
}

TEST_CASE("validate checks models built in code too", "[config]") {
    config cfg = defaults();
    cfg.http.port = 0;
    cfg.media.min_port = 0;
    cfg.xmpp.servers[0].port = 0;
    CHECK(lines(validate(cfg)) == strings{"http.port: expected an integer 1..65535",
                                          "xmpp.servers[0].port: expected an integer 1..65535",
                                          "media.min_port: expected an integer 1..65535"});
}

TEST_CASE("suspicious settings are warnings, not errors", "[config]") {
    auto r = parse(R"({
      "http": {"address": "0.0.0.0"},
      "xmpp": {"servers": [{"id": "a", "host": "xmpp.example.org", "tls": "none"},
                           {"id": "b", "host": "localhost", "tls": "none"}],
               "component": {"enabled": true, "host": "10.0.0.2", "domain": "d", "secret": "s"}},
      "media": {"min_port": 10001}
    })", "t");
    REQUIRE(r.value);
    CHECK(lines(r.warnings) ==
          strings{"xmpp.servers[0].tls: none: XMPP traffic (passwords included) to xmpp.example.org is not encrypted",
                  "xmpp.component.host: XEP-0114 has no encryption; the component secret handshake and all call "
                  "control to 10.0.0.2 travel in clear",
                  "http.shutdown_enabled: POST /about/shutdown is reachable from the network on 0.0.0.0",
                  "media.min_port: odd; RTP ports are conventionally even (RFC 3550 section 11)"});
    auto nothing = parse(R"({"xmpp": {"servers": []}, "sip": {"listen": []}})", "t");
    REQUIRE(nothing.value);
    CHECK(lines(nothing.warnings) ==
          strings{"xmpp.servers: no deployment and no component: calls cannot reach Jitsi Meet",
                  "sip.listen: no listener and no account: no SIP call can come in"});
}

TEST_CASE("log level names", "[config]") {
    for (int i = 0; i <= 7; ++i) {
        auto level = static_cast<log_level>(i);
        CHECK(parse_log_level(to_string(level)) == level);
    }
    CHECK(to_string(log_level::warning) == "warning");
    CHECK_FALSE(parse_log_level("warn"));
    CHECK_FALSE(parse_log_level(""));
}

TEST_CASE("SIP registrar users, routing headers, codecs and trusted sources", "[config]") {
    CHECK(errors_of(R"({"sip": {"registrar": {"users": [
                        {"user": "alice", "password": "a"},
                        {"user": "alice", "ha1_md5": "0123456789abcdef0123456789abcdef"},
                        {"user": "bob"},
                        {"user": "carol", "password": "c", "ha1_md5": "0123456789abcdef0123456789abcdef"},
                        {"user": "erin", "ha1_sha256": "00"},
                        {"user": "dave", "ha1_md5": "xyz", "max_bindings": 0}]}}})") ==
          strings{"sip.registrar.users[1].user: duplicate \"alice\"",
                  "sip.registrar.users[2]: give exactly one of password, ha1_md5, ha1_sha256",
                  "sip.registrar.users[3]: give exactly one of password, ha1_md5, ha1_sha256",
                  "sip.registrar.users[4].ha1_sha256: expected 64 hex digits",
                  "sip.registrar.users[5].ha1_md5: expected 32 hex digits",
                  "sip.registrar.users[5].max_bindings: must be greater than 0"});
    CHECK(errors_of(R"({"sip": {"registrar": {"min_expires_s": 100, "max_expires_s": 50}}})") ==
          strings{"sip.registrar.max_expires_s: must be at least sip.registrar.min_expires_s",
                  "sip.registrar.default_expires_s: must lie between min_expires_s and max_expires_s"});
    CHECK(errors_of(R"({"sip": {"trusted": ["192.0.2.1", "10.0.0.0/8", "2001:db8::/32", "10.0.0.0/33",
                        "pbx.example.com", "1.2.3.4/"]}})") ==
          strings{"sip.trusted[3]: expected an IP address or CIDR prefix (10.0.0.0/8)",
                  "sip.trusted[4]: expected an IP address or CIDR prefix (10.0.0.0/8)",
                  "sip.trusted[5]: expected an IP address or CIDR prefix (10.0.0.0/8)"});
    CHECK(errors_of(R"({"sip": {"codecs": ["pcmu", "g729", "pcmu"], "ptime_ms": 25}})") ==
          strings{"sip.codecs[1]: expected one of opus, g722, pcmu, pcma", "sip.codecs[2]: duplicate \"pcmu\"",
                  "sip.ptime_ms: expected 10..120 in steps of 10"});
    CHECK(errors_of(R"({"sip": {"codecs": [], "echo_extension": "echo test",
                        "headers": {"room": ["X Room"], "room_password": ""}}})") ==
          strings{"sip.codecs: at least one codec is needed",
                  "sip.echo_extension: letters, digits and -_.!~*'+ only (a SIP URI user part)",
                  "sip.headers.room[0]: not a valid header name", "sip.headers.room_password: not a valid header name"});
    CHECK(errors_of(R"({"sip": {"inbound": "nobody", "unknown": "silent", "echo_extension": ""}})") ==
          strings{"sip.inbound: expected one of anyone, authenticated"});
}

TEST_CASE("conference-call settings", "[config]") {
    CHECK(errors_of(R"({"calls": {"routing": ["header", "sip-uri"], "display_name": "{caller} {who}",
                        "visible_digits": 40, "max_wait_s": 2, "ring_timeout_s": 99999, "records_kept": 1000001}})") ==
          strings{"calls.routing[1]: unknown step \"sip-uri\" (header, number, uri, default)",
                  "calls.display_name: unknown placeholder {who} ({name}, {number}, {caller})",
                  "calls.visible_digits: must lie between 0 and 32", "calls.max_wait_s: must lie between 5 and 3600",
                  "calls.ring_timeout_s: must lie between 5 and 3600", "calls.records_kept: must lie between 0 and 100000"});
    CHECK(errors_of(R"({"calls": {"routing": ["default"]}})") ==
          strings{"calls.default_room: required when calls.routing is only \"default\""});
    CHECK(errors_of(R"({"calls": {"routing": [], "display_name": ""}})") ==
          strings{"calls.routing: empty: no dial-in call could be routed", "calls.display_name: empty: callers would have no name"});
    CHECK(errors_of(R"({"calls": {"keypad_mute": "*66666", "keypad_hand": "*x"}})") ==
          strings{"calls.keypad_mute: up to 4 keys of 0-9 * # A-D (empty: off)",
                  "calls.keypad_hand: up to 4 keys of 0-9 * # A-D (empty: off)"});
    CHECK(errors_of(R"({"calls": {"info_heartbeat_s": 10}})") == strings{"calls.info_heartbeat_s: needs calls.info_json"});
    CHECK(errors_of(R"({"calls": {"keypad_mute": "*1", "keypad_hand": "*1"}})") ==
          strings{"calls.keypad_hand: the same code as calls.keypad_mute"});
    CHECK(errors_of(R"({"calls": {"when_alone": "leave", "alone_grace_s": 4000}})") ==
          strings{"calls.when_alone: expected \"stay\" or \"hang_up\", not \"leave\"",
                  "calls.alone_grace_s: must lie between 0 and 3600"});
    CHECK(errors_of(R"({"calls": {"routing": ["default"], "default_room": "hall", "dtmf": "info"}})").empty());
}

TEST_CASE("a room per dialled number (calls.numbers)", "[config]") {
    CHECK(errors_of(R"({"calls": {"numbers": [{"number": "+1 555-0199", "room": "standup"},
                                               {"number": "room1", "room": "x"},
                                               {"number": "15550199", "room": "other"},
                                               {"number": "+44 20 7946 0000", "room": "a b"},
                                               {"number": "+1 555-0100", "room": "hall"}]},
                        "dialin": {"numbers": [{"country_code": "US", "number": "+1 (555) 0100"}]}})") ==
          strings{"calls.numbers[1].number: expected a phone number (digits, an optional leading +, and - . ( ) or spaces)",
                  "calls.numbers[2].number: the same number as calls.numbers[0]",
                  "calls.numbers[3].room: expected a room name or room@muc",
                  "calls.numbers[4].number: also dialin.numbers[0].number, which leads to the IVR"});
    CHECK(errors_of(R"({"calls": {"routing": ["header", "uri"], "numbers": [{"number": "5550199", "room": "standup"}]}})") ==
          strings{"calls.numbers: unused: calls.routing has no \"number\" step"});
    CHECK(errors_of(R"({"calls": {"numbers": [{"number": "1000", "room": "a:b"}, {"number": "5550101", "room": "r@"}]}})") ==
          strings{"calls.numbers[0].number: the IVR's extension (ivr.extension)",
                  "calls.numbers[0].room: expected a room name or room@muc",
                  "calls.numbers[1].room: expected a room name or room@muc"});
    CHECK(errors_of(R"({"calls": {"numbers": [{"number": "+1 555-0199", "room": "standup@conference.meet.test"}]}})").empty());
    // 00 is the international prefix: the same number as +1 555-0199
    CHECK(errors_of(R"({"calls": {"numbers": [{"number": "+1 555-0199", "room": "a"}, {"number": "001 555 0199", "room": "b"}]}})") ==
          strings{"calls.numbers[1].number: the same number as calls.numbers[0]"});
    // with the trunk's country, the national form is that country's number too
    CHECK(errors_of(R"({"calls": {"country_code": "49", "numbers": [{"number": "+49 30 0199", "room": "a"}, {"number": "030 0199", "room": "b"}]}})") ==
          strings{"calls.numbers[1].number: the same number as calls.numbers[0]"});
    CHECK(errors_of(R"({"calls": {"numbers": [{"number": "+49 30 0199", "room": "a"}, {"number": "030 0199", "room": "b"}]}})").empty());
    CHECK(errors_of(R"({"calls": {"country_code": "+1", "national_prefix": "1"}})").empty());
    for (const char* bad : {"049", "1234", "+", "4a"})
        CHECK(errors_of(std::string(R"({"calls": {"country_code": ")") + bad + "\"}}") ==
              strings{"calls.country_code: expected a country calling code of 1 to 3 digits, e.g. \"49\" (empty: none)"});
    CHECK(errors_of(R"({"calls": {"national_prefix": "0x"}})") == strings{"calls.national_prefix: expected 0 to 3 digits, e.g. \"0\""});
}

TEST_CASE("prompt languages per dial-in number", "[config]") {
    const auto c = parse_ok(R"({"ivr": {"language": "fr"},
        "calls": {"numbers": [{"number": "+49 30 1", "room": "a", "language": "de"}, {"number": "+1 555", "room": "b"}]},
        "dialin": {"numbers": [{"country_code": "DE", "number": "+49 30 2", "language": "de"},
                               {"country_code": "ES", "number": "+34 91 3", "language": "es"},
                               {"country_code": "FR", "number": "+33 1 4", "language": "fr"}]}})");
    CHECK(c.calls.numbers[0].language == "de");
    CHECK(c.calls.numbers[1].language.empty());
    CHECK(prompt_languages(c) == strings{"fr", "de", "es"});
    CHECK(prompt_languages(defaults()) == strings{"en"});
    CHECK(errors_of(R"({"ivr": {"language": "../en"},
        "calls": {"numbers": [{"number": "+49 30 1", "room": "a", "language": "de/x"}]},
        "dialin": {"numbers": [{"country_code": "DE", "number": "+49 30 2", "language": "d e"}]}})") ==
          strings{"calls.numbers[0].language: expected a prompts language such as \"de\" (1 to 32 of A-Z a-z 0-9 _ -)",
                  "ivr.language: expected a prompts language such as \"de\" (1 to 32 of A-Z a-z 0-9 _ -)",
                  "dialin.numbers[0].language: expected a prompts language such as \"de\" (1 to 32 of A-Z a-z 0-9 _ -)"});
}

TEST_CASE("dial-in numbers and meeting IDs", "[config]") {
    CHECK(errors_of(R"({"dialin": {"id_digits": 5, "numbers": [
                        {"country_code": "US", "number": "+1 555-123-4567", "default": true},
                        {"country_code": "usa", "number": ""}]}})") ==
          strings{"dialin.id_digits: must lie between 6 and 16", "dialin.numbers[1].number: required",
                  "dialin.numbers[1].country_code: expected two capital letters (ISO 3166), e.g. \"US\""});
}

TEST_CASE("IVR waiting and the external mapper", "[config]") {
    const auto d = defaults();
    CHECK(d.ivr.lobby_wait_s == 900);
    CHECK(d.ivr.wait_prompt_s == 30);
    CHECK(d.dialin.mapper_url.empty());  // the built-in mapper only
    CHECK(errors_of(R"({"ivr": {"lobby_wait_s": 9, "wait_prompt_s": 3601}})") ==
          strings{"ivr.lobby_wait_s: must lie between 10 and 86400",
                  "ivr.wait_prompt_s: must lie between 0 and 3600 (0: say it once)"});
    CHECK(errors_of(R"({"ivr": {"lobby_wait_s": 86401}})") == strings{"ivr.lobby_wait_s: must lie between 10 and 86400"});
    CHECK(d.ivr.start_wait_s == 600);
    CHECK(errors_of(R"({"ivr": {"start_wait_s": 9}})") == strings{"ivr.start_wait_s: must lie between 10 and 86400"});
    CHECK(parse_ok(R"({"ivr": {"start_wait_s": 86400}})").ivr.start_wait_s == 86400);
    CHECK(errors_of(R"({"ivr": {"lobby_wait_s": -1, "wait_prompt_s": "30"}})") ==
          strings{"ivr.lobby_wait_s: expected an integer 0..4294967295",
                  "ivr.wait_prompt_s: expected an integer 0..4294967295"});
    auto c = parse_ok(R"({"ivr": {"lobby_wait_s": 10, "wait_prompt_s": 0}})");
    CHECK(c.ivr.lobby_wait_s == 10);
    CHECK(c.ivr.wait_prompt_s == 0);  // 0: the prompt is said once
    CHECK(parse_ok(R"({"ivr": {"lobby_wait_s": 86400, "wait_prompt_s": 3600}})").ivr.lobby_wait_s == 86400);

    for (const char* url : {"https://mapper.example.com/conferenceMapper", "http://127.0.0.1:8080/m?token=x",
                            "HTTPS://[2001:db8::1]/m"})
        CHECK(parse_ok(std::string(R"({"dialin": {"mapper_url": ")") + url + "\"}}").dialin.mapper_url == url);
    const std::string scheme = "dialin.mapper_url: expected an http:// or https:// URL (empty: the built-in mapper only)";
    CHECK(errors_of(R"({"dialin": {"mapper_url": "ftp://mapper.example.com/"}})") == strings{scheme});
    CHECK(errors_of(R"({"dialin": {"mapper_url": "mapper.example.com/m"}})") == strings{scheme});
    CHECK(errors_of(R"({"dialin": {"mapper_url": "https://"}})") == strings{"dialin.mapper_url: no host in the URL"});
    CHECK(errors_of(R"({"dialin": {"mapper_url": "https://:8080/m"}})") == strings{"dialin.mapper_url: no host in the URL"});
    CHECK(errors_of(R"({"dialin": {"mapper_url": "https://u:pw@mapper.example.com/"}})") ==
          strings{"dialin.mapper_url: user names and passwords in URLs are not supported"});
    CHECK(errors_of(R"({"dialin": {"mapper_url": "https://mapper.example.com/a b"}})") ==
          strings{"dialin.mapper_url: blanks, control and non-ASCII characters are not allowed (percent-encode them)"});
    CHECK(errors_of(R"({"dialin": {"mapper_url": 5}})") == strings{"dialin.mapper_url: expected a string"});
}
