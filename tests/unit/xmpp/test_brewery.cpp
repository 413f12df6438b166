// Brewery presence (jitsi-protocol.md §1.1) against the doc example and the e2e test participant's
// stats (tests/e2e/jitsi/callcontrol.js), stress_level formatting, the re-send rule, and what the
// stand-in's Jicofo selection (focus.js dial) reads from it.

#include "xmpp/brewery.hpp"

#include "xml_test_util.hpp"

#include <limits>
#include <map>

using namespace jigasi::xmpp;
using xml_test::doc;
using xml_test::J;

namespace {

// §1.1, without the XML comment on region.
constexpr std::string_view doc_presence = R"(<presence to="jigasibrewery@internal-muc.meet.jitsi/AbC123">
  <stats xmlns="http://jitsi.org/protocol/colibri">
    <stat name="conferences" value="3"/>
    <stat name="participants" value="11"/>
    <stat name="graceful_shutdown" value="false"/>
    <stat name="stress_level" value="0.03"/>
    <stat name="region" value="eu-west"/>
    <stat name="version" value="1.1-xxx-gdeadbee"/>
    <stat name="supports_transcription" value="false"/>
    <stat name="supports_sip" value="true"/>
  </stats>
</presence>)";

brewery_stats doc_stats() {
    brewery_stats s;
    s.conferences = 3;
    s.participants = 11;
    s.stress_level = brewery_stress_level(3);
    s.region = "eu-west";
    s.version = "1.1-xxx-gdeadbee";
    return s;
}

std::map<std::string, std::string> stat_map(const element& presence) {
    std::map<std::string, std::string> m;
    for (const element* s : presence.child("stats", ns_colibri)->children("stat"))
        m[std::string(s->attr_or("name"))] = std::string(s->attr_or("value"));
    return m;
}

}  // namespace

TEST_CASE("§1.1 brewery stats presence equals the doc example", "[brewery]") {
    const auto occupant = J("jigasibrewery@internal-muc.meet.jitsi/AbC123");
    auto update = build_brewery_presence(occupant, doc_stats(), false);
    CHECK(update == doc(doc_presence));
    const element* stats = update.child("stats", ns_colibri);
    REQUIRE(stats);
    for (const element* s : stats->children("stat")) {
        CHECK(s->ns() == "http://jitsi.org/protocol/colibri");  // children carry no own xmlns
        CHECK(s->attributes().size() == 2);
    }
    CHECK(write(update).find("<stat name='conferences' value='3'/>") != std::string::npos);

    // The first presence joins: <x xmlns=muc/> first, stats unchanged.
    auto join = build_brewery_presence(occupant, doc_stats(), true);
    auto elems = join.elements();
    REQUIRE(elems.size() == 2);
    CHECK(*elems[0] == element("x", std::string(ns::muc)));
    CHECK(*elems[1] == *stats);
    CHECK(join.attr("to") == "jigasibrewery@internal-muc.meet.jitsi/AbC123");
}

TEST_CASE("The brewery nick is our connection's resource", "[brewery]") {
    auto occ = brewery_occupant(J("jigasibrewery@internal-muc.meet.jitsi"), J("jigasi@auth.meet.jitsi/AbC123"));
    REQUIRE(occ);
    CHECK(occ->to_string() == "jigasibrewery@internal-muc.meet.jitsi/AbC123");
    auto no_resource = brewery_occupant(J("jigasibrewery@internal-muc.meet.jitsi"), J("jigasi@auth.meet.jitsi"));
    REQUIRE_FALSE(no_resource);
    CHECK(no_resource.error().code == parse_errc::jid_empty);
}

TEST_CASE("Without a region the stat is left out; the e2e participant's stats match", "[brewery]") {
    brewery_stats s;
    s.conferences = 1;
    s.participants = 1;
    s.version = "jigasi-ng-e2e";
    // callcontrol.js stats(): the same names in the same order, stress_level "0.0".
    CHECK(build_stats(s) == doc(R"(<stats xmlns="http://jitsi.org/protocol/colibri">
      <stat name="conferences" value="1"/><stat name="participants" value="1"/>
      <stat name="graceful_shutdown" value="false"/><stat name="stress_level" value="0.0"/>
      <stat name="version" value="jigasi-ng-e2e"/><stat name="supports_transcription" value="false"/>
      <stat name="supports_sip" value="true"/></stats>)"));
}

TEST_CASE("What Jicofo's selection (and the stand-in's) reads from our stats", "[brewery]") {
    auto s = doc_stats();
    auto m = stat_map(build_brewery_presence(J("b@internal-muc.meet.jitsi/r"), s, true));
    CHECK(m.at("supports_sip") == "true");
    CHECK(m.at("supports_transcription") == "false");
    CHECK(m.at("graceful_shutdown") == "false");
    CHECK(std::stoul(m.at("participants")) == 11);
    s.graceful_shutdown = true;
    s.supports_sip = false;
    m = stat_map(build_brewery_presence(J("b@internal-muc.meet.jitsi/r"), s, false));
    CHECK(m.at("graceful_shutdown") == "true");
    CHECK(m.at("supports_sip") == "false");
    CHECK(m.size() == 8);
}

TEST_CASE("stress_level = conferences / threshold, written like Java's Double.toString", "[brewery]") {
    auto text = [](double v) {
        brewery_stats s;
        s.stress_level = v;
        return std::string(build_stats(s).children("stat")[3]->attr_or("value"));
    };
    CHECK(brewery_stress_level(3) == 0.03);
    CHECK(brewery_stress_level(150) == 1.5);
    CHECK(brewery_stress_level(5, 10) == 0.5);
    CHECK(brewery_stress_level(5, 0) == 0);
    CHECK(text(0) == "0.0");
    CHECK(text(0.03) == "0.03");
    CHECK(text(brewery_stress_level(100)) == "1.0");
    CHECK(text(1.5) == "1.5");
    CHECK(text(brewery_stress_level(1, 3)) == "0.3333333333333333");
    CHECK(text(std::numeric_limits<double>::quiet_NaN()) == "0.0");
    CHECK(text(std::numeric_limits<double>::infinity()) == "0.0");
    CHECK(std::stod(text(1e-5)) == 1e-5);
}

TEST_CASE("Re-send when nothing was sent or any stat changed", "[brewery]") {
    const auto base = doc_stats();
    CHECK(needs_resend(std::nullopt, base));
    CHECK_FALSE(needs_resend(base, base));
    auto changed = [&](auto mutate) {
        auto s = base;
        mutate(s);
        return needs_resend(base, s);
    };
    CHECK(changed([](brewery_stats& s) { s.conferences++; }));
    CHECK(changed([](brewery_stats& s) { s.participants--; }));
    CHECK(changed([](brewery_stats& s) { s.graceful_shutdown = true; }));
    CHECK(changed([](brewery_stats& s) { s.stress_level = 0.04; }));
    CHECK(changed([](brewery_stats& s) { s.region = "us-east"; }));
    CHECK(changed([](brewery_stats& s) { s.version = "2"; }));
    CHECK(changed([](brewery_stats& s) { s.supports_sip = false; }));
    CHECK(changed([](brewery_stats& s) { s.supports_transcription = true; }));
}

TEST_CASE("The control connection's disco#info", "[brewery]") {
    auto d = control_disco_info();
    CHECK(d.features == std::vector<std::string>{"http://jabber.org/protocol/disco#info",
                                                 "http://jitsi.org/protocol/jigasi", "urn:xmpp:rayo:1"});
    auto res = build_disco_info_result(
        doc("<iq type='get' from='focus@auth.meet.jitsi/focus' id='q'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>"), d);
    CHECK(res.child("query", ns::disco_info)->children("feature").size() == 3);
    // §1.4: the legacy component advertised rayo:0 (callcontrol.js answers the same).
    auto component = control_disco_info(true);
    CHECK(component.features == std::vector<std::string>{"http://jabber.org/protocol/disco#info",
                                                         "http://jitsi.org/protocol/jigasi", "urn:xmpp:rayo:0"});
    CHECK(component.identities.at(0).category == "component");
}
