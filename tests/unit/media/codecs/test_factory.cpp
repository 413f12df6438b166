// From negotiated payload types to codecs, and the mixing-rate rule.

#include "media/codecs/factory.hpp"
#include "media/codecs/rates.hpp"

#include <catch2/catch.hpp>

using namespace jigasi::media;
using namespace jigasi::media::codecs;

namespace {

payload_type pt(std::uint8_t n, std::string enc, std::uint32_t clock, std::uint8_t ch = 1,
                std::vector<parameter> fmtp = {}) {
    return payload_type{n, std::move(enc), clock, ch, std::move(fmtp)};
}

}  // namespace

TEST_CASE("factory: the codecs a call negotiates", "[codecs][factory]") {
    SECTION("static PCMU without rtpmap") {
        auto f = describe(payload_type{0, "", 0, 1, {}});
        REQUIRE(f);
        CHECK(f->id == codec_id::pcmu);
        CHECK(f->pcm_rate == 8000);
        CHECK(f->samples_per_frame() == 160);
    }
    SECTION("PCMA, case-insensitive, 30 ms") {
        codec_options o;
        o.frame_ms = 30;
        auto f = describe(pt(8, "pcma", 8000), o);
        REQUIRE(f);
        CHECK(f->id == codec_id::pcma);
        CHECK(f->samples_per_frame() == 240);
    }
    SECTION("G722/8000 is 16 kHz audio") {
        auto f = describe(pt(9, "G722", 8000));
        REQUIRE(f);
        CHECK(f->pcm_rate == 16000);
        CHECK(f->rtp_clock == 8000);
        CHECK(f->samples_per_frame() == 320);
        CHECK(f->rtp_ticks_per_frame() == 160);
    }
    SECTION("opus/48000/2 decoded at the phone's 8 kHz") {
        codec_options o;
        o.opus_pcm_rate = 8000;
        auto f = describe(pt(111, "opus", 48000, 2), o);
        REQUIRE(f);
        CHECK(f->id == codec_id::opus);
        CHECK(f->pcm_rate == 8000);
        CHECK(f->rtp_clock == 48000);
        CHECK(f->samples_per_frame() == 160);
        CHECK(f->rtp_ticks_per_frame() == 960);
        auto d = make_decoder(pt(111, "opus", 48000, 2), o);
        REQUIRE(d);
        CHECK((*d)->format().pcm_rate == 8000);
        CHECK((*d)->has_fec());
    }
    SECTION("encoders and decoders behind the interface") {
        for (auto p : {pt(0, "PCMU", 8000), pt(8, "PCMA", 8000), pt(9, "G722", 8000), pt(111, "opus", 48000, 2)}) {
            auto e = make_encoder(p);
            auto d = make_decoder(p);
            REQUIRE(e);
            REQUIRE(d);
            std::vector<std::int16_t> frame((*e)->format().samples_per_frame(), 0);
            std::vector<std::uint8_t> payload((*e)->max_payload());
            auto n = (*e)->encode(frame, payload);
            REQUIRE(n);
            std::vector<std::int16_t> pcm((*d)->max_samples());
            auto m = (*d)->decode(std::span(payload).first(*n), pcm);
            REQUIRE(m);
            CHECK(*m == frame.size());
            CHECK((*d)->format().pt == p.pt);
        }
    }
}

TEST_CASE("factory: what it refuses", "[codecs][factory]") {
    auto refuse = [](const payload_type& p, errc why, codec_options o = {}) {
        auto f = describe(p, o);
        INFO(p.encoding << "/" << p.clock_rate);
        REQUIRE_FALSE(f);
        CHECK(f.error().code == why);
        CHECK_FALSE(f.error().diagnostic.empty());
        CHECK_FALSE(make_decoder(p, o));
        CHECK_FALSE(make_encoder(p, o));
    };
    refuse(pt(96, "AMR-WB", 16000), errc::unsupported_codec);
    refuse(pt(101, "telephone-event", 8000), errc::unsupported_codec);
    refuse(pt(97, "", 0), errc::unsupported_codec);  // dynamic, no rtpmap
    refuse(pt(100, "VP8", 90000), errc::unsupported_codec);
    refuse(pt(0, "PCMU", 16000), errc::bad_parameter);
    refuse(pt(9, "G722", 16000), errc::bad_parameter);  // the RFC 3551 clock is 8000
    refuse(pt(111, "opus", 8000), errc::bad_parameter);
    refuse(pt(8, "PCMA", 8000, 2), errc::bad_parameter);
    codec_options o;
    o.frame_ms = 25;
    refuse(pt(0, "PCMU", 8000), errc::bad_parameter, o);
    o.frame_ms = 30;
    refuse(pt(111, "opus", 48000, 2), errc::bad_parameter, o);
    o = {};
    o.opus_pcm_rate = 44100;
    refuse(pt(111, "opus", 48000, 2), errc::bad_parameter, o);

    const std::error_code ec = errc::unsupported_codec;
    CHECK(ec.category().name() == std::string("codec"));
    CHECK(ec.message() == "unsupported codec");
}

TEST_CASE("factory: Opus encoder settings from the receiver's fmtp (RFC 7587 §6.1)", "[codecs][factory]") {
    opus_settings base;
    auto s = opus_settings_from_fmtp({{"minptime", "10"}, {"useinbandfec", "1"}}, base);
    CHECK(s.fec);
    CHECK_FALSE(s.dtx);
    CHECK(s.max_playback_rate == 48000);

    s = opus_settings_from_fmtp({{"maxplaybackrate", "16000"}, {"maxaveragebitrate", "20000"}, {"usedtx", "1"},
                                 {"cbr", "1"}, {"stereo", "1"}},
                                base);
    CHECK_FALSE(s.fec);  // not announced: the receiver cannot use it
    CHECK(s.dtx);
    CHECK(s.cbr);
    CHECK(s.max_playback_rate == 16000);
    CHECK(s.bitrate == 20000);

    s = opus_settings_from_fmtp({{"maxplaybackrate", "fast"}, {"maxaveragebitrate", "-5"}, {"useinbandfec", "yes"}}, base);
    CHECK(s.max_playback_rate == 48000);
    CHECK(s.bitrate == base.bitrate);
    CHECK_FALSE(s.fec);

    auto e = make_encoder(pt(111, "opus", 48000, 2, {{"useinbandfec", "1"}, {"maxplaybackrate", "8000"}}));
    REQUIRE(e);
    auto* opus = dynamic_cast<opus_encoder*>(e->get());
    REQUIRE(opus);
    CHECK(opus->settings().fec);
    CHECK(opus->settings().max_playback_rate == 8000);
}

TEST_CASE("the mixing rate follows the phone's codec", "[codecs][factory]") {
    auto g711 = plan_rates(*describe(pt(0, "PCMU", 8000)));
    CHECK(g711.mix_rate == 8000);
    CHECK(g711.opus_rate == 8000);
    CHECK_FALSE(g711.resample_phone);

    auto g722 = plan_rates(*describe(pt(9, "G722", 8000)));
    CHECK(g722.mix_rate == 16000);
    CHECK(g722.opus_rate == 16000);
    CHECK_FALSE(g722.resample_phone);

    auto opus = plan_rates(*describe(pt(111, "opus", 48000, 2)));
    CHECK(opus.mix_rate == 48000);
    CHECK_FALSE(opus.resample_phone);

    auto odd = plan_rates(44100);
    CHECK(odd.mix_rate == 48000);
    CHECK(odd.resample_phone);
}
