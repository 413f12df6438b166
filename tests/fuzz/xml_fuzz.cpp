// libFuzzer target for the XMPP XML layer (house style §11). The first byte picks a split point;
// the rest is fed as a stream in two chunks, which must give the events of one feed (up to the
// first error, which expat may find elsewhere for another chunking). Every stanza must write and
// parse back to the same tree, inside a stream and as an RFC 7395 message; so must whatever
// parse_fragment() accepts. A broken property aborts (a finding).

#include "xmpp/xml_parser.hpp"
#include "xmpp/xml_writer.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace xmpp = jigasi::xmpp;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

struct run {
    std::vector<xmpp::xml_event> events;
    std::error_code ec;
};

run feed(std::string_view data, std::size_t split, const xmpp::xml_limits& limits = {}) {
    xmpp::xml_parser p(limits);
    run r;
    for (std::string_view chunk : {data.substr(0, split), data.substr(split)}) {
        r.ec = p.feed(chunk);
        while (auto ev = p.next()) r.events.push_back(std::move(*ev));
    }
    check(r.ec == p.error());
    return r;
}

void check_error(std::error_code ec) {
    if (!ec) return;
    check(ec.category() == xmpp::xml_category());
    const auto cond = xmpp::stream_error_condition(ec);
    check(!cond.empty() && cond != "undefined-condition");
}

void check_stream_round_trip(const run& r) {
    if (r.events.empty() || r.events[0].type != xmpp::xml_event::kind::stream_open) return;
    const auto& header = r.events[0].header;
    std::string again = xmpp::write_stream_open(header);
    std::size_t stanzas = 0;
    for (const auto& ev : r.events) {
        if (ev.type != xmpp::xml_event::kind::stanza) continue;
        xmpp::write(again, ev.stanza, xmpp::in_stream(header.default_ns));
        ++stanzas;
    }
    const run back = feed(again, again.size());
    check(!back.ec);
    check(back.events.size() == stanzas + 1);
    check(back.events[0].header == header);
    std::size_t i = 1;
    for (const auto& ev : r.events) {
        if (ev.type == xmpp::xml_event::kind::stanza) check(back.events[i++].stanza == ev.stanza);
    }
}

void check_fragment(std::string_view data) {
    const auto f = xmpp::parse_fragment(data);
    if (!f) {
        check_error(f.error());
        check(!f.diagnostic().empty());
        return;
    }
    const auto standalone = xmpp::parse_fragment(xmpp::write(*f));
    check(standalone && *standalone == *f);
    const auto in_client = xmpp::parse_fragment(xmpp::write(*f, {xmpp::ns::client, false}));
    check(in_client && *in_client == *f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::size_t split = text.size() * data[0] / 255;

    const run whole = feed(text, text.size());
    const run two = feed(text, split);
    check(static_cast<bool>(two.ec) == static_cast<bool>(whole.ec));
    if (!whole.ec) {
        check(two.events == whole.events);
    } else {
        // Expat may report a different first error for different chunkings (text before "]]>"
        // is delivered when the chunk ends inside it, refused whole otherwise): the events up to
        // the earlier error must agree.
        const auto& a = two.events.size() < whole.events.size() ? two.events : whole.events;
        const auto& b = two.events.size() < whole.events.size() ? whole.events : two.events;
        check(std::equal(a.begin(), a.end(), b.begin()));
    }
    check_error(whole.ec);
    check_stream_round_trip(whole);

    check_fragment(text);

    // Tight limits reach every limit check with small inputs.
    xmpp::xml_limits tight;
    tight.max_stanza_bytes = 200;
    tight.max_depth = 4;
    tight.max_attributes = 3;
    tight.max_buffered_bytes = 300;
    check_error(feed(text, split, tight).ec);
    check_error(xmpp::parse_fragment(text, tight).error());
    return 0;
}
