// Conference-call bookkeeping without a network: the caller's shown name, dial-in routing, and
// what a finished call leaves behind (record line, attempt counter, setup histogram).
#include "call/call_registry.hpp"
#include "call/display_name.hpp"
#include "call/room_options.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace jigasi;
using jigasi::call::display_name;
using jigasi::call::mask_digits;

TEST_CASE("mask_digits keeps the last digits and every other character", "[call]") {
    CHECK(mask_digits("+49 30 1234-5678", 4) == "+xx xx xxxx-5678");
    CHECK(mask_digits("1234", 4) == "1234");
    CHECK(mask_digits("12", 4) == "12");
    CHECK(mask_digits("555123", 0) == "xxxxxx");
    CHECK(mask_digits("", 3).empty());
}

TEST_CASE("display_name fills the template and masks numbers only", "[call]") {
    config::calls_config c;
    CHECK(display_name(c, "Alice", "1001") == "Alice");
    CHECK(display_name(c, "", "+15551234567") == "+15551234567");
    c.mask_numbers = true;
    CHECK(display_name(c, "", "+15551234567") == "+xxxxxxx4567");
    CHECK(display_name(c, "Alice", "+15551234567") == "Alice");           // a name is not masked
    CHECK(display_name(c, "5551234567", "anonymous") == "xxxxxx4567");    // a "name" that is a number is
    c.display_name = "{name} ({number})";
    CHECK(display_name(c, "Alice", "5551234567") == "Alice (xxxxxx4567)");
    c.display_name = "Phone {number} {unknown}";
    CHECK(display_name(c, "", "12345") == "Phone x2345 {unknown}");
    c.display_name = "{name}";
    CHECK(display_name(c, "", "") == "phone");                           // never empty
    CHECK(display_name(c, "", "777") == "777");                          // blank template: the caller
}

namespace {
config::config two_servers() {
    config::config c;
    config::xmpp_server_config a, b;
    a.id = "meet";
    a.domain = "meet.test";
    a.muc_domain = "conference.meet.test";
    b.id = "other";
    b.domain = "other.test";
    b.muc_domain = "conference.other.test";
    c.xmpp.servers = {a, b};
    return c;
}
}  // namespace

TEST_CASE("route_dial_in follows calls.routing", "[call]") {
    auto c = two_servers();
    SECTION("the header wins over the URI, lower-cased") {
        auto r = call::route_dial_in(c, {"MyRoom", "gateway", "", ""});
        REQUIRE(r);
        CHECK(r->room.to_string() == "myroom@conference.meet.test");
        CHECK(r->step == "header");
    }
    SECTION("the URI user, and <room>.<domain> picks that deployment") {
        auto r = call::route_dial_in(c, {"", "room1", "", ""});
        REQUIRE(r);
        CHECK(r->room.to_string() == "room1@conference.meet.test");
        r = call::route_dial_in(c, {"", "room1.other.test", "", ""});
        REQUIRE(r);
        CHECK(r->room.to_string() == "room1@conference.other.test");
        CHECK(r->server->id == "other");
    }
    SECTION("the domain-base header picks the server for the header step") {
        auto r = call::route_dial_in(c, {"lobby", "", "", "other.test"});
        REQUIRE(r);
        CHECK(r->room.to_string() == "lobby@conference.other.test");
    }
    SECTION("a full room JID in the header is kept, and picks its deployment") {
        auto r = call::route_dial_in(c, {"x@conference.other.test", "", "", ""});
        REQUIRE(r);
        CHECK(r->room.to_string() == "x@conference.other.test");
        CHECK(r->server->id == "other");
    }
    SECTION("a dialled number in calls.numbers: request-URI user, else To user, by its digits") {
        c.calls.numbers = {{"+1 555-0199", "Standup", ""}, {"0049 30 1234", "berlin@conference.other.test", ""}};
        auto r = call::route_dial_in(c, {"", "+15550199", "", ""});
        REQUIRE(r);
        CHECK(r->room.to_string() == "standup@conference.meet.test");
        CHECK(r->step == "number");
        r = call::route_dial_in(c, {"", "", "0049301234", ""});  // a trunk's DID in To
        REQUIRE(r);
        CHECK(r->room.to_string() == "berlin@conference.other.test");
        CHECK(r->server->id == "other");  // room@muc picks that deployment
        CHECK(r->step == "number");
        // the request-URI's number comes before To's
        r = call::route_dial_in(c, {"", "+1 555 0199", "0049301234", ""});
        REQUIRE(r);
        CHECK(r->room.to_string() == "standup@conference.meet.test");
        // tel: numbers and their parameters
        CHECK(config::number_digits("+1-555-0199;npdi;rn=+15550000") == "15550199");
        // not a listed number: the URI step names a room after it, as before
        r = call::route_dial_in(c, {"", "+15550100", "", ""});
        REQUIRE(r);
        CHECK(r->step == "uri");
        // the header still comes first
        r = call::route_dial_in(c, {"hall", "+15550199", "", ""});
        REQUIRE(r);
        CHECK(r->step == "header");
        CHECK(config::number_digits("+1 (555) 010-0") == "15550100");
        CHECK(config::number_digits("room1") == "");
        CHECK(config::number_digits("1+2") == "");
        // the international call prefix 00 is the + form
        CHECK(config::number_digits("0049 30 1234") == "49301234");
        CHECK(config::number_digits("+49 30 1234") == "49301234");
        CHECK(config::number_digits("0301234") == "0301234");
        CHECK(config::number_digits("+0049") == "0049");
        CHECK(config::number_digits("00") == "");
        // the national form, with the trunk's country (calls.country_code, national_prefix)
        CHECK(config::number_digits("030 1234", "49", "0") == "49301234");
        CHECK(config::number_digits("030 1234", "+49", "0") == "49301234");
        CHECK(config::number_digits("0049 30 1234", "49", "0") == "49301234");  // international stays so
        CHECK(config::number_digits("+44 20 1234", "49", "0") == "44201234");
        CHECK(config::number_digits("+030", "49", "0") == "030");               // + is never national
        CHECK(config::number_digits("0", "49", "0") == "0");                    // the prefix alone
        CHECK(config::number_digits("06 1 234", "36", "06") == "361234");       // Hungary's 06
        CHECK(config::number_digits("1 555 0199", "1", "1") == "15550199");     // NANP: the same digits
        CHECK(config::number_digits("030 1234", "", "0") == "0301234");         // no country: as dialled
        CHECK(config::number_digits("room1", "49", "0") == "");
        c.calls.country_code = "49";
        c.calls.numbers.push_back({"+49 30 0199", "berlin", ""});
        r = call::route_dial_in(c, {"", "030-0199", "", ""});
        REQUIRE(r);
        CHECK(r->step == "number");
        CHECK(r->room.local() == "berlin");
        c.calls.country_code.clear();
        r = call::route_dial_in(c, {"", "030-0199", "", ""});
        REQUIRE(r);
        CHECK(r->step == "uri");
        r = call::route_dial_in(c, {"", "0015550199", "", ""});
        REQUIRE(r);
        CHECK(r->step == "number");
    }
    SECTION("the default room, only when configured and listed") {
        CHECK_FALSE(call::route_dial_in(c, {"", "", "", ""}));
        c.calls.default_room = "hall";
        auto r = call::route_dial_in(c, {"", "", "", ""});
        REQUIRE(r);
        CHECK(r->room.to_string() == "hall@conference.meet.test");
        CHECK(r->step == "default");
        c.calls.routing = {"header", "default"};
        r = call::route_dial_in(c, {"", "room1", "", ""});
        REQUIRE(r);
        CHECK(r->room.to_string() == "hall@conference.meet.test");
        c.calls.routing = {"header"};
        CHECK_FALSE(call::route_dial_in(c, {"", "room1", "", ""}));
    }
    SECTION("something that is no room JID is no route") {
        CHECK_FALSE(call::route_dial_in(c, {"a/b@c", "", "", ""}));
        c.xmpp.servers.clear();
        CHECK_FALSE(call::route_dial_in(c, {"room", "room", "", ""}));
    }
}

TEST_CASE("a finished call is counted, recorded and listed", "[call]") {
    core::logger logger([](std::string_view) {});
    core::call_stats stats;
    call::call_registry reg(stats, logger);
    const auto dir = std::filesystem::temp_directory_path() / ("jigasi-calls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    config::calls_config cfg;
    cfg.records_file = (dir / "calls.jsonl").string();
    cfg.records_kept = 2;

    for (int i = 0; i < 3; ++i) {
        call::call_info c;
        c.id = "in-" + std::to_string(i);
        c.room = "room1@conference.meet.test";
        c.from = "1001";
        reg.begin(c);
    }
    CHECK(stats.active(core::call_direction::in) == 3);
    reg.update("in-0", [](call::call_info& c) { c.codec = "PCMU/8000"; });
    reg.flowing("in-0");
    reg.flowing("in-0");  // once only
    CHECK(reg.get("in-0")->at("state").as_string() == "answered");
    reg.finish("in-0", cfg, [](call::call_info& c) {
        c.side = "phone";
        c.reason = "phone_hung_up";
    });
    reg.finish("in-1", cfg, [](call::call_info& c) {
        c.result = std::string(call::result::failed);
        c.reason = "room_password";
        c.side = "conference";
        c.sip_status = 403;
    });
    reg.finish("in-1", cfg, [](call::call_info&) { FAIL("finished twice"); });
    reg.finish("in-2", cfg, [](call::call_info& c) { c.side = "phone"; });

    CHECK(stats.active(core::call_direction::in) == 0);
    const auto attempts = stats.attempts();
    CHECK(attempts.at({"in", "answered", "phone_hung_up"}) == 1);
    CHECK(attempts.at({"in", "failed", "room_password"}) == 1);
    CHECK(attempts.at({"in", "failed", "unknown"}) == 1);
    CHECK(stats.setup(core::call_direction::in).count == 1);
    CHECK(stats.setup(core::call_direction::out).count == 0);

    // Three lines of JSON, in order, each a whole call.
    std::ifstream in(cfg.records_file);
    std::string line;
    std::vector<boost::json::object> lines;
    while (std::getline(in, line)) lines.push_back(boost::json::parse(line).as_object());
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].at("id").as_string() == "in-0");
    CHECK(lines[0].at("result").as_string() == "answered");
    CHECK(lines[0].at("codec").as_string() == "PCMU/8000");
    CHECK(lines[0].contains("setup_ms"));
    CHECK(lines[0].contains("ended"));
    CHECK(lines[1].at("sip_status").as_int64() == 403);
    CHECK(lines[1].at("side").as_string() == "conference");

    // records_kept = 2: the oldest finished call is gone from the list, the newest comes first.
    const auto list = reg.list();
    REQUIRE(list.size() == 2);
    CHECK(list[0].as_object().at("id").as_string() == "in-2");
    CHECK_FALSE(reg.get("in-0"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a records file that cannot be written loses no call", "[call]") {
    core::logger logger([](std::string_view) {});
    core::call_stats stats;
    call::call_registry reg(stats, logger);
    config::calls_config cfg;
    cfg.records_file = "/nonexistent-dir/calls.jsonl";
    call::call_info c;
    c.id = "out-1";
    c.direction = core::call_direction::out;
    reg.begin(c);
    reg.finish("out-1", cfg, [](call::call_info& ci) { ci.reason = "busy", ci.result = "unanswered"; });
    CHECK(stats.attempts().at({"out", "unanswered", "busy"}) == 1);
    CHECK(reg.get("out-1")->at("reason").as_string() == "busy");
}

TEST_CASE("the setup histogram is cumulative", "[call]") {
    core::seconds_histogram h;
    h.observe(0.05);
    h.observe(0.4);
    h.observe(100);
    const auto s = h.snapshot();
    CHECK(s.count == 3);
    CHECK(s.cumulative[0] == 1);                 // <= 0.1
    CHECK(s.cumulative[3] == 2);                 // <= 0.5
    CHECK(s.cumulative.back() == 2);             // <= 30; the 100 s one is only in +Inf
    CHECK(s.sum == Approx(100.45));
}
