// Rayo (jitsi-protocol.md §2): the dial of §2.1 as lib-jitsi-meet sends it, as Jicofo forwards it
// through the brewery (§1.2) with Prosody's injected headers (§1.3), and as the e2e stand-in
// (tests/e2e/jitsi/focus.js) sends it; the §2.2 result, §2.3 hangup, §2.4 errors, §2.5 status.
// Doc stanzas are copied without their XML comments (the parser refuses comments, RFC 6120 §11.1).

#include "xmpp/rayo.hpp"

#include "xml_test_util.hpp"

using namespace jigasi::xmpp;
using xml_test::doc;
using xml_test::J;

namespace {

// §2.1, verbatim.
constexpr std::string_view doc_dial = R"(<iq type="set" to="room1234@muc.meet.jitsi/focus" id="a1">
  <dial xmlns="urn:xmpp:rayo:1" from="fromnumber" to="+15551234567">
    <header name="JvbRoomName" value="room1234@muc.meet.jitsi"/>
    <header name="JvbRoomPassword" value="s3cret"/>
  </dial>
</iq>)";

// What Jigasi receives: Jicofo's copy (§1.2 step 6) MUC-routed from the brewery, with the headers
// mod_filter_iq_rayo injected (§1.3).
constexpr std::string_view brewery_dial =
    R"(<iq type="set" from="jigasibrewery@internal-muc.meet.jitsi/focus" to="jigasi@auth.meet.jitsi/AbC123" id="j7">
  <dial xmlns="urn:xmpp:rayo:1" from="fromnumber" to="sip:alice@pbx.example.com">
    <header name="JvbRoomName" value="room1234@muc.meet.jitsi"/>
    <header name="X-outbound-call-initiator-user" value="u-42"/>
    <header name="X-outbound-call-initiator-group" value="g-7"/>
  </dial>
</iq>)";

parse_error dial_error(std::string_view xml, std::string_view muc_service = {}, const dial_limits& lim = {}) {
    auto d = parse_dial(doc(xml), muc_service, lim);
    INFO(xml);
    REQUIRE_FALSE(d);
    CHECK_FALSE(d.error().diagnostic.empty());
    return d.error();
}

std::string dial_with(std::string_view headers, std::string_view attrs = "to='+1555'") {
    return "<iq type='set' from='b@internal-muc.meet.jitsi/focus' id='x'><dial xmlns='urn:xmpp:rayo:1' " +
           std::string(attrs) + ">" + std::string(headers) + "</dial></iq>";
}

constexpr std::string_view room_header = "<header name='JvbRoomName' value='room@muc.meet.jitsi'/>";

}  // namespace

TEST_CASE("§2.1 dial from lib-jitsi-meet: every field", "[rayo]") {
    auto d = parse_dial(doc(doc_dial));
    REQUIRE(d);
    CHECK(d->id == "a1");
    CHECK(d->from.empty());
    CHECK(d->destination == "+15551234567");
    CHECK(d->caller == "fromnumber");
    CHECK(d->room == J("room1234@muc.meet.jitsi"));
    CHECK(d->room_password == "s3cret");
    CHECK(d->extra_headers.empty());
    CHECK_FALSE(d->is_transcription());
}

TEST_CASE("§1.2/§1.3 dial through the brewery: extra headers kept in order, ALLOWED_JID", "[rayo]") {
    auto d = parse_dial(doc(brewery_dial));
    REQUIRE(d);
    CHECK(d->id == "j7");
    CHECK(d->from == J("jigasibrewery@internal-muc.meet.jitsi/focus"));
    CHECK(d->destination == "sip:alice@pbx.example.com");
    CHECK_FALSE(d->room_password);
    REQUIRE(d->extra_headers.size() == 2);
    CHECK(d->extra_headers[0] == rayo_header{"X-outbound-call-initiator-user", "u-42"});
    CHECK(d->extra_headers[1] == rayo_header{"X-outbound-call-initiator-group", "g-7"});

    const auto allowed = J("jigasibrewery@internal-muc.meet.jitsi");
    CHECK(dial_sender_allowed(d->from, allowed));
    CHECK(dial_sender_allowed(d->from, J("JigasiBrewery@internal-muc.meet.jitsi/other")));
    CHECK_FALSE(dial_sender_allowed(J("focus@auth.meet.jitsi/focus"), allowed));
    CHECK_FALSE(dial_sender_allowed(jid{}, allowed));
    CHECK(dial_sender_allowed(J("anyone@x"), jid{}));
}

TEST_CASE("The e2e stand-in's dial (focus.js) parses", "[rayo]") {
    // focus.js: xml("dial", {xmlns, to, from: "fromnumber"}, header per {JvbRoomName: room, ...}).
    auto d = parse_dial(doc("<iq type='set' to='jigasibrewery@internal.auth.meet.test/1a2b3c4d' "
                            "from='jigasibrewery@internal.auth.meet.test/focus' id='x1'>"
                            "<dial xmlns='urn:xmpp:rayo:1' to='+15551234567' from='fromnumber'>"
                            "<header name='JvbRoomName' value='jitsi-audio@conference.meet.test'/></dial></iq>"));
    REQUIRE(d);
    CHECK(d->room.to_string() == "jitsi-audio@conference.meet.test");
    CHECK(dial_sender_allowed(d->from, J("jigasibrewery@internal.auth.meet.test")));
}

TEST_CASE("JvbRoomName without '@' gets the MUC service; transcriber destination", "[rayo]") {
    auto xml = dial_with("<header name='JvbRoomName' value='room1234'/>", "to='jitsi_meet_transcribe'");
    auto d = parse_dial(doc(xml), "muc.meet.jitsi");
    REQUIRE(d);
    CHECK(d->room == J("room1234@muc.meet.jitsi"));
    CHECK(d->is_transcription());
    // Without a MUC service a bare word is a domain, not a room.
    CHECK(dial_error(xml).code == parse_errc::jid_bad_localpart);
}

TEST_CASE("Malformed dials are refused with a code and text", "[rayo]") {
    CHECK(dial_error("<iq type='get' id='x'><dial xmlns='urn:xmpp:rayo:1' to='1'/></iq>").code == parse_errc::wrong_stanza);
    CHECK(dial_error("<message><dial xmlns='urn:xmpp:rayo:1' to='1'/></message>").code == parse_errc::wrong_stanza);
    CHECK(dial_error("<iq type='set' id='x'/>").code == parse_errc::wrong_stanza);
    CHECK(dial_error("<iq type='set' id='x'><dial xmlns='urn:xmpp:rayo:0' to='1'/></iq>").code == parse_errc::wrong_stanza);
    CHECK(dial_error("<iq type='set' id='x'><hangup xmlns='urn:xmpp:rayo:1'/></iq>").code == parse_errc::wrong_stanza);
    CHECK(dial_error(dial_with(room_header, "")).code == parse_errc::missing_attribute);
    CHECK(dial_error(dial_with(room_header, "to=''")).code == parse_errc::missing_attribute);
    CHECK(dial_error(dial_with(room_header, "to='12&#10;34'")).code == parse_errc::bad_value);
    CHECK(dial_error(dial_with("")).code == parse_errc::missing_element);
    CHECK(dial_error(dial_with("<header name='JvbRoomPassword' value='p'/>")).code == parse_errc::missing_element);
    // Only headers in urn:xmpp:rayo:1 count.
    CHECK(dial_error(dial_with("<header xmlns='urn:other' name='JvbRoomName' value='r@muc.x'/>")).code ==
          parse_errc::missing_element);
    CHECK(dial_error(dial_with(std::string(room_header) + "<header value='v'/>")).code == parse_errc::bad_value);
    CHECK(dial_error(dial_with(std::string(room_header) + std::string(room_header))).code == parse_errc::bad_value);
    CHECK(dial_error(dial_with(std::string(room_header) + "<header name='JvbRoomPassword' value='1'/>"
                               "<header name='JvbRoomPassword' value='2'/>"))
              .code == parse_errc::bad_value);
    CHECK(dial_error(dial_with("<header name='JvbRoomName' value='room@muc.meet.jitsi/nick'/>")).code ==
          parse_errc::jid_bad_localpart);
    CHECK(dial_error(dial_with("<header name='JvbRoomName' value='a b@muc'/>")).code == parse_errc::jid_bad_localpart);
    CHECK(dial_error(dial_with("<header name='JvbRoomName' value=''/>")).code == parse_errc::jid_empty);
    CHECK(dial_error("<iq type='set' from='a b@c' id='x'><dial xmlns='urn:xmpp:rayo:1' to='1'>" +
                     std::string(room_header) + "</dial></iq>")
              .code == parse_errc::bad_value);

    std::string many(room_header);
    for (int i = 0; i < 32; ++i) many += "<header name='X-" + std::to_string(i) + "' value='v'/>";
    CHECK(dial_error(dial_with(many)).code == parse_errc::limit_exceeded);
    CHECK(parse_dial(doc(dial_with(many)), {}, dial_limits{.max_headers = 33}));
    CHECK(dial_error(dial_with(std::string(room_header) + "<header name='X' value='" + std::string(2049, 'v') + "'/>"))
              .code == parse_errc::limit_exceeded);
    CHECK(dial_error(dial_with(room_header, "to='" + std::string(2049, '1') + "'")).code == parse_errc::limit_exceeded);
}

TEST_CASE("§2.2 dial result with the occupant JID as ref, exactly as the doc", "[rayo]") {
    auto request = doc(R"(<iq type="set" from="jigasibrewery@internal-muc.meet.jitsi/focus" to="jigasi@auth.meet.jitsi/AbC123" id="...">
  <dial xmlns="urn:xmpp:rayo:1" from="fromnumber" to="+15551234567"><header name="JvbRoomName" value="room1234@muc.meet.jitsi"/></dial></iq>)");
    const auto occupant = J("room1234@muc.meet.jitsi/7f3a09c2");
    CHECK(occupant_uri(occupant) == "xmpp:room1234@muc.meet.jitsi/7f3a09c2");
    CHECK(build_dial_result(request, occupant_uri(occupant)) ==
          doc(R"(<iq type="result" to="jigasibrewery@internal-muc.meet.jitsi/focus" id="...">
  <ref xmlns="urn:xmpp:rayo:1" uri="xmpp:room1234@muc.meet.jitsi/7f3a09c2"/>
</iq>)"));
    CHECK(call_resource(0x7f3a09c2, "meet.jitsi").to_string() == "7f3a09c2@meet.jitsi");
    CHECK(occupant_uri(call_resource(1, "callcontrol.meet.jitsi")) == "xmpp:00000001@callcontrol.meet.jitsi");
    CHECK(call_resource(1, "bad domain").empty());
    CHECK(build_dial_not_acceptable(request) ==
          doc(R"(<iq type="result" to="jigasibrewery@internal-muc.meet.jitsi/focus" id="..."><ref xmlns="urn:xmpp:rayo:1" uri="not_acceptable"/></iq>)"));
}

TEST_CASE("§2.4 errors Jigasi answers a dial with", "[rayo]") {
    auto request = doc(brewery_dial);
    const std::string to = "<iq type='error' to='jigasibrewery@internal-muc.meet.jitsi/focus' id='j7'>";
    const std::string stanzas = "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'";
    CHECK(iq_error(request, dial_forbidden()) ==
          doc(to + "<error type='cancel'><forbidden " + stanzas + "/></error></iq>"));
    CHECK(iq_error(request, dial_failed("Fail to join muc!")) ==
          doc(to + "<error type='cancel'><internal-server-error " + stanzas + "/><text " + stanzas +
              ">Fail to join muc!</text></error></iq>"));
    auto bad = parse_dial(doc(dial_with("")));
    REQUIRE_FALSE(bad);
    auto e = dial_bad_request(bad.error());
    CHECK(e.type == error_type::modify);
    CHECK(e.condition == "bad-request");
    CHECK(e.text == "<dial/> has no JvbRoomName header");
}

TEST_CASE("§2.3 hangup", "[rayo]") {
    auto h = parse_hangup(doc(R"(<iq type="set" to="room1234@muc.meet.jitsi/7f3a09c2" id="a2">
  <hangup xmlns="urn:xmpp:rayo:1"/>
</iq>)"));
    REQUIRE(h);
    CHECK(h->id == "a2");
    CHECK(h->to == J("room1234@muc.meet.jitsi/7f3a09c2"));
    CHECK(h->from.empty());

    // MUC-routed from the web client, as the stand-in sends it (focus.js hangup, xmpp: stripped).
    auto routed = doc("<iq type='set' from='room1234@muc.meet.jitsi/abcd0001' to='7f3a09c2@meet.jitsi/7f3a09c2' "
                      "id='h'><hangup xmlns='urn:xmpp:rayo:1'/></iq>");
    auto r = parse_hangup(routed);
    REQUIRE(r);
    CHECK(r->from.resource() == "abcd0001");
    CHECK(iq_result(routed) == doc("<iq type='result' to='room1234@muc.meet.jitsi/abcd0001' id='h'/>"));

    CHECK(parse_hangup(doc("<iq type='get'><hangup xmlns='urn:xmpp:rayo:1'/></iq>")).error().code == parse_errc::wrong_stanza);
    CHECK(parse_hangup(doc("<iq type='set'><hangup/></iq>")).error().code == parse_errc::wrong_stanza);
    CHECK(parse_hangup(doc(doc_dial)).error().code == parse_errc::wrong_stanza);
    CHECK(parse_hangup(doc("<iq type='set' to='@x'><hangup xmlns='urn:xmpp:rayo:1'/></iq>")).error().code ==
          parse_errc::bad_value);
}

TEST_CASE("§2.5 call state: <status/> on our full presence, without the join <x/>", "[rayo]") {
    auto joined = doc(R"(<presence to="room1234@muc.meet.jitsi/7f3a09c2">
  <x xmlns="http://jabber.org/protocol/muc"><password>s3cret</password></x>
  <nick xmlns="http://jabber.org/protocol/nick">+15551234567</nick>
  <audiomuted>false</audiomuted>
</presence>)");
    auto init = build_call_state(joined, call_status::initializing);
    CHECK(init == doc(R"(<presence to="room1234@muc.meet.jitsi/7f3a09c2">
  <nick xmlns="http://jabber.org/protocol/nick">+15551234567</nick>
  <audiomuted>false</audiomuted><status>Initializing Call</status></presence>)"));
    auto up = build_call_state(init, call_status::connected);
    CHECK(up.children("status").size() == 1);
    CHECK(up.child_text("status") == "Connected");
    CHECK(build_call_state(up, "Busy Here").child_text("status") == "Busy Here");
    CHECK(call_status::ringing == "ringing");
}
