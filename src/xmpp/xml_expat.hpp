#pragma once
// Internal to xml_parser.cpp (included there only): the expat callbacks that build stanzas, refuse
// restricted XML and enforce xml_limits while expat parses.

#include "xmpp/xml_parser.hpp"

// Debian's libexpat is built with XML_DTD (its expat_config.h), but expat.h declares the
// billion-laughs protection only when the includer defines it too.
#ifndef XML_DTD
#define XML_DTD 1
#endif
#include <expat.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jigasi::xmpp::detail {

// A character that is not allowed in XML 1.0 (not even as &#1;), so expat's "uri SEP local SEP
// prefix" names split without ambiguity.
inline constexpr char sep = '\x01';
inline constexpr std::string_view xml_ns = "http://www.w3.org/XML/1998/namespace";

struct qname {
    std::string_view uri, local, prefix;
};

inline qname split(std::string_view n) {
    qname q;
    const auto a = n.find(sep);
    if (a == std::string_view::npos) {
        q.local = n;
        return q;
    }
    q.uri = n.substr(0, a);
    n.remove_prefix(a + 1);
    const auto b = n.find(sep);
    q.local = n.substr(0, b);
    if (b != std::string_view::npos) q.prefix = n.substr(b + 1);
    return q;
}

inline bool is_space(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

inline xml_errc from_expat(XML_Error e) {
    switch (e) {
    case XML_ERROR_UNDEFINED_ENTITY:
    case XML_ERROR_RECURSIVE_ENTITY_REF:
    case XML_ERROR_BINARY_ENTITY_REF:
    case XML_ERROR_ATTRIBUTE_EXTERNAL_ENTITY_REF:
    case XML_ERROR_EXTERNAL_ENTITY_HANDLING:
    case XML_ERROR_PARAM_ENTITY_REF:
    case XML_ERROR_ENTITY_DECLARED_IN_PE:
    case XML_ERROR_NOT_STANDALONE:
    case XML_ERROR_AMPLIFICATION_LIMIT_BREACH: return xml_errc::restricted_xml;
    case XML_ERROR_UNBOUND_PREFIX:
    case XML_ERROR_UNDECLARING_PREFIX:
    case XML_ERROR_RESERVED_PREFIX_XML:
    case XML_ERROR_RESERVED_PREFIX_XMLNS:
    case XML_ERROR_RESERVED_NAMESPACE_URI: return xml_errc::bad_namespace_prefix;
    case XML_ERROR_UNKNOWN_ENCODING:
    case XML_ERROR_INCORRECT_ENCODING: return xml_errc::unsupported_encoding;
    case XML_ERROR_NO_MEMORY: return xml_errc::buffer_full;
    default: return xml_errc::malformed;
    }
}


struct queued {
    xml_event ev;
    std::size_t bytes;
};

struct expat_state {
    expat_state(const xml_limits& l, bool frag, std::string_view dns)
        : limits(l), fragment(frag), default_ns(dns) {
        // The encoding argument overrides any declared one; on_xml_decl refuses the others
        // (RFC 6120 §11.6: UTF-8 only).
        p = XML_ParserCreateNS("UTF-8", sep);
        if (!p) throw std::bad_alloc();
        XML_SetReturnNSTriplet(p, XML_TRUE);
        XML_SetUserData(p, this);
        XML_SetElementHandler(p, on_start, on_end);
        XML_SetCharacterDataHandler(p, on_chars);
        XML_SetStartNamespaceDeclHandler(p, on_ns_decl);
        XML_SetXmlDeclHandler(p, on_xml_decl);
        // RFC 6120 §11.1: no DTD (hence no entity declarations), comments or PIs.
        XML_SetStartDoctypeDeclHandler(p, on_doctype);
        XML_SetEntityDeclHandler(p, on_entity_decl);
        XML_SetSkippedEntityHandler(p, on_skipped_entity);
        XML_SetProcessingInstructionHandler(p, on_pi);
        XML_SetCommentHandler(p, on_comment);
        // A plain (non-"Expand") default handler also turns off internal entity expansion.
        XML_SetDefaultHandler(p, on_default);
        XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
        // Belt and braces: the DOCTYPE refusal already stops any entity expansion.
        XML_SetBillionLaughsAttackProtectionMaximumAmplification(p, 2.0f);
        XML_SetBillionLaughsAttackProtectionActivationThreshold(p, 64 * 1024);
#if XML_MAJOR_VERSION > 2 || (XML_MAJOR_VERSION == 2 && XML_MINOR_VERSION >= 6)
        // Expat 2.6 may hold back a complete token until more input arrives; a stanza must be
        // delivered as soon as its last byte is fed.
        XML_SetReparseDeferralEnabled(p, XML_FALSE);
#endif
    }
    ~expat_state() { XML_ParserFree(p); }
    expat_state(const expat_state&) = delete;
    expat_state& operator=(const expat_state&) = delete;

    xml_limits limits;
    bool fragment;           // one element per document (RFC 7395) rather than a stream
    std::string default_ns;  // fragment mode: namespace of unqualified elements
    XML_Parser p = nullptr;

    std::deque<queued> events;
    std::size_t queued_bytes = 0;
    std::error_code ec;
    std::string diag;

    std::size_t depth = 0;         // elements open, the stream root included
    std::string root_default_ns;   // xmlns= seen on the stream root
    element stanza;                // the stanza being built
    std::vector<element*> stack;   // its open elements (children live on the heap: stable)
    std::string text;              // character data since the last tag
    std::uint64_t stanza_start = 0;
    std::uint64_t last_event_end = 0;
    std::uint64_t fed = 0;
    std::string head;  // the first two bytes of the document

    static expat_state& self(void* ud) { return *static_cast<expat_state*>(ud); }

    void fail(xml_errc e, std::string_view what) {
        if (ec) return;
        ec = e;
        diag = "line " + std::to_string(XML_GetCurrentLineNumber(p)) + " col " +
               std::to_string(XML_GetCurrentColumnNumber(p)) + ": " + std::string(what);
        XML_StopParser(p, XML_FALSE);
    }

    void fail_expat() {
        const XML_Error e = XML_GetErrorCode(p);
        ec = from_expat(e);
        diag = "line " + std::to_string(XML_GetCurrentLineNumber(p)) + " col " +
               std::to_string(XML_GetCurrentColumnNumber(p)) + ": " + XML_ErrorString(e);
    }

    // Expat honours a UTF-16 BOM or a "<\0" start even when told UTF-8; a NUL byte is never in
    // UTF-8 XML, and UTF-16 or UTF-32 markup always has one (RFC 6120 §11.6: UTF-8 only).
    void fail_nul() {
        const bool utf16 = fed < 2 || head == "\xFE\xFF" || head == "\xFF\xFE";
        ec = utf16 ? xml_errc::unsupported_encoding : xml_errc::malformed;
        diag = "byte " + std::to_string(fed) + ": NUL, not UTF-8 XML";
    }

    std::uint64_t event_end() const {
        return static_cast<std::uint64_t>(XML_GetCurrentByteIndex(p)) +
               static_cast<std::uint64_t>(XML_GetCurrentByteCount(p));
    }

    // Called from handlers: bounds the stanza while it is being built, even within one feed().
    bool stanza_fits() {
        if (event_end() - stanza_start <= limits.max_stanza_bytes) return true;
        fail(xml_errc::stanza_too_big, "stanza larger than the limit");
        return false;
    }

    void push(xml_event ev, std::size_t bytes) {
        queued_bytes += bytes;
        events.push_back({std::move(ev), bytes});
        if (!fragment && queued_bytes > limits.max_buffered_bytes) {
            fail(xml_errc::buffer_full, "too many undrained stanzas");
        }
    }

    // Whitespace between elements is formatting, not content; a leaf keeps all of its text.
    void flush_text(bool at_end) {
        if (text.empty()) return;
        element& e = *stack.back();
        if (!is_space(text) || (at_end && !e.first_element())) e.add_text(text);
        text.clear();
    }

    element make_element(const qname& q, const XML_Char** atts) {
        element e(std::string(q.local), std::string(q.uri.empty() ? default_ns : q.uri));
        for (; atts[0]; atts += 2) {
            const qname a = split(atts[0]);
            if (a.prefix.empty()) {
                e.set_attr(std::string(a.local), atts[1]);
                continue;
            }
            e.set_attr(std::string(a.prefix) + ':' + std::string(a.local), atts[1]);
            // element.hpp keeps attributes without xmlns declarations, except the one a prefixed
            // attribute other than xml:* needs, so that the element stays self-contained.
            const std::string decl = "xmlns:" + std::string(a.prefix);
            if (a.uri != xml_ns && !e.attr(decl)) e.set_attr(decl, std::string(a.uri));
        }
        return e;
    }

    void open_stream(const qname& q, const XML_Char** atts) {
        if (q.uri != ns::stream) return fail(xml_errc::invalid_namespace, "root not in streams ns");
        if (q.local != "stream") return fail(xml_errc::bad_format, "root is not <stream:stream>");
        xml_event ev{xml_event::kind::stream_open, {}, {}};
        stream_header& h = ev.header;
        h.default_ns = root_default_ns;
        for (; atts[0]; atts += 2) {
            const qname a = split(atts[0]);
            if (a.uri == xml_ns && a.local == "lang") h.lang = atts[1];
            if (!a.uri.empty()) continue;
            if (a.local == "to") h.to = atts[1];
            if (a.local == "from") h.from = atts[1];
            if (a.local == "id") h.id = atts[1];
            if (a.local == "version") h.version = atts[1];
        }
        push(std::move(ev), 0);
    }

    // --- expat handlers ---

    static void on_start(void* ud, const XML_Char* name, const XML_Char** atts) {
        auto& s = self(ud);
        if (s.ec) return;
        s.last_event_end = s.event_end();
        std::size_t n = 0;
        while (atts[2 * n]) ++n;
        if (n > s.limits.max_attributes) {
            return s.fail(xml_errc::too_many_attributes, "too many attributes");
        }
        const qname q = split(name);
        // Namespaces in XML §3: the xml prefix's namespace is never an element's (it could not
        // even be written back as a default namespace). Found by xml_fuzz: <xml:foo/>.
        if (q.uri == "http://www.w3.org/XML/1998/namespace")
            return s.fail(xml_errc::bad_namespace_prefix, "element in the reserved xml namespace");
        if (!s.fragment && s.depth == 0) {
            ++s.depth;
            return s.open_stream(q, atts);
        }
        const std::size_t level = s.depth + (s.fragment ? 1 : 0);  // the stanza is level 1
        if (level > s.limits.max_depth) return s.fail(xml_errc::too_deep, "nested too deep");
        element e = s.make_element(q, atts);
        if (level == 1) {
            s.stanza_start = static_cast<std::uint64_t>(XML_GetCurrentByteIndex(s.p));
            s.stanza = std::move(e);
            s.stack.assign(1, &s.stanza);
        } else {
            s.flush_text(false);
            s.stack.push_back(&s.stack.back()->add(std::move(e)));
        }
        ++s.depth;
        s.stanza_fits();
    }

    static void on_end(void* ud, const XML_Char*) {
        auto& s = self(ud);
        if (s.ec) return;
        s.last_event_end = s.event_end();
        --s.depth;
        if (!s.fragment && s.depth == 0) {
            return s.push(xml_event{xml_event::kind::stream_close, {}, {}}, 0);
        }
        if (!s.stanza_fits()) return;
        s.flush_text(true);
        s.stack.pop_back();
        if (s.stack.empty()) {
            xml_event ev{xml_event::kind::stanza, {}, std::move(s.stanza)};
            s.push(std::move(ev), static_cast<std::size_t>(s.last_event_end - s.stanza_start));
        }
    }

    static void on_chars(void* ud, const XML_Char* data, int len) {
        auto& s = self(ud);
        if (s.ec) return;
        s.last_event_end = s.event_end();
        const std::string_view t(data, static_cast<std::size_t>(len));
        if (s.stack.empty()) {
            // Between stanzas only whitespace (keepalives) may appear (RFC 6120 §4.6.1).
            if (!is_space(t)) s.fail(xml_errc::bad_format, "text at stream level");
            return;
        }
        if (s.stanza_fits()) s.text += t;
    }

    static void on_ns_decl(void* ud, const XML_Char* prefix, const XML_Char* uri) {
        auto& s = self(ud);
        if (!prefix && s.depth == 0) s.root_default_ns = uri ? uri : "";
    }

    static void on_xml_decl(void* ud, const XML_Char*, const XML_Char* encoding, int) {
        auto& s = self(ud);
        s.last_event_end = s.event_end();
        const std::string_view enc = encoding ? encoding : "UTF-8";
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        const bool utf8 = enc.size() == 5 && std::equal(enc.begin(), enc.end(), "utf-8",
                                                        [&](char a, char b) { return lower(a) == b; });
        if (!utf8) s.fail(xml_errc::unsupported_encoding, "encoding is not UTF-8");
    }

    static void on_doctype(void* ud, const XML_Char*, const XML_Char*, const XML_Char*, int) {
        self(ud).fail(xml_errc::restricted_xml, "DOCTYPE refused");
    }
    static void on_entity_decl(void* ud, const XML_Char*, int, const XML_Char*, int,
                               const XML_Char*, const XML_Char*, const XML_Char*,
                               const XML_Char*) {
        self(ud).fail(xml_errc::restricted_xml, "entity declaration refused");
    }
    static void on_skipped_entity(void* ud, const XML_Char*, int) {
        self(ud).fail(xml_errc::restricted_xml, "entity reference refused");
    }
    static void on_pi(void* ud, const XML_Char*, const XML_Char*) {
        self(ud).fail(xml_errc::restricted_xml, "processing instruction refused");
    }
    static void on_comment(void* ud, const XML_Char*) {
        self(ud).fail(xml_errc::restricted_xml, "comment refused");
    }
    static void on_default(void* ud, const XML_Char*, int) {
        auto& s = self(ud);
        if (!s.ec) s.last_event_end = s.event_end();
    }
};

}  // namespace jigasi::xmpp::detail
