#pragma once
// Serializes elements for an XMPP stream (RFC 6120 §4) or an RFC 7395 WebSocket message. Output is
// always well-formed XML 1.0: text and attribute values are escaped, and characters XML cannot
// carry (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+FFFE, U+FFFF, invalid UTF-8) become
// U+FFFD. Names are written as given: trees come from the parser or from our own code.

#include "xmpp/element.hpp"
#include "xmpp/xml_parser.hpp"

#include <string>
#include <string_view>

namespace jigasi::xmpp {

/// Where an element is written.
struct write_scope {
    /// The default namespace in effect there: an element in it gets no xmlns (a stanza inside a
    /// jabber:client stream); empty when standalone.
    std::string_view default_ns;
    /// True inside a <stream:stream> we opened (it binds the 'stream' prefix): a top-level element
    /// in the streams namespace is then written <stream:features/>, <stream:error/>.
    bool stream_prefix = false;
};

/// The scope of a stanza inside a stream whose content namespace is `content_ns`.
inline write_scope in_stream(std::string_view content_ns) { return {content_ns, true}; }

/// Appends `e` to `out`. xmlns is declared on `e` unless its namespace is the scope's default, and
/// on each descendant whose namespace differs from its parent's. An "xmlns" attribute is ignored
/// (the namespace is `ns()`); "xmlns:prefix" attributes are written as they are.
void write(std::string& out, const element& e, const write_scope& scope = {});
std::string write(const element& e, const write_scope& scope = {});

/// Appends `text` escaped as character data (& < > and CR as a reference).
void escape_text(std::string& out, std::string_view text);
/// Appends `value` escaped for an attribute in single or double quotes (also TAB, LF, CR, which
/// attribute-value normalization would otherwise turn into spaces).
void escape_attr(std::string& out, std::string_view value);

/// `<?xml version='1.0'?><stream:stream ...>` with the header's non-empty fields (to, from, id,
/// version, xml:lang), xmlns=default_ns and xmlns:stream. The parser's stream_header round-trips.
std::string write_stream_open(const stream_header& h);
/// A client's initial stream header (RFC 6120 §4.7): jabber:client, version 1.0.
std::string client_stream_open(std::string_view to, std::string_view from = {},
                               std::string_view lang = "en");
/// A XEP-0114 §3 component's stream header: jabber:component:accept, no version (no features).
std::string component_stream_open(std::string_view to);
/// The closing tag of the stream (RFC 6120 §4.4).
std::string_view stream_close();

/// RFC 7395 §3.4 <open/>: the WebSocket counterpart of the stream header.
element framing_open(std::string_view to, std::string_view from = {},
                     std::string_view lang = "en", std::string_view id = {});
/// RFC 7395 §3.6 <close/>, with see-other-uri when redirecting (§3.6.1).
element framing_close(std::string_view see_other_uri = {});

}  // namespace jigasi::xmpp
