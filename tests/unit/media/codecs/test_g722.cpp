// G.722: 16 kHz audio at 64 kbit/s under an 8000 Hz RTP clock (RFC 3551 §4.5.2).

#include "media/codecs/g722.hpp"
#include "media/codecs/signal.hpp"

#include <catch2/catch.hpp>

using namespace jigasi::media::codecs;
using jigasi::test::fit_tone;
using jigasi::test::sine;

TEST_CASE("G.722 frame arithmetic: 320 samples, 160 bytes, 160 RTP ticks per 20 ms", "[codecs][g722]") {
    g722_encoder enc(9, 20);
    const auto& f = enc.format();
    CHECK(f.pcm_rate == 16000);
    CHECK(f.rtp_clock == 8000);
    CHECK(f.samples_per_frame() == 320);
    CHECK(f.rtp_ticks_per_frame() == 160);
    CHECK(f.samples_for_ticks(160) == 320);
    CHECK(enc.max_payload() == 160);

    g722_decoder dec(9, 20);
    const auto in = sine(1000, 16000, 320, 8000);
    std::vector<std::uint8_t> payload(enc.max_payload());
    auto n = enc.encode(in, payload);
    REQUIRE(n);
    CHECK(*n == 160);
    std::vector<std::int16_t> pcm(dec.max_samples());
    auto m = dec.decode(std::span(payload).first(*n), pcm);
    REQUIRE(m);
    CHECK(*m == 320);
    CHECK(dec.max_samples() == 1920);  // 120 ms at 16 kHz
}

TEST_CASE("G.722 round trip of a 1 kHz tone", "[codecs][g722]") {
    g722_encoder enc(9, 20);
    g722_decoder dec(9, 20);
    const auto in = sine(1000, 16000, 16000, 10000);
    std::vector<std::int16_t> out;
    std::vector<std::uint8_t> payload(enc.max_payload());
    std::vector<std::int16_t> pcm(dec.max_samples());
    for (std::size_t i = 0; i < in.size(); i += 320) {
        auto n = enc.encode(std::span(in).subspan(i, 320), payload);
        REQUIRE(n);
        auto m = dec.decode(std::span(payload).first(*n), pcm);
        REQUIRE(m);
        out.insert(out.end(), pcm.begin(), pcm.begin() + static_cast<std::ptrdiff_t>(*m));
    }
    REQUIRE(out.size() == 16000);
    // Skip 100 ms while the ADPCM predictors adapt.
    const auto fit = fit_tone(std::span(out).subspan(1600), 1000, 16000);
    INFO("G.722 1 kHz: SNR " << fit.snr_db << " dB, amplitude " << fit.amplitude);
    CHECK(fit.snr_db > 25);
    CHECK(fit.amplitude == Approx(10000).epsilon(0.1));

    std::vector<std::int16_t> lost(320);
    dec.conceal(lost);
    CHECK(jigasi::test::rms(std::span(lost).first(160)) > 3000);
}
