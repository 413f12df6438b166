#pragma once
// How a call (or a room probe) reaches a conference: the deployment (xmpp.servers[]) that serves
// a room, and the per-call XMPP session options built from it (jitsi-protocol.md §3.1-§3.3).
#include "config/config.hpp"
#include "xmpp/jid.hpp"
#include "xmpp/room_session.hpp"

#include <optional>
#include <string>
#include <string_view>

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
    std::string step;  ///< "header", "number", "uri" or "default"
    std::string language;  ///< the number's prompts language (step "number"); empty: ivr.language
};

/// What a call was sent to: the room header, the request-URI and To users, the domain-base header.
struct dialled {
    std::string header;       ///< room or room@muc; may be empty
    std::string uri_user;     ///< "<room>.<domain>" picks the server of that domain
    std::string to_user;      ///< a trunk that delivers to our registered Contact keeps the DID here
    std::string domain_base;  ///< picks the server for the header, number and default steps
};

/// The dialled number (request-URI user, else To user) is one of `numbers`' (by
/// config::number_digits, national forms read as calls.country_code's).
template <class Numbers>
const typename Numbers::value_type* find_number(const Numbers& numbers, const dialled& d, const config::calls_config& k) {
    for (const auto* user : {&d.uri_user, &d.to_user})
        if (const auto digits = config::number_digits(*user, k.country_code, k.national_prefix); !digits.empty())
            for (const auto& n : numbers)
                if (config::number_digits(n.number, k.country_code, k.national_prefix) == digits) return &n;
    return nullptr;
}

/// Tries calls.routing in order. nullopt: no step gave a room.
std::optional<room_route> route_dial_in(const config::config& c, const dialled& d);

/// The session options for joining `room` on `server`: connection (TCP/TLS or WebSocket, login
/// anonymous or call_login), focus, presence (display name, region, version).
xmpp::room_session_options session_options(const config::config& c, const config::xmpp_server_config& server,
                                           const xmpp::jid& room, std::string display_name);

}  // namespace jigasi::call
