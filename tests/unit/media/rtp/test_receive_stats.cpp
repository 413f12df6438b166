// Receive statistics (RFC 3550 A.1 sequence validation, A.3 loss, A.8 jitter) and the outgoing
// stream's sequence/timestamp continuity, with explicit time.

#include "media/rtp/receive_stats.hpp"
#include "media/rtp/send_stream.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace jigasi::media::rtp;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {
const clock_type::time_point t0 = clock_type::time_point{} + 1000s;

receive_stats::config cfg(std::uint16_t min_sequential = 2, std::uint32_t rate = 48000) {
    receive_stats::config c;
    c.clock_rate = rate;
    c.min_sequential = min_sequential;
    return c;
}
}  // namespace

TEST_CASE("rtp stats: probation, then in order across the sequence wrap", "[rtp]") {
    receive_stats s(0xabc, cfg(2));
    CHECK(s.on_packet(65530, 0, 160, t0) == seq_status::probation);
    std::uint16_t seq = 65531;
    for (int i = 0; i < 9; ++i, ++seq)
        CHECK(s.on_packet(seq, 960u * (i + 1), 160, t0 + 20ms * (i + 1)) == seq_status::valid);
    // 65531..65535 and 0..3: base 65531, one wrap.
    CHECK(s.extended_highest_seq() == 65536 + 3);
    CHECK(s.expected() == 9);
    CHECK(s.received() == 9);
    CHECK(s.cumulative_lost() == 0);
    const auto b = s.make_report_block(t0 + 200ms);
    CHECK(b.ssrc == 0xabc);
    CHECK(b.extended_highest_seq == 65539);
    CHECK(b.fraction_lost == 0);
    CHECK(b.cumulative_lost == 0);
    CHECK(b.last_sr == 0);
    CHECK(b.delay_since_last_sr == 0);
}

TEST_CASE("rtp stats: a broken probation starts over", "[rtp]") {
    receive_stats s(1, cfg(2));
    CHECK(s.on_packet(100, 0, 0, t0) == seq_status::probation);
    CHECK(s.on_packet(500, 0, 0, t0) == seq_status::probation);  // not 101
    CHECK(s.on_packet(501, 0, 0, t0) == seq_status::valid);
    CHECK(s.expected() == 1);
    receive_stats one(2, cfg(1));
    CHECK(one.on_packet(7, 0, 0, t0) == seq_status::valid);  // MIN_SEQUENTIAL 1: at once
}

TEST_CASE("rtp stats: fraction lost and cumulative lost per report interval (A.3)", "[rtp]") {
    receive_stats s(1, cfg(1));
    const std::set<int> lost1{5, 17, 18, 30, 44, 45, 46, 70, 71, 99};  // 10 of 0..99
    for (int i = 0; i < 100; ++i)
        if (!lost1.count(i)) s.on_packet(static_cast<std::uint16_t>(i), 0, 0, t0);
    auto b = s.make_report_block(t0);
    CHECK(b.extended_highest_seq == 98);  // 99 was lost: the highest seen is 98
    // expected 99 (0..98), received 90: 9 lost; fraction (9 << 8) / 99 = 23
    CHECK(b.cumulative_lost == 9);
    CHECK(b.fraction_lost == 23);
    // Next interval 99..199, 99 itself lost (counted now), 5 more lost.
    const std::set<int> lost2{120, 121, 150, 160, 199};
    for (int i = 100; i < 200; ++i)
        if (!lost2.count(i)) s.on_packet(static_cast<std::uint16_t>(i), 0, 0, t0);
    b = s.make_report_block(t0);
    CHECK(b.extended_highest_seq == 198);
    CHECK(b.cumulative_lost == 9 + 5);
    // expected_interval 100 (99..198), received_interval 95: 5 -> (5 << 8) / 100 = 12
    CHECK(b.fraction_lost == 12);
    // Nothing new: nothing lost in this interval.
    b = s.make_report_block(t0);
    CHECK(b.fraction_lost == 0);
    CHECK(b.cumulative_lost == 14);
}

TEST_CASE("rtp stats: duplicates make loss negative, nearly all lost is 255", "[rtp]") {
    receive_stats s(1, cfg(1));
    for (int i = 0; i < 10; ++i) s.on_packet(static_cast<std::uint16_t>(i), 0, 0, t0);
    for (int i = 5; i < 10; ++i) CHECK(s.on_packet(static_cast<std::uint16_t>(i), 0, 0, t0) == seq_status::valid);
    auto b = s.make_report_block(t0);
    CHECK(b.cumulative_lost == -5);
    CHECK(b.fraction_lost == 0);
    // A jump within MAX_DROPOUT with nothing in between: all of the interval lost but the last.
    s.on_packet(2009, 0, 0, t0);
    b = s.make_report_block(t0);
    CHECK(b.fraction_lost == 255);  // (1999 << 8) / 2000
}

TEST_CASE("rtp stats: a large jump counts only when the next packet follows it", "[rtp]") {
    receive_stats s(1, cfg(1));
    for (int i = 0; i < 10; ++i) s.on_packet(static_cast<std::uint16_t>(100 + i), 0, 0, t0);
    CHECK(s.on_packet(20000, 0, 0, t0) == seq_status::bad_jump);
    CHECK(s.on_packet(110, 0, 0, t0) == seq_status::valid);  // the old stream goes on
    CHECK(s.on_packet(30000, 0, 0, t0) == seq_status::bad_jump);
    CHECK(s.on_packet(30001, 0, 0, t0) == seq_status::valid);  // a restarted sender
    CHECK(s.extended_highest_seq() == 30001);
    CHECK(s.expected() == 1);
    CHECK(s.received() == 1);
    // A late packet within MAX_MISORDER is counted but does not move the highest.
    CHECK(s.on_packet(29990, 0, 0, t0) == seq_status::valid);
    CHECK(s.extended_highest_seq() == 30001);
}

TEST_CASE("rtp stats: jitter is 0 for a constant delay", "[rtp]") {
    receive_stats s(1, cfg(1));
    for (int i = 0; i < 200; ++i)
        s.on_packet(static_cast<std::uint16_t>(i), 5000u + 960u * i, 100, t0 + 20ms * i + 37ms);
    CHECK(s.jitter() == 0);
    CHECK(s.payload_bytes() == 200 * 100);
}

TEST_CASE("rtp stats: jitter converges to |D| for alternating delays (A.8)", "[rtp]") {
    receive_stats s(1, cfg(1));
    // Delays alternate 0 and 10 ms: every |D| is 10 ms = 480 units at 48 kHz.
    for (int i = 0; i < 400; ++i)
        s.on_packet(static_cast<std::uint16_t>(i), 960u * i, 0, t0 + 20ms * i + (i % 2 ? 10ms : 0ms));
    CHECK(s.jitter() >= 478);
    CHECK(s.jitter() <= 480);
    CHECK(s.jitter_ms() == Approx(10).margin(0.05));
    // After 16 packets the estimate has covered 1 - (15/16)^16 = 64 % of the way.
    receive_stats e(1, cfg(1));
    for (int i = 0; i < 17; ++i)
        e.on_packet(static_cast<std::uint16_t>(i), 960u * i, 0, t0 + 20ms * i + (i % 2 ? 10ms : 0ms));
    CHECK(e.jitter() == Approx(480 * 0.644).margin(5));
}

TEST_CASE("rtp stats: shared timestamps, late packets and timestamp jumps leave jitter alone", "[rtp]") {
    receive_stats s(1, cfg(1));
    s.on_packet(0, 0, 0, t0);
    s.on_packet(1, 960, 0, t0 + 20ms);
    // Telephone-event updates: the same timestamp, 50 ms apart.
    s.on_packet(2, 960, 0, t0 + 70ms);
    s.on_packet(3, 960, 0, t0 + 120ms);
    CHECK(s.jitter() == 0);
    s.on_packet(5, 2880, 0, t0 + 60ms);
    s.on_packet(4, 1920, 0, t0 + 500ms);  // very late, reordered: no jitter sample
    CHECK(s.jitter() == 0);
    s.on_packet(6, 2880u + 48000u * 100, 0, t0 + 80ms);  // the sender's timestamp jumps 100 s
    CHECK(s.jitter() == 0);
    s.on_packet(7, 2880u + 48000u * 100 + 960, 0, t0 + 100ms);
    CHECK(s.jitter() == 0);
}

TEST_CASE("rtp stats: LSR and DLSR of the report block (§6.4.1)", "[rtp]") {
    receive_stats s(1, cfg(1));
    s.on_packet(1, 0, 0, t0);
    s.on_sender_report(0x1234'b705'2000'abcdull, t0);
    const auto b = s.make_report_block(t0 + 5250ms);
    CHECK(b.last_sr == 0xb705'2000);
    CHECK(b.delay_since_last_sr == 0x0005'4000);  // 5.25 s in 1/65536 s
}

TEST_CASE("rtp send: continuous frames, a pause, a source change", "[rtp]") {
    send_stream::config c;
    c.ssrc = 42;
    c.clock_rate = 48000;
    c.first_sequence = 65534;
    c.first_timestamp = 0xffffff00;
    send_stream s(c);
    auto a = s.next_frame(960, 80, t0);
    CHECK(a.marker);
    CHECK(a.sequence == 65534);
    CHECK(a.timestamp == 0xffffff00);
    a = s.next_frame(960, 80, t0 + 20ms);
    CHECK_FALSE(a.marker);
    CHECK(a.sequence == 65535);
    CHECK(a.timestamp == 0xffffff00 + 960);
    // The tick was 30 ms late but audio is continuous: the sampling clock rules.
    a = s.next_frame(960, 80, t0 + 70ms);
    CHECK_FALSE(a.marker);
    CHECK(a.sequence == 0);
    CHECK(a.timestamp == 0xffffff00u + 1920u);
    // A one-second pause: the timestamp follows the wall clock, the marker starts the talk spurt.
    a = s.next_frame(960, 80, t0 + 1070ms);
    CHECK(a.marker);
    CHECK(a.sequence == 1);
    CHECK(a.timestamp == 0xffffff00u + 1920u + 48000u);
    // Another source takes over right away: contiguous, marked, never stepping back.
    s.resync();
    a = s.next_frame(960, 80, t0 + 1075ms);
    CHECK(a.marker);
    CHECK(a.sequence == 2);
    CHECK(a.timestamp == 0xffffff00u + 1920u + 48000u + 960u);
    CHECK(s.timestamp_at(t0 + 1085ms) == a.timestamp + 480);
    // A telephone event between frames takes a sequence number too.
    CHECK(s.next_sequence(4) == 3);
    CHECK(s.next_frame(960, 80, t0 + 1095ms).sequence == 4);
    CHECK(s.packets_sent() == 7);
    CHECK(s.octets_sent() == 6 * 80 + 4);
}

TEST_CASE("rtp send: SR only while we sent since the report before the previous (§6.4)", "[rtp]") {
    send_stream::config c;
    c.clock_rate = 8000;
    send_stream s(c);
    CHECK_FALSE(s.report(1, t0));
    s.next_frame(160, 160, t0);
    s.next_frame(160, 160, t0 + 20ms);
    auto r = s.report(0x1234'5678'0000'0000ull, t0 + 40ms);
    REQUIRE(r);
    CHECK(r->ntp == 0x1234'5678'0000'0000ull);
    CHECK(r->rtp_timestamp == 160 + 160);
    CHECK(r->packet_count == 2);
    CHECK(r->octet_count == 320);
    CHECK(s.report(2, t0 + 1s));  // nothing new, but sent since the second previous report
    CHECK_FALSE(s.report(3, t0 + 2s));
}
