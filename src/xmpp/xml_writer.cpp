#include "xmpp/xml_writer.hpp"

#include <cstdint>

namespace jigasi::xmpp {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// The UTF-8 sequence at s[i]: its length (0 when it is not valid UTF-8) and whether it encodes a
// character that XML 1.0 §2.2 allows.
struct sequence {
    std::size_t len;
    bool allowed;
};

sequence utf8_at(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<std::uint8_t>(s[i + k]); };
    const std::uint8_t c = b(0);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, cp = c & 0x07u;
    } else {
        return {0, false};  // continuation byte, C0/C1 (overlong) or F5..FF
    }
    if (i + len > s.size()) return {0, false};
    for (std::size_t k = 1; k < len; ++k) {
        if ((b(k) & 0xC0) != 0x80) return {0, false};
        cp = (cp << 6) | (b(k) & 0x3Fu);
    }
    const std::uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, false};
    return {len, cp != 0xFFFE && cp != 0xFFFF};
}

void escape(std::string& out, std::string_view s, bool attr) {
    out.reserve(out.size() + s.size());
    for (std::size_t i = 0; i < s.size();) {
        const char c = s[i];
        if (static_cast<std::uint8_t>(c) >= 0x80) {
            const sequence q = utf8_at(s, i);
            if (q.allowed) {
                out.append(s, i, q.len);
            } else {
                out += replacement;  // one per invalid byte, or per disallowed character
            }
            i += q.len ? q.len : 1;
            continue;
        }
        ++i;
        switch (c) {
        case '&': out += "&amp;"; continue;
        case '<': out += "&lt;"; continue;
        case '>': out += "&gt;"; continue;  // "]]>" must not appear in text
        case '\r': out += "&#13;"; continue;  // line-end normalization would eat it
        default: break;
        }
        if (attr) {
            switch (c) {
            case '"': out += "&quot;"; continue;
            case '\'': out += "&apos;"; continue;
            case '\t': out += "&#9;"; continue;  // XML 1.0 §3.3.3 normalizes these to spaces
            case '\n': out += "&#10;"; continue;
            default: break;
            }
        }
        if (static_cast<std::uint8_t>(c) < 0x20 && c != '\t' && c != '\n') {
            out += replacement;
        } else {
            out += c;
        }
    }
}

void put_attr(std::string& out, std::string_view name, std::string_view value) {
    out += ' ';
    out += name;
    out += "='";
    escape(out, value, true);
    out += '\'';
}

void write_element(std::string& out, const element& e, std::string_view default_ns,
                   bool stream_prefix) {
    // The 'stream' prefix is used only where our own stream header bound it, and only if the
    // element does not rebind it itself.
    const bool prefixed = stream_prefix && e.ns() == ns::stream && !e.attr("xmlns:stream");
    out += '<';
    if (prefixed) out += "stream:";
    out += e.name();
    std::string_view inner_ns = default_ns;
    if (!prefixed && e.ns() != default_ns) {
        put_attr(out, "xmlns", e.ns());
        inner_ns = e.ns();
    }
    for (const auto& [k, v] : e.attributes()) {
        if (k != "xmlns") put_attr(out, k, v);
    }
    if (e.nodes().empty()) {
        out += "/>";
        return;
    }
    out += '>';
    for (const auto& n : e.nodes()) {
        if (n.child) {
            write_element(out, *n.child, inner_ns, false);
        } else {
            escape(out, n.text, false);
        }
    }
    out += "</";
    if (prefixed) out += "stream:";
    out += e.name();
    out += '>';
}

}  // namespace

void escape_text(std::string& out, std::string_view text) { escape(out, text, false); }
void escape_attr(std::string& out, std::string_view value) { escape(out, value, true); }

void write(std::string& out, const element& e, const write_scope& scope) {
    write_element(out, e, scope.default_ns, scope.stream_prefix);
}

std::string write(const element& e, const write_scope& scope) {
    std::string out;
    write(out, e, scope);
    return out;
}

std::string write_stream_open(const stream_header& h) {
    std::string out = "<?xml version='1.0'?><stream:stream";
    const std::pair<std::string_view, std::string_view> fields[] = {
        {"to", h.to}, {"from", h.from}, {"id", h.id}, {"version", h.version}, {"xml:lang", h.lang},
        {"xmlns", h.default_ns}};
    for (const auto& [k, v] : fields) {
        if (!v.empty()) put_attr(out, k, v);
    }
    put_attr(out, "xmlns:stream", ns::stream);
    out += '>';
    return out;
}

std::string client_stream_open(std::string_view to, std::string_view from, std::string_view lang) {
    // RFC 6120 §4.7.1: a client SHOULD include 'from' only once the stream is secured.
    stream_header h;
    h.to = to;
    h.from = from;
    h.version = "1.0";
    h.lang = lang;
    h.default_ns = ns::client;
    return write_stream_open(h);
}

std::string component_stream_open(std::string_view to) {
    stream_header h;
    h.to = to;
    h.default_ns = ns::component;
    return write_stream_open(h);
}

std::string_view stream_close() { return "</stream:stream>"; }

element framing_open(std::string_view to, std::string_view from, std::string_view lang,
                     std::string_view id) {
    element e("open", std::string(ns::framing));
    e.set_attr("to", std::string(to));
    if (!from.empty()) e.set_attr("from", std::string(from));
    if (!id.empty()) e.set_attr("id", std::string(id));
    e.set_attr("version", "1.0");
    if (!lang.empty()) e.set_attr("xml:lang", std::string(lang));
    return e;
}

element framing_close(std::string_view see_other_uri) {
    element e("close", std::string(ns::framing));
    if (!see_other_uri.empty()) e.set_attr("see-other-uri", std::string(see_other_uri));
    return e;
}

}  // namespace jigasi::xmpp
