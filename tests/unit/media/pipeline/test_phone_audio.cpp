// phone_audio: each SIP codec both ways (tone in, tone out), bad input, RFC 4733 both ways, a new
// remote SSRC, and the whole call path phone <-> bridge in one loop.

#include "harness.hpp"
#include "media/pipeline/bridge_audio.hpp"
#include "media/pipeline/phone_audio.hpp"
#include "media/rtp/telephone_event.hpp"

#include <catch2/catch.hpp>

using namespace jigasi::media::pipeline;
using namespace jigasi::test;
namespace rtp = jigasi::media::rtp;
namespace codecs = jigasi::media::codecs;
using namespace std::chrono_literals;

namespace {

phone_config config(const codecs::format& f) {
    phone_config c;
    c.format = f;
    c.local_ssrc = 0x0a0b0c0d;
    c.first_sequence = 10;
    c.first_timestamp = 20;
    return c;
}

std::unique_ptr<codecs::decoder> decoder_for(const codecs::format& f) {
    switch (f.id) {
    case codecs::codec_id::opus: return std::make_unique<codecs::opus_decoder>(f.pt, f.pcm_rate, 20);
    case codecs::codec_id::pcmu: return std::make_unique<codecs::g711_decoder>(codecs::g711_law::ulaw, f.pt, 20);
    case codecs::codec_id::pcma: return std::make_unique<codecs::g711_decoder>(codecs::g711_law::alaw, f.pt, 20);
    case codecs::codec_id::g722: return std::make_unique<codecs::g722_decoder>(f.pt, 20);
    }
    return nullptr;
}

}  // namespace

TEST_CASE("phone: every SIP codec, the phone's tone in and our tone out", "[pipeline]") {
    for (const auto& f : {g711u(), g711a(), g722(), opus48()}) {
        INFO("codec " << codecs::name(f.id));
        auto p = phone_audio::create(config(f));
        REQUIRE(p);
        REQUIRE((*p)->frame_samples() == f.pcm_rate / 50);
        phone_peer peer(f, 1000);
        std::vector<std::int16_t> frame((*p)->frame_samples()), heard;
        for (int t = 0; t < 60; ++t) {
            (*p)->on_rtp(peer.next(), at_tick(t));
            const auto r = (*p)->tick(at_tick(t), frame);
            REQUIRE(r);
            if (t >= 20) {
                CHECK(*r == frame.size());
                heard.insert(heard.end(), frame.begin(), frame.end());
            }
        }
        const auto in = fit_tone(heard, 1000, f.pcm_rate);
        INFO("from the phone: SNR " << in.snr_db << " dB");
        CHECK(in.snr_db > 15);
        CHECK(in.amplitude == Approx(8000).epsilon(0.2));

        auto dec = decoder_for(f);
        std::vector<std::uint8_t> out((*p)->max_packet_size());
        std::vector<std::int16_t> pcm(dec->max_samples()), decoded;
        for (int t = 0; t < 50; ++t) {
            const auto tone = sine(1000, f.pcm_rate, frame.size(), 8000, frame.size() * static_cast<std::size_t>(t));
            const auto n = (*p)->to_phone(tone, at_tick(t), out);
            REQUIRE(n);
            const auto v = rtp::parse(std::span<const std::uint8_t>(out.data(), *n));
            REQUIRE(v);
            CHECK(v->payload_type == f.pt);
            CHECK(v->ssrc == 0x0a0b0c0d);
            CHECK(v->sequence == 10 + t);
            CHECK(v->timestamp == 20 + f.rtp_ticks_per_frame() * static_cast<std::uint32_t>(t));
            CHECK_FALSE(v->has_extension);
            const auto d = dec->decode(v->payload, pcm);
            REQUIRE(d);
            decoded.insert(decoded.end(), pcm.begin(), pcm.begin() + static_cast<std::ptrdiff_t>(*d));
        }
        const auto outfit = fit_tone(std::span(decoded).subspan(decoded.size() / 2), 1000, f.pcm_rate);
        INFO("to the phone: SNR " << outfit.snr_db << " dB");
        CHECK(outfit.snr_db > 15);
        const auto st = (*p)->stats();
        CHECK(st.rx.packets == 60);
        CHECK(st.tx.packets == 50);
        CHECK(st.rx.lost == 0);
    }
}

TEST_CASE("phone: bad packets are counted; a new SSRC restarts the stream", "[pipeline]") {
    auto p = phone_audio::create(config(g711u()));
    REQUIRE(p);
    auto& ph = **p;
    const std::uint8_t payload[160] = {};
    ph.on_rtp(bytes{0x80}, at_tick(0));
    ph.on_rtp(make_packet(0, 1, 1, 1, false, {}), at_tick(0));
    ph.on_rtp(make_packet(13, 1, 1, 1, false, std::span(payload, 1)), at_tick(0));  // CN
    ph.on_rtp(make_packet(8, 1, 1, 1, false, payload), at_tick(0));                 // PCMA, not ours
    ph.on_rtp(make_packet(0, 0x0a0b0c0d, 1, 1, false, payload), at_tick(0));        // looped
    auto st = ph.stats();
    CHECK(st.drops.malformed == 2);
    CHECK(st.drops.unknown_pt == 2);
    CHECK(st.drops.looped == 1);
    CHECK(st.rx.packets == 0);
    CHECK_FALSE(ph.last_rx());

    phone_peer a(g711u(), 500), b(g711u(), 1500);
    b.ssrc = 0x0b0b0b0b;
    b.seq = 40000;
    std::vector<std::int16_t> frame(160), heard;
    for (int t = 0; t < 80; ++t) {
        ph.on_rtp(t < 40 ? a.next() : b.next(), at_tick(t));
        REQUIRE(ph.tick(at_tick(t), frame));
        if (t >= 50) heard.insert(heard.end(), frame.begin(), frame.end());
    }
    CHECK(fit_tone(heard, 1500, 8000).snr_db > 15);
    st = ph.stats();
    CHECK(st.rx.packets == 80);
    CHECK(st.rx.lost == 0);
    CHECK(st.streams == 1);
    CHECK_FALSE(phone_audio::create(config({codecs::codec_id::pcmu, 0, 16000, 8000, 20})));
    auto c = config(g711u());
    c.dtmf_pt = 0;  // no telephone-event: none sent
    auto none = phone_audio::create(c);
    REQUIRE(none);
    CHECK_FALSE((*none)->start_dtmf(1, 100ms, at_tick(0)));
}

TEST_CASE("phone: RFC 4733 from the phone and to it", "[pipeline]") {
    auto p = phone_audio::create(config(g711a()));
    REQUIRE(p);
    rtp::telephone_event_sender keypad({8000, 50ms, 10, 3});
    REQUIRE(keypad.start(9, 200ms, 1000, at_tick(0)));
    std::uint16_t seq = 1;
    std::vector<std::int16_t> frame(160);
    for (int t = 0; t < 30; ++t) {
        while (auto e = keypad.poll(at_tick(t)))
            (*p)->on_rtp(make_packet(101, 77, seq++, e->timestamp, e->marker, e->payload), at_tick(t));
        REQUIRE((*p)->tick(at_tick(t), frame));
    }
    const auto start = (*p)->poll_event();
    REQUIRE(start);
    CHECK(start->report.event == 9);
    const auto end = (*p)->poll_event();
    REQUIRE(end);
    CHECK(end->report.what == rtp::event_report::kind::end);
    CHECK(end->report.duration == 200ms);
    // Audio after the key continues the events' sequence numbers (RFC 4733 §2.1): nothing is lost.
    const std::vector<std::uint8_t> alaw(160, 0xd5);
    for (int t = 30; t < 35; ++t)
        (*p)->on_rtp(make_packet(8, 77, seq++, 1000u + static_cast<std::uint32_t>(t) * 160u, false, alaw), at_tick(t));
    CHECK((*p)->stats().rx.lost == 0);
    CHECK((*p)->stats().rx.packets == static_cast<std::uint64_t>(seq - 1));

    // The web participant's '*' relayed to the phone: 8 kHz events on the phone's SSRC.
    REQUIRE((*p)->start_dtmf(10, 60ms, at_tick(40)));
    std::vector<std::uint8_t> out(64);
    int packets = 0;
    for (int t = 40; t < 50; ++t)
        while (const auto n = (*p)->poll_dtmf(at_tick(t), out)) {
            const auto v = rtp::parse(std::span<const std::uint8_t>(out.data(), n));
            REQUIRE(v);
            CHECK(v->payload_type == 101);
            const auto e = rtp::parse_telephone_event(v->payload);
            REQUIRE(e);
            CHECK(e->event == 10);
            if (e->end) CHECK(e->duration == 480);  // 60 ms at 8 kHz
            ++packets;
        }
    CHECK(packets == 5);  // 3 updates (the last with E) and 2 repeats of the end
}

TEST_CASE("call: web speakers -> phone and phone -> bridge through both legs", "[pipeline]") {
    bridge_config bc;
    bc.local_ssrc = 1;
    auto bridge = bridge_audio::create(bc, 8000);
    auto phone = phone_audio::create(config(g711u()));
    REQUIRE(bridge);
    REQUIRE(phone);
    web_speaker w1(501, 600, 20), w2(502, 1400, 25);
    phone_peer handset(g711u(), 1000);
    codecs::g711_decoder at_phone(codecs::g711_law::ulaw, 0, 20);
    codecs::opus_decoder at_bridge(111, 48000, 20);
    std::vector<std::int16_t> mix(160), from_handset(160), pcm(5760), phone_heard, bridge_heard;
    std::vector<std::uint8_t> out(1500);
    for (int t = 0; t < 80; ++t) {
        const auto now = at_tick(t);
        (*bridge)->on_rtp(w1.next(), now);
        (*bridge)->on_rtp(w2.next(), now);
        (*phone)->on_rtp(handset.next(), now);
        REQUIRE((*bridge)->tick(now, mix));
        auto n = (*phone)->to_phone(mix, now, out);
        REQUIRE(n);
        auto v = rtp::parse(std::span<const std::uint8_t>(out.data(), *n));
        REQUIRE(v);
        auto d = at_phone.decode(v->payload, pcm);
        REQUIRE(d);
        if (t >= 30) phone_heard.insert(phone_heard.end(), pcm.begin(), pcm.begin() + 160);
        REQUIRE((*phone)->tick(now, from_handset));
        n = (*bridge)->from_phone(from_handset, now, out);
        REQUIRE(n);
        v = rtp::parse(std::span<const std::uint8_t>(out.data(), *n));
        REQUIRE(v);
        d = at_bridge.decode(v->payload, pcm);
        REQUIRE(d);
        if (t >= 30) bridge_heard.insert(bridge_heard.end(), pcm.begin(), pcm.begin() + 960);
    }
    // 50 ticks: 8000 samples at 8 kHz, 600 and 1400 Hz in whole cycles.
    CHECK(tone_amplitude(phone_heard, 600, 8000) == Approx(6000).epsilon(0.25));
    CHECK(tone_amplitude(phone_heard, 1400, 8000) == Approx(6000).epsilon(0.25));
    CHECK(tone_amplitude(phone_heard, 1000, 8000) < 100);  // the phone does not hear itself
    const auto fit = fit_tone(bridge_heard, 1000, 48000);
    INFO("handset tone at the bridge: SNR " << fit.snr_db);
    CHECK(fit.snr_db > 15);
}
