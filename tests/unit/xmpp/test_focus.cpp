// The conference IQ to focus.<domain> and its answers (jitsi-protocol.md §3.2, §3.7): the doc's
// request and result attribute by attribute, what the e2e stand-in (tests/e2e/jitsi/focus.js)
// answers, every refusal and malformed reply, and next_step().

#include "xmpp/focus.hpp"

#include "xml_test_util.hpp"

using namespace jigasi::xmpp;
using xml_test::doc;
using xml_test::J;

namespace {

// §3.2, without the XML comments.
constexpr std::string_view doc_request = R"(<iq type="set" to="focus.meet.jitsi" id="c1">
  <conference xmlns="http://jitsi.org/protocol/focus" room="room1234@muc.meet.jitsi">
    <property name="visitors-version" value="1"/>
    <property name="visitor" value="true"/>
  </conference>
</iq>)";

constexpr std::string_view doc_result = R"(<iq type="result" from="focus.meet.jitsi">
  <conference xmlns="http://jitsi.org/protocol/focus" room="room1234@muc.meet.jitsi"
              ready="true" focusjid="focus@auth.meet.jitsi">
    <property name="authentication" value="false"/>
    <property name="sipGatewayEnabled" value="true"/>
    <property name="visitors-supported" value="false"/>
  </conference>
</iq>)";

conference_reply reply(std::string_view xml) {
    auto r = parse_conference_reply(doc(xml));
    INFO(xml);
    REQUIRE(r);
    return *r;
}

parse_errc refused(std::string_view xml) {
    auto r = parse_conference_reply(doc(xml));
    INFO(xml);
    REQUIRE_FALSE(r);
    CHECK_FALSE(r.error().diagnostic.empty());
    return static_cast<parse_errc>(r.error().code.value());
}

conference_reply error_reply(std::string_view condition, std::string_view extra = {}) {
    return reply("<iq type='error' from='focus.meet.jitsi' id='c1'><error type='cancel'><" + std::string(condition) +
                 " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>" + std::string(extra) + "</error></iq>");
}

}  // namespace

TEST_CASE("§3.2 conference IQ equals the doc example", "[focus]") {
    conference_request r;
    r.room = J("room1234@muc.meet.jitsi");
    r.visitors_enabled = true;
    r.visitor = true;
    auto iq = build_conference_iq(focus_address("meet.jitsi"), "c1", r);
    CHECK(iq == doc(doc_request));
    CHECK(iq.attr("to") == "focus.meet.jitsi");
    const element* conf = iq.child("conference", ns_focus);
    REQUIRE(conf);
    CHECK(conf->attributes().size() == 1);
    CHECK(conf->children("property").size() == 2);
}

TEST_CASE("Conference IQ without visitors, with machine-uid and extra properties", "[focus]") {
    conference_request r;
    r.room = J("jitsi-audio@conference.meet.test");
    // What the e2e participant (call.js) sends: the room only.
    CHECK(build_conference_iq("focus.meet.test", "q", r) ==
          doc("<iq type='set' to='focus.meet.test' id='q'><conference xmlns='http://jitsi.org/protocol/focus' "
              "room='jitsi-audio@conference.meet.test'/></iq>"));
    r.visitor = true;  // ignored without ENABLE_SIP_VISITORS
    CHECK(build_conference_iq("focus.meet.test", "q", r).child("conference", ns_focus)->elements().empty());
    r.machine_uid = "abc";
    r.extra = {{"rtcstatsEnabled", "false"}};
    CHECK(build_conference_iq("focus.meet.test", "q", r) ==
          doc("<iq type='set' to='focus.meet.test' id='q'><conference xmlns='http://jitsi.org/protocol/focus' "
              "room='jitsi-audio@conference.meet.test' machine-uid='abc'>"
              "<property name='rtcstatsEnabled' value='false'/></conference></iq>"));
}

TEST_CASE("§3.2 result (doc and stand-in): every field, then join", "[focus]") {
    auto r = reply(doc_result);
    CHECK(r.accepted);
    const auto& a = r.answer;
    CHECK(a.room == "room1234@muc.meet.jitsi");
    CHECK(a.ready);
    CHECK(a.focus_jid == "focus@auth.meet.jitsi");
    CHECK(a.vnode.empty());
    CHECK(a.session_id.empty());
    CHECK(a.identity.empty());
    CHECK_FALSE(a.live);
    CHECK(a.properties == std::vector<conference_property>{{"authentication", "false"},
                                                           {"sipGatewayEnabled", "true"},
                                                           {"visitors-supported", "false"}});
    CHECK_FALSE(a.authentication());
    CHECK(a.sip_gateway_enabled());
    CHECK_FALSE(a.visitors_supported());
    CHECK(*a.property("sipGatewayEnabled") == "true");
    CHECK(a.property("nope") == nullptr);
    CHECK(next_step(r, false) == conference_next::join);
}

TEST_CASE("Not ready, visitor redirect, not live, other attributes", "[focus]") {
    auto not_ready = reply("<iq type='result'><conference xmlns='http://jitsi.org/protocol/focus' room='r@m' ready='false'/></iq>");
    CHECK_FALSE(not_ready.answer.ready);
    CHECK(next_step(not_ready, false) == conference_next::retry);
    // lib-jitsi-meet: anything but 'true' is not ready.
    CHECK_FALSE(reply("<iq type='result'><conference xmlns='http://jitsi.org/protocol/focus' ready='TRUE'/></iq>").answer.ready);
    CHECK_FALSE(reply("<iq type='result'><conference xmlns='http://jitsi.org/protocol/focus'/></iq>").answer.ready);

    auto redirect = reply("<iq type='result'><conference xmlns='http://jitsi.org/protocol/focus' ready='true' "
                          "vnode='v1' focusjid='focus@auth.meet.jitsi' session-id='s' identity='i'/></iq>");
    CHECK(redirect.answer.vnode == "v1");
    CHECK(redirect.answer.session_id == "s");
    CHECK(redirect.answer.identity == "i");
    CHECK(next_step(redirect, true) == conference_next::visitor_redirect);
    CHECK(next_step(redirect, false) == conference_next::fail);

    auto not_live = reply("<iq type='result'><conference xmlns='http://jitsi.org/protocol/focus' ready='true' live='false'/></iq>");
    CHECK(not_live.answer.live == false);
    CHECK(next_step(not_live, true) == conference_next::wait_live);
    auto live_prop = reply("<iq type='result'><conference xmlns='http://jitsi.org/protocol/focus' ready='true'>"
                           "<property name='live' value='false'/></conference></iq>");
    CHECK(live_prop.answer.live == false);
    CHECK(next_step(live_prop, true) == conference_next::wait_live);
    auto live = reply("<iq type='result'><conference xmlns='http://jitsi.org/protocol/focus' ready='true' live='true'/></iq>");
    CHECK(next_step(live, true) == conference_next::join);
    CHECK_FALSE(reply("<iq type='result'><conference xmlns='http://jitsi.org/protocol/focus' live='x'/></iq>").answer.live);
    auto nameless = reply("<iq type='result'><conference xmlns='http://jitsi.org/protocol/focus'>"
                          "<property value='x'/><property name='a'/></conference></iq>");
    CHECK(nameless.answer.properties == std::vector<conference_property>{{"a", ""}});
}

TEST_CASE("Refusals from the focus", "[focus]") {
    struct row {
        std::string_view condition;
        conference_refusal refusal;
        conference_next next;
    };
    for (auto [cond, refusal, next] : {row{"not-authorized", conference_refusal::not_authorized, conference_next::auth_required},
                                       row{"service-unavailable", conference_refusal::service_unavailable, conference_next::retry},
                                       row{"forbidden", conference_refusal::forbidden, conference_next::fail},
                                       row{"item-not-found", conference_refusal::item_not_found, conference_next::fail},
                                       row{"bad-request", conference_refusal::bad_request, conference_next::fail},
                                       row{"internal-server-error", conference_refusal::other, conference_next::fail}}) {
        auto r = error_reply(cond);
        INFO(cond);
        CHECK_FALSE(r.accepted);
        CHECK(r.refusal == refusal);
        CHECK(r.error.condition == cond);
        CHECK(r.error.type == error_type::cancel);
        CHECK(next_step(r, true) == next);
    }
    auto invalid = error_reply("not-authorized", "<session-invalid xmlns='http://jitsi.org/protocol/focus'/>");
    CHECK(invalid.refusal == conference_refusal::session_invalid);
    CHECK(next_step(invalid, false) == conference_next::retry);
    // The stand-in's answer to a room outside its MUC domain (focus.js onConferenceIq).
    auto standin = reply("<iq type='error' id='q'><error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                         "</error></iq>");
    CHECK(standin.refusal == conference_refusal::bad_request);
    CHECK(standin.error.type == error_type::modify);
    auto empty = reply("<iq type='error'/>");
    CHECK(empty.error.condition == "undefined-condition");
    CHECK(empty.refusal == conference_refusal::other);
}

TEST_CASE("Malformed conference replies", "[focus]") {
    CHECK(refused("<message type='result'/>") == parse_errc::wrong_stanza);
    CHECK(refused("<iq type='set'><conference xmlns='http://jitsi.org/protocol/focus'/></iq>") == parse_errc::wrong_stanza);
    CHECK(refused("<iq/>") == parse_errc::wrong_stanza);
    CHECK(refused("<iq type='result'/>") == parse_errc::missing_element);
    CHECK(refused("<iq type='result'><conference xmlns='urn:other'/></iq>") == parse_errc::missing_element);
    std::string many = "<iq type='result'><conference xmlns='http://jitsi.org/protocol/focus'>";
    for (int i = 0; i < 65; ++i) many += "<property name='p" + std::to_string(i) + "' value='v'/>";
    CHECK(refused(many + "</conference></iq>") == parse_errc::limit_exceeded);
    CHECK(focus_address("tenant1.meet.jitsi") == "focus.tenant1.meet.jitsi");
}
