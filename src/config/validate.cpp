// Derived defaults and semantic checks on a complete model. Errors carry the key path that the file
// uses ("sip.accounts[1].password") so a message can be found in the file without line numbers.

#include "config/detail.hpp"
#include "config/load.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

namespace jigasi::config {

namespace {

using detail::index;
using detail::join;

// The names a Jitsi Meet deployment uses by default (jitsi-meet's prosody config, docker-jitsi-meet).
std::string muc_of(const std::string& domain) { return "muc." + domain; }
std::string focus_of(const std::string& domain) { return "focus." + domain; }
std::string auth_of(const std::string& domain) { return "auth." + domain; }
std::string brewery_of(const std::string& domain) { return "jigasibrewery@internal-muc." + domain; }

void fill_if_empty(std::string& value, const std::string& fallback) {
    if (value.empty()) value = fallback;
}

void fill_server(xmpp_server_config& s) {
    if (s.domain.empty()) return;  // "muc." alone would hide the real problem: domain required
    fill_if_empty(s.muc_domain, muc_of(s.domain));
    fill_if_empty(s.focus_jid, focus_of(s.domain));
    fill_if_empty(s.control.auth_domain, auth_of(s.domain));
    fill_if_empty(s.call_login.auth_domain, auth_of(s.domain));
    fill_if_empty(s.control.brewery, brewery_of(s.domain));
    fill_if_empty(s.control.allowed_jid, s.control.brewery);
}

bool loopback(const std::string& host) {
    return host == "localhost" || host == "ip6-localhost" || host == "::1" || host == "[::1]" ||
           host.starts_with("127.");
}

/// Collects problems; paths are built by the callers.
class checker {
public:
    std::vector<problem> out;

    void error(std::string path, std::string message) { out.push_back(problem{std::move(path), std::move(message)}); }
    void required(const std::string& path, const std::string& value) {
        if (value.empty()) error(path, "required");
    }
    void positive(const std::string& path, std::uint64_t value) {
        if (value == 0) error(path, "must be greater than 0");
    }
    void port(const std::string& path, std::uint16_t value) {
        if (value == 0) error(path, "expected an integer 1..65535");
    }
    /// Ids name things in logs, health and metric labels: present and unique within their list.
    void id(const std::string& path, const std::string& value, std::set<std::string>& seen) {
        if (value.empty()) error(path, "required");
        else if (!seen.insert(value).second) error(path, "duplicate \"" + value + "\"");
    }
};

void check_server(checker& c, const std::string& p, const xmpp_server_config& s) {
    c.required(join(p, "domain"), s.domain);
    c.required(join(p, "host"), s.host);
    c.port(join(p, "port"), s.port);
    if (!s.websocket.empty() && !s.websocket.starts_with("ws://") && !s.websocket.starts_with("wss://"))
        c.error(join(p, "websocket"), "expected a ws:// or wss:// URL");
    else if (s.websocket.starts_with("ws://") && (s.tls == xmpp_tls::required || s.tls == xmpp_tls::direct))
        c.error(join(p, "websocket"), "ws:// has no TLS but tls is " + std::string(s.tls == xmpp_tls::required ? "required" : "direct") + "; use wss://");
    if (!s.call_login.username.empty()) c.required(join(join(p, "call_login"), "password"), s.call_login.password);
    if (!s.control.enabled) return;
    const std::string cp = join(p, "control");
    c.required(join(cp, "username"), s.control.username);
    c.required(join(cp, "password"), s.control.password);
    c.required(join(cp, "auth_domain"), s.control.auth_domain);
    c.required(join(cp, "allowed_jid"), s.control.allowed_jid);
    if (s.control.brewery.empty()) c.error(join(cp, "brewery"), "required");
    else if (s.control.brewery.find('@') == std::string::npos)
        c.error(join(cp, "brewery"), "expected a room JID (room@muc-domain)");
}

void check_xmpp(checker& c, const xmpp_config& x) {
    std::set<std::string> ids;
    for (std::size_t i = 0; i < x.servers.size(); ++i) {
        const std::string p = index("xmpp.servers", i);
        c.id(join(p, "id"), x.servers[i].id, ids);
        check_server(c, p, x.servers[i]);
    }
    const auto& comp = x.component;
    if (comp.enabled) {
        c.required("xmpp.component.host", comp.host);
        c.port("xmpp.component.port", comp.port);
        c.required("xmpp.component.domain", comp.domain);
        c.required("xmpp.component.subdomain", comp.subdomain);
        c.required("xmpp.component.secret", comp.secret);
    }
    c.positive("xmpp.reconnect_min_s", x.reconnect_min_s);  // 0 would retry in a tight loop
    if (x.reconnect_max_s < x.reconnect_min_s)
        c.error("xmpp.reconnect_max_s",
                "must be at least xmpp.reconnect_min_s (" + std::to_string(x.reconnect_min_s) + ")");
    c.positive("xmpp.connect_timeout_s", x.connect_timeout_s);
}

/// RFC 3261 25.1 token characters: header names and plain user parts.
bool sip_token(const std::string& v) {
    if (v.empty()) return false;
    for (unsigned char ch : v)
        if (!std::isalnum(ch) && std::string_view("-.!%*_+`'~").find(static_cast<char>(ch)) == std::string_view::npos)
            return false;
    return true;
}

bool hex_of_length(const std::string& v, std::size_t n) {
    return v.size() == n && std::all_of(v.begin(), v.end(), [](unsigned char ch) { return std::isxdigit(ch); });
}

/// "192.0.2.1", "2001:db8::1", "10.0.0.0/8", "2001:db8::/32".
bool is_prefix(const std::string& v) {
    const auto slash = v.find('/');
    boost::system::error_code ec;
    const auto addr = boost::asio::ip::make_address(v.substr(0, slash), ec);
    if (ec) return false;
    if (slash == std::string::npos) return true;
    const std::string bits = v.substr(slash + 1);
    if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), ::isdigit)) return false;
    return std::stoul(bits) <= (addr.is_v4() ? 32u : 128u);
}

/// Why an optional http(s) URL is unusable ("" if it is fine or empty). The full parse, with the
/// same rules, is http::parse_url's at each request; this catches what is plainly wrong at load.
std::string url_problem(const std::string& url) {
    if (url.empty()) return {};
    std::string scheme = url.substr(0, url.find("://"));
    for (auto& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (url.find("://") == std::string::npos || (scheme != "http" && scheme != "https"))
        return "expected an http:// or https:// URL (empty: the built-in mapper only)";
    if (std::any_of(url.begin(), url.end(), [](unsigned char ch) { return ch <= 0x20 || ch >= 0x7f; }))
        return "blanks, control and non-ASCII characters are not allowed (percent-encode them)";
    const std::string rest = url.substr(scheme.size() + 3);
    const std::string authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.find('@') != std::string::npos) return "user names and passwords in URLs are not supported";
    if (authority.empty() || authority[0] == ':') return "no host in the URL";
    return {};
}

void check_registrar(checker& c, const sip_registrar_config& r) {
    c.required("sip.registrar.realm", r.realm);
    c.positive("sip.registrar.min_expires_s", r.min_expires_s);
    if (r.max_expires_s < r.min_expires_s)
        c.error("sip.registrar.max_expires_s", "must be at least sip.registrar.min_expires_s");
    if (r.default_expires_s < r.min_expires_s || r.default_expires_s > r.max_expires_s)
        c.error("sip.registrar.default_expires_s", "must lie between min_expires_s and max_expires_s");
    std::set<std::string> users;
    for (std::size_t i = 0; i < r.users.size(); ++i) {
        const auto& u = r.users[i];
        const std::string p = index("sip.registrar.users", i);
        c.id(join(p, "user"), u.user, users);
        const int credentials = !u.password.empty() + !u.ha1_md5.empty() + !u.ha1_sha256.empty();
        if (credentials != 1) c.error(p, "give exactly one of password, ha1_md5, ha1_sha256");
        if (!u.ha1_md5.empty() && !hex_of_length(u.ha1_md5, 32))
            c.error(join(p, "ha1_md5"), "expected 32 hex digits");
        if (!u.ha1_sha256.empty() && !hex_of_length(u.ha1_sha256, 64))
            c.error(join(p, "ha1_sha256"), "expected 64 hex digits");
        c.positive(join(p, "max_bindings"), u.max_bindings);
    }
}

void check_sip(checker& c, const sip_config& s) {
    std::map<std::tuple<sip_transport, std::string, std::uint16_t>, std::size_t> bound;
    for (std::size_t i = 0; i < s.listen.size(); ++i) {
        const auto& l = s.listen[i];
        const std::string p = index("sip.listen", i);
        c.required(join(p, "address"), l.address);
        c.port(join(p, "port"), l.port);
        if (l.transport == sip_transport::tls) {
            c.required(join(p, "certificate"), l.certificate);
            c.required(join(p, "private_key"), l.private_key);
        }
        auto [it, fresh] = bound.emplace(std::tuple(l.transport, l.address, l.port), i);
        if (!fresh) c.error(p, "same transport, address and port as " + index("sip.listen", it->second));
    }
    std::set<std::string> ids;
    for (std::size_t i = 0; i < s.accounts.size(); ++i) {
        const auto& a = s.accounts[i];
        const std::string p = index("sip.accounts", i);
        c.id(join(p, "id"), a.id, ids);
        c.required(join(p, "user"), a.user);
        c.required(join(p, "domain"), a.domain);
        c.required(join(p, "password"), a.password);
        if (!a.registrar.empty() && !a.registrar.starts_with("sip:") && !a.registrar.starts_with("sips:"))
            c.error(join(p, "registrar"), "expected a SIP URI (sip:host[:port])");
        c.positive(join(p, "expires_s"), a.expires_s);
    }
    check_registrar(c, s.registrar);
    for (std::size_t i = 0; i < s.trusted.size(); ++i)
        if (!is_prefix(s.trusted[i])) c.error(index("sip.trusted", i), "expected an IP address or CIDR prefix (10.0.0.0/8)");
    std::set<std::string> codecs;
    for (std::size_t i = 0; i < s.codecs.size(); ++i) {
        const auto& name = s.codecs[i];
        if (name != "opus" && name != "g722" && name != "pcmu" && name != "pcma")
            c.error(index("sip.codecs", i), "expected one of opus, g722, pcmu, pcma");
        else if (!codecs.insert(name).second)
            c.error(index("sip.codecs", i), "duplicate \"" + name + "\"");
    }
    if (s.codecs.empty()) c.error("sip.codecs", "at least one codec is needed");
    if (s.ptime_ms < 10 || s.ptime_ms > 120 || s.ptime_ms % 10 != 0)
        c.error("sip.ptime_ms", "expected 10..120 in steps of 10");
    if (!s.echo_extension.empty() && !sip_token(s.echo_extension))
        c.error("sip.echo_extension", "letters, digits and -_.!~*'+ only (a SIP URI user part)");
    if (s.headers.room.empty()) c.error("sip.headers.room", "at least one header name is needed");
    for (std::size_t i = 0; i < s.headers.room.size(); ++i)
        if (!sip_token(s.headers.room[i])) c.error(index("sip.headers.room", i), "not a valid header name");
    for (auto [key, value] : {std::pair{"room_password", &s.headers.room_password},
                              std::pair{"domain_base", &s.headers.domain_base}})
        if (!sip_token(*value)) c.error(join("sip.headers", key), "not a valid header name");
    c.positive("sip.bad_input_log_interval_s", s.bad_input_log_interval_s);
}

}  // namespace

void detail::set_domain(xmpp_server_config& s, std::string domain) {
    const std::string old = s.domain;
    auto unless_custom = [](std::string& value, const std::string& old_default) {
        if (value == old_default) value.clear();
    };
    const bool brewery_derived = s.control.brewery == brewery_of(old);
    if (brewery_derived && s.control.allowed_jid == s.control.brewery) s.control.allowed_jid.clear();
    unless_custom(s.muc_domain, muc_of(old));
    unless_custom(s.focus_jid, focus_of(old));
    unless_custom(s.control.auth_domain, auth_of(old));
    unless_custom(s.call_login.auth_domain, auth_of(old));
    unless_custom(s.control.brewery, brewery_of(old));
    s.domain = std::move(domain);
    fill_server(s);
}

void fill_derived(config& cfg) {
    for (auto& s : cfg.xmpp.servers) fill_server(s);
    for (auto& a : cfg.sip.accounts) {
        if (!a.user.empty()) fill_if_empty(a.auth_user, a.user);
        if (!a.domain.empty()) fill_if_empty(a.registrar, "sip:" + a.domain);
    }
}

std::vector<problem> validate(const config& cfg) {
    checker c;
    if (cfg.server.threads > 1024) c.error("server.threads", "at most 1024 (0 = one per core)");
    c.positive("server.conferences_threshold", cfg.server.conferences_threshold);  // a divisor

    for (const auto& [name, level] : cfg.log.subsystems)
        if (name.empty()) c.error("log.subsystems", "subsystem name must not be empty");

    const auto& h = cfg.http;
    c.required("http.address", h.address);
    c.port("http.port", h.port);
    c.positive("http.max_header_bytes", h.max_header_bytes);
    c.positive("http.max_body_bytes", h.max_body_bytes);
    c.positive("http.read_timeout_s", h.read_timeout_s);
    c.positive("http.idle_timeout_s", h.idle_timeout_s);
    c.positive("http.max_connections", h.max_connections);

    check_xmpp(c, cfg.xmpp);
    check_sip(c, cfg.sip);

    c.port("media.min_port", cfg.media.min_port);
    c.port("media.max_port", cfg.media.max_port);
    if (cfg.media.min_port >= cfg.media.max_port)
        c.error("media.min_port",
                "must be less than media.max_port (" + std::to_string(cfg.media.max_port) + ")");
    for (std::size_t i = 0; i < cfg.media.addresses.size(); ++i) {
        const auto& a = cfg.media.addresses[i];
        if (a.find('/') != std::string::npos || !is_prefix(a))
            c.error(index("media.addresses", i), "not an IPv4 or IPv6 address: " + a);
    }
    if (cfg.media.max_speakers < 1 || cfg.media.max_speakers > 16)
        c.error("media.max_speakers", "must lie between 1 and 16");
    c.positive("media.timeout_s", cfg.media.timeout_s);
    const auto& k = cfg.calls;
    if (k.routing.empty()) c.error("calls.routing", "empty: no dial-in call could be routed");
    for (std::size_t i = 0; i < k.routing.size(); ++i)
        if (k.routing[i] != "header" && k.routing[i] != "number" && k.routing[i] != "uri" && k.routing[i] != "default")
            c.error(index("calls.routing", i), "unknown step \"" + k.routing[i] + "\" (header, number, uri, default)");
    for (auto& p : detail::check_numbers(cfg)) c.out.push_back(std::move(p));
    if (std::find(k.routing.begin(), k.routing.end(), "default") != k.routing.end() && k.default_room.empty() &&
        k.routing.size() == 1)
        c.error("calls.default_room", "required when calls.routing is only \"default\"");
    if (k.display_name.empty()) c.error("calls.display_name", "empty: callers would have no name");
    for (std::size_t at = k.display_name.find('{'); at != std::string::npos; at = k.display_name.find('{', at + 1)) {
        const auto end = k.display_name.find('}', at);
        const auto name = end == std::string::npos ? std::string() : k.display_name.substr(at + 1, end - at - 1);
        if (name != "name" && name != "number" && name != "caller")
            c.error("calls.display_name", "unknown placeholder {" + name + "} ({name}, {number}, {caller})");
    }
    if (k.visible_digits > 32) c.error("calls.visible_digits", "must lie between 0 and 32");
    if (k.max_wait_s < 5 || k.max_wait_s > 3600) c.error("calls.max_wait_s", "must lie between 5 and 3600");
    if (k.ring_timeout_s < 5 || k.ring_timeout_s > 3600) c.error("calls.ring_timeout_s", "must lie between 5 and 3600");
    for (const auto& [key, code] : {std::pair{"calls.keypad_mute", &k.keypad_mute}, std::pair{"calls.keypad_hand", &k.keypad_hand}})
        if (code->size() > 4 || code->find_first_not_of("0123456789*#ABCD") != std::string::npos)
            c.error(key, "up to 4 keys of 0-9 * # A-D (empty: off)");
    if (!k.keypad_mute.empty() && k.keypad_mute == k.keypad_hand) c.error("calls.keypad_hand", "the same code as calls.keypad_mute");
    if (k.info_heartbeat_s > 3600) c.error("calls.info_heartbeat_s", "must lie between 0 and 3600");
    if (k.info_heartbeat_s && !k.info_json) c.error("calls.info_heartbeat_s", "needs calls.info_json");
    if (k.when_alone != "stay" && k.when_alone != "hang_up")
        c.error("calls.when_alone", "expected \"stay\" or \"hang_up\", not \"" + k.when_alone + "\"");
    if (k.alone_grace_s > 3600) c.error("calls.alone_grace_s", "must lie between 0 and 3600");
    const auto& ivr = cfg.ivr;
    if (ivr.extension.empty() || ivr.extension.find_first_of("@:;<> ") != std::string::npos)
        c.error("ivr.extension", "expected a SIP user part, e.g. \"1000\"");
    if (ivr.min_digits < 1 || ivr.min_digits > ivr.max_digits || ivr.max_digits > 32)
        c.error("ivr.min_digits", "expected 1 <= min_digits <= max_digits <= 32");
    if (ivr.tries < 1 || ivr.tries > 10) c.error("ivr.tries", "must lie between 1 and 10");
    if (ivr.digit_timeout_s < 2 || ivr.digit_timeout_s > 60) c.error("ivr.digit_timeout_s", "must lie between 2 and 60");
    if (ivr.lobby_wait_s < 10 || ivr.lobby_wait_s > 86400) c.error("ivr.lobby_wait_s", "must lie between 10 and 86400");
    if (ivr.start_wait_s < 10 || ivr.start_wait_s > 86400) c.error("ivr.start_wait_s", "must lie between 10 and 86400");
    if (ivr.wait_prompt_s > 3600) c.error("ivr.wait_prompt_s", "must lie between 0 and 3600 (0: say it once)");
    if (!detail::language_ok(ivr.language)) c.error("ivr.language", detail::language_problem);
    if (cfg.dialin.id_digits < 6 || cfg.dialin.id_digits > 16) c.error("dialin.id_digits", "must lie between 6 and 16");
    if (const auto why = url_problem(cfg.dialin.mapper_url); !why.empty()) c.error("dialin.mapper_url", why);
    for (std::size_t i = 0; i < cfg.dialin.numbers.size(); ++i) {
        const auto& n = cfg.dialin.numbers[i];
        const auto at = index("dialin.numbers", i);
        if (n.number.empty()) c.error(join(at, "number"), "required");
        if (n.country_code.size() != 2 || !std::isupper(static_cast<unsigned char>(n.country_code[0])) ||
            !std::isupper(static_cast<unsigned char>(n.country_code[1])))
            c.error(join(at, "country_code"), "expected two capital letters (ISO 3166), e.g. \"US\"");
        if (!n.language.empty() && !detail::language_ok(n.language)) c.error(join(at, "language"), detail::language_problem);
    }
    if (k.records_kept > 100000) c.error("calls.records_kept", "must lie between 0 and 100000");
    return std::move(c.out);
}

std::vector<problem> detail::warnings(const config& cfg) {
    checker c;
    for (std::size_t i = 0; i < cfg.xmpp.servers.size(); ++i) {
        const auto& s = cfg.xmpp.servers[i];
        if (s.tls == xmpp_tls::none && !loopback(s.host))
            c.error(join(index("xmpp.servers", i), "tls"),
                    "none: XMPP traffic (passwords included) to " + s.host + " is not encrypted");
    }
    const auto& comp = cfg.xmpp.component;
    if (comp.enabled && !loopback(comp.host))
        c.error("xmpp.component.host",
                "XEP-0114 has no encryption; the component secret handshake and all call control to " +
                    comp.host + " travel in clear");
    if (cfg.xmpp.servers.empty() && !comp.enabled)
        c.error("xmpp.servers", "no deployment and no component: calls cannot reach Jitsi Meet");
    if (cfg.sip.listen.empty() && cfg.sip.accounts.empty())
        c.error("sip.listen", "no listener and no account: no SIP call can come in");
    if (cfg.http.shutdown_enabled && !loopback(cfg.http.address))
        c.error("http.shutdown_enabled",
                "POST /about/shutdown is reachable from the network on " + cfg.http.address);
    if (!cfg.http.api_token.empty() && cfg.http.api_token.size() < 16)
        c.error("http.api_token", "shorter than 16 characters: easy to guess; it controls calls");
    if (cfg.media.min_port % 2 != 0)
        c.error("media.min_port", "odd; RTP ports are conventionally even (RFC 3550 section 11)");
    return std::move(c.out);
}

}  // namespace jigasi::config
