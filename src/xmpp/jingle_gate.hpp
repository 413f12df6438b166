#pragma once
// Which Jingle IQs a call accepts, and the IQ answer to each (jitsi-protocol.md §3.4, §4.3,
// XEP-0166 §7-§8). Sans-io: the room session feeds every <iq type='set'><jingle/></iq> and sends
// the reply it is given; an accepted message goes on to the call layer.
//
//  - Only the focus occupant (room@muc/focus) may start or drive a session: anyone else gets
//    cancel/forbidden (Jigasi: "Only calls from focus allowed").
//  - A malformed <jingle/> gets modify/bad-request with the parser's reason (XEP-0166 §7.2).
//  - Actions need the current sid; otherwise cancel/item-not-found with <unknown-session/>
//    (XEP-0166 §8). A session-initiate while a session exists replaces it: Jicofo is the only
//    initiator, and it sends a new one only when it has given up on the old (a restart).
//  - Defined actions we do not act on (content-add, description-info, ...) get
//    cancel/feature-not-implemented; unknown action names modify/bad-request.

#include "xmpp/element.hpp"
#include "xmpp/jid.hpp"
#include "xmpp/jingle.hpp"

#include <optional>
#include <string>

namespace jigasi::xmpp {

inline constexpr std::string_view ns_jingle_errors = "urn:xmpp:jingle:errors:1";

struct jingle_verdict {
    element reply;                           ///< the IQ answer: result or error
    std::optional<jingle::message> message;  ///< set when the call layer must act on it
    std::string refused;                     ///< why it was refused, for the log; empty if accepted
};

class jingle_gate {
public:
    explicit jingle_gate(jid focus_occupant, jingle::parse_limits limits = {});

    /// `iq` is an <iq type='set'> with a <jingle xmlns='urn:xmpp:jingle:1'/> child.
    jingle_verdict on_iq(const element& iq);

    /// We ended the session (session-terminate sent): its sid is no longer accepted.
    void ended() { sid_.clear(); }
    /// The current session's sid, empty when none.
    const std::string& sid() const { return sid_; }
    const jid& focus() const { return focus_; }

private:
    jid focus_;
    jingle::parse_limits limits_;
    std::string sid_;
};

}  // namespace jigasi::xmpp
