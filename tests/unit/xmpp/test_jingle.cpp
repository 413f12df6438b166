// Jingle <-> media::description (src/xmpp/jingle.hpp) against the stanzas of jitsi-protocol.md §4
// and the e2e stand-in (tests/e2e/jitsi/jingle.js, session.js).

#include "xmpp/jingle.hpp"
#include "xmpp/xml_parser.hpp"
#include "xmpp/xml_writer.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace jigasi;
using namespace jigasi::xmpp;
namespace jg = jigasi::xmpp::jingle;
using media::direction;

namespace {

// jitsi-protocol.md §4.1 verbatim, but for the comments (refused as restricted XML, RFC 6120 §11.1)
// and the placeholder in `to`.
constexpr std::string_view session_initiate = R"(
<iq type="set" from="room1234@muc.meet.jitsi/focus" to="7f3a09c2@meet.jitsi/res" id="j1">
 <jingle xmlns="urn:xmpp:jingle:1" action="session-initiate"
         initiator="focus@auth.meet.jitsi/focus" sid="6rd3bq5kkmlp1">
  <content creator="initiator" name="audio" senders="both">
   <description xmlns="urn:xmpp:jingle:apps:rtp:1" media="audio" maxptime="60">
    <rtp-hdrext xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0" id="1"
                uri="urn:ietf:params:rtp-hdrext:ssrc-audio-level"/>
    <rtp-hdrext xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0" id="10"
                uri="urn:ietf:params:rtp-hdrext:sdes:mid"/>
    <payload-type id="111" name="opus" clockrate="48000" channels="2">
     <parameter name="minptime" value="10"/>
     <parameter name="useinbandfec" value="1"/>
    </payload-type>
    <payload-type id="126" name="telephone-event" clockrate="8000"/>
    <extmap-allow-mixed xmlns="urn:xmpp:jingle:apps:rtp:rtp-hdrext:0"/>
    <rtcp-mux/>
    <source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="1757014965" name="abcd0001-a0">
     <ssrc-info xmlns="http://jitsi.org/jitmeet" owner="abcd0001"/>
     <parameter name="msid" value="abcd0001-audio-0-1 f9c5..."/>
    </source>
    <source xmlns="urn:xmpp:jingle:apps:rtp:ssma:0" ssrc="411312308" name="jvb-a0">
     <ssrc-info xmlns="http://jitsi.org/jitmeet" owner="jvb"/>
    </source>
   </description>
   <transport xmlns="urn:xmpp:jingle:transports:ice-udp:1" ufrag="5ofj81i7bfi2ns" pwd="3ae...">
    <fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="sha-256" setup="actpass">
      2B:6F:...:9A</fingerprint>
    <candidate component="1" foundation="1" generation="0" id="653aa1e..." network="0"
               ip="10.0.0.5" port="10000" priority="2130706431" protocol="udp" type="host"/>
    <candidate component="1" foundation="2" generation="0" id="..." network="0"
               ip="203.0.113.10" port="10000" priority="1694498815" protocol="udp" type="srflx"
               rel-addr="10.0.0.5" rel-port="10000"/>
    <rtcp-mux/>
    <web-socket xmlns="http://jitsi.org/protocol/colibri"
                url="wss://meet.example.com/colibri-ws/jvb1/abc/7f3a09c2?pwd=..."/>
   </transport>
  </content>
  <group xmlns="urn:xmpp:jingle:apps:grouping:0" semantics="BUNDLE"><content name="audio"/></group>
  <bridge-session xmlns="http://jitsi.org/protocol/focus" id="a1b2c3" region="eu-west"/>
  <startmuted xmlns="http://jitsi.org/jitmeet/start-muted" audio="true" video="false"/>
 </jingle>
</iq>)";

/// The <jingle/> child of an IQ or a bare <jingle/> given as XML text.
element jingle_of(std::string_view xml) {
    auto r = parse_fragment(xml);
    INFO(xml);
    if (!r) FAIL("XML: " << r.diagnostic());
    if (r->name() != "iq") return *r;
    const element* j = r->child("jingle", ns::jingle);
    REQUIRE(j);
    return *j;
}

jg::message parse_ok(const element& j, jg::role our_role = jg::role::responder) {
    auto r = jg::parse(j, our_role);
    if (!r) FAIL(r.error().diagnostic);
    return *r;
}

/// What jigasi-ng answers with (§4.2): opus + telephone-event, audio-level, our source, ICE, DTLS.
media::description local_answer() {
    media::description d;
    d.bundle = {"audio"};
    media::media_section m;
    m.mid = "audio";
    m.port = 9;
    m.profile = media::transport_profile::udp_tls_rtp_savpf;
    m.rtcp_mux = true;
    m.payload_types = {{111, "opus", 48000, 2, {{"minptime", "10"}, {"useinbandfec", "1"}}},
                       {126, "telephone-event", 8000, 1, {{"0-16", ""}}}};
    m.header_extensions = {{1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level", {}, {}}};
    m.sources = {jg::local_audio_source(2911234567u, "7f3a09c2", "cname-7f3a")};
    m.ice.ufrag = "Wy9t";
    m.ice.pwd = "s3cretpwd0123456789abcd";
    m.ice.candidates = {
        {"1", 1, "udp", 2130706431, "192.0.2.7", 40000, "host", "", 0, "", 0},
        {"2", 1, "udp", 1694498815, "198.51.100.7", 40000, "srflx", "192.0.2.7", 40000, "", 0},
        {"3", 1, "tcp", 1015022079, "192.0.2.7", 9, "host", "", 0, "active", 1}};
    m.dtls = {"sha-256", "AB:CD:EF:01", media::setup_role::active};
    d.media.push_back(m);
    return d;
}

/// Writes the element to XML and parses it back: what the peer sees on the wire.
element over_the_wire(const element& e) {
    const std::string xml = write(e);
    auto r = parse_fragment(xml);
    INFO(xml);
    REQUIRE(r);
    return *r;
}

jg::error parse_err(std::string_view jingle_xml) {
    const element j = jingle_of(jingle_xml);
    auto r = jg::parse(j);
    INFO(jingle_xml);
    REQUIRE_FALSE(r);
    return r.error();
}

/// A session-initiate around one content body, for the malformed cases.
std::string with_content(std::string_view body,
                         std::string_view content_attrs = "creator='initiator' name='audio'") {
    return std::string(
               "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s1'>"
               "<content ") +
           std::string(content_attrs) + ">" + std::string(body) + "</content></jingle>";
}

std::string with_candidate(std::string_view attrs) {
    return with_content(
        "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='u' pwd='p'>"
        "<candidate " +
        std::string(attrs) + "/></transport>");
}

constexpr std::string_view good_candidate =
    "component='1' foundation='1' generation='0' id='x' network='0' ip='10.0.0.5' port='10000' "
    "priority='2130706431' protocol='udp' type='host'";

}  // namespace

TEST_CASE("jingle: the session-initiate of §4.1", "[jingle]") {
    const auto msg = parse_ok(jingle_of(session_initiate));
    CHECK(msg.act == jg::action::session_initiate);
    CHECK(msg.action_name == "session-initiate");
    CHECK(msg.sid == "6rd3bq5kkmlp1");
    CHECK(msg.initiator == "focus@auth.meet.jitsi/focus");
    CHECK(msg.responder.empty());
    CHECK_FALSE(msg.reason);
    CHECK(msg.web_socket_url == "wss://meet.example.com/colibri-ws/jvb1/abc/7f3a09c2?pwd=...");
    CHECK(msg.bridge_session_id == "a1b2c3");
    CHECK(msg.start_audio_muted == true);
    CHECK(msg.json_sources.empty());

    const auto& d = msg.desc;
    CHECK(d.bundle == std::vector<std::string>{"audio"});
    CHECK(d.extmap_allow_mixed);
    REQUIRE(d.media.size() == 1);
    REQUIRE(msg.contents.size() == 1);
    CHECK(msg.contents[0] ==
          jg::content_info{"audio", jg::role::initiator, jg::senders::both, true, true, ""});

    const auto& m = d.media[0];
    CHECK(m.mid == "audio");
    CHECK(m.kind == media::media_kind::audio);
    CHECK(m.profile == media::transport_profile::udp_tls_rtp_savpf);
    CHECK(m.port == 9);
    CHECK(m.dir == direction::sendrecv);
    CHECK(m.maxptime == 60);
    CHECK(m.ptime == 0);
    CHECK(m.rtcp_mux);

    REQUIRE(m.payload_types.size() == 2);
    CHECK(m.payload_types[0] ==
          media::payload_type{111, "opus", 48000, 2, {{"minptime", "10"}, {"useinbandfec", "1"}}});
    CHECK(m.payload_types[1] == media::payload_type{126, "telephone-event", 8000, 1, {}});

    REQUIRE(m.header_extensions.size() == 2);
    CHECK(m.header_extensions[0] ==
          media::header_extension{1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level", {}, {}});
    CHECK(m.header_extensions[1] ==
          media::header_extension{10, "urn:ietf:params:rtp-hdrext:sdes:mid", {}, {}});

    REQUIRE(m.sources.size() == 2);
    CHECK(m.sources[0] ==
          media::source{
              1757014965u, "abcd0001-a0", "abcd0001", {{"msid", "abcd0001-audio-0-1 f9c5..."}}});
    CHECK(m.sources[1] == media::source{411312308u, "jvb-a0", "jvb", {}});

    CHECK(m.ice.ufrag == "5ofj81i7bfi2ns");
    CHECK(m.ice.pwd == "3ae...");
    CHECK(m.dtls == media::dtls_params{"sha-256", "2B:6F:...:9A", media::setup_role::actpass});
    REQUIRE(m.ice.candidates.size() == 2);
    CHECK(m.ice.candidates[0] ==
          media::ice_candidate{"1", 1, "udp", 2130706431, "10.0.0.5", 10000, "host", "", 0, "", 0});
    CHECK(m.ice.candidates[1] == media::ice_candidate{"2", 1, "udp", 1694498815, "203.0.113.10",
                                                      10000, "srflx", "10.0.0.5", 10000, "", 0});
    CHECK(m.extra.empty());
}

TEST_CASE("jingle: senders <-> direction", "[jingle]") {
    using jg::role;
    using jg::senders;
    CHECK(jg::to_direction(senders::both, role::initiator) == direction::sendrecv);
    CHECK(jg::to_direction(senders::none, role::responder) == direction::inactive);
    CHECK(jg::to_direction(senders::initiator, role::initiator) == direction::sendonly);
    CHECK(jg::to_direction(senders::initiator, role::responder) == direction::recvonly);
    CHECK(jg::to_direction(senders::responder, role::initiator) == direction::recvonly);
    CHECK(jg::to_direction(senders::responder, role::responder) == direction::sendonly);
    for (auto r : {role::initiator, role::responder})
        for (auto d :
             {direction::sendrecv, direction::sendonly, direction::recvonly, direction::inactive})
            CHECK(jg::to_direction(jg::to_senders(d, r), r) == d);

    // Jicofo (the initiator) offering senders='initiator' only sends: sendonly from its side.
    auto offer = parse_ok(
        jingle_of(with_content("", "creator='initiator' name='audio' senders='initiator'")));
    CHECK(offer.desc.media[0].dir == direction::sendonly);
    // Our recvonly answer (a visitor, §4.2) is senders='initiator'.
    auto local = local_answer();
    local.media[0].dir = direction::recvonly;
    const auto accept = jg::build_session_accept(local, "s1", "me@x/y");
    CHECK(accept.child("content")->attr_or("senders") == "initiator");
}

TEST_CASE("jingle: session-accept round trip", "[jingle]") {
    const auto local = local_answer();
    const auto accept = jg::build_session_accept(local, "6rd3bq5kkmlp1", "7f3a09c2@meet.jitsi/r1");

    // The shape §4.2 asks for.
    CHECK(accept.is("jingle", ns::jingle));
    CHECK(accept.attr_or("action") == "session-accept");
    CHECK(accept.attr_or("responder") == "7f3a09c2@meet.jitsi/r1");
    CHECK(accept.attr_or("sid") == "6rd3bq5kkmlp1");
    const element* content = accept.child("content");
    REQUIRE(content);
    CHECK(content->attr_or("creator") == "initiator");
    CHECK(content->attr_or("name") == "audio");
    CHECK(content->attr_or("senders") == "both");
    const element* desc = content->child("description", ns::jingle_rtp);
    REQUIRE(desc);
    CHECK(desc->attr_or("media") == "audio");
    CHECK(desc->attr_or("ssrc") == "2911234567");
    CHECK(desc->children("payload-type").size() == 2);
    const element* source = desc->child("source", jg::ns_ssma);
    REQUIRE(source);
    CHECK(source->attr_or("name") == "7f3a09c2-a0");
    REQUIRE(source->child("ssrc-info", jg::ns_jitmeet));
    CHECK(source->child("ssrc-info", jg::ns_jitmeet)->attr_or("owner") == "7f3a09c2");
    std::vector<std::string> params;
    for (const element* p : source->children("parameter")) params.emplace_back(p->attr_or("name"));
    CHECK(params == std::vector<std::string>{"cname", "msid", "mslabel", "label"});
    const element* transport = content->child("transport", ns::jingle_ice);
    REQUIRE(transport);
    CHECK(transport->attr_or("ufrag") == "Wy9t");
    const element* fp = transport->child("fingerprint", ns::jingle_dtls);
    REQUIRE(fp);
    CHECK(fp->attr_or("setup") == "active");
    CHECK(fp->attr_or("hash") == "sha-256");
    CHECK(fp->text() == "AB:CD:EF:01");
    CHECK(transport->children("candidate").size() == 3);
    CHECK(transport->child("candidate")->attr_or("id") == "1-1-40000");
    CHECK(transport->child("rtcp-mux"));
    CHECK(accept.child("group", jg::ns_grouping));

    // Read back as Jicofo, the initiator, would.
    const auto back = parse_ok(over_the_wire(accept), jg::role::initiator);
    CHECK(back.act == jg::action::session_accept);
    CHECK(back.responder == "7f3a09c2@meet.jitsi/r1");
    CHECK(back.desc == local);

    // And a parsed offer, re-built and re-parsed, keeps every field.
    const auto offer = parse_ok(jingle_of(session_initiate));
    auto again = offer.desc;
    again.media[0].dtls.setup = media::setup_role::active;  // the one thing an answer changes
    CHECK(parse_ok(jg::build_session_accept(offer.desc, "s", "r"), jg::role::initiator).desc ==
          again);
}

TEST_CASE("jingle: DTLS setup in what we send", "[jingle]") {
    auto local = local_answer();
    for (auto [in, out] : {std::pair{media::setup_role::actpass, "active"},
                           std::pair{media::setup_role::none, "active"},
                           std::pair{media::setup_role::active, "active"},
                           std::pair{media::setup_role::passive, "passive"}}) {
        local.media[0].dtls.setup = in;
        const auto j = jg::build_session_accept(local, "s", "r");
        CHECK(j.child("content")
                  ->child("transport", ns::jingle_ice)
                  ->child("fingerprint", ns::jingle_dtls)
                  ->attr_or("setup") == out);
    }
}

TEST_CASE("jingle: transport-info carries candidates only", "[jingle]") {
    const auto local = local_answer();
    const auto ti = jg::build_transport_info(local, "s1", "me@x/y");
    CHECK(ti.attr_or("action") == "transport-info");
    const element* content = ti.child("content");
    REQUIRE(content);
    CHECK_FALSE(content->child("description", ns::jingle_rtp));
    const element* t = content->child("transport", ns::jingle_ice);
    REQUIRE(t);
    CHECK_FALSE(t->child("fingerprint", ns::jingle_dtls));
    CHECK_FALSE(t->child("rtcp-mux"));

    const auto back = parse_ok(over_the_wire(ti), jg::role::initiator);
    CHECK(back.act == jg::action::transport_info);
    REQUIRE(back.desc.media.size() == 1);
    CHECK_FALSE(back.contents[0].has_description);
    CHECK(back.contents[0].has_transport);
    CHECK(back.desc.media[0].mid == "audio");
    CHECK(back.desc.media[0].ice == local.media[0].ice);
    CHECK(back.desc.media[0].dtls == media::dtls_params{});
}

TEST_CASE("jingle: transport-replace and transport-accept", "[jingle]") {
    // What the stand-in sends on bridge migration (session.js transportReplace): same content as
    // session-initiate with a new transport.
    std::string xml(session_initiate);
    xml.replace(xml.find("session-initiate"), 16, "transport-replace");
    xml.replace(xml.find("5ofj81i7bfi2ns"), 14, "newufrag");
    const auto replace = parse_ok(jingle_of(xml));
    CHECK(replace.act == jg::action::transport_replace);
    CHECK(replace.desc.media[0].ice.ufrag == "newufrag");
    CHECK(replace.desc.media[0].sources.size() == 2);

    const auto local = local_answer();
    const auto ta = jg::build_transport_accept(local, replace.sid, "me@x/y");
    CHECK(ta.attr_or("action") == "transport-accept");
    CHECK_FALSE(ta.child("content")->child("description", ns::jingle_rtp));
    const auto back = parse_ok(over_the_wire(ta), jg::role::initiator);
    CHECK(back.act == jg::action::transport_accept);
    CHECK(back.desc.media[0].ice == local.media[0].ice);
    CHECK(back.desc.media[0].dtls == local.media[0].dtls);
    CHECK(back.desc.media[0].rtcp_mux);

    // A transport we do not speak is reported, for transport-reject.
    const auto raw = parse_ok(
        jingle_of(with_content("<transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'/>")));
    CHECK_FALSE(raw.contents[0].has_transport);
    CHECK(raw.contents[0].other_transport == "urn:xmpp:jingle:transports:raw-udp:1");
}

TEST_CASE("jingle: source-add and source-remove", "[jingle]") {
    // The stand-in's form (session.js sourceChange): no senders, a description with sources only.
    const auto add = parse_ok(jingle_of(
        "<jingle xmlns='urn:xmpp:jingle:1' action='source-add' initiator='focus@a/focus' sid='s1'>"
        "<content creator='initiator' name='audio'>"
        "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
        "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='12345' name='e1-a0'>"
        "<ssrc-info xmlns='http://jitsi.org/jitmeet' owner='e1'/>"
        "<parameter name='cname' value='c1'/><parameter name='msid' value='e1-audio-0-1 t1'/>"
        "</source></description></content></jingle>"));
    CHECK(add.act == jg::action::source_add);
    REQUIRE(add.desc.media.size() == 1);
    CHECK(add.desc.media[0].payload_types.empty());
    CHECK(add.desc.media[0].sources ==
          std::vector<media::source>{
              {12345, "e1-a0", "e1", {{"cname", "c1"}, {"msid", "e1-audio-0-1 t1"}}}});

    // Ours, built and read back; a section without sources is left out.
    media::description ours;
    media::media_section m;
    m.mid = "audio";
    m.sources = {jg::local_audio_source(777, "7f3a09c2", "cn")};
    m.extra = {{"ssrc-group", "FID 777 778"}};
    ours.media = {m, media::media_section{}};
    for (auto [build, act] : {std::pair{&jg::build_source_add, jg::action::source_add},
                              std::pair{&jg::build_source_remove, jg::action::source_remove}}) {
        const auto j = build(ours, "s1");
        CHECK_FALSE(j.attr("responder"));
        const auto back = parse_ok(over_the_wire(j), jg::role::initiator);
        CHECK(back.act == act);
        REQUIRE(back.desc.media.size() == 1);
        CHECK(back.desc.media[0].sources == m.sources);
        CHECK(back.desc.media[0].extra == m.extra);
    }

    // Jitsi's legacy spellings (§4.3).
    CHECK(
        parse_ok(jingle_of("<jingle xmlns='urn:xmpp:jingle:1' action='addsource' sid='s'/>")).act ==
        jg::action::source_add);
    CHECK(parse_ok(jingle_of("<jingle xmlns='urn:xmpp:jingle:1' action='removesource' sid='s'/>"))
              .act == jg::action::source_remove);

    // The JSON form Jicofo uses only with json-encoded-sources (§4.1): kept raw, nothing to add.
    const auto json = parse_ok(jingle_of(
        "<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='s'>"
        "<json-message xmlns='http://jitsi.org/jitmeet'>{\"sources\":{}}</json-message></jingle>"));
    CHECK(json.json_sources == "{\"sources\":{}}");
    CHECK(json.desc.media.empty());
}

TEST_CASE("jingle: Jicofo's compact JSON sources", "[jingle]") {
    // A source-add without <content/>: the audio section is made for it, video is only counted.
    const auto add = parse_ok(jingle_of(
        "<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='s'><json-message xmlns='http://jitsi.org/jitmeet'>"
        "{\"sources\":{\"a1b2c3d4\":[[{\"s\":111,\"n\":\"a1b2c3d4-v0\"}],[[\"FID\",111,112]],"
        "[{\"s\":1234,\"n\":\"a1b2c3d4-a0\",\"m\":\"ms-a a0\"}],[]],"
        "\"jvb\":[[],[],[{\"s\":\"4294967295\"}],[]]}}</json-message></jingle>"));
    REQUIRE(add.desc.media.size() == 1);
    REQUIRE(add.contents.size() == 1);
    const auto& audio = add.desc.media[0];
    CHECK(audio.mid == "audio");
    CHECK(audio.kind == jigasi::media::media_kind::audio);
    REQUIRE(audio.sources.size() == 2);
    CHECK(audio.sources[0].ssrc == 1234);
    CHECK(audio.sources[0].owner == "a1b2c3d4");
    CHECK(audio.sources[0].name == "a1b2c3d4-a0");
    REQUIRE(audio.sources[0].params.size() == 1);
    CHECK(audio.sources[0].params[0].value == "ms-a a0");
    CHECK(audio.sources[1].ssrc == 4294967295u);  // the string form lib-jitsi-meet types
    CHECK(audio.sources[1].owner == "jvb");
    CHECK(add.json_video_sources == 1);

    // With an audio content present, the JSON sources join it.
    const auto init = parse_ok(jingle_of(
        "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'>"
        "<content creator='initiator' name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
        "<payload-type id='111' name='opus' clockrate='48000' channels='2'/></description></content>"
        "<json-message xmlns='http://jitsi.org/jitmeet'>{\"sources\":{\"e1\":[[],[],[{\"s\":5},{\"s\":6}],"
        "[[\"FID\",5,6]]]}}</json-message></jingle>"));
    REQUIRE(init.desc.media.size() == 1);
    CHECK(init.desc.media[0].sources.size() == 2);
    REQUIRE_FALSE(init.desc.media[0].extra.empty());
    CHECK(init.desc.media[0].extra.back().value == "FID 5 6");

    // Each malformed list is a bad_value error naming the problem.
    const char* bad[] = {
        "not json", "[]", "{\"sources\":[]}", "{\"sources\":{\"e\":{}}}",
        "{\"sources\":{\"e\":[[],[],[{\"n\":\"x\"}],[]]}}",          // no ssrc
        "{\"sources\":{\"e\":[[],[],[{\"s\":0}],[]]}}",                // ssrc 0
        "{\"sources\":{\"e\":[[],[],[{\"s\":4294967296}],[]]}}",       // over 32 bits
        "{\"sources\":{\"e\":[[],[],[{\"s\":\"12x\"}],[]]}}",          // not decimal
        "{\"sources\":{\"e\":[[],[],[],[[1,2]]]}}",                      // group without semantics
        "{\"sources\":{\"e\":[[],[],[],[],[]]}}",                        // five lists
    };
    for (const char* b : bad) {
        const auto r = jg::decode_json_sources(b);
        INFO(b);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == jg::make_error_code(jg::errc::bad_value));
    }
    jg::parse_limits small;
    small.max_sources = 2;
    const auto many = jg::decode_json_sources("{\"sources\":{\"e\":[[],[],[{\"s\":1},{\"s\":2},{\"s\":3}],[]]}}", small);
    REQUIRE_FALSE(many);
    CHECK(many.error().code == jg::make_error_code(jg::errc::limit_exceeded));
    // In a message, a bad list fails the whole parse (answered with bad-request).
    const auto whole = jg::parse(jingle_of("<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='s'>"
                                        "<json-message xmlns='http://jitsi.org/jitmeet'>{</json-message></jingle>"));
    CHECK_FALSE(whole);
}

TEST_CASE("jingle: session-terminate reason", "[jingle]") {
    const auto t = jg::build_session_terminate("s1", {"success", "hung up"});
    CHECK(t.attr_or("action") == "session-terminate");
    const element* r = t.child("reason");
    REQUIRE(r);
    CHECK(r->child("success"));
    CHECK(r->child_text("text") == "hung up");
    const auto back = parse_ok(over_the_wire(t));
    CHECK(back.act == jg::action::session_terminate);
    CHECK(back.reason == jg::reason{"success", "hung up"});

    // Jicofo's idle timeout (§4.3) as the stand-in writes it.
    const auto expired = parse_ok(
        jingle_of("<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='s1'>"
                  "<reason><expired/><text>Idle session timeout</text></reason></jingle>"));
    CHECK(expired.reason == jg::reason{"expired", "Idle session timeout"});
    CHECK(parse_ok(
              jingle_of("<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='s'/>"))
              .reason == std::nullopt);
}

TEST_CASE("jingle: rtcp-fb, ssrc-group and other groups survive", "[jingle]") {
    const auto msg = parse_ok(
        jingle_of("<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'>"
                  "<content creator='initiator' name='audio'>"
                  "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
                  "<payload-type id='111' name='opus' clockrate='48000' channels='2'>"
                  "<rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='transport-cc'/>"
                  "<rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='nack' subtype='pli'/>"
                  "</payload-type>"
                  "<payload-type id='0'/>"
                  "<rtcp-fb-trr-int xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' value='100'/>"
                  "<rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='3' uri='urn:x' "
                  "senders='initiator'/>"
                  "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1'/>"
                  "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='2'/>"
                  "<ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='FID'>"
                  "<source ssrc='1'/><source ssrc='2'/></ssrc-group>"
                  "</description></content>"
                  "<group xmlns='urn:xmpp:jingle:apps:grouping:0' semantics='LS'><content "
                  "name='audio'/></group>"
                  "</jingle>"));
    const auto& m = msg.desc.media[0];
    CHECK(m.extra == std::vector<media::attribute>{{"rtcp-fb", "111 transport-cc"},
                                                   {"rtcp-fb", "111 nack pli"},
                                                   {"rtcp-fb", "* trr-int 100"},
                                                   {"ssrc-group", "FID 1 2"}});
    CHECK(m.payload_types[1] == media::static_payload_type(0));  // PCMU by number alone
    CHECK(m.header_extensions[0].dir == direction::sendonly);
    CHECK(msg.desc.extra == std::vector<media::attribute>{{"group", "LS audio"}});
    CHECK(m.profile == media::transport_profile::rtp_avp);  // no DTLS fingerprint

    // Built back (as if it were ours) and re-read, nothing is lost.
    auto ours = msg.desc;
    ours.media[0].header_extensions[0].dir = direction::recvonly;  // ours: the peer sends
    const auto back = parse_ok(jg::build_session_accept(ours, "s", "r"), jg::role::initiator);
    CHECK(back.desc == ours);
}

TEST_CASE("jingle: actions", "[jingle]") {
    const auto act = [](std::string_view name) {
        const std::string xml =
            "<jingle xmlns='urn:xmpp:jingle:1' action='" + std::string(name) + "' sid='s'/>";
        return parse_ok(jingle_of(xml)).act;
    };
    CHECK(act("session-info") == jg::action::session_info);
    CHECK(act("transport-reject") == jg::action::transport_reject);
    CHECK(act("content-add") == jg::action::other);
    CHECK(act("content-modify") == jg::action::other);
    CHECK(act("content-remove") == jg::action::other);
    CHECK(act("dance") == jg::action::unknown);
    CHECK(jg::to_string(jg::action::source_add) == "source-add");
    CHECK(jg::to_string(jg::action::unknown).empty());
}

TEST_CASE("jingle: malformed input is an error naming the fault", "[jingle]") {
    using jg::errc;
    struct bad {
        std::string xml;
        errc code;
        std::string says;
    };
    const std::string cand(good_candidate);
    const auto replace = [&](std::string_view from, std::string_view to) {
        std::string s = cand;
        s.replace(s.find(from), from.size(), to);
        return with_candidate(s);
    };
    const std::string pt_desc = "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>";
    const std::vector<bad> cases = {
        {"<jingle xmlns='urn:xmpp:jingle:0' action='session-initiate' sid='s'/>", errc::not_jingle,
         "expected <jingle"},
        {"<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate'/>", errc::missing_attribute,
         "without sid"},
        {"<jingle xmlns='urn:xmpp:jingle:1' sid='s'/>", errc::missing_attribute, "without action"},
        {"<jingle xmlns='urn:xmpp:jingle:1' action='' sid='s'/>", errc::missing_attribute,
         "without action"},
        {with_content(pt_desc + "<payload-type id='abc' name='x'/></description>"),
         errc::bad_number, "content 'audio': <payload-type> id 'abc' is not a number in 0..127"},
        {with_content(pt_desc + "<payload-type id='128'/></description>"), errc::bad_number,
         "id '128'"},
        {with_content(pt_desc + "<payload-type id='-1'/></description>"), errc::bad_number,
         "id '-1'"},
        {with_content(pt_desc + "<payload-type name='opus'/></description>"),
         errc::missing_attribute, "<payload-type> without id"},
        {with_content(pt_desc + "<payload-type id='111' channels='0'/></description>"),
         errc::bad_number, "channels '0'"},
        {with_content(pt_desc + "<payload-type id='8'/><payload-type id='8'/></description>"),
         errc::duplicate, "two payload types with id 8"},
        {with_content("<description xmlns='urn:xmpp:jingle:apps:rtp:1'/>"), errc::missing_attribute,
         "<description> without media"},
        {with_content(pt_desc + "<rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='0' "
                                "uri='u'/></description>"),
         errc::bad_number, "<rtp-hdrext> id '0'"},
        {with_content(pt_desc + "<rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' "
                                "id='1'/></description>"),
         errc::missing_attribute, "<rtp-hdrext> without uri"},
        {with_content(pt_desc + "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' "
                                "ssrc='4294967296'/></description>"),
         errc::bad_number, "<source> ssrc '4294967296'"},
        {with_content(pt_desc +
                      "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='5'/>"
                      "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='5'/></description>"),
         errc::duplicate, "two sources with ssrc 5"},
        {replace("port='10000'", "port='99999'"), errc::bad_number,
         "content 'audio': candidate 1: <candidate> port '99999' is not a number in 0..65535"},
        {replace("ip='10.0.0.5' ", ""), errc::missing_attribute,
         "candidate 1: <candidate> without ip"},
        {replace("ip='10.0.0.5'", "ip=''"), errc::bad_value, "<candidate> ip ''"},
        {replace("component='1'", "component='0'"), errc::bad_number, "component '0'"},
        {replace("priority='2130706431'", "priority='99999999999'"), errc::bad_number, "priority"},
        {replace("foundation='1' ", ""), errc::missing_attribute, "without foundation"},
        {replace("protocol='udp'", "protocol='u d p'"), errc::bad_value, "protocol"},
        {with_candidate(cand + " rel-addr='1.2.3.4' rel-port='x'"), errc::bad_number,
         "rel-port 'x'"},
        {with_content("<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'>"
                      "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' "
                      "setup='sideways'>AA</fingerprint></transport>"),
         errc::bad_value, "setup 'sideways'"},
        {with_content(
             "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'>"
             "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256'> </fingerprint>"
             "</transport>"),
         errc::bad_value, "empty <fingerprint>"},
        {with_content(
             "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'>"
             "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0'>AA</fingerprint></transport>"),
         errc::missing_attribute, "<fingerprint> without hash"},
        {with_content("", "creator='initiator' name='audio' senders='all'"), errc::bad_value,
         "<content> senders 'all'"},
        {with_content("", "name='audio' creator='nobody'"), errc::bad_value,
         "<content> creator 'nobody'"},
        {with_content(pt_desc + "<payload-type id='0' clockrate='0'/></description>"),
         errc::bad_number, "clockrate '0'"},
        {with_content("", "creator='initiator'"), errc::missing_attribute,
         "<content> without name"},
        {"<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'>"
         "<content name='a'/><content name='a'/></jingle>",
         errc::duplicate, "two contents named 'a'"},
        {"<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s'>"
         "<group xmlns='urn:xmpp:jingle:apps:grouping:0'/></jingle>",
         errc::missing_attribute, "<group> without semantics"},
    };
    for (const auto& c : cases) {
        const auto e = parse_err(c.xml);
        INFO(c.xml << "\n -> " << e.diagnostic);
        CHECK(e.code == c.code);
        CHECK(e.code.category() == jg::category());
        CHECK(e.diagnostic.find(c.says) != std::string::npos);
        CHECK_FALSE(e.code.message().empty());
    }
}

TEST_CASE("jingle: limits bound hostile input", "[jingle]") {
    std::string many;
    for (int i = 0; i < 65; ++i) many += "<candidate " + std::string(good_candidate) + "/>";
    const element j = jingle_of(with_content(
        "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'>" + many + "</transport>"));
    auto r = jg::parse(j);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == jg::errc::limit_exceeded);
    CHECK(r.error().diagnostic.find("more than 64 candidates") != std::string::npos);

    jg::parse_limits small;
    small.max_contents = 1;
    const element two = jingle_of(
        "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' "
        "sid='s'><content name='a'/><content name='b'/></jingle>");
    auto r2 = jg::parse(two, jg::role::responder, small);
    REQUIRE_FALSE(r2);
    CHECK(r2.error().code == jg::errc::limit_exceeded);

    // A diagnostic never echoes more than 40 bytes of the peer's value, nor control characters.
    const std::string long_id(200, '9');
    const auto e = parse_err(with_content(
        "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type id='" +
        long_id + "'/></description>"));
    CHECK(e.diagnostic.size() < 150);
}

TEST_CASE("jingle: ICE failed, as lib-jitsi-meet reports a lost bridge", "[jingle]") {
    const auto j = jg::build_ice_failed("s1", "b-7");
    CHECK(j.attr_or("action") == "session-info");
    CHECK(j.attr_or("sid") == "s1");
    const element* state = j.child("ice-state", jg::ns_focus);
    REQUIRE(state);
    CHECK(state->text() == "failed");
    const element* b = j.child("bridge-session", jg::ns_focus);
    REQUIRE(b);
    CHECK(b->attr_or("id") == "b-7");
    CHECK(b->attr_or("restart") == "true");
    const auto back = parse_ok(over_the_wire(j));
    CHECK(back.act == jg::action::session_info);
    CHECK(back.bridge_session_id == "b-7");
    CHECK_FALSE(jg::build_ice_failed("s1", "").child("bridge-session", jg::ns_focus));
}
