#pragma once
// The control connection's presence in the brewery MUC (jitsi-protocol.md §1.1): joined with
// nick = our XMPP resource, carrying colibri <stats/> that Jicofo uses to pick an instance (§1.2
// step 5: supports_sip, graceful_shutdown, region, fewest participants) and Prosody's
// mod_muc_jigasi_invite uses for stress_level (§1.3). Sans-io: the caller decides when to send
// (on join, when a session joins its room, when one ends, on graceful shutdown; needs_resend()).

#include "xmpp/element.hpp"
#include "xmpp/jid.hpp"
#include "xmpp/muc.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jigasi::xmpp {

inline constexpr std::string_view ns_colibri = "http://jitsi.org/protocol/colibri";

/// What the stats say. Fields are the §1.1 stat names.
struct brewery_stats {
    std::uint64_t conferences = 0;   ///< sessions that have a conference MUC
    std::uint64_t participants = 0;  ///< sum of (room occupants - 1 for the focus)
    bool graceful_shutdown = false;  ///< after POST /about/shutdown: Jicofo stops choosing us
    double stress_level = 0;         ///< brewery_stress_level()
    std::string region;              ///< LOCAL_REGION; the stat is left out when empty
    std::string version;
    bool supports_transcription = false;  ///< jigasi-ng has no transcriber (§9)
    bool supports_sip = true;
    friend bool operator==(const brewery_stats&, const brewery_stats&) = default;
};

/// conferences / CONFERENCES_THRESHOLD (default 100), as Jigasi's Statistics computes it; 0 for a
/// zero threshold.
double brewery_stress_level(std::uint64_t conferences, std::uint64_t threshold = 100);

/// <stats xmlns='http://jitsi.org/protocol/colibri'> with one <stat name value/> per field, in the
/// §1.1 order (conferences, participants, graceful_shutdown, stress_level, region, version,
/// supports_transcription, supports_sip). stress_level is written as Java's Double.toString
/// would for ordinary values ("0.03", "0.0"); booleans as "true"/"false".
element build_stats(const brewery_stats& s);

/// The brewery occupant JID: the brewery room with our connection's resource as nick (§1.1 join
/// rule: mod_muc_jigasi_invite addresses our full JID by that resource).
parse_result<jid> brewery_occupant(const jid& brewery_room, const jid& own_full_jid);

/// <presence to=occupant> with the stats. `join` adds <x xmlns='http://jabber.org/protocol/muc'/>
/// for the first presence (XEP-0045 §7.2.1); later stats updates leave it out, since a server may
/// treat a repeated <x/> as a new join.
element build_brewery_presence(const jid& occupant, const brewery_stats& s, bool join);

/// True when `now` must be sent: nothing was sent yet, or any stat differs from `last_sent`.
/// Any change counts: Jicofo selects on participants, which changes without sessions starting.
bool needs_resend(const std::optional<brewery_stats>& last_sent, const brewery_stats& now);

/// What the control connection answers to disco#info (§1.1, §10 item 1): identity client/pc, the
/// jigasi feature and urn:xmpp:rayo:1 for the dial/hangup handlers. With `legacy_component` the
/// XEP-0114 component's answer instead (§1.4): identity component/generic and urn:xmpp:rayo:0, the
/// pair old Jicofo's ComponentsDiscovery looked for.
disco_info control_disco_info(bool legacy_component = false, std::string_view name = "jigasi-ng");

}  // namespace jigasi::xmpp
