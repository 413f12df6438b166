#include "call/room_options.hpp"

#include "core/version.hpp"

namespace jigasi::call {

const config::xmpp_server_config* find_server(const config::config& c, const std::string& id) {
    for (const auto& s : c.xmpp.servers)
        if (id.empty() || s.id == id) return &s;
    return nullptr;
}

std::optional<xmpp::jid> room_jid(const config::xmpp_server_config& server, const std::string& room) {
    const std::string text = room.find('@') == std::string::npos ? room + "@" + server.muc_domain : room;
    auto j = xmpp::jid::parse(text);
    if (!j || j->local().empty() || !j->resource().empty()) return std::nullopt;
    return *j;
}

xmpp::room_session_options session_options(const config::config& c, const config::xmpp_server_config& server,
                                           const xmpp::jid& room, std::string display_name) {
    xmpp::room_session_options o;
    o.connection.host = server.host;
    o.connection.port = server.port;
    o.connection.websocket_url = server.websocket;
    if (auto at = o.connection.websocket_url.find("{domain}"); at != std::string::npos)
        o.connection.websocket_url.replace(at, 8, server.domain);
    o.connection.ca_file = server.ca_file;
    o.connection.connect_timeout = std::chrono::seconds(c.xmpp.connect_timeout_s);
    o.connection.stream.tls = server.tls;
    o.connection.stream.domain = server.call_login.username.empty() ? server.domain : server.call_login.auth_domain;
    o.connection.stream.sasl.username = server.call_login.username;
    o.connection.stream.sasl.password = server.call_login.password;
    o.room = room;
    o.focus = server.focus_jid;
    o.presence.display_name = std::move(display_name);
    o.presence.region = c.server.region;
    o.presence.version = "jigasi-ng " + std::string(core::version());
    return o;
}

}  // namespace jigasi::call
