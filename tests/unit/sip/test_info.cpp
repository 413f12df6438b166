// SIP INFO bodies: DTMF (dtmf-relay, dtmf) and Jigasi's JSON messages, and what bad bodies get.

#include "sip/info.hpp"

#include <catch2/catch.hpp>

using namespace jigasi::sip;

TEST_CASE("DTMF in application/dtmf-relay and application/dtmf", "[info]") {
    auto r = info::parse("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n");
    REQUIRE(r.value);
    CHECK(std::get<info::dtmf>(*r.value) == info::dtmf{'5', 160u});
    CHECK(std::get<info::dtmf>(*info::parse("Application/DTMF-Relay; x=1", "signal= *\nduration=250").value) ==
          info::dtmf{'*', 250u});
    CHECK(std::get<info::dtmf>(*info::parse("application/dtmf-relay", "Signal=11").value).key == '#');
    CHECK(std::get<info::dtmf>(*info::parse("application/dtmf-relay", "Signal=c").value).key == 'C');
    CHECK(std::get<info::dtmf>(*info::parse("application/dtmf", "7\r\n").value).key == '7');
    CHECK(std::get<info::dtmf>(*info::parse("application/dtmf", "10").value).key == '*');
}

TEST_CASE("Jigasi's JSON messages, both styles", "[info]") {
    auto pin = info::parse("application/json", R"({"i":3,"t":4,"d":{"pwd":"1234"}})");
    REQUIRE(pin.value);
    const auto& n = std::get<info::numbered>(*pin.value);
    CHECK(n.seq == 3);
    CHECK(n.type == 4);
    CHECK(n.data_json == R"({"pwd":"1234"})");
    auto hb = info::parse("application/json", R"({"t":11})");
    REQUIRE(hb.value);
    CHECK(std::get<info::numbered>(*hb.value).type == 11);
    auto mute = info::parse("application/json", R"({"type":"muteRequest","id":"9b2e","data":{"audio":true}})");
    REQUIRE(mute.value);
    const auto& t = std::get<info::typed>(*mute.value);
    CHECK(t.type == "muteRequest");
    CHECK(t.id == "9b2e");
    CHECK(t.audio == true);
}

TEST_CASE("bad INFO bodies are refused with a reason", "[info]") {
    CHECK(info::parse("application/dtmf-relay", "Signal=X").error == "application/dtmf-relay without a valid Signal=");
    CHECK(info::parse("application/dtmf-relay", "Duration=100").error == "application/dtmf-relay without a valid Signal=");
    CHECK(info::parse("application/dtmf-relay", "Signal=99").error == "application/dtmf-relay without a valid Signal=");
    CHECK(info::parse("application/dtmf", "").error == "application/dtmf without a valid key");
    CHECK(info::parse("application/json", "{\"t\":").error.starts_with("JSON: "));
    CHECK(info::parse("application/json", "[1,2]").error == "JSON: not an object");
    CHECK(info::parse("application/json", R"({"t":"4"})").error == "JSON: \"t\" is not an integer");
    CHECK(info::parse("application/json", R"({"x":1})").error == "JSON: neither \"t\" nor \"type\"");
    CHECK(info::parse("application/json", std::string(200, '[') + std::string(200, ']')).error.starts_with("JSON: "));
    CHECK(info::parse("text/plain", "hello").error == "content type text/plain not understood");
    CHECK(info::parse("", "").error == "content type (none) not understood");
    CHECK(info::parse("application/json", std::string(9000, ' ')).error == "body of 9000 bytes is too big");
}
