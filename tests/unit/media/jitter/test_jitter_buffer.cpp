// The jitter buffer's basic cases: order, duplicates, late and lost packets, wraparound, resets.

#include "media/jitter/harness.hpp"

#include <catch2/catch.hpp>

#include <numeric>

using namespace jigasi::media::jitter;
using namespace jigasi::test;

namespace {

constexpr std::uint32_t ticks = 960;  // 20 ms at 48 kHz

// Packets first..first+n-1 every 20 ms from `t0` ms, timestamps from `ts0`.
std::vector<arrival> stream(std::uint16_t first, int n, std::uint32_t ts0 = 1000, double t0 = 5) {
    std::vector<arrival> v;
    for (int i = 0; i < n; ++i)
        v.push_back({static_cast<std::uint16_t>(first + i), ts0 + static_cast<std::uint32_t>(i) * ticks, t0 + 20.0 * i});
    return v;
}

std::vector<int> iota(int first, int n) {
    std::vector<int> v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), first);
    return v;
}

}  // namespace

TEST_CASE("jitter: packets in order play in order, one per tick", "[jitter]") {
    jb_sim s;
    CHECK(s.get(0).kind == pop_kind::silence);  // nothing yet
    auto out = run(s, stream(100, 30), 10, 10 + 29 * 20);
    CHECK(frames(out) == iota(100, 30));
    CHECK(out[0].r.spurt_start);
    CHECK_FALSE(out[1].r.spurt_start);
    CHECK(out[3].r.timestamp == 1000 + 3 * ticks);
    CHECK(out[3].r.duration == ticks);
    const auto& st = s.jb.statistics();
    CHECK(st.received == 30);
    CHECK(st.lost == 0);
    CHECK(st.concealed == 0);
    CHECK(st.current_delay_ms == 20);
    CHECK(st.target_delay_ms == 20);
    CHECK(st.jitter_ms < 0.1);
}

TEST_CASE("jitter: reordered packets are put back in order", "[jitter]") {
    jb_sim s;
    auto in = stream(10, 20);
    in[3].ms = 64;  // 4 before 3, within the same tick
    in[4].ms = 63;
    std::swap(in[10].ms, in[12].ms);  // 12 early (its slot waits), 10 late by two ticks...
    in[10].ms = in[9].ms + 1;         // ...but still before its playout
    auto out = run(s, in, 10, 10 + 19 * 20);
    CHECK(frames(out) == iota(10, 20));
    CHECK(s.jb.statistics().lost == 0);
    CHECK(s.jb.statistics().late == 0);

    SECTION("and at the very start of a spurt") {
        jb_sim t;
        CHECK(t.put(51, 1000 + ticks, 5) == insert_result::accepted);
        CHECK(t.put(50, 1000, 6) == insert_result::accepted);
        CHECK(seq_of(t.get(10).payload) == 50);
        CHECK(seq_of(t.get(30).payload) == 51);
    }
}

TEST_CASE("jitter: duplicates are dropped and counted", "[jitter]") {
    jb_sim s;
    CHECK(s.put(1, 1000, 5) == insert_result::accepted);
    CHECK(s.put(1, 1000, 6) == insert_result::duplicate);
    CHECK(seq_of(s.get(10).payload) == 1);
    CHECK(s.put(1, 1000, 12) == insert_result::duplicate);  // already played
    CHECK(s.put(2, 1000 + ticks, 25) == insert_result::accepted);
    CHECK(seq_of(s.get(30).payload) == 2);
    CHECK(s.jb.statistics().duplicates == 2);
    CHECK(s.jb.statistics().received == 4);
}

TEST_CASE("jitter: a lost packet is concealed, with FEC from the next one when it is there", "[jitter]") {
    jb_sim s;
    // Packets arrive 30 ms before their tick, so the one after a loss is already buffered.
    auto in = stream(0, 12, 1000, 0);
    in.erase(in.begin() + 5);
    auto out = run(s, in, 30, 30 + 10 * 20);
    REQUIRE(out[5].r.kind == pop_kind::fec);
    CHECK(out[5].r.seq == 5);
    CHECK(out[5].payload_seq == 6);  // decode packet 5 from packet 6's LBRR
    CHECK(out[5].r.timestamp == 1000 + 5 * ticks);
    CHECK(out[5].r.duration == ticks);
    CHECK(out[6].payload_seq == 6);  // then 6 itself
    CHECK(frames(out) == std::vector<int>{0, 1, 2, 3, 4, 6, 7, 8, 9, 10});
    CHECK(s.jb.statistics().lost == 1);
    CHECK(s.jb.statistics().concealed == 1);

    SECTION("two in a row: conceal, then FEC") {
        jb_sim t;
        auto in2 = stream(0, 12, 1000, 0);
        in2.erase(in2.begin() + 5, in2.begin() + 7);
        auto o = run(t, in2, 30, 30 + 10 * 20);
        CHECK(o[5].r.kind == pop_kind::conceal);
        CHECK(o[6].r.kind == pop_kind::fec);
        CHECK(o[6].payload_seq == 7);
        CHECK(t.jb.statistics().lost == 2);
    }
    SECTION("nothing after it yet: conceal in place, no FEC") {
        jb_sim t;
        auto in2 = stream(0, 12);  // arrive just before their tick
        in2.erase(in2.begin() + 5);
        auto o = run(t, in2, 10, 10 + 10 * 20);
        CHECK(o[5].r.kind == pop_kind::conceal);
        CHECK(o[6].payload_seq == 6);  // the concealment stood for 5: no extra delay
        CHECK(frames(o) == std::vector<int>{0, 1, 2, 3, 4, 6, 7, 8, 9, 10});
        CHECK(t.jb.statistics().lost == 1);
    }
}

TEST_CASE("jitter: a packet after its playout is late, not lost", "[jitter]") {
    jb_sim s;
    auto in = stream(0, 12, 1000, 0);
    in[5].ms = 30 + 5 * 20 + 5;  // after the tick that needed it
    auto out = run(s, in, 30, 30 + 10 * 20);
    CHECK(out[5].r.kind == pop_kind::fec);
    CHECK(frames(out) == std::vector<int>{0, 1, 2, 3, 4, 6, 7, 8, 9, 10});
    const auto& st = s.jb.statistics();
    CHECK(st.late == 1);
    CHECK(st.lost == 0);  // it did arrive
    CHECK(st.concealed == 1);
    CHECK(st.target_delay_ms >= 40);  // a late packet raises the target at once
}

TEST_CASE("jitter: a late packet that is waited for grows the delay", "[jitter]") {
    jb_sim s;
    auto in = stream(0, 12);  // just before each tick
    for (std::size_t i = 5; i < in.size(); ++i) in[i].ms += 30;  // from 5 on, 30 ms later
    auto out = run(s, in, 10, 10 + 13 * 20);
    CHECK(out[5].r.kind == pop_kind::conceal);
    CHECK(out[6].r.kind == pop_kind::conceal);
    CHECK(frames(out) == iota(0, 12));  // nothing skipped
    CHECK(s.jb.statistics().lost == 0);
    CHECK(s.jb.statistics().late == 0);
}

TEST_CASE("jitter: sequence numbers wrap at 65535", "[jitter]") {
    jb_sim s;
    auto in = stream(65530, 12);
    in[5].ms = 108;  // 65536 (0) before 65535, across the wrap
    in[6].ms = 107;
    auto out = run(s, in, 10, 10 + 11 * 20);
    std::vector<int> want;
    for (int i = 0; i < 12; ++i) want.push_back((65530 + i) & 0xFFFF);
    CHECK(frames(out) == want);
    CHECK(out[6].r.seq == 0);
    CHECK(s.jb.statistics().lost == 0);
    CHECK(s.jb.statistics().resets == 0);
}

TEST_CASE("jitter: timestamps wrap at 2^32", "[jitter]") {
    jb_sim s;
    const std::uint32_t ts0 = 0xFFFFFFFFu - 2 * ticks + 1;
    auto out = run(s, stream(7, 10, ts0), 10, 10 + 9 * 20);
    CHECK(frames(out) == iota(7, 10));
    CHECK(out[2].r.timestamp == ts0 + 2 * ticks);  // wrapped
    CHECK(out[2].r.duration == ticks);
    CHECK(s.jb.statistics().concealed == 0);
    CHECK(s.jb.statistics().resets == 0);
}

TEST_CASE("jitter: a new SSRC resets the stream", "[jitter]") {
    jb_sim s;
    auto out = run(s, stream(100, 5), 10, 10 + 2 * 20);  // 3 played, 2 still buffered
    s.ssrc = 0xCAFE;
    CHECK(s.put(40000, 777, 65) == insert_result::reset);
    CHECK(s.jb.statistics().resets == 1);
    CHECK(s.jb.statistics().buffered == 1);  // the old SSRC's packets are gone
    auto r = s.get(70);
    CHECK(r.kind == pop_kind::frame);
    CHECK(seq_of(r.payload) == 40000);
    CHECK(r.spurt_start);
}

TEST_CASE("jitter: large jumps", "[jitter]") {
    jb_sim s;
    run(s, stream(100, 5), 10, 10 + 4 * 20);
    SECTION("a sequence jump is a restart once the next packet confirms it (RFC 3550 A.1)") {
        CHECK(s.put(20000, 5000, 105) == insert_result::stray);
        CHECK(s.put(20001, 5000 + ticks, 106) == insert_result::reset);
        CHECK(seq_of(s.get(110).payload) == 20001);
        CHECK(s.jb.statistics().invalid == 1);
    }
    SECTION("a single stray packet changes nothing") {
        CHECK(s.put(30000, 5000, 105) == insert_result::stray);
        CHECK(s.put(105, 1000 + 5 * ticks, 106) == insert_result::accepted);
        CHECK(seq_of(s.get(110).payload) == 105);
    }
    SECTION("a newer packet with an older timestamp starts a new timeline") {
        CHECK(s.put(105, 10, 105) == insert_result::reset);
        CHECK(seq_of(s.get(110).payload) == 105);
    }
}

TEST_CASE("jitter: payloads larger than a slot are refused", "[jitter]") {
    config c;
    c.max_payload = 200;
    jitter_buffer jb(c);
    std::vector<std::uint8_t> big(201);
    CHECK(jb.insert(1, 1, 0, false, big, {}) == insert_result::too_large);
    CHECK(jb.statistics().invalid == 1);
    CHECK(jb.insert(1, 1, 0, false, std::span(big).first(200), {}) == insert_result::accepted);
    CHECK(name(insert_result::too_large) == "too_large");
    CHECK(name(pop_kind::fec) == "fec");
}

TEST_CASE("jitter: 60 ms packets, popped when their audio is used up", "[jitter]") {
    config c;
    c.clock_rate = 8000;
    c.frame_ms = 60;  // the negotiated ptime
    jb_sim s(c);
    std::vector<int> seqs;
    for (int i = 0; i < 4; ++i) {
        s.put(static_cast<std::uint16_t>(i), static_cast<std::uint32_t>(i) * 480, 60.0 * i + 5);
        auto r = s.get(60.0 * i + 10);
        CHECK(r.duration == 480);
        seqs.push_back(seq_of(r.payload));
    }
    CHECK(seqs == std::vector<int>{0, 1, 2, 3});
}
