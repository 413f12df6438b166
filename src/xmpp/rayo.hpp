#pragma once
// Rayo (urn:xmpp:rayo:1) as Jicofo and Jigasi use it (jitsi-protocol.md §2): the `dial` IQ that
// Jicofo forwards through the brewery (§1.2) or Prosody sends directly (§1.3), its result with
// <ref uri/> (§2.2), `hangup` (§2.3), the errors Jigasi answers with (§2.4) and the call-state
// <status/> texts of §2.5. Sans-io: parsers read network input and never throw; a parse failure is
// a parse_error for dial_bad_request(), answered with iq_error() (jid.hpp).

#include "xmpp/element.hpp"
#include "xmpp/jid.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jigasi::xmpp {

inline constexpr std::string_view header_room_name = "JvbRoomName";          // §2.1, required
inline constexpr std::string_view header_room_password = "JvbRoomPassword";  // §2.1, optional
inline constexpr std::string_view header_call_direction = "JigasiCallDirection";  // §3.3 "in"/"out"
/// A dial to this destination asks for the transcriber (§2.1), which jigasi-ng leaves out (§9).
inline constexpr std::string_view transcriber_destination = "jitsi_meet_transcribe";

/// <header xmlns='urn:xmpp:rayo:1' name value/>: in <dial/> and in the <initiator/> presence
/// element (§3.3).
struct rayo_header {
    std::string name, value;
    friend bool operator==(const rayo_header&, const rayo_header&) = default;
};

struct dial_request {
    std::string id;           ///< the IQ id, for the reply
    jid from;                 ///< the IQ sender: brewery/focus via MUC (§1.2); empty when absent
    std::string destination;  ///< <dial to>: what the user typed, number or SIP URI
    std::string caller;       ///< <dial from>: the literal "fromnumber"; Jigasi only logs it
    jid room;                 ///< JvbRoomName: a bare room JID
    std::optional<std::string> room_password;  ///< JvbRoomPassword
    /// Every other header in order (X-outbound-call-initiator-user, ...): copied into the SIP
    /// INVITE and into the <initiator/> presence element (§1.3, §2.1).
    std::vector<rayo_header> extra_headers;

    bool is_transcription() const { return destination == transcriber_destination; }
};

struct dial_limits {
    std::size_t max_headers = 32;
    std::size_t max_value = 2048;  ///< destination, header names and values
};

/// An <iq type='set'> carrying <dial xmlns='urn:xmpp:rayo:1'>. Refused: another IQ type or
/// payload (wrong_stanza); an empty or missing `to` (missing_attribute); no JvbRoomName
/// (missing_element); a header without a name, a repeated JvbRoomName/JvbRoomPassword, a control
/// character in the destination (bad_value); a room that is not a bare JID with a localpart
/// (jid_* codes); more headers or longer values than `limits` (limit_exceeded). A JvbRoomName
/// without '@' gets "@<muc_service>" (MUC_SERVICE_ADDRESS) when muc_service is not empty.
parse_result<dial_request> parse_dial(const element& iq, std::string_view muc_service = {},
                                      const dial_limits& limits = {});

/// ALLOWED_JID (§1.1): the sender's bare JID must equal `allowed` (the brewery room); an empty
/// `allowed` accepts every sender, as Jigasi does without the property.
bool dial_sender_allowed(const jid& from, const jid& allowed);

/// §2.2: <iq type='result'><ref xmlns='urn:xmpp:rayo:1' uri/></iq> answering `request`.
element build_dial_result(const element& request, std::string_view uri);
/// "xmpp:room@muc/nick": the occupant JID of our participant, the ref once we are in the room.
std::string occupant_uri(const jid& occupant);
/// The call resource "<8 hex>@<domain>" (§1.4, §2.2): the ref when no room was joined in time,
/// and the component-mode call address. Random value from the caller.
jid call_resource(std::uint32_t random, std::string_view domain);
/// §2.4: Jigasi's answer when the requested gateway (SIP or transcription) is disabled: a result
/// with <ref uri='not_acceptable'/> (sic: not an error).
element build_dial_not_acceptable(const element& request);

// §2.4 errors Jigasi answers with; wrap with iq_error(request, ...).
/// modify/bad-request with the diagnostic as text: a dial we cannot read. (Jigasi answers
/// internal-server-error for a missing JvbRoomName; bad-request says what it is, and Jicofo
/// retries any error on another instance either way, §1.2 step 7.)
stanza_error dial_bad_request(const parse_error& e);
/// cancel/forbidden: the sender is not ALLOWED_JID.
stanza_error dial_forbidden();
/// cancel/internal-server-error with text: joining failed ("Fail to join muc!"), overloaded...
stanza_error dial_failed(std::string text);

/// §2.3: an <iq type='set'> with <hangup xmlns='urn:xmpp:rayo:1'/>. Refused as wrong_stanza
/// otherwise. The reply is an empty iq_result(request).
struct hangup_request {
    std::string id;
    jid from;  ///< the web client's occupant JID (MUC-routed); empty when absent
    jid to;    ///< our occupant JID or the call resource (component mode)
};
parse_result<hangup_request> parse_hangup(const element& iq);

// §2.5: call progress is the <status/> of our MUC presence, not a Rayo event. Jigasi sends
// "Initializing Call" after joining, "Connected" when the call is up, and the SIP reason phrase
// ("Busy Here") when the SIP leg ends, then leaves 5 s later. jitsi-meet also translates the
// lowercase texts, so "ringing" on 180/183 shows a better tile.
namespace call_status {
inline constexpr std::string_view initializing = "Initializing Call";
inline constexpr std::string_view ringing = "ringing";
inline constexpr std::string_view connected = "Connected";
}  // namespace call_status

/// Our last presence to the room (muc.hpp build_presence) with <status/> set to `status`: MUC
/// presence is full state, so the update repeats every other child. The join-only <x muc/> is
/// dropped (XEP-0045 §7.2.1: it marks a join).
element build_call_state(const element& last_presence, std::string_view status);

}  // namespace jigasi::xmpp
