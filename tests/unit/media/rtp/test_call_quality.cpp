// The simplified E-model (ITU-T G.107): R and MOS from codec, loss, jitter and delay.

#include "media/rtp/call_quality.hpp"

#include <catch2/catch.hpp>

using namespace jigasi::media::rtp;
using namespace std::chrono_literals;

TEST_CASE("quality: G.711 without loss or delay is R 93.2, MOS 4.41", "[rtp]") {
    quality_input in;
    in.codec = impairment_for("PCMU");
    const auto q = estimate_quality(in);
    CHECK(q.r == Approx(93.2));
    CHECK(q.mos == Approx(4.41).margin(0.005));
    CHECK(q.ie_eff == 0);
    CHECK(q.id == 0);
}

TEST_CASE("quality: delay is RTT/2 plus the jitter buffer", "[rtp]") {
    quality_input in;
    in.codec = impairment_for("pcma");
    in.rtt = 40ms;
    in.jitter_buffer_delay = 40ms;
    auto q = estimate_quality(in);
    CHECK(q.one_way_delay_ms == Approx(60));
    CHECK(q.id == Approx(0.024 * 60));
    CHECK(q.r == Approx(93.2 - 1.44));
    // Without a jitter buffer figure, twice the jitter.
    in.jitter_buffer_delay.reset();
    in.jitter = 15ms;
    q = estimate_quality(in);
    CHECK(q.one_way_delay_ms == Approx(50));
    // Past 177.3 ms the delay costs much more.
    in.rtt = 400ms;
    in.jitter = 0ms;
    q = estimate_quality(in);
    CHECK(q.id == Approx(0.024 * 200 + 0.11 * (200 - 177.3)));
}

TEST_CASE("quality: loss lowers MOS monotonically", "[rtp]") {
    quality_input in;
    in.codec = impairment_for("PCMU");
    in.loss_percent = 1;
    auto q = estimate_quality(in);
    CHECK(q.ie_eff == Approx(95.0 / 26.1));  // Ie + (95 - Ie) Ppl / (Ppl + Bpl)
    CHECK(q.r == Approx(93.2 - 95.0 / 26.1));
    for (const char* codec : {"PCMU", "G722", "opus", "GSM"}) {
        INFO(codec);
        in.codec = impairment_for(codec);
        double previous = 5;
        for (double loss = 0; loss <= 40; loss += 0.5) {
            in.loss_percent = loss;
            const double mos = estimate_quality(in).mos;
            CHECK(mos < previous);
            CHECK(mos >= 1);
            previous = mos;
        }
    }
    // Opus with FEC is rated more robust than G.711 at the same loss, and bursts hurt more.
    in.loss_percent = 5;
    in.codec = impairment_for("opus");
    const double opus = estimate_quality(in).mos;
    in.codec = impairment_for("PCMU");
    const double g711 = estimate_quality(in).mos;
    CHECK(opus > g711);
    in.burst_ratio = 2;
    CHECK(estimate_quality(in).mos < g711);
}

TEST_CASE("quality: the R to MOS mapping of G.107 Annex B", "[rtp]") {
    CHECK(mos_from_r(-5) == 1);
    CHECK(mos_from_r(0) == 1);
    CHECK(mos_from_r(50) == Approx(2.575));
    CHECK(mos_from_r(80) == Approx(4.024));
    CHECK(mos_from_r(100) == 4.5);
    CHECK(mos_from_r(120) == 4.5);
    double previous = 0;
    for (double r = 0; r <= 100; r += 1) {
        CHECK(mos_from_r(r) >= previous);
        previous = mos_from_r(r);
    }
}
