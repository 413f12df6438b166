#include "call/room_options.hpp"

#include "core/version.hpp"

#include <cctype>

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

std::optional<room_route> route_dial_in(const config::config& c, const dialled& d) {
    const config::xmpp_server_config* base = nullptr;
    for (const auto& s : c.xmpp.servers)
        if (!d.domain_base.empty() && s.domain == d.domain_base) base = &s;
    if (!base) base = find_server(c, {});
    if (!base) return std::nullopt;
    auto lower = [](std::string s) {
        // MUC JIDs are case-insensitive in their local part and jitsi-meet lowercases (§5.2).
        for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return s;
    };
    // A full room@muc names its deployment by the MUC domain: joined over that one's connection.
    auto named = [&](const xmpp::jid& j, const std::string& step) {
        const config::xmpp_server_config* server = base;
        for (const auto& s : c.xmpp.servers)
            if (s.muc_domain == j.domain()) server = &s;
        return room_route{server, j, step, {}};
    };
    for (const auto& step : c.calls.routing) {
        if (step == "header" && !d.header.empty()) {
            if (auto j = room_jid(*base, lower(d.header))) return named(*j, step);
        } else if (step == "number") {
            if (const auto* n = find_number(c.calls.numbers, d, c.calls))
                if (auto j = room_jid(*base, lower(n->room))) {
                    auto r = named(*j, step);
                    r.language = n->language;
                    return r;
                }
        } else if (step == "uri" && !d.uri_user.empty()) {
            const auto user = lower(d.uri_user);
            // sip:<room>.<domain>@host: the deployment serving <domain>.
            if (auto dot = user.find('.'); dot != std::string::npos && dot > 0)
                for (const auto& s : c.xmpp.servers)
                    if (user.substr(dot + 1) == s.domain)
                        if (auto j = room_jid(s, user.substr(0, dot))) return room_route{&s, *j, step, {}};
            if (auto j = room_jid(*base, user)) return room_route{base, *j, step, {}};
        } else if (step == "default" && !c.calls.default_room.empty()) {
            if (auto j = room_jid(*base, lower(c.calls.default_room))) return named(*j, step);
        }
    }
    return std::nullopt;
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
