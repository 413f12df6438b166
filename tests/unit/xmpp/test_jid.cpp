// JIDs (RFC 7622): the addresses of jitsi-protocol.md, every refusal, ordering; per-call nicknames
// and call domains (§3.1); stanza errors and IQ replies (RFC 6120 §8).

#include "xmpp/jid.hpp"

#include "xml_test_util.hpp"

#include <set>

using namespace jigasi::xmpp;
using xml_test::doc;
using xml_test::J;

namespace {

std::error_code refused(std::string_view s) {
    auto j = jid::parse(s);
    INFO(s);
    REQUIRE_FALSE(j);
    CHECK_FALSE(j.error().diagnostic.empty());
    return j.error().code;
}

}  // namespace

TEST_CASE("JIDs of the Jitsi deployment parse into their parts", "[jid]") {
    auto room = J("room1234@muc.meet.jitsi");
    CHECK(room.local() == "room1234");
    CHECK(room.domain() == "muc.meet.jitsi");
    CHECK(room.resource().empty());
    CHECK(room.is_bare());
    CHECK_FALSE(room.is_full());

    auto focus = J("jigasibrewery@internal-muc.meet.jitsi/focus");
    CHECK(focus.local() == "jigasibrewery");
    CHECK(focus.domain() == "internal-muc.meet.jitsi");
    CHECK(focus.resource() == "focus");
    CHECK(focus.is_full());
    CHECK(focus.bare() == J("jigasibrewery@internal-muc.meet.jitsi"));
    CHECK(focus.to_string() == "jigasibrewery@internal-muc.meet.jitsi/focus");

    auto component = J("focus.meet.jitsi");
    CHECK(component.local().empty());
    CHECK(component.domain() == "focus.meet.jitsi");
    CHECK(component.to_string() == "focus.meet.jitsi");
    CHECK(J("meet.jitsi/res").resource() == "res");
    CHECK_FALSE(jid{}.is_bare());
    CHECK(jid{}.empty());
}

TEST_CASE("RFC 7622 §3.1: the first '/' starts the resource, which keeps '@' and '/'", "[jid]") {
    auto j = J("room@muc.meet.jitsi/Zoë @home/phone");
    CHECK(j.local() == "room");
    CHECK(j.domain() == "muc.meet.jitsi");
    CHECK(j.resource() == "Zoë @home/phone");
    CHECK(j.to_string() == "room@muc.meet.jitsi/Zoë @home/phone");
}

TEST_CASE("ASCII localpart and domainpart are lowercased, the resource is not", "[jid]") {
    auto j = J("Room1234@MUC.Meet.Jitsi/AbC123");
    CHECK(j.to_string() == "room1234@muc.meet.jitsi/AbC123");
    CHECK(j == J("room1234@muc.meet.jitsi/AbC123"));
    CHECK(J("a@Example.COM.").domain() == "example.com");  // §3.2: final dot stripped
    CHECK(J("zoë@example.com").local() == "zoë");
    CHECK(J("u@[2001:db8::1]/r").domain() == "[2001:db8::1]");
    CHECK(J("127.0.0.1").domain() == "127.0.0.1");
    CHECK(J("x@my_host.local").domain() == "my_host.local");
}

TEST_CASE("Invalid JIDs are refused with a code per part", "[jid]") {
    CHECK(refused("") == parse_errc::jid_empty);
    CHECK(refused("@meet.jitsi") == parse_errc::jid_empty);
    CHECK(refused("room@muc.meet.jitsi/") == parse_errc::jid_empty);
    CHECK(refused("room@") == parse_errc::jid_empty);
    CHECK(refused("/res") == parse_errc::jid_empty);
    CHECK(refused(".") == parse_errc::jid_empty);
    for (auto s : {"a b@d", "a\"b@d", "a&b@d", "a'b@d", "a:b@d", "a<b@d", "a>b@d", "a\tb@d",
                   "a\x7f@d", "\xC3@d", "\xC0\xAF@d", "\xED\xA0\x80@d", "\xF5\x80\x80\x80@d", "\xC2\x85@d"})
        CHECK(refused(s) == parse_errc::jid_bad_localpart);
    for (auto s : {"a@b..c", "a@.b", "a@b c", "a@host:5222", "a@b\x01", "a@[::1", "a@[zz]", "a@[]",
                   "a@\xFF", "a@b!c"})
        CHECK(refused(s) == parse_errc::jid_bad_domainpart);
    CHECK(refused("a@" + std::string(64, 'x') + ".com") == parse_errc::jid_bad_domainpart);
    CHECK(J("a@" + std::string(63, 'x') + ".com").domain().size() == 67);
    for (auto s : {"a@b/\x07", "a@b/x\xC3", "a@b/\x7f"})
        CHECK(refused(s) == parse_errc::jid_bad_resourcepart);
}

TEST_CASE("Each part is bounded to 1023 octets", "[jid]") {
    const std::string k1023(1023, 'k'), k1024(1024, 'k');
    std::string long_domain;
    while (long_domain.size() < 1023) long_domain += std::string(63, 'd') + ".";
    long_domain.resize(1023);
    if (long_domain.back() == '.') long_domain.back() = 'd';
    CHECK(J(k1023 + "@d/" + k1023).local().size() == 1023);
    CHECK(J(long_domain).domain().size() == 1023);
    CHECK(refused(k1024 + "@d") == parse_errc::jid_too_long);
    CHECK(refused("d/" + k1024) == parse_errc::jid_too_long);
    CHECK(refused(long_domain + "d") == parse_errc::jid_too_long);
}

TEST_CASE("make, with_resource, comparison and ordering", "[jid]") {
    auto m = jid::make("Room", "muc.meet.jitsi.", "nick");
    REQUIRE(m);
    CHECK(m->to_string() == "room@muc.meet.jitsi/nick");
    CHECK(jid::make("", "", "").error().code == parse_errc::jid_empty);
    CHECK(jid::make("a b", "d").error().code == parse_errc::jid_bad_localpart);

    auto room = J("room@muc.meet.jitsi");
    auto occ = room.with_resource("7f3a09c2");
    REQUIRE(occ);
    CHECK(occ->to_string() == "room@muc.meet.jitsi/7f3a09c2");
    CHECK(J("room@muc.meet.jitsi/old").with_resource("new")->resource() == "new");
    CHECK(room.with_resource("").error().code == parse_errc::jid_empty);
    CHECK(room.with_resource("a\x01").error().code == parse_errc::jid_bad_resourcepart);

    CHECK(J("a@b/c") != J("a@b/C"));
    CHECK(J("a@b") < J("a@b/c"));
    std::set<jid> s{J("b@x"), J("a@x"), J("A@X")};
    CHECK(s.size() == 2);
    CHECK(s.begin()->to_string() == "a@x");
}

TEST_CASE("attr_jid: absent gives an empty JID, invalid gives nullopt", "[jid]") {
    auto e = doc("<iq from='room@muc.meet.jitsi/focus' to='a b@c' type='set'/>");
    CHECK(attr_jid(e, "from") == J("room@muc.meet.jitsi/focus"));
    CHECK_FALSE(attr_jid(e, "to"));
    REQUIRE(attr_jid(e, "jid"));
    CHECK(attr_jid(e, "jid")->empty());
}

TEST_CASE("§3.1 nicknames: 8 lowercase hex digits, or the SIP user", "[jid]") {
    CHECK(random_nick(0x7f3a09c2) == "7f3a09c2");
    CHECK(random_nick(0) == "00000000");
    CHECK(random_nick(0xABCDEF01) == "abcdef01");
    CHECK(random_nick(0xFFFFFFFF) == "ffffffff");
    CHECK(sip_user_nick("+1 (555) 123.4567") == "-1--555--123-4567");
    CHECK(sip_user_nick("alice_01") == "alice-01");
    CHECK(sip_user_nick("zoë") == "zo-");
    CHECK(sip_user_nick("\xF0\x9F\x98\x80x") == "-x");
    CHECK(sip_user_nick("").empty());
    CHECK(sip_user_nick(std::string(100, 'a')) == std::string(64, 'a'));
}

TEST_CASE("§3.1 call domain: MUC prefix stripped, tenant split off the base domain", "[jid]") {
    CHECK(room_call_domain(J("room@muc.meet.jitsi")) == call_domain{"meet.jitsi", ""});
    CHECK(room_call_domain(J("room@conference.meet.jitsi")) == call_domain{"meet.jitsi", ""});
    CHECK(room_call_domain(J("room@muc.tenant1.meet.jitsi"), "conference,muc", "meet.jitsi") ==
          call_domain{"meet.jitsi", "tenant1"});
    CHECK(room_call_domain(J("room@muc.tenant1.meet.jitsi")) == call_domain{"tenant1.meet.jitsi", ""});
    CHECK(room_call_domain(J("room@muc.meet.jitsi"), "conference,muc", "meet.jitsi") ==
          call_domain{"meet.jitsi", ""});
    CHECK(room_call_domain(J("room@rooms.meet.jitsi")) == call_domain{"rooms.meet.jitsi", ""});
    CHECK(room_call_domain(J("room@rooms.meet.jitsi"), " conference , rooms ") == call_domain{"meet.jitsi", ""});
    CHECK(room_call_domain(J("room@muc")) == call_domain{"muc", ""});
    CHECK(room_call_domain(J("room@muc.xmeet.jitsi"), "muc", "meet.jitsi") == call_domain{"xmeet.jitsi", ""});
}

TEST_CASE("RFC 6120 §8.3 stanza errors parse and build", "[jid]") {
    auto e = parse_stanza_error(doc(
        "<iq type='error' id='a1'><error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
        "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>not a moderator</text></error></iq>"));
    REQUIRE(e);
    CHECK(e->type == error_type::auth);
    CHECK(e->condition == "forbidden");
    CHECK(e->text == "not a moderator");

    auto bare = parse_stanza_error(doc("<presence type='error'><error type='bogus'/></presence>"));
    REQUIRE(bare);
    CHECK(bare->type == error_type::cancel);
    CHECK(bare->condition == "undefined-condition");
    CHECK_FALSE(parse_stanza_error(doc("<iq type='error'/>")));
    CHECK(parse_stanza_error(doc("<iq><error type='wait'><x xmlns='urn:other'/>"
                                 "<resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                                 "</error></iq>"))
              ->condition == "resource-constraint");

    for (auto t : {error_type::cancel, error_type::continue_, error_type::modify, error_type::auth, error_type::wait}) {
        stanza_error in{t, "conflict", "x"};
        element iq("iq", std::string(ns::client));
        iq.add(build_error(in));
        CHECK(parse_stanza_error(iq) == in);
    }
    CHECK(to_string(error_type::continue_) == "continue");
    CHECK(build_error({error_type::modify, "bad-request", ""}) ==
          doc("<error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"));
}

TEST_CASE("IQ replies go back to the sender with the same id", "[jid]") {
    auto req = doc("<iq type='set' from='room@muc.meet.jitsi/focus' to='u@meet.jitsi/r' id='m1'><x xmlns='y'/></iq>");
    CHECK(iq_result(req) == doc("<iq type='result' to='room@muc.meet.jitsi/focus' id='m1'/>"));
    CHECK(iq_error(req, {error_type::cancel, "item-not-found", ""}) ==
          doc("<iq type='error' to='room@muc.meet.jitsi/focus' id='m1'><error type='cancel'>"
              "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"));
    // XEP-0114: a component stamps its own from.
    auto creq = doc("<iq type='set' from='focus@auth.meet.jitsi/f' to='callcontrol.meet.jitsi' id='c'/>",
                    "jabber:component:accept");
    auto cres = iq_result(creq);
    CHECK(cres.ns() == ns::component);
    CHECK(cres.attr("from") == "callcontrol.meet.jitsi");
    CHECK(cres.attr("to") == "focus@auth.meet.jitsi/f");
    auto cerr = iq_error(creq, {});
    CHECK(cerr.child("error")->ns() == ns::component);
    CHECK(make_iq("get", "focus.meet.jitsi", "q1") == doc("<iq type='get' to='focus.meet.jitsi' id='q1'/>"));
    // No from, no id: the reply still is well-formed.
    CHECK(iq_result(doc("<iq type='get'/>")) == doc("<iq type='result' id=''/>"));
}
