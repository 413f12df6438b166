// The speexdsp resampler: lengths per frame, quality of a tone, bad parameters.

#include "media/codecs/codec.hpp"
#include "media/codecs/resampler.hpp"
#include "media/codecs/signal.hpp"

#include <catch2/catch.hpp>

using namespace jigasi::media::codecs;
using jigasi::test::fit_tone;
using jigasi::test::sine;

TEST_CASE("resampler length math", "[codecs][resampler]") {
    struct pair_case {
        std::uint32_t in, out;
        std::size_t in_frame, out_frame;
    };
    for (auto c : {pair_case{8000, 48000, 160, 960}, pair_case{48000, 8000, 960, 160},
                   pair_case{16000, 48000, 320, 960}, pair_case{48000, 16000, 960, 320},
                   pair_case{8000, 16000, 160, 320}, pair_case{16000, 8000, 320, 160}}) {
        auto r = resampler::make(c.in, c.out);
        REQUIRE(r);
        CHECK(r->output_length(c.in_frame) == c.out_frame);
        CHECK(r->max_output_length(c.in_frame) >= c.out_frame);
        std::vector<std::int16_t> in = sine(1000, c.in, c.in_frame * 50, 8000);
        std::vector<std::int16_t> out(r->max_output_length(c.in_frame));
        std::size_t total = 0;
        bool every_frame_whole = true;
        for (std::size_t i = 0; i < in.size(); i += c.in_frame) {
            auto n = r->process(std::span(in).subspan(i, c.in_frame), out);
            REQUIRE(n);
            every_frame_whole = every_frame_whole && *n == c.out_frame;
            total += *n;
        }
        INFO(c.in << " -> " << c.out);
        CHECK(every_frame_whole);
        CHECK(total == c.out_frame * 50);
    }
    // A ratio that is not whole per frame: the phase carries over, the total stays right.
    auto r = resampler::make(44100, 48000);
    REQUIRE(r);
    std::vector<std::int16_t> in(441, 0), out(r->max_output_length(441));
    std::size_t total = 0;
    for (int i = 0; i < 100; ++i) total += *r->process(in, out);
    CHECK(total >= 48000 - 1);
    CHECK(total <= 48000 + 1);
}

TEST_CASE("resampler keeps a 1 kHz tone clean", "[codecs][resampler]") {
    for (int quality : {3, 5}) {
        auto up = resampler::make(16000, 48000, quality);
        auto down = resampler::make(48000, 16000, quality);
        REQUIRE(up);
        REQUIRE(down);
        const auto in = sine(1000, 16000, 16000, 10000);
        std::vector<std::int16_t> wide(up->max_output_length(320)), back(down->max_output_length(960));
        std::vector<std::int16_t> at48, at16;
        for (std::size_t i = 0; i < in.size(); i += 320) {
            auto n = up->process(std::span(in).subspan(i, 320), wide);
            REQUIRE(n);
            at48.insert(at48.end(), wide.begin(), wide.begin() + static_cast<std::ptrdiff_t>(*n));
            auto m = down->process(std::span(wide).first(*n), back);
            REQUIRE(m);
            at16.insert(at16.end(), back.begin(), back.begin() + static_cast<std::ptrdiff_t>(*m));
        }
        const auto f48 = fit_tone(std::span(at48).subspan(4800), 1000, 48000);
        const auto f16 = fit_tone(std::span(at16).subspan(1600), 1000, 16000);
        INFO("quality " << quality << ": 16k->48k SNR " << f48.snr_db << " dB, 16k->48k->16k SNR " << f16.snr_db
                        << " dB, latency " << up->input_latency() << " samples");
        CHECK(f48.snr_db > 40);
        CHECK(f16.snr_db > 40);
        CHECK(f48.amplitude == Approx(10000).epsilon(0.02));
    }
}

TEST_CASE("resampler: same rate, bad parameters, short output", "[codecs][resampler]") {
    auto same = resampler::make(16000, 16000);
    REQUIRE(same);
    CHECK(same->passthrough());
    std::vector<std::int16_t> in = {1, 2, 3}, out(3);
    CHECK(*same->process(in, out) == 3);
    CHECK(out == in);

    CHECK(resampler::make(0, 8000).error().code == errc::bad_parameter);
    CHECK(resampler::make(8000, 400000).error().code == errc::bad_parameter);
    CHECK(resampler::make(8000, 16000, 11).error().code == errc::bad_parameter);

    auto r = resampler::make(8000, 48000);
    REQUIRE(r);
    std::vector<std::int16_t> frame(160), small(900);
    CHECK(r->process(frame, small).error().code == errc::buffer_too_small);
}
