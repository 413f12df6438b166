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

/// Where a dial-in call goes (calls.routing): the step that decided, its server and room.
struct room_route {
    const config::xmpp_server_config* server = nullptr;
    xmpp::jid room;
    std::string step;  ///< "header", "uri" or "default"
};

/// Tries calls.routing in order. `header`: the room header's value (room or room@muc; may be
/// empty); `uri_user`: the request-URI user, where "<room>.<domain>" picks the server of that
/// domain; `domain_base`: the domain-base header (picks the server for the header and default
/// steps). nullopt: no step gave a room.
std::optional<room_route> route_dial_in(const config::config& c, const std::string& header, const std::string& uri_user,
                                        const std::string& domain_base);

/// The session options for joining `room` on `server`: connection (TCP/TLS or WebSocket, login
/// anonymous or call_login), focus, presence (display name, region, version).
xmpp::room_session_options session_options(const config::config& c, const config::xmpp_server_config& server,
                                           const xmpp::jid& room, std::string display_name);

}  // namespace jigasi::call
