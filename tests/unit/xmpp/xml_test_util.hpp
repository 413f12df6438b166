#pragma once
// Helpers shared by the XML tests: a Prosody-like server stream, feeding in chosen chunks, and
// printing elements in Catch2 failure messages.

#include "xmpp/jid.hpp"
#include "xmpp/xml_parser.hpp"
#include "xmpp/xml_writer.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace Catch {
template <>
struct StringMaker<jigasi::xmpp::element> {
    static std::string convert(const jigasi::xmpp::element& e) { return jigasi::xmpp::write(e); }
};
template <>
struct StringMaker<jigasi::xmpp::xml_event> {
    static std::string convert(const jigasi::xmpp::xml_event& ev) {
        using k = jigasi::xmpp::xml_event::kind;
        if (ev.type == k::stream_open) return "stream_open id=" + ev.header.id;
        if (ev.type == k::stream_close) return "stream_close";
        return jigasi::xmpp::write(ev.stanza);
    }
};
}  // namespace Catch

namespace xml_test {

using namespace jigasi::xmpp;

/// What Prosody 0.12 sends a client after TLS and SASL, with a MUC presence and a message that
/// needs escaping and multi-byte UTF-8 (split points fall inside characters too).
inline constexpr std::string_view prosody_stream =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xml:lang='en' "
    "id='6b2c1f1d-2a4e-4d6f' version='1.0' from='meet.example.com' "
    "xmlns:stream='http://etherx.jabber.org/streams'>"
    "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><required/></bind>"
    "<sm xmlns='urn:xmpp:sm:3'/><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
    "node='http://prosody.im' ver='LzJDPG3WO9bNEsdUNLwLD5AN2SE='/></stream:features>\n"
    "<iq type='result' id='bind_1' to='jigasi@auth.meet.example.com/x1'>"
    "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>jigasi@auth.meet.example.com/x1</jid>"
    "</bind></iq> \n\t"
    "<presence from='room@conference.meet.example.com/a1b2' to='jigasi@auth.meet.example.com/x1'>"
    "\n  <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' "
    "role='participant' jid='u@guest.meet.example.com/r'/></x>\n"
    "  <nick xmlns='http://jabber.org/protocol/nick'>Zoë &amp; Ωmega</nick>\n</presence>"
    "<message from='room@conference.meet.example.com/a1b2' type='groupchat' xml:lang='fr'>"
    "<body>Salut &amp; &lt;bienvenue&gt; &#x263A; caf\xC3\xA9 \xF0\x9F\x98\x80 "
    "&quot;q&quot; &apos;s&apos;<![CDATA[ <raw> & ]]></body></message>"
    "</stream:stream>";

struct run_result {
    std::vector<xml_event> events;
    std::error_code ec;
};

/// Feeds `data` cut at `cuts` (ascending offsets), draining events after each feed.
inline run_result feed_cut(std::string_view data, const std::vector<std::size_t>& cuts,
                           const xml_limits& limits = {}) {
    xml_parser p(limits);
    run_result r;
    std::size_t at = 0;
    auto feed_to = [&](std::size_t end) {
        r.ec = p.feed(data.substr(at, end - at));
        at = end;
        while (auto ev = p.next()) r.events.push_back(std::move(*ev));
    };
    for (std::size_t c : cuts) feed_to(c);
    feed_to(data.size());
    return r;
}

inline run_result feed_all(std::string_view data, const xml_limits& limits = {}) {
    return feed_cut(data, {}, limits);
}

inline run_result feed_bytes(std::string_view data, const xml_limits& limits = {}) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < data.size(); ++i) cuts.push_back(i);
    return feed_cut(data, cuts, limits);
}

/// An element from XML text (a doc example, a stanza); fails the test if it does not parse.
inline element doc(std::string_view xml, std::string_view default_ns = ns::client) {
    auto e = parse_fragment(xml, {}, default_ns);
    INFO(xml);
    REQUIRE(e);
    return *e;
}

/// A JID the test knows to be valid. Throws otherwise (Catch2 then fails the test with the
/// message), so it also serves namespace-scope constants, where REQUIRE cannot run.
inline jid J(std::string_view s) {
    auto j = jid::parse(s);
    if (!j) throw std::invalid_argument("test JID " + std::string(s) + ": " + j.error().diagnostic);
    return *j;
}

/// A stream around `inner`, as a jabber:client server would send it.
inline std::string in_client_stream(std::string_view inner, bool close = true) {
    stream_header h;
    h.from = "meet.example.com";
    h.id = "s1";
    h.version = "1.0";
    h.default_ns = ns::client;
    return write_stream_open(h) + std::string(inner) + (close ? "</stream:stream>" : "");
}

}  // namespace xml_test
