#pragma once
// Sans-io XMPP XML parser over expat (RFC 6120 §4, §11). Bytes go in, in chunks of any size (one
// byte at a time works); events come out: the stream header, each complete top-level stanza as an
// `element`, and the end of the stream. A WebSocket connection (RFC 7395) carries one complete
// element per message instead; parse_fragment() reads those with the same rules and limits.
//
// Hostile input: DOCTYPE (and so every entity declaration and billion-laughs expansion), comments,
// processing instructions and unknown entities are refused (RFC 6120 §11.1 restricted XML), and
// each stanza is bounded in bytes, depth and attributes. Every failure is an xml_errc that
// stream_error_condition() turns into the <stream:error/> to send. A failed parser stays failed
// until reset().

#include "xmpp/element.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace jigasi::xmpp {

enum class xml_errc {
    malformed = 1,         ///< not well-formed XML                    -> not-well-formed
    restricted_xml,        ///< DTD, comment, PI, entity (RFC 6120 §11.1) -> restricted-xml
    stanza_too_big,        ///< over xml_limits::max_stanza_bytes       -> policy-violation
    too_deep,              ///< over xml_limits::max_depth              -> policy-violation
    too_many_attributes,   ///< over xml_limits::max_attributes         -> policy-violation
    buffer_full,           ///< over xml_limits::max_buffered_bytes     -> policy-violation
    invalid_namespace,     ///< root not in the streams namespace       -> invalid-namespace
    bad_namespace_prefix,  ///< unbound prefix                          -> bad-namespace-prefix
    bad_format,            ///< well-formed but not an XMPP stream      -> bad-format
    unsupported_encoding,  ///< not UTF-8 (RFC 6120 §11.6)              -> unsupported-encoding
};

const std::error_category& xml_category() noexcept;
inline std::error_code make_error_code(xml_errc e) noexcept {
    return {static_cast<int>(e), xml_category()};
}

/// The RFC 6120 §4.9.3 stream error condition for `ec` ("not-well-formed", "policy-violation"...):
/// "undefined-condition" for codes of other categories, empty for no error.
std::string_view stream_error_condition(std::error_code ec);

/// Bounds that keep hostile input cheap. Defaults suit a c2s or component stream.
struct xml_limits {
    std::size_t max_stanza_bytes = 256 * 1024;  ///< one stanza's source bytes, tags included
    std::size_t max_depth = 32;                 ///< nesting; the stanza itself is depth 1
    std::size_t max_attributes = 64;            ///< per element, xmlns declarations not counted
    /// Complete stanzas waiting for next(), in source bytes: a caller that drains next() after
    /// each socket-sized feed() never reaches it.
    std::size_t max_buffered_bytes = 1024 * 1024;
};

/// The attributes of <stream:stream> (RFC 6120 §4.7); empty when absent.
struct stream_header {
    std::string to, from, id, version, lang;  ///< lang is xml:lang
    std::string default_ns;                   ///< content namespace: jabber:client, ...
    bool operator==(const stream_header&) const = default;
};

struct xml_event {
    enum class kind { stream_open, stanza, stream_close };
    kind type = kind::stanza;
    stream_header header;  ///< for stream_open
    element stanza;        ///< for stanza
    bool operator==(const xml_event&) const = default;
};

namespace detail {
struct expat_state;
}

class xml_parser {
public:
    explicit xml_parser(xml_limits limits = {});
    ~xml_parser();
    xml_parser(const xml_parser&) = delete;
    xml_parser& operator=(const xml_parser&) = delete;

    /// Parses the next bytes of the stream. Returns the stream's error, which stays until reset().
    std::error_code feed(std::string_view data);
    /// The next complete event, in stream order.
    std::optional<xml_event> next();
    /// Forgets everything (queued events too) for a new stream: RFC 6120 §4.3.3 restarts the
    /// stream after STARTTLS and SASL.
    void reset();

    std::error_code error() const;
    /// What failed, for logs ("line 1 col 27: DOCTYPE refused").
    const std::string& diagnostic() const;

private:
    std::unique_ptr<detail::expat_state> s_;
};

/// An element, or why it was refused.
class fragment_result {
public:
    fragment_result(element e) : value_(std::move(e)) {}
    fragment_result(std::error_code ec, std::string diagnostic)
        : ec_(ec), diagnostic_(std::move(diagnostic)) {}
    bool has_value() const { return !ec_; }
    explicit operator bool() const { return has_value(); }
    element& value() { return value_; }
    const element& value() const { return value_; }
    element& operator*() { return value_; }
    const element& operator*() const { return value_; }
    element* operator->() { return &value_; }
    const element* operator->() const { return &value_; }
    std::error_code error() const { return ec_; }
    const std::string& diagnostic() const { return diagnostic_; }

private:
    element value_;
    std::error_code ec_;
    std::string diagnostic_;
};

/// RFC 7395 §3.3: one WebSocket message is one complete XML document, an <open/>, a <close/> or a
/// stanza. Elements without a namespace take `default_ns`; the limits apply as to a stanza.
fragment_result parse_fragment(std::string_view data, const xml_limits& limits = {},
                               std::string_view default_ns = ns::client);

}  // namespace jigasi::xmpp

template <>
struct std::is_error_code_enum<jigasi::xmpp::xml_errc> : std::true_type {};
