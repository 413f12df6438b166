// Encoding, decoding, concealing and resampling allocate nothing once the codec exists.

#include "media/codecs/factory.hpp"
#include "media/codecs/resampler.hpp"
#include "media/codecs/signal.hpp"
#include "support/count_new.hpp"

#include <catch2/catch.hpp>

using namespace jigasi::media;
using namespace jigasi::media::codecs;

TEST_CASE("codecs: the frame path does not allocate", "[codecs]") {
    for (auto p : {payload_type{0, "PCMU", 8000, 1, {}}, payload_type{8, "PCMA", 8000, 1, {}},
                   payload_type{9, "G722", 8000, 1, {}}, payload_type{111, "opus", 48000, 2, {{"useinbandfec", "1"}}}}) {
        auto enc = make_encoder(p);
        auto dec = make_decoder(p);
        REQUIRE(enc);
        REQUIRE(dec);
        const auto& f = (*enc)->format();
        auto up = resampler::make(f.pcm_rate, 48000);
        REQUIRE(up);
        const auto in = jigasi::test::sine(1000, f.pcm_rate, f.samples_per_frame(), 8000);
        std::vector<std::uint8_t> payload((*enc)->max_payload());
        std::vector<std::int16_t> pcm((*dec)->max_samples()), wide(up->max_output_length(f.samples_per_frame()));

        const auto before = jigasi::test::allocations();
        std::size_t bad = 0;
        for (int i = 0; i < 200; ++i) {
            auto n = (*enc)->encode(in, payload);
            if (!n) ++bad;
            auto m = (*dec)->decode(std::span(payload).first(*n), pcm);
            if (!m) ++bad;
            if (i % 7 == 0) (*dec)->conceal(std::span(pcm).first(f.samples_per_frame()));
            if (i % 11 == 0) (*dec)->decode_fec(std::span(payload).first(*n), std::span(pcm).first(f.samples_per_frame()));
            if (!up->process(std::span(pcm).first(f.samples_per_frame()), wide)) ++bad;
        }
        const auto after = jigasi::test::allocations();
        INFO(name(f.id));
        CHECK(bad == 0);
        if (jigasi::test::allocation_counting_works()) CHECK(after == before);
    }
}
