// The answer to Jicofo's offer (jitsi-protocol.md §4.1 -> §4.2), through the real Jingle parser and
// builder: what the focus would read back from our session-accept.
#include "call/bridge_answer.hpp"
#include "xmpp/jingle.hpp"
#include "xmpp/xml_parser.hpp"
#include "xmpp/xml_writer.hpp"

#include <catch2/catch.hpp>

using namespace jigasi;
namespace jg = jigasi::xmpp::jingle;

namespace {

std::string offer_xml(std::string_view payload_types = R"(
    <payload-type id="111" name="opus" clockrate="48000" channels="2">
     <parameter name="minptime" value="10"/><parameter name="useinbandfec" value="1"/>
    </payload-type>
    <payload-type id="126" name="telephone-event" clockrate="8000"/>)",
                      std::string_view transport_extra = "<rtcp-mux/>", std::string_view ufrag = "5ofj81i7bfi2ns") {
    return std::string(R"(<jingle xmlns="urn:xmpp:jingle:1" action="session-initiate" initiator="focus@auth.meet.test/focus" sid="s1">
  <content creator="initiator" name="audio" senders="both">
   <description xmlns="urn:xmpp:jingle:apps:rtp:1" media="audio" maxptime="60">
    <rtp-hdrext xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0" id="1" uri="urn:ietf:params:rtp-hdrext:ssrc-audio-level"/>
    <rtp-hdrext xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0" id="10" uri="urn:ietf:params:rtp-hdrext:sdes:mid"/>
    <rtp-hdrext xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0" id="5" uri="http://www.webrtc.org/experiments/rtp-hdrext/transport-wide-cc"/>)") +
           std::string(payload_types) + R"(
    <source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="1757014965" name="abcd0001-a0">
     <ssrc-info xmlns="http://jitsi.org/jitmeet" owner="abcd0001"/>
    </source>
    <source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="411312308" name="jvb-a0">
     <ssrc-info xmlns="http://jitsi.org/jitmeet" owner="jvb"/>
    </source>
   </description>
   <transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag=")" + std::string(ufrag) + R"(" pwd="3ae0123456789abcdefghij">
    <fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="sha-256" setup="actpass">2B:6F:9A</fingerprint>
    <candidate component="1" foundation="1" generation="0" id="c1" network="0" ip="127.0.0.1" port="10000" priority="2130706431" protocol="udp" type="host"/>
    )" + std::string(transport_extra) + R"(
   </transport>
  </content>
  <group xmlns="urn:xmpp:jingle:apps:grouping:0" semantics="BUNDLE"><content name="audio"/></group>
 </jingle>)";
}

media::description parse_offer(const std::string& xml) {
    auto e = xmpp::parse_fragment(xml);
    REQUIRE(e);
    auto m = jg::parse(*e, jg::role::responder);
    if (!m) FAIL(m.error().diagnostic);
    return m->desc;
}

call::bridge_answer_input ours() {
    call::bridge_answer_input in;
    in.ice.ufrag = "Wy9tAbCd";
    in.ice.pwd = "s3cretpwd0123456789abcd";
    in.ice.candidates = {{"1", 1, "udp", 2130706431, "127.0.0.1", 10002, "host", "", 0, "", 0}};
    in.dtls = {"sha-256", "AB:CD:EF:01", media::setup_role::active};
    in.ssrc = 2911234567u;
    in.endpoint_id = "7f3a09c2";
    in.cname = "cname-7f3a";
    return in;
}

}  // namespace

TEST_CASE("the answer keeps Opus, telephone-event and the offered extension ids, with our transport", "[call]") {
    auto a = call::answer_offer(parse_offer(offer_xml()), ours());
    REQUIRE(a);
    CHECK(a->opus_pt == 111);
    CHECK(a->dtmf_pt == 126);
    CHECK(a->dtmf_clock == 8000);
    CHECK(a->audio_level_id == 1);
    CHECK(a->mid_id == 0);  // offered as 10, not answered: the bridge routes by SSRC
    CHECK(a->mid == "audio");
    CHECK(a->remote.ufrag == "5ofj81i7bfi2ns");
    CHECK(a->remote.dtls.setup == media::setup_role::actpass);
    CHECK(a->remote.candidates.size() == 1);
    REQUIRE(a->remote_sources.size() == 2);
    CHECK(a->remote_sources[0].owner == "abcd0001");

    // What the focus reads back from the session-accept.
    auto accept = xmpp::parse_fragment(xmpp::write(jg::build_session_accept(a->answer, "s1", "me@meet.test/r")));
    REQUIRE(accept);
    auto back = jg::parse(*accept, jg::role::initiator);
    if (!back) FAIL(back.error().diagnostic);
    CHECK(back->act == jg::action::session_accept);
    REQUIRE(back->desc.media.size() == 1);
    const auto& m = back->desc.media[0];
    CHECK(m.mid == "audio");
    REQUIRE(m.payload_types.size() == 2);
    CHECK(m.payload_types[0].encoding == "opus");
    CHECK(m.payload_types[1].encoding == "telephone-event");
    REQUIRE(m.header_extensions.size() == 1);  // audio level only, as Jigasi (§4.2)
    CHECK(m.header_extensions[0].id == 1);
    REQUIRE(m.sources.size() == 1);
    CHECK(m.sources[0].ssrc == 2911234567u);
    CHECK(m.sources[0].name == "7f3a09c2-a0");
    CHECK(m.ice.ufrag == "Wy9tAbCd");
    CHECK(m.ice.candidates.size() == 1);
    CHECK(m.dtls.setup == media::setup_role::active);
    CHECK(m.rtcp_mux);
    CHECK(back->desc.bundle == std::vector<std::string>{"audio"});
}

TEST_CASE("a visitor answers recvonly without a source", "[call]") {
    auto in = ours();
    in.send_audio = false;
    auto a = call::answer_offer(parse_offer(offer_xml()), in);
    REQUIRE(a);
    CHECK(a->answer.media[0].sources.empty());
    CHECK(a->answer.media[0].dir == media::direction::recvonly);
}

TEST_CASE("offers the bridge leg cannot use are refused with the reason", "[call]") {
    auto refused = [](const std::string& xml) {
        auto a = call::answer_offer(parse_offer(xml), ours());
        REQUIRE_FALSE(a);
        return a.error().diagnostic;
    };
    CHECK(refused(offer_xml(R"(<payload-type id="0" name="PCMU" clockrate="8000"/>)")) ==
          "the offer has no opus/48000 payload type");
    CHECK(refused(offer_xml(R"(<payload-type id="111" name="opus" clockrate="48000" channels="2"/>)", "")) ==
          "the offer does not allow rtcp-mux");
    CHECK(refused(offer_xml(R"(<payload-type id="111" name="opus" clockrate="48000" channels="2"/>)", "<rtcp-mux/>", "")) ==
          "the offer has no ICE ufrag/pwd");
    CHECK(call::answer_offer(media::description{}, ours()).error().diagnostic == "the offer has no audio content");
}
