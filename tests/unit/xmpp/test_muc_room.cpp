// muc_room: the presences Prosody sends for a Jitsi conference (XEP-0045 §7.2, §9, §10.9) and
// what the tracker reports: joins, updates (mute, raised hand, role), departures, every join
// refusal condition (jitsi-protocol.md §3.5), kick/ban/destroy, nick changes, hostile input.

#include "xmpp/muc.hpp"

#include "xml_test_util.hpp"

using namespace jigasi::xmpp;
using xml_test::doc;
using xml_test::J;
using kind = muc_event_kind;

namespace {

constexpr std::string_view room_jid = "room1234@muc.meet.jitsi";
constexpr std::string_view our_nick = "7f3a09c2";

/// A presence from room/nick with <x muc#user>`x`</x> and `extra` children.
element from_occupant(std::string_view nick, std::string_view x, std::string_view extra = {},
                      std::string_view type = {}) {
    std::string s = "<presence from='" + std::string(room_jid) + "/" + std::string(nick) + "' to='" +
                    std::string(our_nick) + "@meet.jitsi/" + std::string(our_nick) + "'";
    if (!type.empty()) s += " type='" + std::string(type) + "'";
    s += "><x xmlns='http://jabber.org/protocol/muc#user'>" + std::string(x) + "</x>" + std::string(extra) + "</presence>";
    return doc(s);
}

const std::string focus_x = "<item affiliation='owner' role='moderator' jid='focus@auth.meet.jitsi/focus'/>";
const std::string web_x = "<item affiliation='none' role='participant' jid='u@guest.meet.jitsi/r1'/>";
const std::string self_x = "<item affiliation='none' role='participant' jid='7f3a09c2@meet.jitsi/7f3a09c2'/>"
                           "<status code='100'/><status code='110'/>";
const std::string web_extra =
    "<nick xmlns='http://jabber.org/protocol/nick'>Zoë</nick><audiomuted>true</audiomuted>"
    "<videomuted>false</videomuted><jitsi_participant_raisedHand>1718000000000</jitsi_participant_raisedHand>"
    "<jitsi_participant_region>eu-west</jitsi_participant_region><stats-id>Zoe-xyz</stats-id>"
    "<features><feature var='urn:a'/></features><status>here</status>";

muc_event feed(muc_room& r, const element& p) {
    auto ev = r.on_presence(p);
    INFO(write(p));
    REQUIRE(ev);
    return *ev;
}

/// A room we have joined, with the focus and one web participant (abcd0001).
muc_room joined_room() {
    muc_room r(J(room_jid), std::string(our_nick));
    feed(r, from_occupant("focus", focus_x));
    feed(r, from_occupant("abcd0001", web_x, web_extra));
    feed(r, from_occupant(our_nick, self_x));
    REQUIRE(r.current() == muc_room::state::joined);
    return r;
}

element error_presence(std::string_view condition, std::string_view inside = {}, std::string_view outside = {}) {
    return doc("<presence from='room1234@muc.meet.jitsi/7f3a09c2' type='error'><error type='auth'><" +
               std::string(condition) + " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>" + std::string(inside) +
               "</error>" + std::string(outside) + "</presence>");
}

}  // namespace

TEST_CASE("Joining: others first, then our self-presence with 110", "[muc]") {
    muc_room r(J("Room1234@muc.meet.jitsi/ignored"), std::string(our_nick));
    CHECK(r.room() == J(room_jid));
    CHECK(r.current() == muc_room::state::joining);
    CHECK(r.occupant_jid() == J("room1234@muc.meet.jitsi/7f3a09c2"));

    auto focus = feed(r, from_occupant("focus", focus_x));
    CHECK(focus.kind == kind::occupant_joined);
    CHECK(focus.who.nick == "focus");
    CHECK(focus.who.role == muc_role::moderator);
    CHECK(focus.who.affiliation == muc_affiliation::owner);
    CHECK(focus.who.real_jid == J("focus@auth.meet.jitsi/focus"));

    auto web = feed(r, from_occupant("abcd0001", web_x, web_extra));
    CHECK(web.kind == kind::occupant_joined);
    const occupant& o = web.who;
    CHECK(o.nick == "abcd0001");
    CHECK(o.real_jid == J("u@guest.meet.jitsi/r1"));
    CHECK(o.role == muc_role::participant);
    CHECK(o.affiliation == muc_affiliation::none);
    CHECK(o.display_name == "Zoë");
    CHECK(o.audio_muted == true);
    CHECK(o.video_muted == false);
    CHECK(o.hand_raised());
    CHECK(o.raised_hand == "1718000000000");
    CHECK(o.region == "eu-west");
    CHECK(o.stats_id == "Zoe-xyz");
    CHECK(o.features == std::vector<std::string>{"urn:a"});
    CHECK(o.status == "here");
    CHECK_FALSE(o.is_jigasi());

    auto self = feed(r, from_occupant(our_nick, self_x + "<status code='201'/>"));
    CHECK(self.kind == kind::self_joined);
    CHECK(self.room_created);
    CHECK(self.status_codes == std::vector<int>{100, 110, 201});
    CHECK(self.who.real_jid == J("7f3a09c2@meet.jitsi/7f3a09c2"));
    CHECK(r.current() == muc_room::state::joined);
    CHECK(r.occupants().size() == 2);
    CHECK(r.find("abcd0001")->display_name == "Zoë");
    CHECK(r.find("nobody") == nullptr);
    CHECK(r.self().role == muc_role::participant);
    CHECK(to_string(muc_role::moderator) == "moderator");
    CHECK(to_string(muc_affiliation::owner) == "owner");
}

TEST_CASE("Without status 110 our nick still marks the self-presence", "[muc]") {
    muc_room r(J(room_jid), std::string(our_nick));
    auto ev = feed(r, from_occupant(our_nick, "<item affiliation='none' role='participant'/>"));
    CHECK(ev.kind == kind::self_joined);
    CHECK_FALSE(ev.room_created);
    CHECK_FALSE(ev.who.real_jid);  // semi-anonymous room
}

TEST_CASE("Updates report the previous state; departures remove the occupant", "[muc]") {
    auto r = joined_room();
    auto up = feed(r, from_occupant("abcd0001", web_x,
                                    "<nick xmlns='http://jabber.org/protocol/nick'>Zoë</nick><audiomuted>false</audiomuted>"
                                    "<jitsi_participant_raisedHand/><features><feature var='http://jitsi.org/protocol/jigasi'/></features>"));
    CHECK(up.kind == kind::occupant_updated);
    REQUIRE(up.before);
    CHECK(up.before->audio_muted == true);
    CHECK(up.before->hand_raised());
    CHECK(up.who.audio_muted == false);
    CHECK_FALSE(up.who.hand_raised());
    CHECK(up.who.is_jigasi());
    CHECK(r.find("abcd0001")->audio_muted == false);

    // Granted moderator: our own role changes.
    auto mod = feed(r, from_occupant(our_nick, "<item affiliation='owner' role='moderator'/><status code='110'/>"));
    CHECK(mod.kind == kind::self_updated);
    CHECK(mod.before->role == muc_role::participant);
    CHECK(mod.who.role == muc_role::moderator);
    CHECK(r.self().affiliation == muc_affiliation::owner);

    auto left = feed(r, from_occupant("abcd0001", "<item affiliation='none' role='none'/>", "", "unavailable"));
    CHECK(left.kind == kind::occupant_left);
    CHECK(left.who.display_name == "Zoë");  // the last known state
    CHECK(r.occupants().size() == 1);
    CHECK_FALSE(r.on_presence(from_occupant("abcd0001", "", "", "unavailable")));  // unknown now

    // Another occupant kicked: left with actor and reason, we stay.
    feed(r, from_occupant("bob", web_x));
    auto kicked = feed(r, from_occupant("bob", "<item affiliation='none' role='none'><actor nick='mod'/>"
                                               "<reason>spam</reason></item><status code='307'/>", "", "unavailable"));
    CHECK(kicked.kind == kind::occupant_left);
    CHECK(kicked.actor == "mod");
    CHECK(kicked.reason == "spam");
    CHECK(kicked.status_codes == std::vector<int>{307});
    CHECK(r.current() == muc_room::state::joined);
}

TEST_CASE("Nick changes (303) and a nick assigned by the room (210)", "[muc]") {
    auto r = joined_room();
    auto other = feed(r, from_occupant("abcd0001", "<item affiliation='none' role='participant' nick='abcd0002'/>"
                                                   "<status code='303'/>", "", "unavailable"));
    CHECK(other.kind == kind::occupant_left);
    CHECK(other.new_nick == "abcd0002");
    CHECK(feed(r, from_occupant("abcd0002", web_x)).kind == kind::occupant_joined);

    auto self = feed(r, from_occupant(our_nick, "<item affiliation='none' role='participant' nick='newnick'/>"
                                                "<status code='303'/><status code='110'/>", "", "unavailable"));
    CHECK(self.kind == kind::self_updated);
    CHECK(self.new_nick == "newnick");
    CHECK(r.nick() == "newnick");
    CHECK(r.current() == muc_room::state::joined);
    CHECK(feed(r, from_occupant("newnick", "<item role='participant'/><status code='110'/>")).kind == kind::self_updated);

    muc_room assigned(J(room_jid), "wanted");
    auto ev = feed(assigned, from_occupant("given", "<item role='participant'/><status code='110'/><status code='210'/>"));
    CHECK(ev.kind == kind::self_joined);
    CHECK(assigned.nick() == "given");
    CHECK(assigned.occupant_jid().resource() == "given");
}

TEST_CASE("Our leave, kick, ban, removal and room destruction", "[muc]") {
    {
        auto r = joined_room();
        CHECK(feed(r, from_occupant(our_nick, "<item role='none'/><status code='110'/>", "", "unavailable")).kind ==
              kind::self_left);
        CHECK(r.current() == muc_room::state::left);
        CHECK(r.occupants().empty());
        CHECK_FALSE(r.on_presence(from_occupant("abcd0001", web_x)));  // after leaving: ignored
    }
    {
        // XEP-0045 §9.2: how a moderator drops a phone participant (§2.3).
        auto r = joined_room();
        auto ev = feed(r, from_occupant(our_nick, "<item affiliation='none' role='none'><actor nick='Fluellen'/>"
                                                  "<reason>Avaunt, you cullion!</reason></item>"
                                                  "<status code='110'/><status code='307'/>", "", "unavailable"));
        CHECK(ev.kind == kind::kicked);
        CHECK(ev.removed_by == removal::kicked);
        CHECK(ev.actor == "Fluellen");
        CHECK(ev.reason == "Avaunt, you cullion!");
        CHECK(r.current() == muc_room::state::left);
    }
    for (auto [code, why] : std::initializer_list<std::pair<int, removal>>{
             {301, removal::banned}, {321, removal::affiliation_change}, {322, removal::members_only},
             {332, removal::shutdown}}) {
        auto r = joined_room();
        auto ev = feed(r, from_occupant(our_nick, "<item role='none'/><status code='" + std::to_string(code) + "'/>", "",
                                        "unavailable"));
        CHECK(ev.kind == kind::kicked);
        CHECK(ev.removed_by == why);
    }
    {
        // XEP-0045 §10.9; §3.5: a lobby destroyed with the main room as alternate venue.
        auto r = joined_room();
        auto ev = feed(r, from_occupant(our_nick, "<item affiliation='none' role='none'/>"
                                                  "<destroy jid='room1234@muc.meet.jitsi'><reason>lobby disabled</reason></destroy>",
                                        "", "unavailable"));
        CHECK(ev.kind == kind::room_destroyed);
        CHECK(ev.alternate_room == "room1234@muc.meet.jitsi");
        CHECK(ev.reason == "lobby disabled");
        CHECK(r.current() == muc_room::state::left);
    }
}

TEST_CASE("Every join refusal condition maps to its reason", "[muc]") {
    struct row {
        std::string_view condition;
        join_refusal refusal;
    };
    for (auto [condition, refusal] : {row{"conflict", join_refusal::nick_conflict},
                                      row{"not-authorized", join_refusal::password_required},
                                      row{"registration-required", join_refusal::members_only},
                                      row{"forbidden", join_refusal::banned},
                                      row{"service-unavailable", join_refusal::room_full},
                                      row{"item-not-found", join_refusal::room_not_found},
                                      row{"not-allowed", join_refusal::creation_refused},
                                      row{"jid-malformed", join_refusal::other}}) {
        muc_room r(J(room_jid), std::string(our_nick));
        auto ev = feed(r, error_presence(condition));
        INFO(condition);
        CHECK(ev.kind == kind::join_refused);
        CHECK(ev.refusal == refusal);
        CHECK(ev.error.condition == condition);
        CHECK(ev.error.type == error_type::auth);
        CHECK(ev.reason.starts_with(describe(refusal)));
        CHECK(ev.lobby_room.empty());
        CHECK(r.current() == muc_room::state::left);
    }
    muc_room r(J(room_jid), std::string(our_nick));
    auto ev = feed(r, error_presence("jid-malformed", "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>no nick</text>"));
    CHECK(ev.reason == "join refused (jid-malformed): no nick");
    CHECK(describe(join_refusal::room_full) == "room is full");
}

TEST_CASE("§3.5 lobby: registration-required with <lobbyroom>", "[muc]") {
    const std::string lobby = "<lobbyroom xmlns='http://jitsi.org/jitmeet'>room1234@lobby.meet.jitsi</lobbyroom>";
    for (auto p : {error_presence("registration-required", lobby),
                   error_presence("registration-required", "<lobbyroom>room1234@lobby.meet.jitsi</lobbyroom>"),
                   error_presence("registration-required", {}, lobby)}) {
        muc_room r(J(room_jid), std::string(our_nick));
        auto ev = feed(r, p);
        CHECK(ev.refusal == join_refusal::members_only);
        CHECK(ev.lobby_room == "room1234@lobby.meet.jitsi");
    }
    // The e2e stand-in's "lobby" is plain members-only (focus.js lobby()): no <lobbyroom>.
    muc_room r(J(room_jid), std::string(our_nick));
    auto ev = feed(r, error_presence("registration-required"));
    CHECK(ev.refusal == join_refusal::members_only);
    CHECK(ev.lobby_room.empty());
}

TEST_CASE("Nick conflict: rejoin with another nick", "[muc]") {
    muc_room r(J(room_jid), std::string(our_nick));
    feed(r, from_occupant("focus", focus_x));
    CHECK(feed(r, error_presence("conflict")).refusal == join_refusal::nick_conflict);
    CHECK_FALSE(r.on_presence(from_occupant("abcd0001", web_x)));
    r.rejoin("0badc0de");
    CHECK(r.current() == muc_room::state::joining);
    CHECK(r.occupants().empty());
    CHECK(r.occupant_jid().to_string() == "room1234@muc.meet.jitsi/0badc0de");
    CHECK(feed(r, from_occupant("0badc0de", "<item role='participant'/><status code='110'/>")).kind == kind::self_joined);
}

TEST_CASE("Errors after joining, from the bare room, or for another nick", "[muc]") {
    auto r = joined_room();
    auto ev = feed(r, error_presence("not-acceptable"));
    CHECK(ev.kind == kind::presence_error);
    CHECK(ev.error.condition == "not-acceptable");
    CHECK(r.current() == muc_room::state::joined);

    muc_room j(J(room_jid), std::string(our_nick));
    CHECK_FALSE(j.on_presence(doc("<presence from='room1234@muc.meet.jitsi/other' type='error'>"
                                  "<error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>")));
    auto bare = feed(j, doc("<presence from='room1234@muc.meet.jitsi' type='error'/>"));
    CHECK(bare.kind == kind::join_refused);
    CHECK(bare.refusal == join_refusal::other);  // no <error/>: undefined-condition
    CHECK(bare.error.condition == "undefined-condition");
    CHECK_FALSE(j.on_presence(error_presence("conflict")));  // already left
}

TEST_CASE("Presences the tracker ignores", "[muc]") {
    auto r = joined_room();
    CHECK_FALSE(r.on_presence(doc("<presence from='other@muc.meet.jitsi/x'/>")));
    CHECK_FALSE(r.on_presence(doc("<presence from='room1234@muc.meet.jitsi'/>")));
    CHECK_FALSE(r.on_presence(doc("<presence/>")));
    CHECK_FALSE(r.on_presence(doc("<presence from='a b@muc/x'/>")));
    CHECK_FALSE(r.on_presence(from_occupant("abcd0001", web_x, "", "probe")));
    CHECK_FALSE(r.on_presence(doc("<message from='room1234@muc.meet.jitsi/abcd0001'/>")));
    CHECK(r.occupants().size() == 2);
}

TEST_CASE("Hostile presences are bounded and never fatal", "[muc]") {
    muc_room r(J(room_jid), std::string(our_nick), muc_limits{.max_occupants = 2, .max_status_codes = 2,
                                                              .max_features = 1, .max_text = 8});
    auto ev = feed(r, from_occupant("a", "<item role='king' affiliation='god' jid='not a jid'/>"
                                         "<status code='abc'/><status code='1234'/><status code='100'/>"
                                         "<status code='170'/><status code='172'/>",
                                    "<nick xmlns='http://jabber.org/protocol/nick'>Zoëëëëëëë</nick>"
                                    "<audiomuted>maybe</audiomuted><features><feature var='x'/><feature var='y'/></features>"));
    CHECK(ev.who.role == muc_role::none);
    CHECK(ev.who.affiliation == muc_affiliation::none);
    CHECK_FALSE(ev.who.real_jid);
    CHECK(ev.status_codes == std::vector<int>{100, 170});
    CHECK(ev.who.display_name == "Zoëëë");  // 8 bytes, cut on a character boundary
    CHECK_FALSE(ev.who.audio_muted);
    CHECK(ev.who.features.size() == 1);
    feed(r, from_occupant("b", ""));
    CHECK_FALSE(r.on_presence(from_occupant("c", "")));  // over max_occupants: not tracked
    CHECK(r.occupants().size() == 2);
    CHECK(feed(r, from_occupant("b", "")).kind == kind::occupant_updated);
    CHECK(feed(r, from_occupant(our_nick, "<status code='110'/>")).kind == kind::self_joined);
}
