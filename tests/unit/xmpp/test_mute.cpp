// Mute (jitsi-protocol.md §3.6): Jicofo's mute IQ as in the doc and as the e2e stand-in sends it
// (tests/e2e/jitsi/session.js mute()), the focus-only rule, our self-mute IQ, AV moderation
// messages and startMuted room metadata, and every malformed input.

#include "xmpp/mute.hpp"

#include "xml_test_util.hpp"

using namespace jigasi::xmpp;
using xml_test::doc;
using xml_test::J;

namespace {

const jid room = J("room1234@muc.meet.jitsi");

// §3.6, with the placeholder to="<jigasi per-call JID>" (not XML) filled in.
constexpr std::string_view doc_mute = R"(<iq type="set" from="room1234@muc.meet.jitsi/focus" to="7f3a09c2@meet.jitsi/7f3a09c2" id="m1">
    <mute xmlns="http://jitsi.org/jitmeet/audio" actor="room1234@muc.meet.jitsi/abcd0001">true</mute>
  </iq>)";

std::string mute_iq(std::string_view text, std::string_view ns = "http://jitsi.org/jitmeet/audio",
                    std::string_view from = "room1234@muc.meet.jitsi/focus") {
    return "<iq type='set' from='" + std::string(from) + "' id='m'><mute xmlns='" + std::string(ns) + "'>" +
           std::string(text) + "</mute></iq>";
}

parse_errc mute_refused(std::string_view xml) {
    auto r = parse_mute(doc(xml));
    INFO(xml);
    REQUIRE_FALSE(r);
    CHECK_FALSE(r.error().diagnostic.empty());
    return static_cast<parse_errc>(r.error().code.value());
}

element av_message(std::string_view json) {
    element m("message", std::string(ns::client));
    m.set_attr("type", "normal").set_attr("from", "avmoderation.meet.jitsi");
    m.add("json-message", "http://jitsi.org/jitmeet").add_text(json);
    return m;
}

parse_errc av_refused(const element& m) {
    auto r = parse_av_moderation(m);
    REQUIRE_FALSE(r);
    CHECK_FALSE(r.error().diagnostic.empty());
    return static_cast<parse_errc>(r.error().code.value());
}

}  // namespace

TEST_CASE("§3.6 mute IQ from the focus: every field, answered with a result", "[mute]") {
    auto request = doc(doc_mute);
    auto m = parse_mute(request);
    REQUIRE(m);
    CHECK(m->id == "m1");
    CHECK(m->from == J("room1234@muc.meet.jitsi/focus"));
    CHECK(m->media == mute_media::audio);
    CHECK(m->mute);
    CHECK(m->actor == J("room1234@muc.meet.jitsi/abcd0001"));
    CHECK_FALSE(m->target);
    CHECK(mute_from_focus(*m, room));
    CHECK(build_mute_result(request) == doc("<iq type='result' to='room1234@muc.meet.jitsi/focus' id='m1'/>"));
}

TEST_CASE("The stand-in's mute and unmute (session.js)", "[mute]") {
    for (auto [text, value] : {std::pair{"true", true}, std::pair{"false", false}}) {
        auto m = parse_mute(doc("<iq type='set' from='jitsi-audio@conference.meet.test/focus' "
                                "to='1a2b3c4d@meet.test/x' id='s1'><mute xmlns='http://jitsi.org/jitmeet/audio' "
                                "actor='jitsi-audio@conference.meet.test/sim00001'>" + std::string(text) + "</mute></iq>"));
        REQUIRE(m);
        CHECK(m->mute == value);
        CHECK(mute_from_focus(*m, J("jitsi-audio@conference.meet.test")));
    }
}

TEST_CASE("Mute values: true/false in any case with whitespace, nothing else", "[mute]") {
    CHECK(parse_mute(doc(mute_iq(" TRUE\n")))->mute);
    CHECK_FALSE(parse_mute(doc(mute_iq("False")))->mute);
    CHECK(mute_refused(mute_iq("yes")) == parse_errc::bad_value);
    CHECK(mute_refused(mute_iq("")) == parse_errc::bad_value);
    CHECK(mute_refused(mute_iq("truee")) == parse_errc::bad_value);
    CHECK(mute_refused(mute_iq("1")) == parse_errc::bad_value);
}

TEST_CASE("Only the focus of our room may mute us; others get item-not-found", "[mute]") {
    auto from = [](std::string_view f) { return *parse_mute(doc(mute_iq("true", "http://jitsi.org/jitmeet/audio", f))); };
    CHECK_FALSE(mute_from_focus(from("room1234@muc.meet.jitsi/abcd0001"), room));
    CHECK_FALSE(mute_from_focus(from("other@muc.meet.jitsi/focus"), room));
    CHECK_FALSE(mute_from_focus(from("focus@auth.meet.jitsi/focus"), room));
    CHECK(mute_from_focus(from("room1234@muc.meet.jitsi/jicofo"), room, "jicofo"));  // FOCUS_RESOURCE
    CHECK_FALSE(mute_from_focus(*parse_mute(doc("<iq type='set'><mute xmlns='http://jitsi.org/jitmeet/audio'>true</mute></iq>")), room));
    auto request = doc(mute_iq("true", "http://jitsi.org/jitmeet/audio", "room1234@muc.meet.jitsi/abcd0001"));
    CHECK(iq_error(request, mute_not_from_focus()) ==
          doc("<iq type='error' to='room1234@muc.meet.jitsi/abcd0001' id='m'><error type='cancel'>"
              "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"));
}

TEST_CASE("Video and desktop mutes parse and are answered feature-not-implemented", "[mute]") {
    CHECK(parse_mute(doc(mute_iq("true", "http://jitsi.org/jitmeet/video")))->media == mute_media::video);
    CHECK(parse_mute(doc(mute_iq("true", "http://jitsi.org/jitmeet/desktop")))->media == mute_media::desktop);
    CHECK(mute_unsupported() == stanza_error{error_type::cancel, "feature-not-implemented", ""});
    CHECK(mute_namespace(mute_media::video) == "http://jitsi.org/jitmeet/video");
}

TEST_CASE("Malformed mute IQs", "[mute]") {
    CHECK(mute_refused("<iq type='get'><mute xmlns='http://jitsi.org/jitmeet/audio'>true</mute></iq>") == parse_errc::wrong_stanza);
    CHECK(mute_refused("<message><mute xmlns='http://jitsi.org/jitmeet/audio'>true</mute></message>") == parse_errc::wrong_stanza);
    CHECK(mute_refused(mute_iq("true", "http://jitsi.org/jitmeet/other")) == parse_errc::wrong_stanza);
    CHECK(mute_refused("<iq type='set'><mute>true</mute></iq>") == parse_errc::wrong_stanza);
    CHECK(mute_refused(mute_iq("true", "http://jitsi.org/jitmeet/audio", "a b@c/focus")) == parse_errc::bad_value);
    auto bad_actor = parse_mute(doc("<iq type='set'><mute xmlns='http://jitsi.org/jitmeet/audio' actor='@x' jid=''>true</mute></iq>"));
    REQUIRE(bad_actor);
    CHECK_FALSE(bad_actor->actor);
    CHECK_FALSE(bad_actor->target);
}

TEST_CASE("§3.6 self mute to the focus with AV moderation", "[mute]") {
    auto iq = build_mute_request(J("room1234@muc.meet.jitsi/focus"), "s1", J("room1234@muc.meet.jitsi/7f3a09c2"), true);
    CHECK(iq == doc("<iq type='set' to='room1234@muc.meet.jitsi/focus' id='s1'>"
                    "<mute xmlns='http://jitsi.org/jitmeet/audio' jid='room1234@muc.meet.jitsi/7f3a09c2'>true</mute></iq>"));
    auto back = parse_mute(iq);
    REQUIRE(back);
    CHECK(back->target == J("room1234@muc.meet.jitsi/7f3a09c2"));
    CHECK(back->mute);
    auto video = build_mute_request(J("r@m/focus"), "s2", J("r@m/n"), false, mute_media::video);
    CHECK(video.child("mute", ns_video_mute)->text() == "false");
}

TEST_CASE("§3.6 AV moderation messages", "[mute]") {
    auto enabled = parse_av_moderation(av_message(R"({"type":"av_moderation","mediaType":"audio","enabled":true})"));
    REQUIRE(enabled);
    CHECK(enabled->media == "audio");
    CHECK(enabled->enabled == true);
    CHECK_FALSE(enabled->approved);
    CHECK_FALSE(enabled->removed);
    CHECK(enabled->actor.empty());

    auto approved = parse_av_moderation(av_message(R"({"type":"av_moderation","mediaType":"audio","approved":true})"));
    REQUIRE(approved);
    CHECK(approved->approved);
    CHECK_FALSE(approved->enabled);
    auto removed = parse_av_moderation(av_message(R"({"type":"av_moderation","mediaType":"video","removed":true,
        "actor":"room1234@muc.meet.jitsi/mod","whitelists":{"audio":["a"],"video":[]}})"));
    REQUIRE(removed);
    CHECK(removed->removed);
    CHECK(removed->media == "video");
    CHECK(removed->actor == "room1234@muc.meet.jitsi/mod");
    // The stand-in's (focus.js avModeration): Object.assign({type, mediaType: "audio"}, payload).
    auto standin = parse_av_moderation(av_message(R"({"type":"av_moderation","mediaType":"audio","enabled":false})"));
    REQUIRE(standin);
    CHECK(standin->enabled == false);
}

TEST_CASE("Malformed AV moderation messages", "[mute]") {
    element none("message", std::string(ns::client));
    CHECK(av_refused(none) == parse_errc::wrong_stanza);
    element wrong_ns("message", std::string(ns::client));
    wrong_ns.add("json-message", "urn:other").add_text(R"({"type":"av_moderation","mediaType":"audio"})");
    CHECK(av_refused(wrong_ns) == parse_errc::wrong_stanza);
    element iq("iq", std::string(ns::client));
    iq.add("json-message", "http://jitsi.org/jitmeet").add_text(R"({"type":"av_moderation","mediaType":"audio"})");
    CHECK(av_refused(iq) == parse_errc::wrong_stanza);
    CHECK(av_refused(av_message("{")) == parse_errc::bad_value);
    CHECK(av_refused(av_message("[]")) == parse_errc::bad_value);
    CHECK(av_refused(av_message("")) == parse_errc::bad_value);
    CHECK(av_refused(av_message(std::string(100, '[') + std::string(100, ']'))) == parse_errc::bad_value);
    CHECK(av_refused(av_message(R"({"type":"room_metadata","mediaType":"audio"})")) == parse_errc::wrong_stanza);
    CHECK(av_refused(av_message(R"({"mediaType":"audio"})")) == parse_errc::wrong_stanza);
    CHECK(av_refused(av_message(R"({"type":"av_moderation"})")) == parse_errc::missing_attribute);
    CHECK(av_refused(av_message(R"({"type":"av_moderation","mediaType":1})")) == parse_errc::missing_attribute);
    CHECK(av_refused(av_message(R"({"type":"av_moderation","mediaType":"audio","enabled":"yes"})")) == parse_errc::bad_value);
    CHECK(av_refused(av_message(R"({"type":"av_moderation","mediaType":"audio","approved":1})")) == parse_errc::bad_value);
    std::string big = R"({"type":"av_moderation","mediaType":"audio","pad":")" + std::string(70000, 'x') + "\"}";
    CHECK(av_refused(av_message(big)) == parse_errc::limit_exceeded);
}

TEST_CASE("§3.6 startMuted from room metadata", "[mute]") {
    CHECK(start_muted_audio(R"({"type":"room_metadata","metadata":{"startMuted":{"audio":true}}})") == true);
    CHECK(start_muted_audio(R"({"startMuted":{"audio":false,"video":true}})") == false);
    CHECK_FALSE(start_muted_audio(R"({"startMuted":{"video":true}})"));
    CHECK_FALSE(start_muted_audio(R"({"startMuted":{"audio":"true"}})"));
    CHECK_FALSE(start_muted_audio(R"({"startMuted":true})"));
    CHECK_FALSE(start_muted_audio(R"({})"));
    CHECK_FALSE(start_muted_audio("not json"));
    CHECK_FALSE(start_muted_audio(""));
}
