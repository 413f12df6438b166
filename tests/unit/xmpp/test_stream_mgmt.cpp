// XEP-0198 stream management without sockets (xmpp/stream_mgmt.hpp): counters and their 2^32
// wrap (§4), acks trimming the resend queue, a count too high, the queue's cap, <r/> and <a/>, and
// what a resumption (§5) sends again.

#include "xml_test_util.hpp"
#include "xmpp/stream_mgmt.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace jigasi::xmpp;
using xml_test::doc;

namespace {

element a(std::uint32_t h) { return doc("<a xmlns='urn:xmpp:sm:3' h='" + std::to_string(h) + "'/>"); }
element r() { return doc("<r xmlns='urn:xmpp:sm:3'/>"); }

sm_grant resumable(std::string id = "sm-1") {
    sm_grant g;
    g.id = std::move(id);
    g.resume = true;
    return g;
}

/// n stanzas "<m1/>", "<m2/>", ... after `first`.
void send_n(stream_mgmt& sm, int n, int first = 1) {
    for (int i = first; i < first + n; ++i) sm.on_outbound("<m" + std::to_string(i) + "/>");
}

}  // namespace

TEST_CASE("sm: counts both ways, answers <r/>, acks trim the queue (XEP-0198 §4)", "[sm]") {
    stream_mgmt sm;
    CHECK_FALSE(sm.enabled());
    sm.on_outbound("<ignored/>");  // before <enabled/> nothing is counted
    CHECK(sm.sent() == 0);

    sm.start(resumable());
    CHECK(sm.resumable());
    send_n(sm, 3);
    CHECK(sm.sent() == 3);
    CHECK(sm.unacked() == 3);
    sm.on_inbound();
    sm.on_inbound();

    auto re = sm.on_element(r());
    REQUIRE(re.reply);
    CHECK_FALSE(re.ec);
    CHECK(write(*re.reply) == "<a xmlns='urn:xmpp:sm:3' h='2'/>");

    re = sm.on_element(a(2));
    CHECK_FALSE(re.ec);
    CHECK_FALSE(re.reply);
    CHECK(sm.unacked() == 1);
    CHECK(sm.queued_bytes() == 5);  // "<m3/>"
    re = sm.on_element(a(2));  // the same count again changes nothing
    CHECK_FALSE(re.ec);
    CHECK(sm.unacked() == 1);

    std::error_code ec;
    std::string why;
    auto again = sm.on_resumed(2, ec, why);
    REQUIRE(again);
    CHECK(*again == std::vector<std::string>{"<m3/>"});
}

TEST_CASE("sm: h wraps at 2^32 in both directions", "[sm]") {
    constexpr auto top = std::numeric_limits<std::uint32_t>::max();
    stream_mgmt sm;
    sm.start(resumable(), {top - 1, top});
    sm.on_inbound();
    CHECK(sm.handled() == 0);
    CHECK(write(sm.ack()) == "<a xmlns='urn:xmpp:sm:3' h='0'/>");

    send_n(sm, 4);  // counts top, 0, 1, 2
    CHECK(sm.sent() == 2);
    CHECK(sm.unacked() == 4);
    auto re = sm.on_element(a(0));
    CHECK_FALSE(re.ec);
    CHECK(sm.unacked() == 2);
    std::error_code ec;
    std::string why;
    auto again = sm.on_resumed(1, ec, why);
    REQUIRE(again);
    CHECK(*again == std::vector<std::string>{"<m4/>"});
    CHECK(read_sm_h(doc("<a xmlns='urn:xmpp:sm:3' h='4294967295'/>")) == top);
}

TEST_CASE("sm: an ack for more than was sent ends the stream (handled-count-too-high)", "[sm]") {
    stream_mgmt sm;
    sm.start(resumable());
    send_n(sm, 2);
    auto re = sm.on_element(a(3));
    CHECK(re.ec == sm_errc::handled_count_too_high);
    CHECK(re.diagnostic.find("h=3") != std::string::npos);
    REQUIRE(re.reply);
    CHECK(write(*re.reply, in_stream(ns::client)) ==
          "<stream:error><undefined-condition xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
          "<handled-count-too-high xmlns='urn:xmpp:sm:3' h='3' send-count='2'/></stream:error>");

    // A count going backwards is as wrong: mod 2^32 it acknowledges nearly everything.
    stream_mgmt back;
    back.start(resumable());
    send_n(back, 2);
    CHECK_FALSE(back.on_element(a(2)).ec);
    CHECK(back.on_element(a(1)).ec == sm_errc::handled_count_too_high);

    std::error_code ec;
    std::string why;
    stream_mgmt res;
    res.start(resumable());
    send_n(res, 1);
    CHECK_FALSE(res.on_resumed(2, ec, why));
    CHECK(ec == sm_errc::handled_count_too_high);

    stream_mgmt bad;
    bad.start(resumable());
    for (const char* text : {"<a xmlns='urn:xmpp:sm:3'/>", "<a xmlns='urn:xmpp:sm:3' h='x'/>",
                             "<a xmlns='urn:xmpp:sm:3' h='-1'/>", "<a xmlns='urn:xmpp:sm:3' h='4294967296'/>",
                             "<a xmlns='urn:xmpp:sm:3' h=' 1'/>", "<a xmlns='urn:xmpp:sm:3' h='+1'/>"}) {
        INFO(text);
        auto re2 = bad.on_element(doc(text));
        CHECK(re2.ec == sm_errc::bad_ack);
        CHECK(re2.reply);
    }
}

TEST_CASE("sm: past the queue's cap the session stops being resumable, until all is acked", "[sm]") {
    sm_limits limits;
    limits.max_unacked = 3;
    stream_mgmt sm(limits);
    sm.start(resumable());
    send_n(sm, 3);
    CHECK(sm.resumable());
    CHECK(sm.on_outbound("<m4/>"));  // the one over the cap says so, once
    CHECK_FALSE(sm.on_outbound("<m5/>"));
    CHECK_FALSE(sm.resumable());
    CHECK(sm.sent() == 5);
    CHECK(sm.queued_bytes() == 0);
    std::error_code ec;
    std::string why;
    stream_mgmt copy = sm;
    CHECK_FALSE(copy.on_resumed(2, ec, why));
    CHECK(ec == sm_errc::not_resumable);

    CHECK_FALSE(sm.on_element(a(4)).ec);  // counts still checked without the queue
    CHECK_FALSE(sm.resumable());
    CHECK(sm.on_element(a(6)).ec == sm_errc::handled_count_too_high);

    stream_mgmt caught_up(limits);
    caught_up.start(resumable());
    send_n(caught_up, 4);
    CHECK_FALSE(caught_up.resumable());
    CHECK_FALSE(caught_up.on_element(a(4)).ec);
    CHECK(caught_up.resumable());
    send_n(caught_up, 1, 5);
    auto again = caught_up.on_resumed(4, ec, why);
    REQUIRE(again);
    CHECK(*again == std::vector<std::string>{"<m5/>"});

    sm_limits bytes;
    bytes.max_unacked_bytes = 12;
    stream_mgmt big(bytes);
    big.start(resumable());
    CHECK_FALSE(big.on_outbound("<m1/><m1/>"));
    CHECK(big.on_outbound("<m2/>"));
    CHECK_FALSE(big.resumable());
}

TEST_CASE("sm: <r/> after a burst of stanzas, one at a time", "[sm]") {
    stream_mgmt sm;  // request_after = 5
    sm.start(resumable());
    CHECK_FALSE(sm.request_pending());
    send_n(sm, 4);
    CHECK(sm.request_pending());
    CHECK_FALSE(sm.request_due());
    send_n(sm, 1, 5);
    CHECK(sm.request_due());
    CHECK(write(sm.request()) == "<r xmlns='urn:xmpp:sm:3'/>");
    CHECK_FALSE(sm.request_due());
    CHECK_FALSE(sm.request_pending());
    send_n(sm, 5, 6);
    CHECK_FALSE(sm.request_due());  // the answer is still to come
    CHECK_FALSE(sm.on_element(a(5)).ec);
    CHECK(sm.request_due());
    CHECK(sm.unacked() == 5);
    // Other sm elements while stanzas flow are not ours to act on.
    auto re = sm.on_element(doc("<enabled xmlns='urn:xmpp:sm:3' id='x'/>"));
    CHECK_FALSE(re.ec);
    CHECK_FALSE(re.reply);
}

TEST_CASE("sm: the negotiation elements (§3, §5)", "[sm]") {
    CHECK(write(sm_enable(true, std::chrono::seconds(60))) == "<enable xmlns='urn:xmpp:sm:3' resume='true' max='60'/>");
    CHECK(write(sm_enable(false, std::chrono::seconds(60))) == "<enable xmlns='urn:xmpp:sm:3'/>");
    CHECK(write(sm_resume("some-long-sm-id", 7)) == "<resume xmlns='urn:xmpp:sm:3' previd='some-long-sm-id' h='7'/>");

    auto g = read_sm_enabled(doc("<enabled xmlns='urn:xmpp:sm:3' id='some-long-sm-id' "
                                 "location='[2001:41D0:1:A49b::1]:9222' resume='true' max='600'/>"));
    CHECK(g.resume);
    CHECK(g.id == "some-long-sm-id");
    CHECK(g.max == std::chrono::seconds(600));
    CHECK(g.location == "[2001:41D0:1:A49b::1]:9222");
    g = read_sm_enabled(doc("<enabled xmlns='urn:xmpp:sm:3' resume='1' id='x'/>"));
    CHECK(g.resume);
    CHECK(g.max.count() == 0);
    g = read_sm_enabled(doc("<enabled xmlns='urn:xmpp:sm:3' resume='true'/>"));  // no id: nothing to resume
    CHECK_FALSE(g.resume);
    g = read_sm_enabled(doc("<enabled xmlns='urn:xmpp:sm:3' id='x'/>"));
    CHECK_FALSE(g.resume);
    CHECK(g.id.empty());

    CHECK(read_sm_failed(doc("<failed xmlns='urn:xmpp:sm:3' h='3'><item-not-found "
                             "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>")) == "item-not-found");
    CHECK(read_sm_failed(doc("<failed xmlns='urn:xmpp:sm:3'/>")) == "undefined-condition");

    CHECK(sm_counts(doc("<iq type='get' id='1'/>")));
    CHECK(sm_counts(doc("<message/>")));
    CHECK(sm_counts(doc("<presence/>", ns::component)));
    CHECK_FALSE(sm_counts(doc("<r xmlns='urn:xmpp:sm:3'/>")));
    CHECK_FALSE(sm_counts(doc("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")));
    CHECK_FALSE(sm_counts(doc("<iq xmlns='urn:example'/>")));
}

TEST_CASE("sm: <enabled location/> as host and port (§5)", "[sm]") {
    std::string host = "meet.test";
    std::uint16_t port = 5222;
    CHECK(parse_sm_location("10.0.0.1:5223", host, port));
    CHECK(host == "10.0.0.1");
    CHECK(port == 5223);
    CHECK(parse_sm_location("[2001:41D0:1:A49b::1]:9222", host, port));
    CHECK(host == "2001:41D0:1:A49b::1");
    CHECK(port == 9222);
    port = 5222;
    CHECK(parse_sm_location("c2s.meet.test", host, port));
    CHECK(host == "c2s.meet.test");
    CHECK(port == 5222);
    CHECK(parse_sm_location("[::1]", host, port));
    CHECK(host == "::1");
    for (const char* bad : {"", "host:", "host:0", "host:65536", "host:52a", "::1", "[::1", "[::1]x", "[::1]:", ":5222"}) {
        INFO(bad);
        host = "kept";
        port = 1;
        CHECK_FALSE(parse_sm_location(bad, host, port));
        CHECK(host == "kept");
        CHECK(port == 1);
    }
}
