#pragma once
// A mediated MUC invitation (XEP-0045 §7.8.2), the way Jitsi's lobby admits a knocker: a
// moderator invites them to the main room and the room relays <x muc#user><invite/></x> to them
// (jitsi-protocol.md §3.5). Sans-io.
#include "xmpp/element.hpp"
#include "xmpp/jid.hpp"

#include <optional>
#include <string>

namespace jigasi::xmpp {

struct muc_invitation {
    jid room;                          ///< the room we are invited to (the message's bare from)
    std::string inviter;               ///< <invite from>, as given (may be empty)
    std::string reason;                ///< bounded to 1 KiB
    std::optional<std::string> password;  ///< <password>, for a locked room
};

/// The invitation in `message`; nullopt when it is none (no <x muc#user><invite>, an error
/// message, or a from that is not a bare room JID).
std::optional<muc_invitation> parse_invitation(const element& message);

}  // namespace jigasi::xmpp
