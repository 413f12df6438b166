// JID parsing (RFC 7622 §3, the PRECIS subset described in jid.hpp), per-call addressing
// (jitsi-protocol.md §3.1), stanza errors and IQ replies (RFC 6120 §8).

#include "xmpp/jid.hpp"

#include <array>
#include <cctype>
#include <cstdio>

namespace jigasi::xmpp {
namespace {

class category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "xmpp.parse"; }
    std::string message(int ev) const override {
        switch (static_cast<parse_errc>(ev)) {
            case parse_errc::jid_empty: return "empty JID or JID part";
            case parse_errc::jid_too_long: return "JID part longer than 1023 octets";
            case parse_errc::jid_bad_localpart: return "invalid JID localpart";
            case parse_errc::jid_bad_domainpart: return "invalid JID domainpart";
            case parse_errc::jid_bad_resourcepart: return "invalid JID resourcepart";
            case parse_errc::wrong_stanza: return "not the expected stanza";
            case parse_errc::missing_attribute: return "missing attribute";
            case parse_errc::missing_element: return "missing element";
            case parse_errc::bad_value: return "bad value";
            case parse_errc::limit_exceeded: return "limit exceeded";
        }
        return "unknown xmpp.parse error " + std::to_string(ev);
    }
};

constexpr std::size_t max_part = 1023;  // RFC 7622 §3.2, §3.3, §3.4

parse_error fail(parse_errc e, std::string diag) { return {make_error_code(e), std::move(diag)}; }

/// Valid UTF-8 (RFC 3629: no overlongs, surrogates or values past U+10FFFF) without C0/C1
/// controls or DEL, which PRECIS refuses in every class.
bool clean_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F) return false;
        if (c < 0x80) { ++i; continue; }
        std::size_t n;
        std::uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1Fu; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0Fu; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07u; }
        else return false;
        if (i + n >= s.size()) return false;  // truncated sequence
        for (std::size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp <= 0x9F))
            return false;
        i += n + 1;
    }
    return true;
}

void ascii_lower(std::string& s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
}

bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

std::optional<parse_error> check_local(std::string_view s) {
    if (s.size() > max_part) return fail(parse_errc::jid_too_long, "localpart too long");
    if (!clean_utf8(s)) return fail(parse_errc::jid_bad_localpart, "control or invalid UTF-8 in localpart");
    // RFC 7622 §3.3.1 plus PRECIS IdentifierClass (no spaces).
    if (s.find_first_of(" \"&'/:<>@") != std::string_view::npos)
        return fail(parse_errc::jid_bad_localpart, "localpart '" + std::string(s) + "' has a forbidden character");
    return std::nullopt;
}

std::optional<parse_error> check_domain(std::string_view s) {
    if (s.empty()) return fail(parse_errc::jid_empty, "empty domainpart");
    if (s.size() > max_part) return fail(parse_errc::jid_too_long, "domainpart too long");
    if (s.front() == '[') {  // IPv6 literal (RFC 7622 §3.2, RFC 3986 IP-literal)
        if (s.size() < 3 || s.back() != ']') return fail(parse_errc::jid_bad_domainpart, "bad IP literal");
        for (char c : s.substr(1, s.size() - 2))
            if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'))
                return fail(parse_errc::jid_bad_domainpart, "bad IP literal");
        return std::nullopt;
    }
    if (!clean_utf8(s)) return fail(parse_errc::jid_bad_domainpart, "control or invalid UTF-8 in domainpart");
    std::size_t label = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i == s.size() || s[i] == '.') {
            if (label == 0 || label > 63)  // RFC 1035 §2.3.4
                return fail(parse_errc::jid_bad_domainpart, "domainpart '" + std::string(s) + "' has an empty or long label");
            label = 0;
            continue;
        }
        const char c = s[i];
        if (!(alnum(c) || c == '-' || c == '_' || static_cast<unsigned char>(c) >= 0x80))
            return fail(parse_errc::jid_bad_domainpart, "domainpart '" + std::string(s) + "' has a forbidden character");
        ++label;
    }
    return std::nullopt;
}

std::optional<parse_error> check_resource(std::string_view s) {
    if (s.size() > max_part) return fail(parse_errc::jid_too_long, "resourcepart too long");
    if (!clean_utf8(s)) return fail(parse_errc::jid_bad_resourcepart, "control or invalid UTF-8 in resourcepart");
    return std::nullopt;
}

constexpr std::array<std::string_view, 5> type_names{"cancel", "continue", "modify", "auth", "wait"};

}  // namespace

const std::error_category& parse_category() noexcept {
    static const category_impl c;
    return c;
}

parse_result<jid> jid::make(std::string_view local, std::string_view domain, std::string_view resource) {
    if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);  // RFC 7622 §3.2
    if (auto e = check_local(local)) return *e;
    if (auto e = check_domain(domain)) return *e;
    if (auto e = check_resource(resource)) return *e;
    jid j;
    j.local_ = local;
    j.domain_ = domain;
    j.resource_ = resource;
    ascii_lower(j.local_);
    ascii_lower(j.domain_);
    return j;
}

parse_result<jid> jid::parse(std::string_view text) {
    if (text.empty()) return fail(parse_errc::jid_empty, "empty JID");
    std::string_view head = text, resource;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        head = text.substr(0, slash);
        resource = text.substr(slash + 1);
        if (resource.empty()) return fail(parse_errc::jid_empty, "empty resourcepart after '/'");
    }
    std::string_view local, domain = head;
    if (auto at = head.find('@'); at != std::string_view::npos) {
        local = head.substr(0, at);
        domain = head.substr(at + 1);
        if (local.empty()) return fail(parse_errc::jid_empty, "empty localpart before '@'");
    }
    return make(local, domain, resource);
}

jid jid::bare() const {
    jid j = *this;
    j.resource_.clear();
    return j;
}

parse_result<jid> jid::with_resource(std::string_view resource) const {
    if (resource.empty()) return fail(parse_errc::jid_empty, "empty resourcepart");
    return make(local_, domain_, resource);
}

std::string jid::to_string() const {
    std::string s;
    s.reserve(local_.size() + domain_.size() + resource_.size() + 2);
    if (!local_.empty()) s.append(local_).push_back('@');
    s.append(domain_);
    if (!resource_.empty()) s.append("/").append(resource_);
    return s;
}

std::optional<jid> attr_jid(const element& e, std::string_view name) {
    auto v = e.attr(name);
    if (!v) return jid{};
    auto j = jid::parse(*v);
    if (!j) return std::nullopt;
    return *j;
}

std::string random_nick(std::uint32_t random) {
    std::array<char, 9> buf{};
    std::snprintf(buf.data(), buf.size(), "%08x", static_cast<unsigned>(random));
    return buf.data();
}

std::string sip_user_nick(std::string_view sip_user) {
    std::string out;
    for (char c : sip_user) {
        if (out.size() == 64) break;
        if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;  // UTF-8 continuation
        out.push_back(alnum(c) ? c : '-');
    }
    return out;
}

call_domain room_call_domain(const jid& room, std::string_view muc_prefixes, std::string_view base_domain) {
    std::string_view d = room.domain();
    if (auto dot = d.find('.'); dot != std::string_view::npos) {
        const std::string_view first = d.substr(0, dot);
        std::string_view list = muc_prefixes;
        while (!list.empty()) {
            const auto comma = list.find(',');
            std::string_view p = list.substr(0, comma);
            while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
            while (!p.empty() && p.back() == ' ') p.remove_suffix(1);
            if (!p.empty() && p == first) {
                d.remove_prefix(dot + 1);
                break;
            }
            list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        }
    }
    call_domain out{std::string(d), {}};
    if (!base_domain.empty() && d.size() > base_domain.size() + 1 && d.ends_with(base_domain) &&
        d[d.size() - base_domain.size() - 1] == '.') {
        out.tenant = d.substr(0, d.size() - base_domain.size() - 1);
        out.domain = base_domain;
    }
    return out;
}

std::string_view to_string(error_type t) { return type_names[static_cast<std::size_t>(t)]; }

std::optional<stanza_error> parse_stanza_error(const element& stanza) {
    const element* err = stanza.child("error");
    if (!err) return std::nullopt;
    stanza_error e;
    const auto type = err->attr_or("type");
    for (std::size_t i = 0; i < type_names.size(); ++i)
        if (type == type_names[i]) e.type = static_cast<error_type>(i);
    for (const element* c : err->elements()) {
        if (c->ns() != ns::stanzas_error) continue;
        if (c->name() == "text") {
            if (e.text.empty()) e.text = c->text();
        } else if (e.condition == "undefined-condition") {
            e.condition = c->name();
        }
    }
    return e;
}

element build_error(const stanza_error& e, std::string_view stanza_ns) {
    element err("error", std::string(stanza_ns));
    err.set_attr("type", std::string(to_string(e.type)));
    err.add(e.condition, std::string(ns::stanzas_error));
    if (!e.text.empty()) err.add("text", std::string(ns::stanzas_error)).add_text(e.text);
    return err;
}

element iq_result(const element& request) {
    element iq("iq", request.ns().empty() ? std::string(ns::client) : request.ns());
    iq.set_attr("type", "result");
    if (auto from = request.attr("from")) iq.set_attr("to", std::string(*from));
    if (request.ns() == ns::component)
        if (auto to = request.attr("to")) iq.set_attr("from", std::string(*to));
    iq.set_attr("id", std::string(request.attr_or("id")));
    return iq;
}

element iq_result(const element& request, element payload) {
    element iq = iq_result(request);
    iq.add(std::move(payload));
    return iq;
}

element iq_error(const element& request, const stanza_error& e) {
    element iq = iq_result(request);
    iq.set_attr("type", "error");
    iq.add(build_error(e, iq.ns()));
    return iq;
}

element make_iq(std::string_view type, std::string_view to, std::string_view id) {
    element iq("iq", std::string(ns::client));
    iq.set_attr("type", std::string(type));
    if (!to.empty()) iq.set_attr("to", std::string(to));
    iq.set_attr("id", std::string(id));
    return iq;
}

}  // namespace jigasi::xmpp
