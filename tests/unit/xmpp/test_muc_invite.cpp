// parse_invitation: the mediated invitation (XEP-0045 §7.8.2) by which a Jitsi lobby admits a
// knocker (jitsi-protocol.md §3.5), and what is not one.

#include "xmpp/muc_invite.hpp"

#include "xml_test_util.hpp"

using namespace jigasi::xmpp;
using xml_test::doc;

TEST_CASE("muc invite: the lobby's admission, with and without a password", "[muc]") {
    auto inv = parse_invitation(doc(
        "<message from='room1@conference.meet.test' to='abc@meet.test/r'>"
        "<x xmlns='http://jabber.org/protocol/muc#user'><invite from='focus@auth.meet.test/focus'>"
        "<reason>come in</reason></invite><password>4321</password></x></message>"));
    REQUIRE(inv);
    CHECK(inv->room.to_string() == "room1@conference.meet.test");
    CHECK(inv->inviter == "focus@auth.meet.test/focus");
    CHECK(inv->reason == "come in");
    CHECK(inv->password == std::optional<std::string>("4321"));

    auto open = parse_invitation(doc(
        "<message from='room1@conference.meet.test'><x xmlns='http://jabber.org/protocol/muc#user'><invite/></x></message>"));
    REQUIRE(open);
    CHECK(open->inviter.empty());
    CHECK_FALSE(open->password);
}

TEST_CASE("muc invite: what is not an invitation is refused", "[muc]") {
    // From an occupant (only the room relays invitations), from a server, an error, no <invite>,
    // the wrong namespace, a direct invitation (XEP-0249 is not how the lobby admits), not a message.
    for (const char* text : {
             "<message from='room1@conference.meet.test/nick'><x xmlns='http://jabber.org/protocol/muc#user'><invite/></x></message>",
             "<message from='conference.meet.test'><x xmlns='http://jabber.org/protocol/muc#user'><invite/></x></message>",
             "<message type='error' from='room1@conference.meet.test'><x xmlns='http://jabber.org/protocol/muc#user'><invite/></x></message>",
             "<message from='room1@conference.meet.test'><x xmlns='http://jabber.org/protocol/muc#user'><decline/></x></message>",
             "<message from='room1@conference.meet.test'><x xmlns='http://jabber.org/protocol/muc'><invite/></x></message>",
             "<message from='u@meet.test/r'><x xmlns='jabber:x:conference' jid='room1@conference.meet.test'/></message>",
             "<message><x xmlns='http://jabber.org/protocol/muc#user'><invite/></x></message>",
             "<presence from='room1@conference.meet.test'><x xmlns='http://jabber.org/protocol/muc#user'><invite/></x></presence>",
         }) {
        INFO(text);
        CHECK_FALSE(parse_invitation(doc(text)));
    }
}

TEST_CASE("muc invite: long texts are bounded", "[muc]") {
    const std::string big(5000, 'a');
    auto inv = parse_invitation(doc("<message from='r@c.d'><x xmlns='http://jabber.org/protocol/muc#user'><invite><reason>" + big +
                                    "</reason></invite><password>" + big + "</password></x></message>"));
    REQUIRE(inv);
    CHECK(inv->reason.size() == 1024);
    CHECK(inv->password->size() == 1024);
}
