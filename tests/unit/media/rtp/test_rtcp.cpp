// RTCP compound packets (RFC 3550 §6): build and parse back, skip what an audio gateway ignores,
// refuse bad lengths; NTP time and RTT (§6.4.1); the report interval (§6.3).

#include "media/rtp/ntp.hpp"
#include "media/rtp/rtcp.hpp"
#include "media/rtp/rtcp_scheduler.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using namespace jigasi::media::rtp;
using namespace std::chrono_literals;
using bytes = std::vector<std::uint8_t>;

namespace {

bytes write(const rtcp_report& r) {
    bytes out(1500);
    const auto n = write_rtcp(r, out);
    REQUIRE(n);
    out.resize(*n);
    return out;
}

report_block block(std::uint32_t ssrc, std::int32_t lost) {
    report_block b;
    b.ssrc = ssrc;
    b.fraction_lost = 25;
    b.cumulative_lost = lost;
    b.extended_highest_seq = 0x0001'0042;
    b.jitter = 123;
    b.last_sr = 0xb705'2000;
    b.delay_since_last_sr = 0x0005'4000;
    return b;
}

}  // namespace

TEST_CASE("rtcp: SR + SDES CNAME + BYE round trip", "[rtp]") {
    const std::vector<report_block> blocks{block(0x1111, 7), block(0x2222, -5)};
    rtcp_report r;
    r.ssrc = 0xcafe;
    r.sender = sender_info{0x1122'3344'5566'7788ull, 96000, 1000, 160000};
    r.blocks = blocks;
    r.cname = "jigasi@example";
    r.bye = true;
    r.bye_reason = "bye";
    const auto pkt = write(r);
    CHECK(pkt.size() == 76 + 28 + 12);
    CHECK(*rtcp_size(r) == pkt.size());
    CHECK(pkt[0] == 0x82);  // V=2, RC=2
    CHECK(pkt[1] == 200);
    CHECK(pkt[3] == 76 / 4 - 1);

    const auto s = parse_rtcp(pkt);
    REQUIRE(s);
    REQUIRE(s->sender_reports().size() == 1);
    CHECK(s->senders[0].ssrc == 0xcafe);
    CHECK(s->senders[0].info == *r.sender);
    REQUIRE(s->report_blocks().size() == 2);
    CHECK(s->blocks[0].reporter == 0xcafe);
    CHECK(s->blocks[0].block == blocks[0]);
    CHECK(s->blocks[1].block == blocks[1]);
    CHECK(s->blocks[1].block.cumulative_lost == -5);
    REQUIRE(s->cname_items().size() == 1);
    CHECK(s->cnames[0].ssrc == 0xcafe);
    CHECK(s->cnames[0].cname == "jigasi@example");
    REQUIRE(s->bye_ssrcs().size() == 1);
    CHECK(s->bye[0] == 0xcafe);
    CHECK(s->receiver_reports == 0);
    CHECK(s->dropped == 0);
}

TEST_CASE("rtcp: RR without blocks, CNAME sizes at the word boundary", "[rtp]") {
    for (std::size_t len = 1; len <= 9; ++len) {
        const std::string cname(len, 'c');
        rtcp_report r;
        r.ssrc = 9;
        r.cname = cname;
        const auto pkt = write(r);
        CHECK(pkt.size() % 4 == 0);
        const auto s = parse_rtcp(pkt);
        REQUIRE(s);
        CHECK(s->receiver_reports == 1);
        CHECK(s->sender_count == 0);
        CHECK(s->block_count == 0);
        REQUIRE(s->cname_count == 1);
        CHECK(s->cnames[0].cname == cname);
    }
}

TEST_CASE("rtcp: cumulative loss is clamped to 24 bits", "[rtp]") {
    const std::vector<report_block> blocks{block(1, 0x7fffffff), block(2, -0x7fffffff)};
    rtcp_report r;
    r.cname = "x";
    r.blocks = blocks;
    const auto s = parse_rtcp(write(r));
    REQUIRE(s);
    CHECK(s->blocks[0].block.cumulative_lost == 0x7fffff);
    CHECK(s->blocks[1].block.cumulative_lost == -0x800000);
}

TEST_CASE("rtcp: APP, XR, unknown types and RFC 4585 feedback are skipped", "[rtp]") {
    rtcp_report r;
    r.ssrc = 5;
    r.cname = "c";
    auto pkt = write(r);
    const bytes extra{
        0x81, 205, 0, 3, 0, 0, 0, 5, 0, 0, 0, 6, 0, 1, 0, 0,  // RTPFB generic NACK
        0x81, 206, 0, 2, 0, 0, 0, 5, 0, 0, 0, 6,              // PSFB PLI
        0x80, 204, 0, 2, 0, 0, 0, 5, 'n', 'a', 'm', 'e',      // APP
        0x80, 207, 0, 1, 0, 0, 0, 5,                          // XR without blocks
        0x80, 210, 0, 0,                                      // unknown, empty
    };
    pkt.insert(pkt.end(), extra.begin(), extra.end());
    const auto s = parse_rtcp(pkt);
    REQUIRE(s);
    CHECK(s->feedback == 2);
    CHECK(s->other == 3);
    CHECK(s->cname_count == 1);
    // A reduced-size packet (RFC 5506) on its own is fine too.
    const auto pli = parse_rtcp(bytes(extra.begin() + 16, extra.begin() + 28));
    REQUIRE(pli);
    CHECK(pli->feedback == 1);
}

TEST_CASE("rtcp: padding on the last packet only", "[rtp]") {
    rtcp_report r;
    r.cname = "c";
    auto pkt = write(r);
    bytes padded{0xa0, 204, 0, 3, 0, 0, 0, 1, 'n', 'a', 'm', 'e', 0, 0, 0, 4};  // APP + 4 padding
    auto ok = pkt;
    ok.insert(ok.end(), padded.begin(), padded.end());
    CHECK(parse_rtcp(ok));
    auto bad = padded;
    bad.insert(bad.end(), pkt.begin(), pkt.end());
    CHECK(parse_rtcp(bad).error().code == errc::bad_padding);
}

TEST_CASE("rtcp: malformed compounds are refused whole", "[rtp]") {
    rtcp_report r;
    r.ssrc = 1;
    r.cname = "cname";
    const std::vector<report_block> blocks{block(2, 1)};
    r.blocks = blocks;
    const auto good = write(r);
    struct row {
        const char* what;
        bytes packet;
        errc expected;
    };
    auto edit = [&](std::size_t at, std::uint8_t v) {
        auto b = good;
        b[at] = v;
        return b;
    };
    const std::vector<row> rows{
        {"empty", {}, errc::truncated},
        {"3 bytes", {0x80, 201, 0}, errc::truncated},
        {"version 1", edit(0, 0x41), errc::bad_version},
        {"length past the end", edit(3, 0x40), errc::bad_length},
        {"RC 3, one block", edit(0, 0x83), errc::truncated},
        {"SDES item past its packet", edit(41, 200), errc::truncated},
        {"SDES 2 chunks, one present", edit(32, 0x82), errc::truncated},
        {"padding count 0", {0xa0, 201, 0, 1, 0, 0, 0, 0}, errc::bad_padding},
        {"padding past the body", {0xa0, 201, 0, 1, 0, 0, 0, 9}, errc::bad_padding},
        {"BYE 2 SSRCs, one present", {0x82, 203, 0, 1, 0, 0, 0, 1}, errc::truncated},
        {"BYE reason past the end", {0x81, 203, 0, 2, 0, 0, 0, 1, 9, 'a', 'b', 'c'}, errc::truncated},
        {"trailing 2 bytes", [&] { auto b = good; b.push_back(0x80); b.push_back(201); return b; }(),
         errc::truncated},
    };
    for (const auto& row : rows) {
        INFO(row.what);
        const auto s = parse_rtcp(row.packet);
        REQUIRE_FALSE(s);
        CHECK(s.error().code == row.expected);
    }
    // Every truncation of a good compound fails or parses inside the buffer.
    for (std::size_t n = 0; n < good.size(); ++n) (void)parse_rtcp(bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n)));
}

TEST_CASE("rtcp: writing refuses what does not fit", "[rtp]") {
    rtcp_report r;
    CHECK(rtcp_size(r).error().code == errc::bad_field);  // no CNAME
    r.cname = std::string(256, 'x');
    CHECK(rtcp_size(r).error().code == errc::bad_field);
    r.cname = "x";
    const std::vector<report_block> many(32);
    r.blocks = many;
    CHECK(rtcp_size(r).error().code == errc::bad_field);
    r.blocks = {};
    bytes small(10);
    CHECK(write_rtcp(r, small).error().code == errc::buffer_too_small);
}

TEST_CASE("rtcp: NTP time of the wall clock", "[rtp]") {
    using sys = std::chrono::system_clock;
    CHECK(to_ntp(sys::time_point{}) == ntp_unix_offset << 32);
    CHECK(to_ntp(sys::time_point{} + 1500ms) == (((ntp_unix_offset + 1) << 32) | 0x8000'0000u));
    CHECK(ntp_mid32(0x1234'5678'9abc'def0ull) == 0x5678'9abc);
}

TEST_CASE("rtcp: round-trip time from LSR and DLSR (§6.4.1 example)", "[rtp]") {
    // §6.4.1: A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000 (46853.125 s),
    // DLSR = 0x0005:4000 (5.250 s): the delay is 0x0006:2000, 6.125 s.
    CHECK(round_trip_time(0xb710'8000, 0xb705'2000, 0x0005'4000) == std::chrono::microseconds{6'125'000});
    CHECK(round_trip_time(0xb710'8000, 0, 0x0005'4000) == std::nullopt);
    CHECK(round_trip_time(0xb705'2000, 0xb705'2000, 0x10) == std::chrono::microseconds{0});
    // Across the 16.16 wrap.
    CHECK(round_trip_time(0x0000'4000, 0xffff'c000, 0) == std::chrono::microseconds{500'000});
}

TEST_CASE("rtcp: RTT through SR -> report block -> back", "[rtp]") {
    using steady = std::chrono::steady_clock;
    const auto wall = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 50);
    const auto mono = steady::time_point{} + 100s;
    // We send an SR at `wall`; the peer gets it 40 ms later and reports 100 ms after that; its
    // report reaches us 40 ms later.
    const ntp_time sent = to_ntp(wall);
    receive_stats peer(0xcafe, {8000, 1, 3000, 100});
    peer.on_packet(1, 0, 0, mono);
    peer.on_sender_report(sent, mono + 40ms);
    const report_block b = peer.make_report_block(mono + 140ms);
    rtcp_report rr;
    rr.ssrc = 0xbeef;
    const std::vector<report_block> blocks{b};
    rr.blocks = blocks;
    rr.cname = "peer";
    const auto s = parse_rtcp(write(rr));
    REQUIRE(s);
    const auto& got = s->blocks[0].block;
    const auto rtt = round_trip_time(ntp_mid32(to_ntp(wall + 180ms)), got.last_sr, got.delay_since_last_sr);
    REQUIRE(rtt);
    CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(*rtt).count() == Approx(80).margin(1));
}

TEST_CASE("rtcp: report interval, minimum and randomization (§6.3)", "[rtp]") {
    using steady = std::chrono::steady_clock;
    const auto now = steady::time_point{} + 10s;
    rtcp_scheduler s({}, 1);
    CHECK(s.deterministic_interval(false) == 1s);  // 128 B * 2 / 400 B/s = 0.64 s < 1 s
    CHECK(s.deterministic_interval(true) == 640ms);
    const auto first = s.first(now) - now;
    CHECK(first >= 320ms);
    CHECK(first <= 960ms);
    std::chrono::milliseconds lo = 10s, hi = 0ms;
    for (int i = 0; i < 2000; ++i) {
        const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(s.on_sent(72, now) - now);
        lo = std::min(lo, d);
        hi = std::max(hi, d);
    }
    CHECK(lo >= 500ms);
    CHECK(lo < 550ms);
    CHECK(hi <= 1500ms);
    CHECK(hi > 1450ms);
    CHECK(s.average_size() == Approx(100).margin(0.5));  // converged on 72 + 28
    // Big compounds on a thin RTCP share stretch the interval past the minimum.
    rtcp_scheduler big({1000ms, 1600, 2}, 1);
    for (int i = 0; i < 200; ++i) big.on_received(472);
    CHECK(big.deterministic_interval(false).count() == Approx(5'000'000).margin(100));  // 500 B * 2 / 200 B/s
    // The same seed gives the same schedule.
    rtcp_scheduler a({}, 77), b2({}, 77);
    CHECK(a.on_sent(100, now) == b2.on_sent(100, now));
}
