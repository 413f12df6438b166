// Once created, neither leg allocates: packets in (good, bad, new SSRCs, events, RTCP), ticks,
// frames out, telephone-events and reports, with speakers coming and going.

#include "harness.hpp"
#include "media/pipeline/bridge_audio.hpp"
#include "media/pipeline/phone_audio.hpp"
#include "media/rtp/telephone_event.hpp"
#include "support/count_new.hpp"

#include <catch2/catch.hpp>

using namespace jigasi::media::pipeline;
using namespace jigasi::test;
namespace rtp = jigasi::media::rtp;
using namespace std::chrono_literals;
namespace alloc = jigasi::test;

TEST_CASE("pipeline: no allocation per packet or per tick", "[pipeline]") {
    if (!alloc::allocation_counting_works()) {
        WARN("another operator new replacement is linked in; allocation not counted here");
        return;
    }
    constexpr int ticks = 300;
    // Everything the peers send is made first: their encoders are not what is measured.
    std::vector<std::vector<bytes>> to_bridge(ticks), to_phone(ticks);
    {
        std::vector<std::unique_ptr<web_speaker>> web;
        for (int i = 0; i < 6; ++i) web.push_back(std::make_unique<web_speaker>(900 + i, 300 + 150 * i, 20 + 7 * i));
        phone_peer handset(g711u(), 1000);
        rtp::telephone_event_sender keys({8000, 50ms, 10, 3});
        std::uint16_t event_seq = 1;
        for (int t = 0; t < ticks; ++t) {
            for (int i = 0; i < 6; ++i) {
                // Speakers join late, pause, change loudness; one packet in 17 is lost.
                auto& w = *web[static_cast<std::size_t>(i)];
                w.level = 20 + ((i * 13 + t / 25) % 6) * 9;
                auto p = w.next();
                if (t < i * 20 || (t / 40) % 3 == i % 3 || (t + i) % 17 == 0) continue;
                to_bridge[static_cast<std::size_t>(t)].push_back(std::move(p));
            }
            if (t % 60 == 5) (void)keys.start(static_cast<std::uint8_t>(t % 10), 100ms, 8000u * static_cast<std::uint32_t>(t), at_tick(t));
            while (auto e = keys.poll(at_tick(t)))
                to_bridge[static_cast<std::size_t>(t)].push_back(make_packet(126, 900, event_seq++, e->timestamp, e->marker, e->payload));
            to_bridge[static_cast<std::size_t>(t)].push_back(bytes{0x80, 111, 0});  // malformed
            to_phone[static_cast<std::size_t>(t)].push_back(handset.next());
        }
    }
    bridge_config bc;
    bc.local_ssrc = 0x42;
    bc.max_streams = 4;  // fewer than the speakers: streams are evicted and reused
    bc.stream_idle_evict = 200ms;
    bc.mid_id = 10;
    bc.mid = "audio";
    auto bridge = bridge_audio::create(bc, 8000);
    phone_config pc;
    pc.format = g711u();
    pc.local_ssrc = 0x43;
    auto phone = phone_audio::create(pc);
    REQUIRE(bridge);
    REQUIRE(phone);
    auto& b = **bridge;
    auto& p = **phone;
    std::vector<std::int16_t> mix(160), handset(160);
    std::vector<std::uint8_t> out(1500), rtcp(1500), bridge_rtcp(1500);
    std::uint64_t sent = 0, reports = 0, events = 0;

    const auto before = alloc::allocations();
    for (int t = 0; t < ticks; ++t) {
        const auto now = at_tick(t);
        for (const auto& pkt : to_bridge[static_cast<std::size_t>(t)]) b.on_rtp(pkt, now);
        for (const auto& pkt : to_phone[static_cast<std::size_t>(t)]) p.on_rtp(pkt, now);
        if (!b.tick(now, mix)) break;
        if (auto n = p.to_phone(mix, now, out); n && *n > 0) ++sent;
        if (!p.tick(now, handset)) break;
        if (auto n = b.from_phone(handset, now, out); n && *n > 0) ++sent;
        while (auto e = b.poll_event())
            if (e->report.what == rtp::event_report::kind::start) {
                ++events;
                (void)p.start_dtmf(e->report.event, 100ms, now);
            }
        while (p.poll_dtmf(now, out) > 0) ++sent;
        if (t == 150) (void)b.start_dtmf(3, 80ms, now);
        while (b.poll_dtmf(now, out) > 0) ++sent;
        if (const auto n = b.poll_rtcp(now, rtcp)) {
            ++reports;
            b.on_rtcp(std::span<const std::uint8_t>(rtcp.data(), n), now);  // its own report: parsed, no block about us
        }
        if (p.poll_rtcp(now, rtcp) > 0) ++reports;
        if (t % 50 == 0) {
            b.remove_source(900 + static_cast<std::uint32_t>(t / 50));
            (void)b.stats();
            (void)p.stats();
        }
    }
    const auto allocated = alloc::allocations() - before;
    CHECK(allocated == 0);
    CHECK(sent >= 2 * ticks - 20);
    CHECK(reports >= 4);
    CHECK(events >= 4);
    const auto st = b.stats();
    INFO("streams " << st.streams << " no_stream drops " << st.drops.no_stream << " decoded " << st.frames_decoded);
    CHECK(st.drops.malformed == ticks);
    CHECK(st.frames_decoded > 0);
}
