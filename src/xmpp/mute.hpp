#pragma once
// Muting (jitsi-protocol.md §3.6): the mute IQ Jicofo sends after a moderator muted us (and the
// one we send to Jicofo for ourselves when AV moderation is on), AV moderation messages from the
// av_moderation component, and startMuted from room metadata. Sans-io; parsers never throw.

#include "xmpp/element.hpp"
#include "xmpp/jid.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jigasi::xmpp {

inline constexpr std::string_view ns_audio_mute = "http://jitsi.org/jitmeet/audio";
inline constexpr std::string_view ns_video_mute = "http://jitsi.org/jitmeet/video";
inline constexpr std::string_view ns_desktop_mute = "http://jitsi.org/jitmeet/desktop";

enum class mute_media : std::uint8_t { audio, video, desktop };
std::string_view mute_namespace(mute_media m);

/// <iq type='set'><mute xmlns='http://jitsi.org/jitmeet/audio' actor jid>true</mute></iq>.
struct mute_request {
    std::string id;
    jid from;  ///< room/focus for Jicofo's notification; empty when absent
    mute_media media = mute_media::audio;
    bool mute = true;          ///< the text: true = mute, false = unmute (a no-op for Jigasi)
    std::optional<jid> actor;  ///< actor: the moderator's occupant JID (absent or invalid: nullopt)
    std::optional<jid> target;  ///< jid: whom to mute (the form sent to the focus)
};

/// Refused: not an <iq type='set'> with <mute/> in one of the three namespaces (wrong_stanza), a
/// text other than true/false in any case, surrounding whitespace allowed (bad_value), an invalid
/// from (bad_value). Only audio is acted upon by Jigasi; the caller answers video and desktop
/// with mute_unsupported().
parse_result<mute_request> parse_mute(const element& iq);

/// §3.6: Jigasi accepts the mute only from the focus occupant of its own room.
bool mute_from_focus(const mute_request& r, const jid& room, std::string_view focus_nick = "focus");

/// The answer to a mute not from the focus: cancel/item-not-found (what Jigasi answers).
stanza_error mute_not_from_focus();
/// The answer to a video/desktop mute: cancel/feature-not-implemented (Jigasi has no handler,
/// so its stack answers that).
stanza_error mute_unsupported();
/// The answer to an accepted mute (also unmute, acknowledged and ignored): an empty result.
element build_mute_result(const element& request);

/// §3.6 self mute with AV moderation: <iq type='set' to='room@muc/focus'><mute
/// xmlns='http://jitsi.org/jitmeet/audio' jid='<our occupant JID>'>true</mute></iq>.
element build_mute_request(const jid& focus_occupant, std::string_view id, const jid& target, bool mute,
                           mute_media media = mute_media::audio);

/// A <message><json-message xmlns='http://jitsi.org/jitmeet'> with type av_moderation (§3.6).
struct av_moderation {
    std::string media;            ///< mediaType: "audio", "video", "desktop"
    std::optional<bool> enabled;  ///< moderation switched on/off: SIP INFO t=8
    bool approved = false;        ///< we may unmute: t=9
    bool removed = false;         ///< approval withdrawn: t=10
    std::string actor;            ///< who changed it, when given
};

/// Refused: no <json-message xmlns='http://jitsi.org/jitmeet'> (wrong_stanza), text over 64 KiB
/// (limit_exceeded), not a JSON object (bad_value), "type" other than "av_moderation"
/// (wrong_stanza), no string mediaType (missing_attribute), a non-boolean enabled/approved/removed
/// (bad_value). Other keys (whitelists, ...) are ignored. Whether the sender is the
/// av_moderation component (found by disco#info on the domain, §3.4) is the caller's check.
parse_result<av_moderation> parse_av_moderation(const element& message);

/// startMuted.audio of room metadata JSON (§3.6), either the muc#roominfo_jitsimetadata form
/// value ({"startMuted":{"audio":true}} at any of: top level, or under "metadata" as the
/// room_metadata component sends it). nullopt when absent or not JSON.
std::optional<bool> start_muted_audio(std::string_view metadata_json);

}  // namespace jigasi::xmpp
