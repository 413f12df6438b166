// The pitch-repetition concealment that G.711 and G.722 use.

#include "media/codecs/plc.hpp"
#include "media/codecs/signal.hpp"

#include <catch2/catch.hpp>

using namespace jigasi::media::codecs;
using jigasi::test::fit_tone;
using jigasi::test::rms;
using jigasi::test::sine;

TEST_CASE("concealment finds the pitch and continues the waveform", "[codecs][plc]") {
    for (std::uint32_t rate : {8000u, 16000u}) {
        plc p(rate);
        const std::size_t frame = rate / 50;
        // 160 Hz voiced-like tone: period 50 samples at 8 kHz.
        auto in = sine(160, rate, frame * 10, 8000);
        for (std::size_t i = 0; i < in.size(); i += frame) p.good_frame(std::span(in).subspan(i, frame));
        std::vector<std::int16_t> out(frame);
        p.conceal(out);
        INFO("rate " << rate << ": pitch " << p.pitch());
        CHECK(p.pitch() % (rate / 160) == 0);
        // The continuation is in phase with what the signal would have been.
        const auto expected = sine(160, rate, frame, 8000, frame * 10);
        double err = 0;
        for (std::size_t i = 0; i < frame / 2; ++i) err += std::abs(double(out[i]) - expected[i]);
        CHECK(err / double(frame / 2) < 400);
        // Fades: silent after 60 ms, and a good frame fades back in without a jump.
        std::vector<std::int16_t> more(frame);
        p.conceal(more);
        p.conceal(more);
        p.conceal(more);
        CHECK(rms(more) < 1.0);
        auto next = sine(160, rate, frame, 8000, frame * 14);
        p.good_frame(next);
        CHECK(std::abs(next[0]) < 1000);
        CHECK(fit_tone(std::span(next).subspan(frame / 2), 160, rate).snr_db > 40);
    }
}
