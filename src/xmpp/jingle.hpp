#pragma once
// Jingle (XEP-0166) <-> media::description, in the dialect Jicofo and Jigasi speak
// (jitsi-protocol.md §4): XEP-0167 RTP description, XEP-0294 rtp-hdrext, XEP-0293 rtcp-fb,
// XEP-0339 ssma sources with Jitsi's <ssrc-info owner>, XEP-0176 ice-udp transport with XEP-0320
// fingerprint, XEP-0338 grouping. Sans-io: works on xmpp::element trees only; the caller wraps
// built <jingle/> elements in <iq type='set'>. parse() reads network input and never throws on it:
// a malformed <jingle/> is an error value, to be answered with <bad-request/> (XEP-0166 §7).
//
// Direction: Jingle `senders` (XEP-0166 §7.3) names who sends; media::direction is, as in SDP, the
// view of the description's author. The author of a parsed message is the peer (the role that is
// not `our_role`), the author of a built one is us, always the responder (Jicofo initiates, §4.1):
//   senders   author = initiator   author = responder
//   both      sendrecv             sendrecv
//   initiator sendonly             recvonly
//   responder recvonly             sendonly
//   none      inactive             inactive
// So Jicofo's senders='both' offer is sendrecv, and our recvonly (visitor, §4.2) is
// senders='initiator'.
//
// Other mapping choices (Jingle has no field for them, or the model has none for Jingle's):
//  - mid = content name; port 9 (the trickle ICE dummy, RFC 8840), no address: Jingle carries
//    addresses in candidates only. Profile UDP/TLS/RTP/SAVPF with a DTLS fingerprint, else the
//    description's `profile` attribute, else RTP/AVP (XEP-0167's default).
//  - <rtcp-fb> (XEP-0293) and <ssrc-group> (XEP-0339) survive as extra attributes in SDP form
//    ("rtcp-fb" "111 nack pli", "* trr-int 100"; "ssrc-group" "FID 1 2"); a <group> other than
//    BUNDLE as a description extra ("group" "LS a b").
//  - candidate `id` and `network` are not kept; the builder writes id "<foundation>-<comp>-<port>".
//  - <extmap-allow-mixed> in any content sets description::extmap_allow_mixed.

#include "core/result.hpp"
#include "media/description.hpp"
#include "xmpp/element.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace jigasi::xmpp::jingle {

// Namespaces beyond those in xmpp::ns (jingle, jingle_rtp, jingle_ice, jingle_dtls).
inline constexpr std::string_view ns_hdrext = "urn:xmpp:jingle:apps:rtp:rtp-hdrext:0";  // XEP-0294
inline constexpr std::string_view ns_rtcp_fb = "urn:xmpp:jingle:apps:rtp:rtcp-fb:0";    // XEP-0293
inline constexpr std::string_view ns_ssma = "urn:xmpp:jingle:apps:rtp:ssma:0";          // XEP-0339
inline constexpr std::string_view ns_grouping = "urn:xmpp:jingle:apps:grouping:0";      // XEP-0338
inline constexpr std::string_view ns_jitmeet = "http://jitsi.org/jitmeet";
inline constexpr std::string_view ns_colibri = "http://jitsi.org/protocol/colibri";
inline constexpr std::string_view ns_focus = "http://jitsi.org/protocol/focus";
inline constexpr std::string_view ns_start_muted = "http://jitsi.org/jitmeet/start-muted";

enum class errc {
    not_jingle = 1,     ///< not a <jingle xmlns='urn:xmpp:jingle:1'/> element
    missing_attribute,  ///< a required attribute (sid, action, content name, ssrc, ip...) is absent
    bad_number,         ///< not a decimal number, or out of range (id='abc', port='99999')
    bad_value,          ///< an enumerated or textual value we cannot accept (senders='all', ip='')
    duplicate,          ///< two contents with one name, two payload types with one id
    limit_exceeded,     ///< more than parse_limits allows
};

const std::error_category& category() noexcept;
inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), category()};
}

/// Errors say what is wrong ("content 'audio': candidate 2: <candidate> port '99999' is not a
/// number in 0..65535").
using error = core::error;
template <class T>
using result = core::result<T>;

/// XEP-0166 §7.2 actions; `other` is a defined action we do not act on (content-*,
/// description-info, security-info), `unknown` anything else (the raw name is in
/// message::action_name).
enum class action : std::uint8_t {
    session_initiate,
    session_accept,
    session_terminate,
    session_info,
    transport_info,
    transport_replace,
    transport_accept,
    transport_reject,
    source_add,     ///< also Jitsi's legacy "addsource" (§4.3)
    source_remove,  ///< also Jitsi's legacy "removesource"
    other,
    unknown,
};

std::string_view to_string(action a);  ///< the wire name; "" for other/unknown
action parse_action(std::string_view name);

enum class role : std::uint8_t { initiator, responder };
/// XEP-0166 §7.3 content `senders`.
enum class senders : std::uint8_t { both, initiator, responder, none };

std::string_view to_string(role r);
std::string_view to_string(senders s);
std::optional<role> parse_role(std::string_view s);
std::optional<senders> parse_senders(std::string_view s);
/// The direction the author (`author` role) of a description means by `s` (table above).
media::direction to_direction(senders s, role author);
/// The `senders` value for a direction stated by `author`.
senders to_senders(media::direction d, role author);

/// XEP-0166 §7.4 <reason>: the condition element's name ("success", "expired", ...) and <text>.
struct reason {
    std::string condition;
    std::string text;
    friend bool operator==(const reason&, const reason&) = default;
};

/// What a <content/> says beyond its media_section (same index in message::desc.media).
struct content_info {
    std::string name;
    role creator = role::initiator;
    senders who = senders::both;
    bool has_description = false;  ///< an RTP <description/> (XEP-0167) was present
    bool has_transport = false;    ///< an ice-udp <transport/> (XEP-0176) was present
    std::string other_transport;  ///< namespace of a non-ice-udp <transport/>, for transport-reject
    friend bool operator==(const content_info&, const content_info&) = default;
};

/// One parsed <jingle/> element.
struct message {
    action act = action::unknown;
    std::string action_name;  ///< as on the wire
    std::string sid;
    std::string initiator;  ///< empty when absent (XEP-0166 §7.1: then the IQ's from)
    std::string responder;
    std::optional<jingle::reason> reason;  ///< session-terminate, transport-reject, ...
    /// Every content, in order: mid = content name; sections of transport-info carry ICE only and
    /// those of source-add/-remove sources only.
    media::description desc;
    std::vector<content_info> contents;  ///< parallel to desc.media
    std::string web_socket_url;     ///< colibri bridge channel (§4.1); jigasi-ng does not use it
    std::string bridge_session_id;  ///< <bridge-session xmlns='http://jitsi.org/protocol/focus' id>
    std::optional<bool> start_audio_muted;  ///< <startmuted audio> (§4.1, optional)
    /// Raw text of a <json-message xmlns='http://jitsi.org/jitmeet'> source list (Jicofo sends it
    /// only to participants with the http://jitsi.org/json-encoded-sources feature, which we do not
    /// advertise, §3.3). Its audio sources are decoded into the audio section of `desc` (made if
    /// the message has no content, as Jicofo's compact source-add has none).
    std::string json_sources;
    std::size_t json_video_sources = 0;  ///< video sources of the JSON list, not kept (audio only)
};

/// Bounds that keep hostile input cheap; each one exceeded is errc::limit_exceeded.
struct parse_limits {
    std::size_t max_contents = 16;
    std::size_t max_payload_types = 128;  ///< per description (RTP allows 0..127)
    std::size_t max_parameters = 64;      ///< per payload type, source or header extension
    std::size_t max_header_extensions = 32;
    std::size_t max_sources = 1024;     ///< per description: every remote participant's audio
    std::size_t max_candidates = 64;    ///< per transport
    std::size_t max_extra = 128;        ///< rtcp-fb and ssrc-group per description
    std::size_t max_group = 16;         ///< contents in one <group>
    std::size_t max_text = 4096;        ///< fingerprint, reason text, one attribute value
    std::size_t max_json = 256 * 1024;  ///< <json-message> source list
};

/// Map a <jingle/> element. `our_role` decides the direction mapping (see the table above): Jigasi
/// is the responder of every Jicofo session.
result<message> parse(const element& jingle, role our_role = role::responder,
                      const parse_limits& limits = {});

/// Jicofo's compact source list: {"sources": {"<owner>": [video, video groups, audio, audio
/// groups]}}, each source {"s": ssrc (number or decimal string), "n": name, "m": msid}, each group
/// ["SEMANTICS", ssrc, ...]. Audio sources become media::source (owner, name, msid parameter);
/// audio groups "ssrc-group" extras in SDP form. Refused: not JSON, a wrong shape, an ssrc outside
/// 1..2^32-1, more than limits.max_sources.
struct json_source_list {
    std::vector<media::source> audio;
    std::vector<media::attribute> audio_groups;
    std::size_t video = 0;
};
result<json_source_list> decode_json_sources(std::string_view json, const parse_limits& limits = {});

// --- building (we are the responder; the caller wraps the result in <iq type='set'>; a
// `responder` attribute is written when the argument is not empty) ---

/// §4.2: every section of `local` as a content (creator initiator, name = mid, senders from dir),
/// with our payload types, header extensions and sources (ssrc-info owner = source::owner), and the
/// full transport: ufrag, pwd, fingerprint (setup 'active' unless passive is asked for, §4.4),
/// candidates, rtcp-mux. A BUNDLE <group> when local.bundle is set.
element build_session_accept(const media::description& local, std::string_view sid,
                             std::string_view responder);

/// Trickled candidates (XEP-0176): per section a transport with ufrag, pwd and candidates only.
element build_transport_info(const media::description& local, std::string_view sid,
                             std::string_view responder);

/// Answer to transport-replace (XEP-0166 §7.2, jitsi-protocol.md §4.3): per section the full new
/// transport, no description (the sources and codecs are unchanged).
element build_transport_accept(const media::description& local, std::string_view sid,
                               std::string_view responder);

/// lib-jitsi-meet's report of a lost bridge connection: session-info with
/// <ice-state xmlns='http://jitsi.org/protocol/focus'>failed</ice-state> and the session's
/// <bridge-session id restart='true'/>; Jicofo answers with a new session or a transport-replace.
element build_ice_failed(std::string_view sid, std::string_view bridge_session_id);

/// XEP-0166 session-terminate with a §7.4 reason (condition "success", "gone", ...).
element build_session_terminate(std::string_view sid, const reason& why);

/// Jitsi source-add / source-remove (§4.3) for the sources of each section of `sources` (sections
/// without sources are left out): <content name=mid><description media><source/>...</description>.
element build_source_add(const media::description& sources, std::string_view sid);
element build_source_remove(const media::description& sources, std::string_view sid);

/// Our audio source as §4.2 wants it: name "<endpoint>-a0", owner = endpoint id, and cname, msid
/// ("<endpoint>-audio-0-1 <endpoint>-a0", RFC 8830) and the legacy mslabel and label parameters.
media::source local_audio_source(std::uint32_t ssrc, std::string_view endpoint_id,
                                 std::string_view cname);

}  // namespace jigasi::xmpp::jingle

template <>
struct std::is_error_code_enum<jigasi::xmpp::jingle::errc> : std::true_type {};
