// bridge_audio toward the phone: the loudest K of several web speakers, decoded straight at the
// phone's rate, heard by Goertzel; speaker changes; unselected streams not decoded; packets of 10,
// 40 ms; an odd phone rate that needs resampling.

#include "harness.hpp"
#include "media/pipeline/bridge_audio.hpp"

#include <catch2/catch.hpp>

using namespace jigasi::media::pipeline;
using namespace jigasi::test;

namespace {

bridge_config config(std::size_t k = 3) {
    bridge_config c;
    c.local_ssrc = 0xabcdef01;
    c.max_speakers = k;
    c.mid_id = 10;
    c.mid = "audio";
    return c;
}

/// Runs `ticks` ticks: every speaker sends its packet at the tick, then the bridge mixes. Returns
/// the phone's audio of ticks [from, ticks).
std::vector<std::int16_t> run(bridge_audio& b, std::vector<web_speaker*> speakers, int first_tick, int ticks,
                              int from) {
    std::vector<std::int16_t> heard;
    std::vector<std::int16_t> frame(b.phone_frame_samples());
    for (int t = first_tick; t < first_tick + ticks; ++t) {
        for (auto* s : speakers) {
            const auto p = s->next();
            b.on_rtp(p, at_tick(t));
        }
        REQUIRE(b.tick(at_tick(t), frame));
        if (t >= first_tick + from) heard.insert(heard.end(), frame.begin(), frame.end());
    }
    return heard;
}

double total_rms(std::span<const std::int16_t> x) { return rms(x); }

}  // namespace

TEST_CASE("bridge: the phone hears exactly the loudest three of five speakers", "[pipeline]") {
    // 8 kHz phone (G.711): Opus decoded straight at 8 kHz, mixed at 8 kHz.
    auto b = bridge_audio::create(config(), 8000);
    REQUIRE(b);
    CHECK((*b)->rates().mix_rate == 8000);
    CHECK((*b)->rates().opus_rate == 8000);
    CHECK_FALSE((*b)->rates().resample_phone);
    // Levels in -dBov: 20 is loudest. Frequencies are whole cycles over the 6400-sample window.
    web_speaker s1(11, 300, 40), s2(22, 550, 20), s3(33, 800, 60), s4(44, 1150, 30), s5(55, 1500, 50);
    const auto heard = run(**b, {&s1, &s2, &s3, &s4, &s5}, 0, 60, 20);
    REQUIRE(heard.size() == 40 * 160);
    const double a1 = tone_amplitude(heard, 300, 8000), a2 = tone_amplitude(heard, 550, 8000),
                 a3 = tone_amplitude(heard, 800, 8000), a4 = tone_amplitude(heard, 1150, 8000),
                 a5 = tone_amplitude(heard, 1500, 8000);
    INFO("amplitudes 300:" << a1 << " 550:" << a2 << " 800:" << a3 << " 1150:" << a4 << " 1500:" << a5);
    // Selected (levels 20, 30, 40): about the sent 6000 each; the others absent (< -40 dB).
    CHECK(a2 == Approx(6000).epsilon(0.2));
    CHECK(a4 == Approx(6000).epsilon(0.2));
    CHECK(a1 == Approx(6000).epsilon(0.2));
    CHECK(a3 < 60);
    CHECK(a5 < 60);
    // Nothing else: the three tones carry almost all of the power (SNR of the mix > 15 dB).
    const double tones = (a1 * a1 + a2 * a2 + a4 * a4) / 2;
    const double all = total_rms(heard) * total_rms(heard);
    INFO("tone power " << tones << " of " << all);
    CHECK(10 * std::log10(tones / std::max(all - tones, 1.0)) > 15);

    std::array<std::uint32_t, 8> who{};
    const auto n = (*b)->speakers(who);
    REQUIRE(n == 3);
    std::sort(who.begin(), who.begin() + 3);
    CHECK(who[0] == 11);
    CHECK(who[1] == 22);
    CHECK(who[2] == 44);
    const auto st = (*b)->stats();
    CHECK(st.streams == 5);
    CHECK(st.rx.packets == 300);
    CHECK(st.drops.malformed == 0);
}

TEST_CASE("bridge: a new loudest speaker takes a place; a quiet one leaves it", "[pipeline]") {
    auto b = bridge_audio::create(config(), 8000);
    REQUIRE(b);
    web_speaker s1(1, 300, 20), s2(2, 550, 25), s3(3, 800, 30), s4(4, 1150, 50);
    (void)run(**b, {&s1, &s2, &s3, &s4}, 0, 40, 40);
    s4.level = 5;   // now the loudest
    s3.level = 70;  // fades
    const auto heard = run(**b, {&s1, &s2, &s3, &s4}, 40, 60, 20);
    CHECK(tone_amplitude(heard, 1150, 8000) == Approx(6000).epsilon(0.2));
    CHECK(tone_amplitude(heard, 800, 8000) < 60);
    CHECK(tone_amplitude(heard, 300, 8000) == Approx(6000).epsilon(0.2));
}

TEST_CASE("bridge: ten speakers cost three decoders", "[pipeline]") {
    auto b = bridge_audio::create(config(), 8000);
    REQUIRE(b);
    std::vector<std::unique_ptr<web_speaker>> owners;
    std::vector<web_speaker*> all;
    for (int i = 0; i < 10; ++i) {
        owners.push_back(std::make_unique<web_speaker>(100 + i, 250 + 100 * i, 10 + 5 * i));
        all.push_back(owners.back().get());
    }
    const auto heard = run(**b, all, 0, 60, 20);
    const auto st = (*b)->stats();
    INFO("decoder calls over 60 ticks: " << st.frames_decoded);
    // K = 3 streams decoded per tick (none enters or leaves here): 3 x 60 at most.
    CHECK(st.frames_decoded <= 3 * 60);
    CHECK(st.streams == 10);
    for (int i = 0; i < 10; ++i) {
        const double a = tone_amplitude(heard, 250 + 100 * i, 8000);
        INFO("speaker " << i << ": " << a);
        if (i < 3)
            CHECK(a > 4000);
        else
            CHECK(a < 60);
    }
}

TEST_CASE("bridge: an unsignalled SSRC plays; remove_source silences one", "[pipeline]") {
    auto b = bridge_audio::create(config(), 16000);  // a G.722 phone: everything at 16 kHz
    REQUIRE(b);
    CHECK((*b)->rates().mix_rate == 16000);
    CHECK((*b)->add_source(1));
    CHECK((*b)->add_source(2));
    web_speaker s1(1, 500, 30), s2(2, 1000, 30), s3(3, 2000, 30);  // 3 was never announced
    auto heard = run(**b, {&s1, &s2, &s3}, 0, 40, 20);
    CHECK(tone_amplitude(heard, 2000, 16000) > 4000);
    CHECK(tone_amplitude(heard, 500, 16000) > 4000);
    (*b)->remove_source(1);
    heard = run(**b, {&s2, &s3}, 40, 40, 10);
    CHECK(tone_amplitude(heard, 500, 16000) < 60);
    CHECK(tone_amplitude(heard, 1000, 16000) > 4000);
    CHECK((*b)->stats().streams == 2);
}

TEST_CASE("bridge: 10 ms and 40 ms packets play continuously", "[pipeline]") {
    for (const std::uint32_t ms : {10u, 40u}) {
        auto b = bridge_audio::create(config(), 48000);  // an Opus phone: mixed at 48 kHz
        REQUIRE(b);
        web_speaker s(7, 1000, 20, 6000, ms);
        std::vector<std::int16_t> heard, frame(960);
        for (int t = 0; t < 80; ++t) {
            // Packets go out when their audio is complete: two per tick (10 ms), every other tick (40 ms).
            if (ms == 10) {
                b.value()->on_rtp(s.next(), at_tick(t));
                b.value()->on_rtp(s.next(), at_tick(t));
            } else if (t % 2 == 0) {
                b.value()->on_rtp(s.next(), at_tick(t));
            }
            REQUIRE((*b)->tick(at_tick(t), frame));
            if (t >= 30) heard.insert(heard.end(), frame.begin(), frame.end());
        }
        const auto fit = fit_tone(heard, 1000, 48000);
        INFO(ms << " ms packets: SNR " << fit.snr_db << " dB, amplitude " << fit.amplitude);
        CHECK(fit.snr_db > 15);
        CHECK((*b)->stats().playout.concealed == 0);
    }
}

TEST_CASE("bridge: a phone rate Opus does not code is resampled on the phone side only", "[pipeline]") {
    auto b = bridge_audio::create(config(), 32000);
    REQUIRE(b);
    CHECK((*b)->rates().mix_rate == 48000);
    CHECK((*b)->rates().resample_phone);
    web_speaker s(5, 1000, 20);
    const auto heard = run(**b, {&s}, 0, 50, 20);
    REQUIRE(heard.size() == 30 * 640);
    const auto fit = fit_tone(heard, 1000, 32000);
    INFO("48 kHz mix -> 32 kHz phone: SNR " << fit.snr_db);
    CHECK(fit.snr_db > 15);

    std::vector<std::int16_t> frame(640);
    std::vector<std::uint8_t> out((*b)->max_packet_size());
    for (int t = 0; t < 5; ++t) {
        const auto pcm = sine(1000, 32000, 640, 8000, 640 * static_cast<std::size_t>(t));
        const auto n = (*b)->from_phone(pcm, at_tick(100 + t), out);
        REQUIRE(n);
        CHECK(*n > 12);
    }
}

TEST_CASE("bridge: configurations that cannot work are refused", "[pipeline]") {
    auto c = config();
    CHECK_FALSE(bridge_audio::create(c, 11025));  // not a whole number of samples per 20 ms
    CHECK_FALSE(bridge_audio::create(c, 4000));
    c.audio_level_id = 15;  // needs the two-byte form
    CHECK_FALSE(bridge_audio::create(c, 8000));
    c.extmap_allow_mixed = true;
    CHECK(bridge_audio::create(c, 8000));
    c = config();
    c.mid = "a-mid-longer-than-16";
    CHECK_FALSE(bridge_audio::create(c, 8000));
    c = config();
    c.dtmf_pt = c.opus_pt;
    CHECK_FALSE(bridge_audio::create(c, 8000));
    c = config();
    c.opus_pt = 72;  // RFC 5761 §4: would read as RTCP
    const auto r = bridge_audio::create(c, 8000);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == jigasi::media::codecs::errc::bad_parameter);
    CHECK_FALSE(r.error().diagnostic.empty());
    c = config();
    c.max_speakers = 0;
    CHECK_FALSE(bridge_audio::create(c, 8000));
}

TEST_CASE("bridge: with every stream busy, a louder newcomer takes the quietest one's place", "[pipeline]") {
    auto c = config(2);
    c.max_streams = 4;
    auto b = bridge_audio::create(c, 8000);
    REQUIRE(b);
    web_speaker n1(1, 300, 50), n2(2, 550, 55), n3(3, 800, 60), n4(4, 1150, 65);  // background noise
    (void)run(**b, {&n1, &n2, &n3, &n4}, 0, 20, 20);
    web_speaker quiet(5, 1500, 90), loud(6, 2000, 10);
    auto heard = run(**b, {&n1, &n2, &n3, &n4, &quiet}, 20, 10, 10);
    auto st = (*b)->stats();
    CHECK(st.drops.no_stream == 10);  // quieter than all four: no place for it
    CHECK(st.evictions == 0);
    heard = run(**b, {&n1, &n2, &n3, &n4, &loud}, 30, 40, 20);
    st = (*b)->stats();
    CHECK(st.evictions == 1);  // n4, the quietest, not decoded
    CHECK(st.streams == 4);
    CHECK(tone_amplitude(heard, 2000, 8000) == Approx(6000).epsilon(0.2));
    CHECK(tone_amplitude(heard, 300, 8000) == Approx(6000).epsilon(0.2));
    CHECK(tone_amplitude(heard, 550, 8000) < 60);  // K = 2: the newcomer and n1
    CHECK(st.drops.no_stream == 10 + 39);            // n4's packets after it lost its place
}
