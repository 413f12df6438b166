#pragma once
// How a call (or a room probe) reaches a conference: the deployment (xmpp.servers[]) that serves
// a room, and the per-call XMPP session options built from it (jitsi-protocol.md §3.1-§3.3).
#include "config/config.hpp"
#include "xmpp/jid.hpp"
#include "xmpp/room_session.hpp"

#include <optional>
#include <string>

namespace jigasi::call {

/// The server with id `id`, or the first one when `id` is empty; nullptr when none matches.
const config::xmpp_server_config* find_server(const config::config& c, const std::string& id);

/// "name" (on the server's MUC domain) or "name@muc.domain" as a room JID; nullopt when it is
/// not a bare room JID.
std::optional<xmpp::jid> room_jid(const config::xmpp_server_config& server, const std::string& room);

/// The session options for joining `room` on `server`: connection (TCP/TLS or WebSocket, login
/// anonymous or call_login), focus, presence (display name, region, version).
xmpp::room_session_options session_options(const config::config& c, const config::xmpp_server_config& server,
                                           const xmpp::jid& room, std::string display_name);

}  // namespace jigasi::call
