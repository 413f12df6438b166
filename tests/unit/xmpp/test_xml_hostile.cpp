// Hostile and broken input for the XMPP XML parser: every refused construct (RFC 6120 §11.1) and
// every limit, with the exact error and the stream error condition it maps to (RFC 6120 §4.9.3).

#include "xml_test_util.hpp"

#include <chrono>

using namespace xml_test;

namespace {

/// Feeds a stream whole and one byte at a time; both must fail with `expected`, and the parser
/// must stay failed (the stream is dead until reset()).
void check_stream_error(std::string_view data, xml_errc expected, const xml_limits& limits = {}) {
    INFO(data.substr(0, 200));
    CHECK(feed_all(data, limits).ec == expected);
    CHECK(feed_bytes(data, limits).ec == expected);
    xml_parser p(limits);
    const auto ec = p.feed(data);
    REQUIRE(ec == expected);
    CHECK_FALSE(p.diagnostic().empty());
    while (p.next()) {
    }
    CHECK(p.feed(in_client_stream("<iq/>")) == expected);
    CHECK(p.error() == expected);
    CHECK_FALSE(p.next());
    p.reset();
    CHECK_FALSE(p.feed(in_client_stream("<iq/>")));
    CHECK(p.next()->type == xml_event::kind::stream_open);
    CHECK(p.next()->stanza.is("iq", ns::client));
}

std::string nested(std::size_t depth) {
    std::string s;
    for (std::size_t i = 0; i < depth; ++i) s += "<e>";
    for (std::size_t i = 0; i < depth; ++i) s += "</e>";
    return s;
}

std::string with_attributes(std::size_t n) {
    std::string s = "<presence";
    for (std::size_t i = 0; i < n; ++i) s += " a" + std::to_string(i) + "='v'";
    return s + "/>";
}

}  // namespace

TEST_CASE("stream error conditions (RFC 6120 §4.9.3)", "[xml]") {
    CHECK(stream_error_condition(xml_errc::malformed) == "not-well-formed");
    CHECK(stream_error_condition(xml_errc::restricted_xml) == "restricted-xml");
    CHECK(stream_error_condition(xml_errc::stanza_too_big) == "policy-violation");
    CHECK(stream_error_condition(xml_errc::too_deep) == "policy-violation");
    CHECK(stream_error_condition(xml_errc::too_many_attributes) == "policy-violation");
    CHECK(stream_error_condition(xml_errc::buffer_full) == "policy-violation");
    CHECK(stream_error_condition(xml_errc::invalid_namespace) == "invalid-namespace");
    CHECK(stream_error_condition(xml_errc::bad_namespace_prefix) == "bad-namespace-prefix");
    CHECK(stream_error_condition(xml_errc::bad_format) == "bad-format");
    CHECK(stream_error_condition(xml_errc::unsupported_encoding) == "unsupported-encoding");
    CHECK(stream_error_condition(std::error_code()).empty());
    CHECK(stream_error_condition(std::make_error_code(std::errc::io_error)) ==
          "undefined-condition");
    CHECK(std::error_code(xml_errc::too_deep).message() == "elements nested too deep");
}

TEST_CASE("restricted XML: DTD, entities, PIs, comments are refused", "[xml]") {
    const std::string header = in_client_stream("", false);
    SECTION("DOCTYPE before the stream") {
        check_stream_error("<?xml version='1.0'?><!DOCTYPE stream:stream>" + header.substr(21),
                           xml_errc::restricted_xml);
    }
    SECTION("entity declaration in an internal subset") {
        check_stream_error("<!DOCTYPE s [<!ENTITY x 'y'>]>" + header.substr(21),
                           xml_errc::restricted_xml);
        CHECK(parse_fragment("<!DOCTYPE m [<!ENTITY x 'y'>]><m>&x;</m>").error() ==
              xml_errc::restricted_xml);
    }
    SECTION("billion laughs") {
        std::string doc = "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>";
        for (int i = 1; i <= 9; ++i) {
            doc += "<!ENTITY lol" + std::to_string(i) + " '";
            const std::string ref = i == 1 ? "&lol;" : "&lol" + std::to_string(i - 1) + ";";
            for (int k = 0; k < 10; ++k) doc += ref;
            doc += "'>";
        }
        doc += "]><message><body>&lol9;</body></message>";
        const auto t0 = std::chrono::steady_clock::now();
        const auto f = parse_fragment(doc);
        CHECK(f.error() == xml_errc::restricted_xml);
        check_stream_error(doc, xml_errc::restricted_xml);
        CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    }
    SECTION("processing instruction, between and inside stanzas") {
        check_stream_error(header + "<?foo bar?>", xml_errc::restricted_xml);
        check_stream_error(header + "<iq><?php x?></iq>", xml_errc::restricted_xml);
        CHECK(parse_fragment("<?xml-stylesheet href='x'?><iq/>").error() ==
              xml_errc::restricted_xml);
    }
    SECTION("comments") {
        check_stream_error(header + "<!-- hi -->", xml_errc::restricted_xml);
        check_stream_error(header + "<message><!-- hi --><body/></message>",
                           xml_errc::restricted_xml);
        check_stream_error("<!-- before --><stream:stream/>", xml_errc::restricted_xml);
    }
    SECTION("unknown entities, in text and in attributes") {
        check_stream_error(header + "<message><body>&nbsp;</body></message>",
                           xml_errc::restricted_xml);
        check_stream_error(header + "<message to='&foo;'/>", xml_errc::restricted_xml);
        CHECK(parse_fragment("<m>&ext;</m>").error() == xml_errc::restricted_xml);
    }
    SECTION("the predefined entities and character references are fine") {
        const auto f =
            parse_fragment("<m a='&lt;&#x41;'>&amp;&lt;&gt;&quot;&apos;&#65;&#x1F600;</m>");
        REQUIRE(f);
        CHECK(f->attr("a") == "<A");
        CHECK(f->text() == "&<>\"'A\xF0\x9F\x98\x80");
    }
}

TEST_CASE("limits: depth, attributes, stanza size, buffered stanzas", "[xml]") {
    xml_limits small;
    small.max_depth = 8;
    small.max_attributes = 4;
    small.max_stanza_bytes = 1024;
    small.max_buffered_bytes = 2048;

    SECTION("depth: the stanza is level 1; at the default limit of 32 fine, 33 refused") {
        const auto ok = feed_all(in_client_stream(nested(32)));
        CHECK_FALSE(ok.ec);
        CHECK(ok.events.size() == 3);
        check_stream_error(in_client_stream(nested(33)), xml_errc::too_deep);
        CHECK(parse_fragment(nested(32)));
        CHECK(parse_fragment(nested(33)).error() == xml_errc::too_deep);
        CHECK(parse_fragment(nested(9), small).error() == xml_errc::too_deep);
    }
    SECTION("attributes: 64 fine, 65 refused; xmlns declarations do not count") {
        CHECK_FALSE(feed_all(in_client_stream(with_attributes(64))).ec);
        check_stream_error(in_client_stream(with_attributes(65)), xml_errc::too_many_attributes);
        CHECK(parse_fragment("<m xmlns='a' xmlns:p='b' xmlns:q='c' a='1' b='2' c='3' d='4'/>",
                             small));
        CHECK(parse_fragment(with_attributes(5), small).error() == xml_errc::too_many_attributes);
        // The stream header is bounded too.
        std::string root = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'";
        for (int i = 0; i < 65; ++i) root += " a" + std::to_string(i) + "='v'";
        check_stream_error(root + ">", xml_errc::too_many_attributes);
    }
    SECTION("stanza size: exactly the limit fits, one more byte does not") {
        const std::string open = "<message><body>", close = "</body></message>";
        const std::string fits = open + std::string(1024 - open.size() - close.size(), 'x') + close;
        REQUIRE(fits.size() == 1024);
        const auto ok = feed_bytes(in_client_stream(fits), small);
        CHECK_FALSE(ok.ec);
        REQUIRE(ok.events.size() == 3);
        CHECK(ok.events[1].stanza.child_text("body").size() == 1024 - 32);
        check_stream_error(in_client_stream(open + 'y' + fits.substr(open.size())),
                           xml_errc::stanza_too_big, small);
        CHECK(parse_fragment(fits, small));
        CHECK(parse_fragment(fits + " ", small).error() == xml_errc::stanza_too_big);
    }
    SECTION("a start tag that never ends is refused before it is complete") {
        xml_parser p(small);
        REQUIRE_FALSE(p.feed(in_client_stream("", false)));
        REQUIRE_FALSE(p.feed("<message to='"));
        std::error_code ec;
        std::size_t fed = 0;
        while (!ec && fed < 100000) {
            ec = p.feed(std::string(100, 'a'));
            fed += 100;
        }
        CHECK(ec == xml_errc::stanza_too_big);
        CHECK(fed <= 1100);
    }
    SECTION("an endless stream header is refused") {
        std::string root = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' to='";
        root += std::string(2000, 'a');
        check_stream_error(root, xml_errc::stanza_too_big, small);
    }
    SECTION("buffered stanzas: fine when drained, refused when they pile up") {
        std::string many;
        for (int i = 0; i < 80; ++i) {
            many += "<presence from='room@conference/p" + std::to_string(i) + "'/>";
        }
        REQUIRE(many.size() > small.max_buffered_bytes);
        xml_parser drained(small);
        REQUIRE_FALSE(drained.feed(in_client_stream("", false)));
        for (std::size_t at = 0; at < many.size(); at += 256) {
            REQUIRE_FALSE(drained.feed(std::string_view(many).substr(at, 256)));
            while (drained.next()) {
            }
        }
        xml_parser piled(small);
        CHECK(piled.feed(in_client_stream(many)) == xml_errc::buffer_full);
    }
}

TEST_CASE("broken streams: the exact error", "[xml]") {
    const std::string header = in_client_stream("", false);
    // RFC 6120 §11.2: the root must be <stream> in the streams namespace.
    check_stream_error("<stream:stream xmlns:stream='urn:wrong'>", xml_errc::invalid_namespace);
    check_stream_error("<stream xmlns='jabber:client'>", xml_errc::invalid_namespace);
    check_stream_error("<flow xmlns='http://etherx.jabber.org/streams'>", xml_errc::bad_format);
    check_stream_error("<stream:stream>", xml_errc::bad_namespace_prefix);
    check_stream_error(header + "<foo:bar/>", xml_errc::bad_namespace_prefix);
    check_stream_error(header + "<message></iq>", xml_errc::malformed);
    check_stream_error(header + "<message a='1' a='2'/>", xml_errc::malformed);
    check_stream_error(header + "<message><body>\xC3(</body></message>", xml_errc::malformed);
    check_stream_error(header + "<message><body>&#0;</body></message>", xml_errc::malformed);
    check_stream_error(header + "</stream:stream><iq/>", xml_errc::malformed);
    check_stream_error(header + "hello", xml_errc::bad_format);  // text at stream level
    // RFC 6120 §11.6: UTF-8 only.
    check_stream_error("<?xml version='1.0' encoding='ISO-8859-1'?>" + header.substr(21),
                       xml_errc::unsupported_encoding);
    CHECK_FALSE(feed_all("<?xml version='1.0' encoding='utf-8'?>" + header.substr(21)).ec);
    // Expat would switch to UTF-16 on a BOM or "<\0" despite being told UTF-8.
    using namespace std::string_literals;
    check_stream_error("\xFF\xFE<\0s\0t\0"s, xml_errc::unsupported_encoding);
    check_stream_error("<\0s\0t\0"s, xml_errc::unsupported_encoding);
    check_stream_error(header + "<iq>\0</iq>"s, xml_errc::malformed);
    CHECK(parse_fragment("\xFE\xFF\0<\0a\0/\0>"s).error() == xml_errc::unsupported_encoding);
    CHECK(parse_fragment("<a>\0</a>"s).error() == xml_errc::malformed);
    // The UTF-8 BOM is fine.
    CHECK_FALSE(feed_all("\xEF\xBB\xBF" + header.substr(21) + "<iq/>").ec);
}
