// G.711 µ-law and A-law: round trips of tones, any payload length, concealment.

#include "media/codecs/g711.hpp"
#include "media/codecs/signal.hpp"

#include <catch2/catch.hpp>

using namespace jigasi::media::codecs;
using jigasi::test::fit_tone;
using jigasi::test::sine;

namespace {

// Encodes and decodes one second of a tone in 20 ms frames; returns the decoded audio.
std::vector<std::int16_t> round_trip(g711_law law, double freq, double amp) {
    g711_encoder enc(law, law == g711_law::ulaw ? 0 : 8, 20);
    g711_decoder dec(law, law == g711_law::ulaw ? 0 : 8, 20);
    const auto in = sine(freq, 8000, 8000, amp);
    std::vector<std::int16_t> out;
    std::vector<std::uint8_t> payload(enc.max_payload());
    std::vector<std::int16_t> pcm(dec.max_samples());
    for (std::size_t i = 0; i < in.size(); i += 160) {
        auto n = enc.encode(std::span(in).subspan(i, 160), payload);
        REQUIRE(n);
        REQUIRE(*n == 160);
        auto m = dec.decode(std::span(payload).first(*n), pcm);
        REQUIRE(m);
        out.insert(out.end(), pcm.begin(), pcm.begin() + static_cast<std::ptrdiff_t>(*m));
    }
    return out;
}

}  // namespace

TEST_CASE("G.711 round trips of 400 Hz and 1 kHz tones", "[codecs][g711]") {
    // 400 Hz and 1 kHz divide 8 kHz, so their quantisation error repeats with the tone and the
    // figure depends on the sample values hit; the usual 1004 Hz test tone avoids that.
    for (auto law : {g711_law::ulaw, g711_law::alaw}) {
        for (double freq : {400.0, 1000.0, 1004.0}) {
            const auto out = round_trip(law, freq, 10000);
            REQUIRE(out.size() == 8000);
            const auto fit = fit_tone(out, freq, 8000);
            INFO((law == g711_law::ulaw ? "PCMU " : "PCMA ") << freq << " Hz: SNR " << fit.snr_db << " dB");
            // G.711 is a companded 8-bit PCM: ~38 dB for a loud tone (ITU-T G.711 / G.712 masks).
            CHECK(fit.snr_db > 33);
            CHECK(fit.amplitude == Approx(10000).epsilon(0.02));
        }
    }
}

TEST_CASE("G.711 decodes any payload length and refuses a wrong frame", "[codecs][g711]") {
    g711_decoder dec(g711_law::ulaw, 0, 20);
    std::vector<std::uint8_t> payload(80, 0xFF);  // µ-law silence, 10 ms
    std::vector<std::int16_t> pcm(dec.max_samples());
    auto n = dec.decode(payload, pcm);
    REQUIRE(n);
    CHECK(*n == 80);
    CHECK(pcm[0] == 0);

    std::vector<std::int16_t> small(40);
    auto e = dec.decode(payload, small);
    REQUIRE_FALSE(e);
    CHECK(e.error().code == errc::buffer_too_small);

    g711_encoder enc(g711_law::alaw, 8, 20);
    std::vector<std::int16_t> odd(159);
    std::vector<std::uint8_t> out(200);
    auto f = enc.encode(odd, out);
    REQUIRE_FALSE(f);
    CHECK(f.error().code == errc::bad_frame_size);
    CHECK(enc.format().pt == 8);
    CHECK(enc.format().id == codec_id::pcma);
}

TEST_CASE("G.711 conceals a lost frame by repeating the tone, fading out", "[codecs][g711]") {
    g711_encoder enc(g711_law::ulaw, 0, 20);
    g711_decoder dec(g711_law::ulaw, 0, 20);
    const auto in = sine(400, 8000, 1600, 8000);
    std::vector<std::uint8_t> payload(160);
    std::vector<std::int16_t> pcm(dec.max_samples());
    for (std::size_t i = 0; i < in.size(); i += 160) {
        REQUIRE(enc.encode(std::span(in).subspan(i, 160), payload));
        REQUIRE(dec.decode(payload, pcm));
    }
    std::vector<std::int16_t> lost(160);
    dec.conceal(lost);
    // The first 10 ms go on at full level (G.711 Appendix I) and are still the 400 Hz tone.
    const auto fit = fit_tone(std::span(lost).first(80), 400, 8000);
    INFO("concealed 400 Hz: SNR " << fit.snr_db << " dB, amplitude " << fit.amplitude);
    CHECK(fit.snr_db > 15);
    CHECK(fit.amplitude > 6000);
    // Fading from 10 ms on, silent after 60 ms of loss.
    std::vector<std::int16_t> more(160);
    dec.conceal(more);
    CHECK(jigasi::test::rms(more) < 0.8 * jigasi::test::rms(lost));
    dec.conceal(more);
    dec.conceal(more);
    CHECK(jigasi::test::rms(more) < 1.0);
}
