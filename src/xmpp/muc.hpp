#pragma once
// The conference MUC (XEP-0045) of one call, as Jitsi uses it (jitsi-protocol.md §3.3-§3.8): our
// presence (join, updates, leave), the disco#info answer with its XEP-0115 caps hash, and
// muc_room, which is fed every presence from the room and reports joins, updates, departures,
// refusals, kicks and destruction. Sans-io: no sockets or timers (the join timeout, §2.2, and the
// lobby flow, §3.5, belong to the caller).
//
// Jitsi's convention (§3.3): presence children without an xmlns (features, audiomuted, stats-id,
// jitsi_participant_*) are in jabber:client; the builders put them in the stanza's namespace.

#include "xmpp/element.hpp"
#include "xmpp/jid.hpp"
#include "xmpp/rayo.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jigasi::xmpp {

inline constexpr std::string_view ns_nick = "http://jabber.org/protocol/nick";  // XEP-0172
inline constexpr std::string_view ns_jigasi = "http://jitsi.org/protocol/jigasi";
inline constexpr std::string_view ns_jitmeet = "http://jitsi.org/jitmeet";
inline constexpr std::string_view feature_dtmf = "urn:xmpp:jingle:dtmf:0";
inline constexpr std::string_view feature_audio_mute = "http://jitsi.org/protocol/audio-mute";

// --- our presence ---

/// §3.6 raised hand: absent, an empty element (lowered), or the epoch ms it was raised.
enum class hand_state : std::uint8_t { omitted, lowered, raised };

/// Everything our presence in the room says. MUC presence is full state (XEP-0045 §7.7): an
/// update (mute, raised hand, status) sends the whole struct again with join = false.
struct participant_presence {
    jid occupant;                         ///< room@muc/nick (§3.1 nick)
    bool join = true;                     ///< add <x xmlns='http://jabber.org/protocol/muc'/>
    std::optional<std::string> password;  ///< <x muc><password/> on join (§3.5)
    std::string display_name;             ///< <nick xmlns=nick>: number dialed or SIP From name
    std::string caps_node, caps_ver;      ///< <c hash='sha-1'/> (XEP-0115); omitted if ver empty
    std::string region;                   ///< <jitsi_participant_region> (LOCAL_REGION)
    std::string version;                  ///< <stat name='version' value/>
    std::vector<rayo_header> initiator;   ///< <initiator xmlns=jigasi>; omitted when empty
    std::vector<std::string> features;    ///< <features><feature var/>: presence_features()
    std::string stats_id;                 ///< <stats-id> (STATS_ID)
    std::optional<bool> audio_muted;      ///< <audiomuted>; Jicofo reads it for jigasi (§3.3)
    std::optional<bool> video_muted;      ///< Jigasi sends none (Jicofo assumes muted)
    hand_state hand = hand_state::omitted;
    std::uint64_t hand_raised_ms = 0;  ///< when hand == raised
    std::string status;                ///< <status>: call state (rayo.hpp call_status, §2.5)
};

/// §3.3 <features> of the SIP gateway: jigasi, jingle DTMF, and audio-mute when
/// ENABLE_SIP_STARTMUTED (the feature Jicofo requires before it force-mutes us, §3.6).
std::vector<std::string> presence_features(bool audio_mute);

/// The presence for `p`, children in the order of the §3.3 example.
element build_presence(const participant_presence& p);
/// §3.8: <presence to=occupant type='unavailable'/>, with a <status/> when given.
element build_leave(const jid& occupant, std::string_view status = {});

// --- disco#info and caps (XEP-0030, XEP-0115) ---

struct disco_identity {
    std::string category, type, lang, name;
    friend bool operator==(const disco_identity&, const disco_identity&) = default;
};
struct disco_info {
    std::vector<disco_identity> identities;
    std::vector<std::string> features;
};

/// §3.3: identity client/pc and the feature list Jigasi advertises with VIDEO_CALLING_DISABLED
/// (no video, no SCTP, no RTX, no TCC/REMB, no source names: these absences shape Jicofo's offer).
disco_info jigasi_disco_info(bool audio_mute, std::string_view name = "jigasi-ng");

/// XEP-0115 §5.1 verification string: identities sorted by category/type/lang as
/// "category/type/lang/name<", then sorted, de-duplicated features each followed by '<';
/// SHA-1, base64. Empty if libcrypto fails.
std::string caps_ver(const disco_info& info);

/// An <iq type='get'> with <query xmlns='http://jabber.org/protocol/disco#info'/>.
bool is_disco_info_get(const element& iq);
/// The result for such a query: identities and sorted features, the query's node echoed
/// (XEP-0115 §6.2: Jicofo may ask for node#ver).
element build_disco_info_result(const element& request, const disco_info& info);

// --- tracking the room ---

enum class muc_role : std::uint8_t { none, visitor, participant, moderator };
enum class muc_affiliation : std::uint8_t { none, outcast, member, admin, owner };
std::string_view to_string(muc_role r);
std::string_view to_string(muc_affiliation a);

/// What an occupant's latest presence said.
struct occupant {
    std::string nick;
    std::optional<jid> real_jid;  ///< <item jid>, when the room shows it to us
    muc_role role = muc_role::none;
    muc_affiliation affiliation = muc_affiliation::none;
    std::string display_name;  ///< <nick xmlns=nick>
    std::optional<bool> audio_muted, video_muted;
    std::string raised_hand;  ///< <jitsi_participant_raisedHand> text; empty = not raised
    std::vector<std::string> features;  ///< <features><feature var/>
    std::string status;
    std::string region, stats_id;

    bool hand_raised() const { return !raised_hand.empty(); }
    bool is_jigasi() const;  ///< announces http://jitsi.org/protocol/jigasi (§3.5 lobby rule)
    friend bool operator==(const occupant&, const occupant&) = default;
};

/// Why a join failed, from the error condition (XEP-0045 §7.2.5-§7.2.11, jitsi-protocol.md §3.5).
enum class join_refusal : std::uint8_t {
    nick_conflict,      ///< conflict: nickname in use; rejoin() with another random nick
    password_required,  ///< not-authorized: password missing or wrong
    members_only,       ///< registration-required: lobby on; lobby_room names the lobby (§3.5)
    banned,             ///< forbidden
    room_full,          ///< service-unavailable: max occupants (NOTIFY_MAX_OCCUPANTS prompt)
    room_not_found,     ///< item-not-found: room does not exist or is locked
    creation_refused,   ///< not-allowed: the room does not exist and we may not create it
    other,              ///< any other condition (jid-malformed, not-acceptable, ...)
};
std::string_view describe(join_refusal r);  ///< "nickname already in use", ...

/// How we lost the room without leaving (XEP-0045 §15.6 status codes).
enum class removal : std::uint8_t {
    kicked,              ///< 307 (a moderator's kick is how phone participants are dropped, §2.3)
    banned,              ///< 301
    affiliation_change,  ///< 321
    members_only,        ///< 322 (room became members-only: lobby turned on)
    shutdown,            ///< 332
};

enum class muc_event_kind : std::uint8_t {
    self_joined,      ///< our self-presence (status 110) ended the join
    self_updated,     ///< our role, affiliation or nick (303) changed
    self_left,        ///< our own leave came back
    occupant_joined,
    occupant_updated,
    occupant_left,
    join_refused,    ///< error presence while joining: see refusal
    room_destroyed,  ///< XEP-0045 §10.9: alternate_room and reason
    kicked,          ///< removed by the room: see removed_by
    presence_error,  ///< an error presence after we joined (a refused update)
};

struct muc_event {
    muc_event_kind kind = muc_event_kind::occupant_joined;
    occupant who;                    ///< the occupant concerned; ourselves for self_*/kicked
    std::optional<occupant> before;  ///< the previous state, for *_updated
    std::vector<int> status_codes;   ///< XEP-0045 §15.6 codes of <x muc#user>
    bool room_created = false;       ///< self_joined with 201 (XEP-0045 §10.1.1)
    join_refusal refusal = join_refusal::other;
    removal removed_by = removal::kicked;
    stanza_error error;          ///< join_refused, presence_error
    std::string lobby_room;      ///< join_refused members_only: <lobbyroom> (§3.5), may be empty
    std::string alternate_room;  ///< room_destroyed: <destroy jid> (lobby off: the main room)
    std::string reason;          ///< room_destroyed, kicked, occupant_left: <reason>
    std::string actor;           ///< kicked, occupant_left: <actor nick>
    std::string new_nick;        ///< self_updated/occupant_left with 303
};

struct muc_limits {
    std::size_t max_occupants = 5000;  ///< more are not tracked (and not reported)
    std::size_t max_status_codes = 16;
    std::size_t max_features = 64;
    std::size_t max_text = 1024;  ///< bytes kept of each text (display name, status, reason...)
};

class muc_room {
public:
    enum class state : std::uint8_t { joining, joined, left };

    muc_room(jid room, std::string nick, muc_limits limits = {});

    /// Feeds one presence. Presences from other rooms, without a valid from, from the bare room
    /// (other than errors), of other types (probe, subscribe) and unavailable presences of
    /// unknown occupants give nullopt. Occupants seen before our self-presence are tracked
    /// (the room sends them first, XEP-0045 §7.2.3).
    std::optional<muc_event> on_presence(const element& presence);

    /// After a nick_conflict refusal: join again under `nick` (state back to joining).
    void rejoin(std::string nick);

    state current() const { return state_; }
    const jid& room() const { return room_; }
    const std::string& nick() const { return nick_; }
    /// Our occupant JID: room/nick.
    jid occupant_jid() const;
    /// Everyone else, by nick.
    const std::map<std::string, occupant, std::less<>>& occupants() const { return others_; }
    const occupant& self() const { return self_; }
    const occupant* find(std::string_view nick) const;

private:
    std::optional<muc_event> on_error(const element& presence);
    std::optional<muc_event> on_unavailable(occupant who, std::vector<int> codes, const element* x, bool is_self);

    jid room_;
    std::string nick_;
    muc_limits limits_;
    state state_ = state::joining;
    occupant self_;
    std::map<std::string, occupant, std::less<>> others_;
};

}  // namespace jigasi::xmpp
