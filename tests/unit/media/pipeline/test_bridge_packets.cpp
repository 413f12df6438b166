// bridge_audio's packets: what from_phone() sends (header, extensions, the tone inside), bad
// input counted and ignored, reordering and loss, RFC 4733 both ways, RTCP (SR, RTT, BYE).

#include "harness.hpp"
#include "media/pipeline/bridge_audio.hpp"
#include "media/rtp/rtcp.hpp"
#include "media/rtp/telephone_event.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace jigasi::media::pipeline;
using namespace jigasi::test;
namespace rtp = jigasi::media::rtp;
namespace codecs = jigasi::media::codecs;
using namespace std::chrono_literals;

namespace {

bridge_config config() {
    bridge_config c;
    c.local_ssrc = 0x11223344;
    c.first_sequence = 65530;  // wraps during the test
    c.first_timestamp = 77;
    c.mid_id = 10;
    c.mid = "audio";
    return c;
}

}  // namespace

TEST_CASE("bridge: from_phone sends Opus with our SSRC, level and mid; it decodes to the tone", "[pipeline]") {
    auto b = bridge_audio::create(config(), 8000);
    REQUIRE(b);
    std::vector<std::uint8_t> out((*b)->max_packet_size());
    codecs::opus_decoder dec(111, 48000, 20);
    std::vector<std::int16_t> decoded, pcm48(dec.max_samples());
    for (int t = 0; t < 50; ++t) {
        const auto pcm = sine(1000, 8000, 160, 8000, 160 * static_cast<std::size_t>(t));
        const auto n = (*b)->from_phone(pcm, at_tick(t), out);
        REQUIRE(n);
        REQUIRE(*n > 0);
        const auto v = rtp::parse(std::span<const std::uint8_t>(out.data(), *n));
        REQUIRE(v);
        CHECK(v->payload_type == 111);
        CHECK(v->ssrc == 0x11223344);
        CHECK(v->sequence == static_cast<std::uint16_t>(65530 + t));
        CHECK(v->timestamp == 77u + 960u * static_cast<std::uint32_t>(t));  // the 48 kHz RTP clock
        CHECK(v->marker == (t == 0));
        const auto level = rtp::find_extension(*v, 1);
        REQUIRE(level);
        const auto a = rtp::read_audio_level(*level);
        REQUIRE(a);
        CHECK(a->level == rtp::compute_audio_level(pcm));
        CHECK(a->voice);
        const auto mid = rtp::find_extension(*v, 10);
        REQUIRE(mid);
        CHECK(std::string(mid->begin(), mid->end()) == "audio");
        const auto d = dec.decode(v->payload, pcm48);
        REQUIRE(d);
        REQUIRE(*d == 960);
        decoded.insert(decoded.end(), pcm48.begin(), pcm48.begin() + 960);
    }
    const auto fit = fit_tone(std::span(decoded).subspan(9600), 1000, 48000);
    INFO("phone 8 kHz -> Opus at 8 kHz -> decoded at 48 kHz: SNR " << fit.snr_db << " dB");
    CHECK(fit.snr_db > 15);
    CHECK((*b)->stats().tx.packets == 50);
    CHECK((*b)->stats().frames_encoded == 50);

    std::vector<std::int16_t> wrong(159);
    CHECK_FALSE((*b)->from_phone(wrong, at_tick(60), out));
    std::vector<std::uint8_t> tiny(8);
    std::vector<std::int16_t> frame(160);
    CHECK_FALSE((*b)->from_phone(frame, at_tick(61), tiny));
    CHECK_FALSE((*b)->tick(at_tick(62), wrong));
}

TEST_CASE("bridge: malformed, short and foreign packets are counted and ignored", "[pipeline]") {
    auto b = bridge_audio::create(config(), 8000);
    REQUIRE(b);
    auto& br = **b;
    const std::uint8_t opus_frame[] = {0x08, 1, 2, 3};
    const auto now = at_tick(0);
    br.on_rtp(bytes{}, now);                                  // empty
    br.on_rtp(bytes{0x80, 111, 0, 1, 0}, now);                // shorter than a header
    auto v1 = make_packet(111, 5, 1, 1, false, opus_frame);
    v1[0] = 0x40;                                             // version 1
    br.on_rtp(v1, now);
    auto pad = make_packet(111, 5, 1, 1, false, opus_frame);
    pad[0] |= 0x20;                                           // padding count 3 > ... the last byte says 3
    pad.back() = 200;                                         // more padding than payload
    br.on_rtp(pad, now);
    auto ext = make_packet(111, 5, 1, 1, false, opus_frame, 30);
    ext[15] = 40;                                             // extension length beyond the packet
    br.on_rtp(ext, now);
    br.on_rtp(make_packet(111, 5, 1, 1, false, {}), now);     // no Opus TOC byte
    CHECK(br.stats().drops.malformed == 6);
    br.on_rtp(make_packet(0, 5, 1, 1, false, opus_frame), now);    // PCMU: not negotiated here
    br.on_rtp(make_packet(13, 5, 2, 1, false, opus_frame), now);   // comfort noise
    br.on_rtp(make_packet(100, 5, 3, 1, false, opus_frame), now);  // video
    CHECK(br.stats().drops.unknown_pt == 3);
    br.on_rtp(make_packet(111, 0x11223344, 1, 1, false, opus_frame), now);  // our own SSRC
    CHECK(br.stats().drops.looped == 1);
    br.on_rtcp(bytes{0x81, 201, 0, 40, 1, 2, 3, 4}, now);     // length beyond the compound
    br.on_rtp(bytes{0x80, 200, 0, 1}, now);                   // RTCP-looking, truncated: to on_rtcp
    CHECK(br.stats().drops.malformed == 8);
    br.on_rtp(make_packet(126, 5, 4, 1, false, std::span(opus_frame, 2)), now);  // a 2-byte event
    CHECK(br.stats().drops.malformed == 9);
    // A corrupt Opus payload reaches the decoder, which refuses it: concealed and counted.
    web_speaker s(9, 1000, 20);
    std::vector<std::int16_t> frame(160);
    for (int t = 0; t < 20; ++t) {
        auto p = s.next();
        if (t == 10) {
            const std::uint8_t bad[] = {0xff, 0xff, 0xff};  // code 3 TOC with an impossible count
            p = make_packet(111, 9, static_cast<std::uint16_t>(s.seq - 1), s.ts - 960, false, bad, 20);
        }
        br.on_rtp(p, at_tick(t));
        REQUIRE(br.tick(at_tick(t), frame));
    }
    const auto st = br.stats();
    CHECK(st.streams == 1);  // none of the bad packets made a stream
    CHECK(st.drops.decode_errors == 1);
    CHECK(st.rx.packets == 20);
    CHECK(br.last_rx() == at_tick(19));
}

TEST_CASE("bridge: reordered packets play in order; lost ones are recovered or concealed", "[pipeline]") {
    for (const bool lose : {false, true}) {
        INFO((lose ? "reordering and 4 % loss" : "reordering only"));
        auto b = bridge_audio::create(config(), 48000);
        REQUIRE(b);
        web_speaker s(9, 1000, 20);
        s.enc.set_packet_loss_perc(20);  // the sender spends on in-band FEC
        std::vector<std::int16_t> heard, frame(960);
        bytes held;
        int dropped = 0, quiet_ticks = 0;
        for (int t = 0; t < 150; ++t) {
            auto p = s.next();
            if (lose && t % 25 == 12) {
                ++dropped;  // lost in the network
            } else if (t % 10 == 3) {
                held = std::move(p);  // overtaken by the next one
            } else {
                (*b)->on_rtp(p, at_tick(t));
                if (!held.empty()) (*b)->on_rtp(held, at_tick(t));
                held.clear();
            }
            REQUIRE((*b)->tick(at_tick(t), frame));
            if (t < 20) continue;
            heard.insert(heard.end(), frame.begin(), frame.end());
            quiet_ticks += rms(frame) < 1000;
        }
        const auto st = (*b)->stats();
        const auto fit = fit_tone(heard, 1000, 48000);
        INFO("lost " << st.rx.lost << " concealed " << st.playout.concealed << " fec " << st.playout.fec << " late "
                     << st.playout.late << " delay " << st.playout.delay_ms << " SNR " << fit.snr_db
                     << " quiet ticks " << quiet_ticks);
        CHECK(st.rx.lost == dropped);
        CHECK(st.rx.loss_percent == Approx(100.0 * dropped / 150).margin(0.5));
        CHECK(st.playout.late == 0);  // the reordered ones came in time
        if (!lose) {
            // At most the first reordering, while the buffer was still at its minimum, costs a
            // concealed frame (and grows the delay); after it nothing is audible.
            CHECK(st.playout.concealed <= 1);
            CHECK(fit.snr_db > 25);
            CHECK(quiet_ticks == 0);
        } else {
            CHECK(st.playout.concealed >= static_cast<std::uint64_t>(dropped));
            CHECK(st.playout.fec >= 1);
            // Opus PLC on a pure tone dips for about two frames and rings a little while after
            // (the codec's own behaviour: tests/unit/media/codecs take 6 dB for a FEC frame).
            CHECK(quiet_ticks <= 2 * dropped);
            CHECK(fit.snr_db > 6);
            CHECK(st.rx_quality.mos > 3.5);
        }
    }
}

TEST_CASE("bridge: telephone-events from a web participant come out as key presses", "[pipeline]") {
    auto b = bridge_audio::create(config(), 8000);
    REQUIRE(b);
    rtp::telephone_event_sender web({8000, 50ms, 10, 3});
    REQUIRE(web.start(5, 120ms, 4000, at_tick(0)));
    std::uint16_t seq = 300;
    std::vector<std::int16_t> frame(160);
    for (int t = 0; t < 20; ++t) {
        while (auto p = web.poll(at_tick(t)))
            (*b)->on_rtp(make_packet(126, 42, seq++, p->timestamp, p->marker, p->payload), at_tick(t));
        REQUIRE((*b)->tick(at_tick(t), frame));
    }
    auto start = (*b)->poll_event();
    REQUIRE(start);
    CHECK(start->ssrc == 42);
    CHECK(start->report.what == rtp::event_report::kind::start);
    CHECK(start->report.event == 5);
    auto end = (*b)->poll_event();
    REQUIRE(end);
    CHECK(end->report.what == rtp::event_report::kind::end);
    CHECK(end->report.duration == 120ms);
    CHECK_FALSE(end->report.end_missing);
    CHECK_FALSE((*b)->poll_event());
    CHECK((*b)->stats().dtmf_received == 1);
}

TEST_CASE("bridge: a key from the phone goes out as RFC 4733 on our SSRC, in place of audio", "[pipeline]") {
    auto b = bridge_audio::create(config(), 8000);
    REQUIRE(b);
    std::vector<std::uint8_t> out((*b)->max_packet_size());
    const auto pcm = sine(440, 8000, 160, 5000);
    std::uint16_t expect_seq = 65530;
    for (int t = 0; t < 3; ++t) {
        REQUIRE((*b)->from_phone(pcm, at_tick(t), out));
        ++expect_seq;
    }
    REQUIRE((*b)->start_dtmf(11, 100ms, at_tick(3)));  // '#'
    CHECK_FALSE((*b)->start_dtmf(1, 100ms, at_tick(3)));  // busy
    int events = 0, ends = 0, audio_during = 0;
    for (int t = 3; t < 20; ++t) {
        while (const auto n = (*b)->poll_dtmf(at_tick(t), out)) {
            const auto v = rtp::parse(std::span<const std::uint8_t>(out.data(), n));
            REQUIRE(v);
            CHECK(v->payload_type == 126);
            CHECK(v->ssrc == 0x11223344);
            CHECK(v->sequence == expect_seq++);
            CHECK(v->marker == (events == 0));
            const auto e = rtp::parse_telephone_event(v->payload);
            REQUIRE(e);
            CHECK(e->event == 11);
            ends += e->end;
            ++events;
        }
        const auto n = (*b)->from_phone(pcm, at_tick(t), out);
        REQUIRE(n);
        if (*n > 0) {
            const auto v = rtp::parse(std::span<const std::uint8_t>(out.data(), *n));
            REQUIRE(v);
            CHECK(v->sequence == expect_seq++);
            if (ends == 0) ++audio_during;
            if (ends == 3 && audio_during == 0) {
                CHECK(v->marker);  // audio resumes as a new talk spurt
                audio_during = -1;
            }
        }
    }
    CHECK(ends == 3);  // RFC 4733 §2.5.1.4: the end packet three times
    CHECK(events >= 5);
    CHECK(audio_during == -1);
    CHECK((*b)->stats().dtmf_sent == 1);
}

TEST_CASE("bridge: RTCP reports, the round trip and BYE", "[pipeline]") {
    auto c = config();
    c.rtcp.cname = "jigasi-test";
    c.rtcp.anchor = {t0, std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56)};
    auto b = bridge_audio::create(c, 8000);
    REQUIRE(b);
    web_speaker s(42, 1000, 20);
    std::vector<std::uint8_t> out((*b)->max_packet_size()), rtcp(512);
    std::vector<std::int16_t> frame(160);
    std::optional<rtp::rtcp_summary> sent;
    bytes sent_bytes;
    int sent_tick = -1;
    for (int t = 0; t < 100 && !sent; ++t) {
        (*b)->on_rtp(s.next(), at_tick(t));
        REQUIRE((*b)->tick(at_tick(t), frame));
        REQUIRE((*b)->from_phone(frame, at_tick(t), out));
        if (const auto n = (*b)->poll_rtcp(at_tick(t), rtcp)) {
            sent_bytes.assign(rtcp.begin(), rtcp.begin() + static_cast<std::ptrdiff_t>(n));
            auto parsed = rtp::parse_rtcp(sent_bytes);
            REQUIRE(parsed);
            sent = *parsed;
            sent_tick = t;
        }
    }
    REQUIRE(sent);
    INFO("first report at tick " << sent_tick);
    // §6.2/A.7: max(0.64 s from the initial average size, half the 1 s minimum), randomised over
    // [0.5, 1.5]: ticks 16..48.
    CHECK(sent_tick >= 15);
    CHECK(sent_tick <= 49);
    REQUIRE(sent->sender_count == 1);
    CHECK(sent->senders[0].ssrc == 0x11223344);
    CHECK(sent->senders[0].info.packet_count == static_cast<std::uint32_t>(sent_tick + 1));
    REQUIRE(sent->block_count == 1);
    CHECK(sent->blocks[0].block.ssrc == 42);
    CHECK(sent->blocks[0].block.fraction_lost == 0);
    REQUIRE(sent->cname_count == 1);
    CHECK(sent->cnames[0].cname == "jigasi-test");
    CHECK((*b)->next_rtcp() > at_tick(sent_tick));

    // The bridge answers 150 ms later, having held our SR for 50 ms: RTT 100 ms.
    rtp::report_block about_us;
    about_us.ssrc = 0x11223344;
    about_us.fraction_lost = 64;  // 25 %
    about_us.cumulative_lost = 3;
    about_us.jitter = 480;  // 10 ms at 48 kHz
    about_us.last_sr = rtp::ntp_mid32(sent->senders[0].info.ntp);
    about_us.delay_since_last_sr = 65536 / 20;
    rtp::rtcp_report rr;
    rr.ssrc = 0x0b0b0b0b;
    rr.blocks = std::span(&about_us, 1);
    rr.cname = "jvb";
    std::vector<std::uint8_t> in(256);
    const auto rn = rtp::write_rtcp(rr, in);
    REQUIRE(rn);
    (*b)->on_rtcp(std::span<const std::uint8_t>(in.data(), *rn), at_tick(sent_tick) + 150ms);
    const auto st = (*b)->stats();
    REQUIRE(st.rtt);
    CHECK(st.rtt->count() == Approx(100000).margin(100));
    CHECK(st.tx.loss_percent == Approx(25));
    CHECK(st.tx.lost == 3);
    CHECK(st.tx.jitter_ms == Approx(10));
    CHECK(st.tx_quality.mos < st.rx_quality.mos);
    CHECK(st.rtcp_received == 1);
    CHECK(st.rtcp_sent == 1);

    // BYE from the speaker's SSRC ends its stream.
    rtp::rtcp_report bye;
    bye.ssrc = 42;
    bye.cname = "web";
    bye.bye = true;
    const auto bn = rtp::write_rtcp(bye, in);
    REQUIRE(bn);
    (*b)->on_rtcp(std::span<const std::uint8_t>(in.data(), *bn), at_tick(sent_tick + 1));
    CHECK((*b)->stats().streams == 0);
    const auto last = (*b)->write_bye(at_tick(sent_tick + 2), rtcp);
    REQUIRE(last > 0);
    const auto parsed = rtp::parse_rtcp(std::span<const std::uint8_t>(rtcp.data(), last));
    REQUIRE(parsed);
    REQUIRE(parsed->bye_count == 1);
    CHECK(parsed->bye[0] == 0x11223344);
}
