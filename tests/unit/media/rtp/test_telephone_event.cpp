// RFC 4733 telephone-events: payload, the sender's packet sequence (§2.5.1) and a receiver that
// reports each digit once (§2.5.2).

#include "media/rtp/telephone_event.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using namespace jigasi::media::rtp;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using bytes = std::vector<std::uint8_t>;

namespace {

const clock_type::time_point t0 = clock_type::time_point{} + 100s;

struct sent {
    clock_type::time_point at;
    event_packet p;
};

/// Run the sender with a 10 ms timer until it goes idle.
std::vector<sent> run(telephone_event_sender& s, clock_type::time_point from, clock_type::duration limit = 30s) {
    std::vector<sent> out;
    for (auto now = from; now < from + limit && (s.busy() || now == from); now += 10ms)
        while (auto p = s.poll(now)) out.push_back({now, *p});
    return out;
}

std::vector<event_report> feed(telephone_event_receiver& r, const event_packet& p, clock_type::time_point at) {
    const auto reports = r.on_packet(p.event, p.timestamp, p.marker, at);
    return {reports.all().begin(), reports.all().end()};
}

}  // namespace

TEST_CASE("telephone-event: payload round trip and the digit map", "[rtp]") {
    const telephone_event e{5, true, 10, 800};
    const auto b = encode_telephone_event(e);
    CHECK(bytes(b.begin(), b.end()) == bytes{0x05, 0x8a, 0x03, 0x20});
    const auto back = parse_telephone_event(b);
    REQUIRE(back);
    CHECK(*back == e);
    // R is ignored, extra bytes too; fewer than 4 is an error.
    const auto r = parse_telephone_event(bytes{11, 0x7f, 0xff, 0xff, 1, 2});
    REQUIRE(r);
    CHECK(r->event == 11);
    CHECK_FALSE(r->end);
    CHECK(r->volume == 63);
    CHECK(r->duration == 0xffff);
    CHECK(parse_telephone_event(bytes{1, 2, 3}).error().code == errc::truncated);

    const std::string_view chars = "0123456789*#ABCD";
    for (std::uint8_t ev = 0; ev < 16; ++ev) {
        CHECK(event_to_char(ev) == chars[ev]);
        CHECK(event_from_char(chars[ev]) == ev);
    }
    CHECK(event_to_char(event_flash) == '!');
    CHECK(event_from_char('!') == event_flash);
    CHECK(event_from_char('b') == 13);
    CHECK(event_from_char('x') == std::nullopt);
    CHECK(event_to_char(17) == std::nullopt);
}

TEST_CASE("telephone-event: sender packets for a 200 ms digit (§2.5.1)", "[rtp]") {
    telephone_event_sender s({});
    REQUIRE(s.start(5, 200ms, 1000, t0));
    CHECK_FALSE(s.start(6, 100ms, 2000, t0));  // one at a time
    CHECK(s.deadline() == t0);
    const auto pkts = run(s, t0);
    // 50 ms updates at 8 kHz: 400, 800, 1200, 1600 (end), then the end twice more.
    REQUIRE(pkts.size() == 6);
    const std::vector<std::uint16_t> durations{400, 800, 1200, 1600, 1600, 1600};
    for (std::size_t i = 0; i < pkts.size(); ++i) {
        INFO("packet " << i);
        CHECK(pkts[i].at == t0 + 50ms * static_cast<int>(i));
        CHECK(pkts[i].p.marker == (i == 0));
        CHECK(pkts[i].p.timestamp == 1000);
        CHECK(pkts[i].p.event.event == 5);
        CHECK(pkts[i].p.event.volume == 10);
        CHECK(pkts[i].p.event.duration == durations[i]);
        CHECK(pkts[i].p.event.end == (i >= 3));
        CHECK(pkts[i].p.payload == encode_telephone_event(pkts[i].p.event));
    }
    CHECK_FALSE(s.busy());
    CHECK(s.deadline() == std::nullopt);
    CHECK(s.start(6, 100ms, 3000, t0 + 1s));
}

TEST_CASE("telephone-event: update interval is configurable, stop() ends early", "[rtp]") {
    telephone_event_sender::config c;
    c.update_interval = 20ms;
    c.clock_rate = 48000;
    telephone_event_sender s(c);
    REQUIRE(s.start(1, 100ms, 0, t0));
    const auto pkts = run(s, t0);
    REQUIRE(pkts.size() == 5 + 2);
    CHECK(pkts[0].p.event.duration == 960);
    CHECK(pkts[4].p.event.duration == 4800);
    CHECK(pkts[4].p.event.end);
    CHECK(pkts[6].at == t0 + 120ms);

    telephone_event_sender long_press({});
    REQUIRE(long_press.start(2, 10s, 0, t0));
    std::vector<event_packet> got;
    for (auto now = t0; now <= t0 + 100ms; now += 10ms)
        while (auto p = long_press.poll(now)) got.push_back(*p);
    long_press.stop(t0 + 120ms);  // released: 960 units, less than the 1200 already reported
    for (auto now = t0 + 110ms; long_press.busy(); now += 10ms)
        while (auto p = long_press.poll(now)) got.push_back(*p);
    REQUIRE(got.size() == 3 + 3);
    CHECK(got[2].event.duration == 1200);
    for (std::size_t i = 3; i < got.size(); ++i) {
        CHECK(got[i].event.end);
        CHECK(got[i].event.duration == 1200);  // never less than already reported
    }
}

TEST_CASE("telephone-event: a tone longer than the duration field is split (§2.5.1.3)", "[rtp]") {
    telephone_event_sender s({});
    REQUIRE(s.start(9, 10s, 0xffff'0000, t0));  // 80000 units: one full segment and a rest
    const auto pkts = run(s, t0);
    std::size_t markers = 0, old_finals = 0, ends = 0;
    std::uint32_t second_ts = 0xffff'0000u + 0xffffu;
    for (const auto& x : pkts) {
        markers += x.p.marker;
        if (x.p.timestamp == 0xffff'0000u) {
            CHECK_FALSE(x.p.event.end);
            if (x.p.event.duration == 0xffff) ++old_finals;
        } else {
            CHECK(x.p.timestamp == second_ts);
            CHECK(x.p.event.duration <= 80000 - 0xffff);
            if (x.p.event.end) {
                ++ends;
                CHECK(x.p.event.duration == 80000 - 0xffff);
            }
        }
    }
    CHECK(markers == 1);
    CHECK(old_finals == 3);  // the segment's last packet, three times
    CHECK(ends == 3);

    // A receiver puts the segments back together: one digit, 10 s.
    telephone_event_receiver r({});
    std::vector<event_report> reports;
    for (const auto& x : pkts)
        for (const auto& rep : feed(r, x.p, x.at)) reports.push_back(rep);
    REQUIRE(reports.size() == 2);
    CHECK(reports[0].what == event_report::kind::start);
    CHECK(reports[1].what == event_report::kind::end);
    CHECK(reports[1].duration_units == 80000);
    CHECK(reports[1].duration == 10s);
    CHECK_FALSE(reports[1].end_missing);
    CHECK(reports[1].timestamp == 0xffff'0000u);
}

TEST_CASE("telephone-event: the receiver reports each digit once", "[rtp]") {
    telephone_event_sender s({});
    REQUIRE(s.start(5, 200ms, 1000, t0));
    auto pkts = run(s, t0);
    REQUIRE(s.start(11, 100ms, 4000, t0 + 1s));
    const auto second = run(s, t0 + 1s);
    pkts.insert(pkts.end(), second.begin(), second.end());

    // Every packet twice (a retransmitting network), and the second digit reordered.
    std::vector<sent> wire;
    for (const auto& x : pkts) {
        wire.push_back(x);
        wire.push_back(x);
    }
    std::swap(wire[12], wire[14]);  // the second digit's end packet overtakes its start

    telephone_event_receiver r({});
    std::vector<event_report> reports;
    for (const auto& x : wire)
        for (const auto& rep : feed(r, x.p, x.at)) reports.push_back(rep);
    REQUIRE(reports.size() == 4);
    CHECK(reports[0].what == event_report::kind::start);
    CHECK(reports[0].event == 5);
    CHECK(reports[1].what == event_report::kind::end);
    CHECK(reports[1].event == 5);
    CHECK(reports[1].duration == 200ms);
    CHECK_FALSE(reports[1].end_missing);
    CHECK(reports[2].event == 11);
    CHECK(reports[3].what == event_report::kind::end);
    CHECK(reports[3].duration == 100ms);
    CHECK(r.deadline() == std::nullopt);
}

TEST_CASE("telephone-event: lost packets at either end", "[rtp]") {
    telephone_event_receiver r({});
    auto pkt = [](std::uint8_t ev, bool end, std::uint16_t dur) { return telephone_event{ev, end, 10, dur}; };

    // The start packet (with M) is lost: the first update starts the digit.
    auto rep = r.on_packet(pkt(1, false, 800), 100, false, t0);
    REQUIRE(rep.count == 1);
    CHECK(rep.items[0].what == event_report::kind::start);
    CHECK(rep.items[0].duration_units == 800);

    // All end packets are lost: the timeout ends it.
    CHECK(r.deadline() == t0 + 400ms);
    CHECK(r.on_timer(t0 + 399ms).count == 0);
    rep = r.on_timer(t0 + 400ms);
    REQUIRE(rep.count == 1);
    CHECK(rep.items[0].what == event_report::kind::end);
    CHECK(rep.items[0].end_missing);
    CHECK(rep.items[0].duration == 100ms);
    // ... and its end packets arriving after all change nothing.
    CHECK(r.on_packet(pkt(1, true, 1200), 100, false, t0 + 450ms).count == 0);

    // Only an end packet makes it: start and end at once.
    rep = r.on_packet(pkt(2, true, 1600), 2000, false, t0 + 1s);
    REQUIRE(rep.count == 2);
    CHECK(rep.items[0].what == event_report::kind::start);
    CHECK(rep.items[1].what == event_report::kind::end);
    CHECK(rep.items[1].duration == 200ms);

    // A new digit before the last one's end: the last one ends (missing its end), the new starts.
    r.on_packet(pkt(3, false, 400), 5000, true, t0 + 2s);
    rep = r.on_packet(pkt(3, false, 400), 7000, true, t0 + 2200ms);  // the same digit again
    REQUIRE(rep.count == 2);
    CHECK(rep.items[0].what == event_report::kind::end);
    CHECK(rep.items[0].end_missing);
    CHECK(rep.items[0].timestamp == 5000);
    CHECK(rep.items[1].what == event_report::kind::start);
    CHECK(rep.items[1].timestamp == 7000);

    // A late update of an older event is ignored.
    CHECK(r.on_packet(pkt(3, false, 800), 5000, false, t0 + 2300ms).count == 0);
    CHECK(r.on_packet(pkt(7, true, 800), 4000, false, t0 + 2300ms).count == 0);
}
