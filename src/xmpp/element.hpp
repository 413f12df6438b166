#pragma once
// The XML element model of the XMPP layer: one stanza (or stream feature, SASL step, Jingle payload)
// as a tree of elements with namespace-resolved names. The parser (xml_parser.hpp) produces it, the
// serializer (xml_writer.hpp) writes it; protocol code (SASL, MUC, Jingle, Rayo) only reads and
// builds these trees and never sees raw XML.
//
// Namespaces: every element carries its resolved namespace URI in `ns` (RFC 6120 §4.8: the default
// namespace of a stanza is jabber:client or jabber:component:accept, inherited from the stream).
// Attributes are kept without their xmlns declarations; a namespaced attribute (xml:lang) keeps its
// prefix in the name. The writer declares xmlns where an element's namespace differs from its
// parent's, so a tree built in code needs no xmlns attributes.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jigasi::xmpp {

class element;

/// A child node: an element or a run of character data (text between elements is kept in order,
/// which matters for mixed content such as <body>; whitespace-only runs between child elements are
/// dropped by the parser).
struct node {
    std::unique_ptr<element> child;  ///< null for text
    std::string text;
};

class element {
public:
    element() = default;
    element(std::string name, std::string ns) : name_(std::move(name)), ns_(std::move(ns)) {}
    element(const element& other);
    element& operator=(const element& other);
    element(element&&) noexcept = default;
    element& operator=(element&&) noexcept = default;
    ~element() = default;

    const std::string& name() const { return name_; }
    const std::string& ns() const { return ns_; }
    void set_ns(std::string ns) { ns_ = std::move(ns); }
    bool is(std::string_view name, std::string_view ns) const { return name_ == name && ns_ == ns; }

    // --- attributes (document order, unique names) ---
    const std::vector<std::pair<std::string, std::string>>& attributes() const { return attrs_; }
    /// The attribute's value, or nullopt when absent (an empty value is present).
    std::optional<std::string_view> attr(std::string_view name) const;
    /// The attribute's value or `fallback` when absent.
    std::string_view attr_or(std::string_view name, std::string_view fallback = {}) const;
    /// Sets (replacing) an attribute; returns *this for chaining.
    element& set_attr(std::string name, std::string value);
    void remove_attr(std::string_view name);

    // --- children ---
    const std::vector<node>& nodes() const { return nodes_; }
    /// Appends a child element and returns a reference to it (stable until this element changes).
    element& add(element child);
    /// Appends a new child element `name` in namespace `ns` (empty: the parent's namespace).
    element& add(std::string name, std::string ns = {});
    /// Appends character data (merged with a preceding text node).
    element& add_text(std::string_view text);
    /// First child element with this name and namespace (ns empty: this element's namespace).
    const element* child(std::string_view name, std::string_view ns = {}) const;
    element* child(std::string_view name, std::string_view ns = {});
    /// Every child element with this name and namespace (ns empty: this element's namespace).
    std::vector<const element*> children(std::string_view name, std::string_view ns = {}) const;
    /// Every child element, in order.
    std::vector<const element*> elements() const;
    /// The first child element, if any.
    const element* first_element() const;
    /// Removes every child element with this name and namespace; returns how many.
    std::size_t remove_children(std::string_view name, std::string_view ns = {});
    /// Concatenated character data of this element's own text nodes (not of descendants).
    std::string text() const;
    /// Text of the first matching child, or empty.
    std::string child_text(std::string_view name, std::string_view ns = {}) const;

    /// Deep equality: name, namespace, attributes in order, and nodes in order.
    bool operator==(const element& other) const;

private:
    std::string name_;
    std::string ns_;
    std::vector<std::pair<std::string, std::string>> attrs_;
    std::vector<node> nodes_;
};

// Namespaces used across the XMPP layer (RFC 6120, XEPs as noted).
namespace ns {
inline constexpr std::string_view client = "jabber:client";
inline constexpr std::string_view component = "jabber:component:accept";  // XEP-0114
inline constexpr std::string_view stream = "http://etherx.jabber.org/streams";
inline constexpr std::string_view streams_error = "urn:ietf:params:xml:ns:xmpp-streams";
inline constexpr std::string_view stanzas_error = "urn:ietf:params:xml:ns:xmpp-stanzas";
inline constexpr std::string_view tls = "urn:ietf:params:xml:ns:xmpp-tls";
inline constexpr std::string_view sasl = "urn:ietf:params:xml:ns:xmpp-sasl";
inline constexpr std::string_view bind = "urn:ietf:params:xml:ns:xmpp-bind";
inline constexpr std::string_view framing = "urn:ietf:params:xml:ns:xmpp-framing";  // RFC 7395
inline constexpr std::string_view sm = "urn:xmpp:sm:3";                              // XEP-0198
inline constexpr std::string_view ping = "urn:xmpp:ping";                            // XEP-0199
inline constexpr std::string_view disco_info = "http://jabber.org/protocol/disco#info";
inline constexpr std::string_view caps = "http://jabber.org/protocol/caps";  // XEP-0115
inline constexpr std::string_view muc = "http://jabber.org/protocol/muc";
inline constexpr std::string_view muc_user = "http://jabber.org/protocol/muc#user";
inline constexpr std::string_view jingle = "urn:xmpp:jingle:1";
inline constexpr std::string_view jingle_rtp = "urn:xmpp:jingle:apps:rtp:1";
inline constexpr std::string_view jingle_ice = "urn:xmpp:jingle:transports:ice-udp:1";
inline constexpr std::string_view jingle_dtls = "urn:xmpp:jingle:apps:dtls:0";
inline constexpr std::string_view rayo = "urn:xmpp:rayo:1";
}  // namespace ns

}  // namespace jigasi::xmpp
