// jingle_gate: which Jingle IQs a call accepts and how each refusal is answered (XEP-0166 §7-§8,
// jitsi-protocol.md §3.4).
#include "xmpp/jingle_gate.hpp"

#include "xml_test_util.hpp"

using namespace jigasi::xmpp;
using xml_test::J;

namespace {

const jid focus = J("room1@conference.meet.test/focus");

/// <iq type='set' from to id><jingle action sid>body</jingle></iq>
element jingle_iq(std::string_view action, std::string_view sid, std::string_view from = "room1@conference.meet.test/focus",
                  std::string_view body = {}) {
    return xml_test::doc("<iq xmlns='jabber:client' type='set' id='j1' to='a@meet.test/r' from='" + std::string(from) +
                         "'><jingle xmlns='urn:xmpp:jingle:1' action='" + std::string(action) + "' sid='" +
                         std::string(sid) + "'>" + std::string(body) + "</jingle></iq>");
}

constexpr std::string_view audio_content =
    "<content creator='initiator' name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
    "<payload-type id='111' name='opus' clockrate='48000' channels='2'/></description>"
    "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='u' pwd='p'/></content>";

std::string condition(const element& reply) {
    const element* err = reply.child("error");
    if (!err) return {};
    for (const auto* c : err->elements())
        if (c->ns() == ns::stanzas_error && c->name() != "text") return c->name();
    return {};
}

bool has_jingle_error(const element& reply, std::string_view name) {
    const element* err = reply.child("error");
    return err && err->child(name, ns_jingle_errors);
}

}  // namespace

TEST_CASE("jingle_gate: a session from the focus is accepted and tracked", "[jingle_gate]") {
    jingle_gate g(focus);
    auto v = g.on_iq(jingle_iq("session-initiate", "s1", "room1@conference.meet.test/focus", audio_content));
    REQUIRE(v.message);
    CHECK(v.refused.empty());
    CHECK(v.reply.attr_or("type") == "result");
    CHECK(v.reply.attr_or("id") == "j1");
    CHECK(v.reply.attr_or("to") == "room1@conference.meet.test/focus");
    CHECK(v.message->desc.media.at(0).payload_types.at(0).encoding == "opus");
    CHECK(g.sid() == "s1");

    auto add = g.on_iq(jingle_iq("source-add", "s1"));
    REQUIRE(add.message);
    CHECK(add.message->act == jingle::action::source_add);

    auto end = g.on_iq(jingle_iq("session-terminate", "s1", "room1@conference.meet.test/focus",
                                 "<reason><expired/><text>Idle session timeout</text></reason>"));
    REQUIRE(end.message);
    REQUIRE(end.message->reason);
    CHECK(end.message->reason->condition == "expired");
    CHECK(g.sid().empty());  // a later transport-info for s1 is unknown now
    auto late = g.on_iq(jingle_iq("transport-info", "s1"));
    CHECK_FALSE(late.message);
    CHECK(condition(late.reply) == "item-not-found");
    CHECK(has_jingle_error(late.reply, "unknown-session"));
}

TEST_CASE("jingle_gate: refusals", "[jingle_gate]") {
    jingle_gate g(focus);
    SECTION("an offer from another occupant is forbidden (only the focus may call us)") {
        auto v = g.on_iq(jingle_iq("session-initiate", "s1", "room1@conference.meet.test/abcd0001", audio_content));
        CHECK_FALSE(v.message);
        CHECK(condition(v.reply) == "forbidden");
        CHECK(v.refused.find("not from the focus") != std::string::npos);
        CHECK(g.sid().empty());
    }
    SECTION("the focus of another room is not our focus") {
        auto v = g.on_iq(jingle_iq("session-initiate", "s1", "room2@conference.meet.test/focus", audio_content));
        CHECK(condition(v.reply) == "forbidden");
    }
    SECTION("a missing from is refused") {
        auto iq = jingle_iq("session-initiate", "s1");
        iq.remove_attr("from");
        CHECK(condition(g.on_iq(iq).reply) == "forbidden");
    }
    SECTION("a malformed offer is a bad-request naming the problem") {
        auto v = g.on_iq(jingle_iq("session-initiate", "s1", "room1@conference.meet.test/focus",
                                   "<content creator='initiator' name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
                                   "media='audio'><payload-type id='abc' name='opus' clockrate='48000'/></description></content>"));
        CHECK_FALSE(v.message);
        CHECK(condition(v.reply) == "bad-request");
        CHECK_FALSE(v.refused.empty());
        CHECK(g.sid().empty());
    }
    SECTION("an action before any session is an unknown session") {
        auto v = g.on_iq(jingle_iq("source-add", "s9"));
        CHECK(condition(v.reply) == "item-not-found");
        CHECK(has_jingle_error(v.reply, "unknown-session"));
    }
    SECTION("an unknown action is a bad-request") {
        g.on_iq(jingle_iq("session-initiate", "s1", "room1@conference.meet.test/focus", audio_content));
        auto v = g.on_iq(jingle_iq("session-dance", "s1"));
        CHECK(condition(v.reply) == "bad-request");
        CHECK(g.sid() == "s1");
    }
    SECTION("a defined action we do not act on is feature-not-implemented") {
        g.on_iq(jingle_iq("session-initiate", "s1", "room1@conference.meet.test/focus", audio_content));
        auto v = g.on_iq(jingle_iq("content-add", "s1"));
        CHECK(condition(v.reply) == "feature-not-implemented");
    }
    SECTION("the wrong sid is an unknown session, and the current one stays") {
        g.on_iq(jingle_iq("session-initiate", "s1", "room1@conference.meet.test/focus", audio_content));
        auto v = g.on_iq(jingle_iq("transport-replace", "s2"));
        CHECK(has_jingle_error(v.reply, "unknown-session"));
        CHECK(g.sid() == "s1");
    }
}

TEST_CASE("jingle_gate: a new session-initiate replaces the current session", "[jingle_gate]") {
    jingle_gate g(focus);
    g.on_iq(jingle_iq("session-initiate", "s1", "room1@conference.meet.test/focus", audio_content));
    auto v = g.on_iq(jingle_iq("session-initiate", "s2", "room1@conference.meet.test/focus", audio_content));
    REQUIRE(v.message);
    CHECK(g.sid() == "s2");
    CHECK(condition(g.on_iq(jingle_iq("source-add", "s1")).reply) == "item-not-found");
    g.ended();  // we sent session-terminate
    CHECK(condition(g.on_iq(jingle_iq("source-add", "s2")).reply) == "item-not-found");
}
