// The per-packet paths of media/rtp allocate nothing: parse, extensions, statistics, RTCP both
// ways, telephone events, the outgoing stream state and the audio level.

#include "support/count_new.hpp"
#include "media/rtp/call_quality.hpp"
#include "media/rtp/header_extension.hpp"
#include "media/rtp/packet.hpp"
#include "media/rtp/receive_stats.hpp"
#include "media/rtp/rtcp.hpp"
#include "media/rtp/send_stream.hpp"
#include "media/rtp/telephone_event.hpp"

#include <catch2/catch.hpp>

#include <array>

using namespace jigasi::media::rtp;
using namespace std::chrono_literals;
namespace alloc = jigasi::test;

TEST_CASE("rtp: the packet paths do not allocate", "[rtp]") {
    if (!alloc::allocation_counting_works()) {
        WARN("another operator new replacement is linked in; allocation not counted here");
        return;
    }
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::time_point{} + 10s;
    receive_stats stats(7, {});
    send_stream out({7, 48000, 1, 2, 100ms});
    telephone_event_sender dtmf_out({});
    telephone_event_receiver dtmf_in({});
    std::array<std::uint8_t, 1500> buf{};
    std::array<std::uint8_t, 256> rtcp_buf{};
    std::array<std::int16_t, 960> pcm{};
    for (std::size_t i = 0; i < pcm.size(); ++i) pcm[i] = static_cast<std::int16_t>((i % 50) * 300);
    const std::array<std::uint8_t, 80> payload{};

    const auto before = alloc::allocations();
    std::size_t failures = 0;
    for (int i = 0; i < 500; ++i) {
        const auto now = t0 + 20ms * i;
        const auto stamp = out.next_frame(960, payload.size(), now);
        const std::uint8_t level = encode_audio_level({true, compute_audio_level(pcm)});
        const std::array<extension_element, 2> ext{extension_element{1, {&level, 1}}, mid_element(10, "audio")};
        header h;
        h.marker = stamp.marker;
        h.payload_type = 111;
        h.sequence = stamp.sequence;
        h.timestamp = stamp.timestamp;
        h.ssrc = out.ssrc();
        h.extensions = ext;
        const auto n = write_packet(h, payload, buf);
        if (!n) { ++failures; continue; }
        const auto v = parse(std::span<const std::uint8_t>(buf.data(), *n));
        if (!v) { ++failures; continue; }
        if (!find_extension(*v, 1) || !read_audio_level(*find_extension(*v, 1))) ++failures;
        stats.on_packet(v->sequence, v->timestamp, v->payload.size(), now + 5ms);
        if (parse(std::span<const std::uint8_t>(buf.data(), 5))) ++failures;  // the error path too

        if (i % 50 == 0) {
            if (!dtmf_out.busy()) dtmf_out.start(5, 100ms, out.timestamp_at(now), now);
            stats.on_sender_report(0x1234'5678'9abc'def0ull, now);
            const std::array<report_block, 1> blocks{stats.make_report_block(now + 10ms)};
            rtcp_report r;
            r.ssrc = out.ssrc();
            r.sender = out.report(0x1234'5678'0000'0000ull, now);
            r.blocks = blocks;
            r.cname = "jigasi-0123456789abcdef";
            const auto m = write_rtcp(r, rtcp_buf);
            if (!m) { ++failures; continue; }
            const auto s = parse_rtcp(std::span<const std::uint8_t>(rtcp_buf.data(), *m));
            if (!s || s->block_count != 1) ++failures;
            (void)round_trip_time(0xb710'8000, 0xb705'2000, 0x0005'4000);
            (void)estimate_quality({impairment_for("opus"), 1, 1, 40ms, 5ms, std::nullopt});
        }
        while (auto p = dtmf_out.poll(now)) {
            const auto e = parse_telephone_event(p->payload);
            if (!e) { ++failures; continue; }
            (void)out.next_sequence(p->payload.size());
            (void)dtmf_in.on_packet(*e, p->timestamp, p->marker, now);
        }
        (void)dtmf_in.on_timer(now);
    }
    const auto after = alloc::allocations();  // before any CHECK: reporting one may allocate
    CHECK(failures == 0);
    CHECK(after == before);
}
