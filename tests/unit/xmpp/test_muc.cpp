// Our conference presence against the jitsi-protocol.md §3.3 example attribute by attribute,
// updates (§2.5, §3.6), leave (§3.8), the §3.3 disco#info feature list and XEP-0115 caps (§5.2
// example, and the value the e2e test participant computes). The room tracker is in
// test_muc_room.cpp. Doc stanzas are copied without XML comments (RFC 6120 §11.1).

#include "xmpp/muc.hpp"

#include "xml_test_util.hpp"

#include <algorithm>

using namespace jigasi::xmpp;
using xml_test::doc;
using xml_test::J;

namespace {

// §3.3, with every optional child present.
constexpr std::string_view doc_join = R"(<presence to="room1234@muc.meet.jitsi/7f3a09c2">
  <x xmlns="http://jabber.org/protocol/muc"><password>s3cret</password></x>
  <c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node="..." ver="..."/>
  <nick xmlns="http://jabber.org/protocol/nick">+15551234567</nick>
  <jitsi_participant_region>eu-west</jitsi_participant_region>
  <stat name="version" value="Jigasi 1.1-xxx"/>
  <initiator xmlns="http://jitsi.org/protocol/jigasi">
    <header xmlns="urn:xmpp:rayo:1" name="JigasiCallDirection" value="out"/>
    <header xmlns="urn:xmpp:rayo:1" name="X-outbound-call-initiator-user" value="u-42"/>
  </initiator>
  <features>
    <feature var="http://jitsi.org/protocol/jigasi"/>
    <feature var="urn:xmpp:jingle:dtmf:0"/>
    <feature var="http://jitsi.org/protocol/audio-mute"/>
  </features>
  <stats-id>jigasi-1234</stats-id>
  <audiomuted>false</audiomuted>
</presence>)";

participant_presence doc_presence() {
    participant_presence p;
    p.occupant = J("room1234@muc.meet.jitsi/7f3a09c2");
    p.password = "s3cret";
    p.caps_node = "...";
    p.caps_ver = "...";
    p.display_name = "+15551234567";
    p.region = "eu-west";
    p.version = "Jigasi 1.1-xxx";
    p.initiator = {{"JigasiCallDirection", "out"}, {"X-outbound-call-initiator-user", "u-42"}};
    p.features = presence_features(true);
    p.stats_id = "jigasi-1234";
    p.audio_muted = false;
    return p;
}

// §3.3 feature list, VIDEO_CALLING_DISABLED=true, without the optional audio-mute.
const std::vector<std::string> doc_features{
    "http://jabber.org/protocol/disco#info", "urn:xmpp:jingle:1", "urn:xmpp:jingle:apps:rtp:1",
    "urn:xmpp:jingle:apps:rtp:audio", "urn:xmpp:jingle:transports:ice-udp:1",
    "urn:xmpp:jingle:transports:raw-udp:1", "urn:xmpp:jingle:apps:dtls:0",
    "urn:xmpp:jingle:apps:rtp:rtp-hdrext:0", "urn:xmpp:jingle:apps:rtp:zrtp:1", "urn:xmpp:jingle:transfer:0",
    "http://jabber.org/protocol/muc#rooms", "http://jabber.org/protocol/muc#traffic",
    "http://jitsi.org/protocol/jigasi", "urn:xmpp:jingle:dtmf:0"};

}  // namespace

TEST_CASE("§3.3 join presence equals the doc example", "[muc]") {
    auto built = build_presence(doc_presence());
    CHECK(built == doc(doc_join));
    // Attribute by attribute, for a readable failure if the order above ever changes.
    CHECK(built.attr("to") == "room1234@muc.meet.jitsi/7f3a09c2");
    CHECK_FALSE(built.attr("type"));
    REQUIRE(built.child("x", ns::muc));
    CHECK(built.child("x", ns::muc)->child_text("password") == "s3cret");
    const element* c = built.child("c", ns::caps);
    REQUIRE(c);
    CHECK(c->attributes() == std::vector<std::pair<std::string, std::string>>{{"hash", "sha-1"}, {"node", "..."}, {"ver", "..."}});
    CHECK(built.child_text("nick", ns_nick) == "+15551234567");
    CHECK(built.child("nick", ns_nick)->ns() == "http://jabber.org/protocol/nick");
    CHECK(built.child_text("jitsi_participant_region") == "eu-west");
    CHECK(built.child("stat")->attr("value") == "Jigasi 1.1-xxx");
    const auto headers = built.child("initiator", ns_jigasi)->children("header", ns::rayo);
    REQUIRE(headers.size() == 2);
    CHECK(headers[1]->attr("name") == "X-outbound-call-initiator-user");
    CHECK(built.child("features")->children("feature").size() == 3);
    CHECK(built.child_text("stats-id") == "jigasi-1234");
    CHECK(built.child_text("audiomuted") == "false");
    // Jitsi's un-namespaced children are in jabber:client (§3.3).
    for (auto name : {"features", "audiomuted", "stats-id", "stat", "jitsi_participant_region"})
        CHECK(built.child(name)->ns() == "jabber:client");
    CHECK(write(built).find("<features><feature var='http://jitsi.org/protocol/jigasi'/>") != std::string::npos);
}

TEST_CASE("Minimal join and the options left out", "[muc]") {
    participant_presence p;
    p.occupant = J("room@muc.meet.jitsi/00000001");
    CHECK(build_presence(p) ==
          doc("<presence to='room@muc.meet.jitsi/00000001'><x xmlns='http://jabber.org/protocol/muc'/></presence>"));
    p.password = "";  // an empty password is still sent (the room asked for one)
    CHECK(build_presence(p).child("x", ns::muc)->child("password"));
    CHECK(presence_features(false) == std::vector<std::string>{"http://jitsi.org/protocol/jigasi", "urn:xmpp:jingle:dtmf:0"});
}

TEST_CASE("§3.6 updates: audiomuted, raised hand, lowered hand, status; no join <x/>", "[muc]") {
    auto p = doc_presence();
    p.join = false;
    p.audio_muted = true;
    p.hand = hand_state::raised;
    p.hand_raised_ms = 1718000000000;
    p.status = "Connected";
    auto raised = build_presence(p);
    CHECK_FALSE(raised.child("x", ns::muc));
    CHECK(raised.child_text("audiomuted") == "true");
    CHECK(raised.child_text("jitsi_participant_raisedHand") == "1718000000000");
    CHECK(raised.child_text("status") == "Connected");
    CHECK_FALSE(raised.child("videomuted"));

    p.hand = hand_state::lowered;
    p.video_muted = true;
    auto lowered = build_presence(p);
    const element* hand = lowered.child("jitsi_participant_raisedHand");
    REQUIRE(hand);
    CHECK(hand->nodes().empty());
    CHECK(lowered.child_text("videomuted") == "true");
    CHECK(write(lowered).find("<jitsi_participant_raisedHand/>") != std::string::npos);

    p.hand = hand_state::omitted;
    CHECK_FALSE(build_presence(p).child("jitsi_participant_raisedHand"));
}

TEST_CASE("§3.8 leave is an unavailable presence", "[muc]") {
    const auto occ = J("room1234@muc.meet.jitsi/7f3a09c2");
    CHECK(build_leave(occ) == doc("<presence to='room1234@muc.meet.jitsi/7f3a09c2' type='unavailable'/>"));
    CHECK(build_leave(occ, "Busy Here") ==
          doc("<presence to='room1234@muc.meet.jitsi/7f3a09c2' type='unavailable'><status>Busy Here</status></presence>"));
}

TEST_CASE("§3.3 disco#info lists exactly the doc's features", "[muc]") {
    auto info = jigasi_disco_info(false);
    CHECK(info.features == doc_features);
    REQUIRE(info.identities.size() == 1);
    CHECK(info.identities[0] == disco_identity{"client", "pc", "", "jigasi-ng"});
    auto with_mute = jigasi_disco_info(true);
    CHECK(with_mute.features.size() == doc_features.size() + 1);
    CHECK(with_mute.features.back() == "http://jitsi.org/protocol/audio-mute");
    // Absent on purpose: they would make Jicofo offer video, SCTP, RTX, TCC/REMB, RED, source names.
    for (auto f : {"urn:xmpp:jingle:apps:rtp:video", "urn:xmpp:jingle:transports:dtls-sctp:1", "urn:ietf:rfc:4588",
                   "http://jitsi.org/tcc", "http://jitsi.org/remb", "http://jitsi.org/opus-red",
                   "http://jitsi.org/json-encoded-sources", "http://jitsi.org/source-name",
                   "http://jitsi.org/ssrc-rewriting-1"})
        CHECK(std::find(with_mute.features.begin(), with_mute.features.end(), f) == with_mute.features.end());
}

TEST_CASE("disco#info answer: identity, sorted features, node echoed", "[muc]") {
    auto req = doc("<iq type='get' from='room1234@muc.meet.jitsi/focus' id='d1'>"
                   "<query xmlns='http://jabber.org/protocol/disco#info' node='https://jigasi-ng#abc='/></iq>");
    CHECK(is_disco_info_get(req));
    disco_info info{{{"client", "pc", "en", "jigasi-ng"}}, {"urn:b", "urn:a", "urn:b"}};
    CHECK(build_disco_info_result(req, info) ==
          doc("<iq type='result' to='room1234@muc.meet.jitsi/focus' id='d1'>"
              "<query xmlns='http://jabber.org/protocol/disco#info' node='https://jigasi-ng#abc='>"
              "<identity category='client' type='pc' xml:lang='en' name='jigasi-ng'/>"
              "<feature var='urn:a'/><feature var='urn:b'/></query></iq>"));
    auto plain = build_disco_info_result(doc("<iq type='get' id='d2'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>"),
                                         jigasi_disco_info(true));
    const element* q = plain.child("query", ns::disco_info);
    REQUIRE(q);
    CHECK_FALSE(q->attr("node"));
    CHECK(q->children("feature").size() == 15);
    CHECK(q->child("identity")->attributes().size() == 3);  // no empty xml:lang

    CHECK_FALSE(is_disco_info_get(doc("<iq type='set'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>")));
    CHECK_FALSE(is_disco_info_get(doc("<iq type='get'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>")));
    CHECK_FALSE(is_disco_info_get(doc("<message type='get'><query xmlns='http://jabber.org/protocol/disco#info'/></message>")));
}

TEST_CASE("XEP-0115 §5.2 caps ver example", "[muc]") {
    disco_info exodus{{{"client", "pc", "", "Exodus 0.9.1"}},
                      {"http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/disco#items",
                       "http://jabber.org/protocol/muc", "http://jabber.org/protocol/caps"}};
    CHECK(caps_ver(exodus) == "QgayPKawpkPSDYmwT/WM94uAlu0=");
    // Order and duplicates of the input do not matter (the string is built sorted).
    std::reverse(exodus.features.begin(), exodus.features.end());
    exodus.features.push_back("http://jabber.org/protocol/muc");
    CHECK(caps_ver(exodus) == "QgayPKawpkPSDYmwT/WM94uAlu0=");
    exodus.features.push_back("urn:extra");
    CHECK(caps_ver(exodus) != "QgayPKawpkPSDYmwT/WM94uAlu0=");
}

TEST_CASE("Caps ver agrees with the e2e test participant (call.js)", "[muc]") {
    // call.js hashes "client/pc//<name><" + sorted features with Node's crypto; values computed there.
    CHECK(caps_ver(jigasi_disco_info(true, "jigasi-ng test participant")) == "Lu9vwFmgiXQehvtmdEWLTCbUw9Q=");
    CHECK(caps_ver(jigasi_disco_info(false)) == "prJEDhUZ9rZunwvTyCkwDneR78A=");
    // Identities sort by category, type, lang.
    disco_info two{{{"client", "pc", "", "b"}, {"client", "bot", "", "a"}}, {}};
    disco_info swapped{{two.identities[1], two.identities[0]}, {}};
    CHECK(caps_ver(two) == caps_ver(swapped));
    CHECK(caps_ver(disco_info{}).size() == 28);
}
