// The XMPP XML layer: element model, streaming parser (chunking, namespaces, stream sequence),
// writer (escaping, xmlns placement, stream headers) and RFC 7395 framing. Hostile input and
// limits are in test_xml_hostile.cpp.

#include "xml_test_util.hpp"

using namespace xml_test;

TEST_CASE("element: attributes, children, text, deep copy", "[xml]") {
    element iq("iq", std::string(ns::client));
    iq.set_attr("type", "get").set_attr("id", "1");
    iq.set_attr("type", "set");  // replaces in place
    CHECK(iq.attributes() == std::vector<std::pair<std::string, std::string>>{{"type", "set"},
                                                                                {"id", "1"}});
    CHECK(iq.attr("id") == "1");
    CHECK_FALSE(iq.attr("to"));
    CHECK(iq.attr_or("to", "x") == "x");
    iq.set_attr("to", "");
    CHECK(iq.attr("to") == "");  // present but empty
    iq.remove_attr("to");
    CHECK_FALSE(iq.attr("to"));

    element& q = iq.add("query", std::string(ns::disco_info));
    q.add("identity").set_attr("category", "gateway");  // inherits disco#info
    q.add("feature").set_attr("var", "urn:xmpp:jingle:1");
    q.add("feature").set_attr("var", "urn:xmpp:rayo:1");
    iq.add("error");  // jabber:client
    CHECK(q.child("identity") != nullptr);
    CHECK(q.child("identity", ns::client) == nullptr);
    CHECK(q.children("feature").size() == 2);
    CHECK(iq.child("query") == nullptr);  // empty ns means the parent's: jabber:client
    CHECK(iq.child("query", ns::disco_info) == &q);
    CHECK(iq.child("error")->ns() == ns::client);
    CHECK(iq.first_element() == &q);
    CHECK(iq.elements().size() == 2);

    element body("body", std::string(ns::client));
    body.add_text("a").add_text("b");
    body.add("br");
    body.add_text("c");
    CHECK(body.nodes().size() == 3);  // "ab", <br/>, "c"
    CHECK(body.text() == "abc");
    CHECK(body.remove_children("br") == 1);
    CHECK(body.nodes().size() == 1);  // the text runs merged again
    CHECK(body.text() == "abc");
    iq.add(body);
    CHECK(iq.child_text("body") == "abc");
    CHECK(iq.child_text("missing").empty());

    element copy = iq;
    CHECK(copy == iq);
    copy.child("query", ns::disco_info)->set_attr("node", "n");
    CHECK_FALSE(copy == iq);
    CHECK_FALSE(iq.child("query", ns::disco_info)->attr("node"));
    copy = iq;
    CHECK(copy == iq);
    CHECK(copy.child("query", ns::disco_info) != iq.child("query", ns::disco_info));
}

TEST_CASE("stream: header, stanzas and close in order", "[xml]") {
    xml_parser p;
    const std::string s = in_client_stream("", false);
    REQUIRE_FALSE(p.feed(s));
    auto ev = p.next();
    REQUIRE(ev);
    CHECK(ev->type == xml_event::kind::stream_open);
    CHECK(ev->header == stream_header{"", "meet.example.com", "s1", "1.0", "", "jabber:client"});
    CHECK_FALSE(p.next());

    REQUIRE_FALSE(p.feed("<presence><show>a"));
    CHECK_FALSE(p.next());  // incomplete stanza
    REQUIRE_FALSE(p.feed("way</show></presence> \n <iq type='get' id='p'/>"));
    ev = p.next();
    REQUIRE(ev);
    CHECK(ev->type == xml_event::kind::stanza);
    CHECK(ev->stanza.is("presence", ns::client));
    CHECK(ev->stanza.child_text("show") == "away");
    ev = p.next();
    REQUIRE(ev);
    CHECK(ev->stanza.is("iq", ns::client));
    CHECK(ev->stanza.attr("id") == "p");
    CHECK_FALSE(p.next());

    REQUIRE_FALSE(p.feed(" "));  // RFC 6120 §4.6.1 whitespace keepalive
    CHECK_FALSE(p.next());
    REQUIRE_FALSE(p.feed("</stream:stream>"));
    ev = p.next();
    REQUIRE(ev);
    CHECK(ev->type == xml_event::kind::stream_close);
    CHECK_FALSE(p.next());
    CHECK(p.feed("<iq/>") == xml_errc::malformed);  // nothing may follow the close
}

TEST_CASE("Prosody-like stream: content, every split point, one byte at a time", "[xml]") {
    const auto whole = feed_all(prosody_stream);
    REQUIRE_FALSE(whole.ec);
    REQUIRE(whole.events.size() == 6);
    const auto& h = whole.events[0].header;
    CHECK(h == stream_header{"", "meet.example.com", "6b2c1f1d-2a4e-4d6f", "1.0", "en",
                             "jabber:client"});

    const element& features = whole.events[1].stanza;
    CHECK(features.is("features", ns::stream));  // stream: prefix resolved
    CHECK(features.child("bind", ns::bind)->child("required") != nullptr);
    CHECK(features.child("sm", ns::sm) != nullptr);
    CHECK(features.child("c", ns::caps)->attr("ver") == "LzJDPG3WO9bNEsdUNLwLD5AN2SE=");

    const element& iq = whole.events[2].stanza;
    CHECK(iq.is("iq", ns::client));
    CHECK(iq.child("bind", ns::bind)->child_text("jid") == "jigasi@auth.meet.example.com/x1");

    const element& presence = whole.events[3].stanza;
    CHECK(presence.is("presence", ns::client));
    CHECK(presence.elements().size() == 2);
    CHECK(presence.nodes().size() == 2);  // indentation between children dropped
    CHECK(presence.child("x", ns::muc_user)->child("item")->attr("role") == "participant");
    CHECK(presence.child_text("nick", "http://jabber.org/protocol/nick") ==
          "Zo\xC3\xAB & \xCE\xA9mega");

    const element& msg = whole.events[4].stanza;
    CHECK(msg.attr("xml:lang") == "fr");
    CHECK(msg.attributes().size() == 3);
    CHECK(msg.child_text("body") ==
          "Salut & <bienvenue> \xE2\x98\xBA caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\" 's' <raw> & ");
    CHECK(whole.events[5].type == xml_event::kind::stream_close);

    for (std::size_t cut = 0; cut <= prosody_stream.size(); ++cut) {
        INFO("split at " << cut);
        const auto r = feed_cut(prosody_stream, {cut});
        REQUIRE_FALSE(r.ec);
        REQUIRE(r.events == whole.events);
    }
    const auto bytes = feed_bytes(prosody_stream);
    CHECK_FALSE(bytes.ec);
    CHECK(bytes.events == whole.events);
}

TEST_CASE("namespaces: inheritance, prefixes, xml:lang, prefixed attributes", "[xml]") {
    const auto r = feed_all(in_client_stream(
        "<message xml:lang='de' xmlns:j='urn:example:j' j:flag='1'><body>x</body>"
        "<x xmlns='urn:a'><y/><p:z xmlns:p='urn:b' p:k='v'/></x><q:w xmlns:q='jabber:client'/>"
        "</message><stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
        "</stream:error>"));
    REQUIRE_FALSE(r.ec);
    REQUIRE(r.events.size() == 4);
    const element& m = r.events[1].stanza;
    CHECK(m.is("message", ns::client));
    CHECK(m.attr("xml:lang") == "de");
    // A prefixed attribute keeps its prefix and the declaration it needs.
    CHECK(m.attr("j:flag") == "1");
    CHECK(m.attr("xmlns:j") == "urn:example:j");
    CHECK(m.child("body")->ns() == ns::client);
    const element* x = m.child("x", "urn:a");
    REQUIRE(x);
    CHECK(x->child("y") != nullptr);           // inherits urn:a
    CHECK(x->child("z", "urn:b") != nullptr);  // prefixed element
    CHECK(x->child("z", "urn:b")->attr("p:k") == "v");
    CHECK(m.child("w") != nullptr);  // q:w is in jabber:client: same as <w/>
    const element& err = r.events[2].stanza;
    CHECK(err.is("error", ns::stream));
    CHECK(err.first_element()->is("conflict", ns::streams_error));
}

TEST_CASE("whitespace between elements is dropped, text content is kept", "[xml]") {
    const auto f = parse_fragment(
        "<message>\n  <body> </body>\n  <x xmlns='urn:x'>a <b/> c<i/>\n</x>\n</message>");
    REQUIRE(f);
    CHECK(f->nodes().size() == 2);
    CHECK(f->child_text("body") == " ");  // a leaf keeps even whitespace-only text
    const element* x = f->child("x", "urn:x");
    REQUIRE(x);
    REQUIRE(x->nodes().size() == 4);  // "a ", <b/>, " c", <i/>
    CHECK(x->nodes()[0].text == "a ");
    CHECK(x->nodes()[2].text == " c");
    CHECK(f->child("x", "urn:x")->text() == "a  c");
}

TEST_CASE("round trip: parse, write, parse gives the same trees", "[xml]") {
    const auto first = feed_all(prosody_stream);
    REQUIRE_FALSE(first.ec);
    std::string again = write_stream_open(first.events[0].header);
    for (const auto& ev : first.events) {
        if (ev.type != xml_event::kind::stanza) continue;
        write(again, ev.stanza, in_stream(ns::client));
        // Standalone, each stanza is a complete RFC 7395 message of its own.
        const auto f = parse_fragment(write(ev.stanza));
        REQUIRE(f);
        CHECK(*f == ev.stanza);
    }
    again += stream_close();
    const auto second = feed_all(again);
    REQUIRE_FALSE(second.ec);
    CHECK(second.events == first.events);
}

TEST_CASE("writer: xmlns only where the namespace changes", "[xml]") {
    element iq("iq", std::string(ns::client));
    iq.set_attr("type", "get").set_attr("xmlns", "ignored");
    element& q = iq.add("query", std::string(ns::disco_info));
    q.add("identity").set_attr("category", "gateway");
    iq.add("unqualified", "").set_ns("");
    CHECK(write(iq, in_stream(ns::client)) ==
          "<iq type='get'><query xmlns='http://jabber.org/protocol/disco#info'>"
          "<identity category='gateway'/></query><unqualified xmlns=''/></iq>");
    CHECK(write(iq).starts_with("<iq xmlns='jabber:client' type='get'>"));
    CHECK(write(iq, {ns::component, false}).starts_with("<iq xmlns='jabber:client' type='get'>"));

    element features("features", std::string(ns::stream));
    features.add("starttls", std::string(ns::tls)).add("required");
    CHECK(write(features, in_stream(ns::client)) ==
          "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>"
          "</starttls></stream:features>");
    CHECK(write(features) == "<features xmlns='http://etherx.jabber.org/streams'><starttls "
                             "xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
                             "</features>");
}

TEST_CASE("writer: escaping and characters XML cannot carry", "[xml]") {
    element m("message", std::string(ns::client));
    m.set_attr("to", "a&b<c>\"d'e\tf\ng\rh");
    m.add("body").add_text("x & y < z > ]]> \r\n\t ok");
    const std::string out = write(m, in_stream(ns::client));
    CHECK(out == "<message to='a&amp;b&lt;c&gt;&quot;d&apos;e&#9;f&#10;g&#13;h'><body>"
                 "x &amp; y &lt; z &gt; ]]&gt; &#13;\n\t ok</body></message>");
    const auto back = parse_fragment(out);
    REQUIRE(back);
    CHECK(*back == m);  // TAB, LF and CR survive attribute-value normalization

    const std::string fffd = "\xEF\xBF\xBD";
    std::string s;
    escape_text(s, std::string_view("a\0b\x01\x08\x0B\x0C\x1F" "c", 9));
    CHECK(s == "a" + fffd + "b" + fffd + fffd + fffd + fffd + fffd + "c");
    s.clear();
    escape_text(s, "\xC3(|\xC0\xAF|\xED\xA0\x80|\xEF\xBF\xBE|\xF0\x9F\x98\x80|\xC3\xA9|"
                   "\xF4\x90\x80\x80");
    CHECK(s == fffd + "(|" + fffd + fffd + "|" + fffd + fffd + fffd + "|" + fffd +
                   "|\xF0\x9F\x98\x80|\xC3\xA9|" + fffd + fffd + fffd + fffd);
    s.clear();
    escape_text(s, "\xE2\x98");  // truncated sequence
    CHECK(s == fffd + fffd);

    element bad("message", std::string(ns::client));
    bad.set_attr("id", std::string("x\0y", 3));
    bad.add("body").add_text("\xFF\x01 fine");
    const auto parsed = parse_fragment(write(bad));
    REQUIRE(parsed);
    CHECK(parsed->attr("id") == "x" + fffd + "y");
    CHECK(parsed->child_text("body") == fffd + fffd + " fine");
}

TEST_CASE("stream headers: client, component, generic, close", "[xml]") {
    CHECK(client_stream_open("meet.example.com") ==
          "<?xml version='1.0'?><stream:stream to='meet.example.com' version='1.0' "
          "xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
    CHECK(client_stream_open("meet.example.com", "jigasi@auth.meet.example.com", "") ==
          "<?xml version='1.0'?><stream:stream to='meet.example.com' "
          "from='jigasi@auth.meet.example.com' version='1.0' xmlns='jabber:client' "
          "xmlns:stream='http://etherx.jabber.org/streams'>");
    CHECK(component_stream_open("callcontrol.meet.example.com") ==
          "<?xml version='1.0'?><stream:stream to='callcontrol.meet.example.com' "
          "xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams'>");
    CHECK(stream_close() == "</stream:stream>");

    const stream_header h{"a.example", "b.example", "i'd&", "1.0", "sv", std::string(ns::client)};
    const auto r = feed_all(write_stream_open(h) + std::string(stream_close()));
    REQUIRE_FALSE(r.ec);
    REQUIRE(r.events.size() == 2);
    CHECK(r.events[0].header == h);
    CHECK(r.events[1].type == xml_event::kind::stream_close);

    const auto c = feed_all(component_stream_open("callcontrol.meet.example.com"));
    REQUIRE(c.events.size() == 1);
    CHECK(c.events[0].header.default_ns == ns::component);
    CHECK(c.events[0].header.version.empty());
}

TEST_CASE("reset: a new stream after SASL success (RFC 6120 §4.3.3)", "[xml]") {
    xml_parser p;
    REQUIRE_FALSE(p.feed(in_client_stream(
        "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/><iq type='get' id='after'", false)));
    CHECK(p.next()->type == xml_event::kind::stream_open);
    CHECK(p.next()->stanza.is("success", ns::sasl));
    p.reset();
    CHECK_FALSE(p.next());  // the half-read stanza went with the old stream
    REQUIRE_FALSE(p.feed("<?xml version='1.0'?><stream:stream xmlns='jabber:client' id='s2' "
                         "xmlns:stream='http://etherx.jabber.org/streams'><iq id='x'/>"));
    const auto ev = p.next();
    REQUIRE(ev);
    CHECK(ev->header.id == "s2");
    CHECK(p.next()->stanza.attr("id") == "x");
}

TEST_CASE("framing (RFC 7395): one element per WebSocket message", "[xml]") {
    const element open = framing_open("meet.example.com");
    CHECK(write(open) == "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' "
                         "to='meet.example.com' version='1.0' xml:lang='en'/>");
    auto f = parse_fragment(write(open));
    REQUIRE(f);
    CHECK(f->is("open", ns::framing));
    CHECK(f->attr("to") == "meet.example.com");
    CHECK(f->attr("xml:lang") == "en");
    CHECK(*f == open);

    f = parse_fragment(write(framing_close("wss://other.example.com/xmpp-websocket")));
    REQUIRE(f);
    CHECK(f->is("close", ns::framing));
    CHECK(f->attr("see-other-uri") == "wss://other.example.com/xmpp-websocket");

    const auto plain = parse_fragment("<message to='a@b'><body>hi</body></message>\n");
    REQUIRE(plain);
    CHECK(plain->is("message", ns::client));  // the framing default namespace
    CHECK(plain->child("body")->ns() == ns::client);
    const auto explicit_ns = parse_fragment(
        "<?xml version='1.0'?><message xmlns='jabber:client' to='a@b'><body>hi</body></message>");
    REQUIRE(explicit_ns);
    CHECK(*explicit_ns == *plain);
    CHECK(parse_fragment("<iq/>", {}, ns::component)->ns() == ns::component);
    const auto features = parse_fragment(
        "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms "
        "xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>"
        "</stream:features>");
    REQUIRE(features);
    CHECK(features->is("features", ns::stream));
    CHECK(features->child("mechanisms", ns::sasl)->child_text("mechanism") == "PLAIN");

    for (const char* bad : {"", "  ", "<a/><b/>", "<a>", "text", "<a/>text", "<a></b>"}) {
        INFO(bad);
        const auto r = parse_fragment(bad);
        CHECK(r.error() == xml_errc::malformed);
        CHECK_FALSE(r.diagnostic().empty());
    }
    CHECK(parse_fragment("<stream:features/>").error() == xml_errc::bad_namespace_prefix);
    // The xml prefix is bound, but no element may live in its namespace (an xml_fuzz finding:
    // written back, it would need xmlns='http://www.w3.org/XML/1998/namespace', which is illegal).
    CHECK(parse_fragment("<xml:lanopen to='meet.example.com' xml:lang='en'/>").error() ==
          xml_errc::bad_namespace_prefix);
    CHECK(parse_fragment("<a><xml:b/></a>").error() == xml_errc::bad_namespace_prefix);
    CHECK(parse_fragment("<a xml:lang='en'/>"));  // the attribute is fine
}
