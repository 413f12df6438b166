#include "sip/dial.hpp"

#include <algorithm>
#include <cctype>

namespace jigasi::sip {

namespace {

bool has_scheme(const std::string& s) { return s.starts_with("sip:") || s.starts_with("sips:"); }

std::string transport_param(config::sip_transport t) {
    switch (t) {
    case config::sip_transport::tcp: return ";transport=tcp";
    case config::sip_transport::tls: return ";transport=tls";
    default: return {};
    }
}

/// A Route entry must be a loose router (RFC 3261 16.12.1.1) or libre sends the request to the
/// Request-URI's host instead.
std::string loose_route(std::string uri) {
    if (uri.empty()) return uri;
    if (!has_scheme(uri)) uri = "sip:" + uri;
    if (uri.find(";lr") == std::string::npos) uri += ";lr";
    return uri;
}

/// "host:port" of a Contact URI (without user and parameters), port 5060 when absent.
std::string host_port_of(const std::string& uri) {
    auto start = uri.find('@');
    start = start == std::string::npos ? uri.find(':') + 1 : start + 1;
    std::string hp = uri.substr(start, uri.find(';', start) - start);
    const bool v6 = hp.starts_with('[');
    const auto colon = hp.rfind(':');
    if (colon == std::string::npos || (v6 && colon < hp.find(']'))) hp += ":5060";
    return hp;
}

dial_resolution failed(dial_failure f, std::string why) { return {std::nullopt, f, std::move(why)}; }

/// The user part of `to` when it is a bare user or a URI with one.
std::string user_of(const std::string& to) {
    if (!has_scheme(to)) return to;
    const auto colon = to.find(':');
    const auto at = to.find('@');
    return at == std::string::npos ? std::string() : to.substr(colon + 1, at - colon - 1);
}

dial_resolution via_registrar(const registrar& reg, std::chrono::steady_clock::time_point now,
                              const std::string& local_host, const std::string& to) {
    const std::string user = user_of(to);
    if (user.empty() || !safe_user_part(user)) return failed(dial_failure::bad_request, "not a registrar user: " + to);
    const auto bindings = reg.lookup(user, now);
    if (bindings.empty()) return failed(dial_failure::not_found, user + " is not registered");
    const binding& b = bindings.front();  // the newest: the phone most likely in use
    dial_target t;
    t.request_uri = b.contact_uri;
    t.from_uri = "sip:jigasi-ng@" + local_host;
    t.contact_user = "jigasi-ng";
    t.description = "registered user " + user + " at " + b.source;
    // A phone behind NAT registers a Contact it cannot be reached at; send to the address the
    // REGISTER came from (the flow), as a registrar-proxy does (cf. RFC 5626 §5.3).
    const auto colon = b.source.find(':');
    if (colon != std::string::npos) {
        const std::string transport = b.source.substr(0, colon);
        const std::string flow = b.source.substr(colon + 1);
        if (flow != host_port_of(b.contact_uri))
            t.route = "sip:" + flow + (transport == "udp" ? "" : ";transport=" + transport) + ";lr";
    }
    return {std::move(t), dial_failure::none, {}};
}

dial_resolution via_account(const config::sip_account_config& a, const std::string& to) {
    dial_target t;
    if (has_scheme(to)) {
        t.request_uri = to;
    } else {
        if (!safe_user_part(to)) return failed(dial_failure::bad_request, "not a number or user: " + to);
        t.request_uri = "sip:" + to + "@" + a.domain + transport_param(a.transport);
    }
    t.from_uri = "sip:" + a.user + "@" + a.domain;
    t.from_name = a.display_name;
    t.contact_user = a.user;
    // Calls take the way the registration takes: the outbound proxy, else the registrar when it
    // is not simply the domain (a provider's SBC).
    std::string route = a.outbound_proxy;
    if (route.empty() && !a.registrar.empty() && a.registrar != "sip:" + a.domain) route = a.registrar;
    if (!route.empty() && a.transport != config::sip_transport::udp && route.find("transport=") == std::string::npos)
        route += transport_param(a.transport);
    t.route = loose_route(route);
    t.auth_user = a.auth_user.empty() ? a.user : a.auth_user;
    t.password = a.password;
    t.srtp = a.srtp;
    t.description = "account " + a.id;
    return {std::move(t), dial_failure::none, {}};
}

}  // namespace

bool safe_user_part(const std::string& s) {
    if (s.empty() || s.size() > 128) return false;
    return std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || std::string_view("-_.!~*'()&=+$,?/%#").find(static_cast<char>(c)) != std::string_view::npos;
    });
}

bool safe_uri(const std::string& s) {
    if (!has_scheme(s) || s.size() > 512) return false;
    return std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\';
    });
}

dial_resolution resolve_dial(const config::sip_config& sip, const registrar& reg,
                             std::chrono::steady_clock::time_point now, const std::string& local_host,
                             const dial_request& req) {
    if (req.to.empty()) return failed(dial_failure::bad_request, "no destination (to)");
    if (has_scheme(req.to) && !safe_uri(req.to))
        return failed(dial_failure::bad_request, "not a usable SIP URI: " + req.to);
    if (req.via.empty()) {
        if (!has_scheme(req.to))
            return failed(dial_failure::bad_request, "a direct call needs a sip: URI; give via (an account id or \"registrar\") for a number");
        dial_target t;
        t.request_uri = req.to;
        t.from_uri = "sip:jigasi-ng@" + local_host;
        t.contact_user = "jigasi-ng";
        t.description = "direct";
        return {std::move(t), dial_failure::none, {}};
    }
    if (req.via == "registrar") {
        if (!sip.registrar.enabled) return failed(dial_failure::not_found, "the registrar is off (sip.registrar.enabled)");
        return via_registrar(reg, now, local_host, req.to);
    }
    const auto it = std::find_if(sip.accounts.begin(), sip.accounts.end(), [&](const auto& a) { return a.id == req.via; });
    if (it == sip.accounts.end()) return failed(dial_failure::not_found, "no account " + req.via + " in sip.accounts");
    if (!it->enabled) return failed(dial_failure::not_found, "account " + req.via + " is disabled");
    return via_account(*it, req.to);
}

}  // namespace jigasi::sip
