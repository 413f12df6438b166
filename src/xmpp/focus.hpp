#pragma once
// The focus invitation (jitsi-protocol.md §3.2): before joining the room, each call asks Jicofo
// (focus.<domain>, a Prosody client_proxy to focus@auth.<domain>) to allocate the conference with
// a `conference` IQ, as the web client does, and joins only once the answer says ready='true'.
// Sans-io: build the IQ, parse whatever comes back, and next_step() says what to do.

#include "xmpp/element.hpp"
#include "xmpp/jid.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jigasi::xmpp {

inline constexpr std::string_view ns_focus = "http://jitsi.org/protocol/focus";

/// "focus.<domain>" for the call's domain (jid.hpp room_call_domain).
std::string focus_address(std::string_view domain);

struct conference_property {
    std::string name, value;
    friend bool operator==(const conference_property&, const conference_property&) = default;
};

struct conference_request {
    jid room;
    /// lib-jitsi-meet sends a machine-uid attribute; Jigasi does not (§3.2). Omitted when empty.
    std::string machine_uid;
    /// ENABLE_SIP_VISITORS: <property name='visitors-version' value='1'/>.
    bool visitors_enabled = false;
    /// The Jitsi-Visitor SIP header asked to join as a visitor: <property name='visitor'
    /// value='true'/>. Only sent together with visitors_enabled, as Jigasi does.
    bool visitor = false;
    std::vector<conference_property> extra;  ///< further properties, after those
};

/// <iq type='set' to=focus id><conference xmlns='http://jitsi.org/protocol/focus' room>...</iq>.
element build_conference_iq(std::string_view focus, std::string_view id, const conference_request& r);

/// The `conference` element of the answer.
struct conference_answer {
    std::string room;
    bool ready = false;     ///< ready='true': the conference exists, join now
    std::string focus_jid;  ///< focusjid: Jicofo's real JID (focus@auth.<domain>)
    std::string vnode;      ///< redirect to this visitor node (§3.7); empty = none
    std::string session_id;  ///< session-id (lib-jitsi-meet keeps it; Jigasi does not)
    std::string identity;    ///< identity (authenticated deployments)
    /// live='false' (a `live` attribute or property: the doc does not say which, verify): the
    /// meeting is not live yet, wait on the visitor queue (§3.2, §3.7).
    std::optional<bool> live;
    std::vector<conference_property> properties;  ///< every <property/>, in order

    /// The property's value, or nullptr.
    const std::string* property(std::string_view name) const;
    bool authentication() const;       ///< property authentication='true'
    bool sip_gateway_enabled() const;  ///< property sipGatewayEnabled='true' (§1.2)
    bool visitors_supported() const;   ///< property visitors-supported='true'
};

/// How an error answer is read (lib-jitsi-meet Moderator and §3.2).
enum class conference_refusal : std::uint8_t {
    not_authorized,       ///< secure domain without an authenticated host ("waiting for host")
    session_invalid,      ///< not-authorized with <session-invalid xmlns=focus/>: drop session-id, retry
    service_unavailable,  ///< focus not running or not reachable: retry later
    forbidden,
    item_not_found,
    bad_request,  ///< our room JID was refused
    other,
};

struct conference_reply {
    bool accepted = false;  ///< type='result'
    conference_answer answer;
    conference_refusal refusal = conference_refusal::other;  ///< when !accepted
    stanza_error error;                                      ///< when !accepted
};

/// An <iq type='result'> with a `conference` child, or an <iq type='error'>. Refused: another
/// stanza or IQ type (wrong_stanza), a result without <conference xmlns=focus> (missing_element),
/// more than 64 properties (limit_exceeded). As in lib-jitsi-meet any ready other than 'true' is
/// "not ready"; a live other than 'true'/'false' is ignored; nameless properties are skipped.
parse_result<conference_reply> parse_conference_reply(const element& iq);

enum class conference_next : std::uint8_t {
    join,              ///< ready: join the room (§3.3)
    retry,             ///< ready='false' or focus unavailable: ask again after a backoff
    visitor_redirect,  ///< vnode: reconnect as a visitor (§3.7) if enabled, else fail
    wait_live,         ///< live='false': wait for the visitor queue (§3.7)
    auth_required,     ///< not-authorized: nobody authenticated can host; fail the call
    fail,              ///< any other refusal
};

/// What to do with `r`. A vnode redirect is only followed with `visitors_enabled`; otherwise it
/// is a failure, since we cannot reconnect as a visitor.
conference_next next_step(const conference_reply& r, bool visitors_enabled);

}  // namespace jigasi::xmpp
