// Opus: round trips at 48 kHz and straight to the phone's rate, concealment, FEC, DTX.

#include "media/codecs/opus.hpp"
#include "media/codecs/signal.hpp"

#include <catch2/catch.hpp>

using namespace jigasi::media::codecs;
using jigasi::test::fit_tone;
using jigasi::test::rms;
using jigasi::test::sine;

namespace {

struct coded {
    std::vector<std::vector<std::uint8_t>> packets;
};

// One second of a tone at `in_rate`, encoded in `frame_ms` packets.
coded encode_tone(opus_settings s, double freq, double amp = 10000, std::size_t ms = 1000) {
    opus_encoder enc(111, s);
    const std::size_t frame = enc.format().samples_per_frame();
    const auto in = sine(freq, s.pcm_rate, s.pcm_rate * ms / 1000, amp);
    coded c;
    std::vector<std::uint8_t> buf(enc.max_payload());
    for (std::size_t i = 0; i + frame <= in.size(); i += frame) {
        auto n = enc.encode(std::span(in).subspan(i, frame), buf);
        REQUIRE(n);
        c.packets.emplace_back(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    return c;
}

std::vector<std::int16_t> decode_all(const coded& c, std::uint32_t rate, std::size_t expect_per_packet) {
    opus_decoder dec(111, rate, 20);
    std::vector<std::int16_t> out, pcm(dec.max_samples());
    for (const auto& p : c.packets) {
        auto n = dec.decode(p, pcm);
        REQUIRE(n);
        REQUIRE(*n == expect_per_packet);
        out.insert(out.end(), pcm.begin(), pcm.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    return out;
}

}  // namespace

TEST_CASE("Opus round trip of a 1 kHz tone at 48 kHz", "[codecs][opus]") {
    opus_settings s;
    const auto c = encode_tone(s, 1000);
    REQUIRE(c.packets.size() == 50);
    const auto out = decode_all(c, 48000, 960);
    const auto fit = fit_tone(std::span(out).subspan(4800), 1000, 48000);
    INFO("Opus 48 kHz, 32 kbit/s, 1 kHz: SNR " << fit.snr_db << " dB, amplitude " << fit.amplitude);
    CHECK(fit.snr_db > 15);
    CHECK(fit.amplitude == Approx(10000).epsilon(0.15));
}

TEST_CASE("Opus from the bridge decodes straight at 8 and 16 kHz", "[codecs][opus]") {
    const auto c = encode_tone(opus_settings{}, 1000);
    SECTION("8 kHz for a G.711 phone: 160 samples per 20 ms packet") {
        const auto out = decode_all(c, 8000, 160);
        const auto fit = fit_tone(std::span(out).subspan(800), 1000, 8000);
        INFO("Opus 48k -> decoded at 8 kHz, 1 kHz: SNR " << fit.snr_db << " dB");
        CHECK(fit.snr_db > 15);
    }
    SECTION("16 kHz for a G.722 phone: 320 samples") {
        const auto out = decode_all(c, 16000, 320);
        const auto fit = fit_tone(std::span(out).subspan(1600), 1000, 16000);
        INFO("Opus 48k -> decoded at 16 kHz, 1 kHz: SNR " << fit.snr_db << " dB");
        CHECK(fit.snr_db > 15);
    }
}

TEST_CASE("Opus takes a G.711 phone's 8 kHz audio without resampling", "[codecs][opus]") {
    opus_settings s;
    s.pcm_rate = 8000;
    const auto c = encode_tone(s, 1000);
    const auto out = decode_all(c, 8000, 160);
    const auto fit = fit_tone(std::span(out).subspan(800), 1000, 8000);
    INFO("Opus encoded from 8 kHz, decoded at 8 kHz, 1 kHz: SNR " << fit.snr_db << " dB");
    CHECK(fit.snr_db > 15);
    // The bridge's participants decode at 48 kHz: still 20 ms per packet.
    const auto wide = decode_all(c, 48000, 960);
    CHECK(wide.size() == 48000);
}

TEST_CASE("Opus 40 and 60 ms packets", "[codecs][opus]") {
    for (std::uint32_t ms : {10u, 40u, 60u}) {
        opus_settings s;
        s.frame_ms = ms;
        const auto c = encode_tone(s, 1000, 10000, 600);
        REQUIRE(c.packets.size() == 600 / ms);
        opus_decoder dec(111, 8000, ms);
        CHECK(*dec.samples_in(c.packets[0]) == 8 * ms);
        const auto out = decode_all(c, 8000, 8 * ms);
        CHECK(out.size() == 4800);
    }
}

TEST_CASE("Opus concealment and FEC produce whole frames", "[codecs][opus]") {
    opus_settings s;
    s.fec = true;
    s.packet_loss_perc = 20;
    s.bitrate = 24000;
    const auto c = encode_tone(s, 440);
    for (std::uint32_t rate : {8000u, 48000u}) {
        opus_decoder dec(111, rate, 20);
        REQUIRE(dec.has_fec());
        const std::size_t frame = rate / 50;
        std::vector<std::int16_t> pcm(dec.max_samples());
        for (std::size_t i = 0; i < 20; ++i) REQUIRE(dec.decode(c.packets[i], pcm));
        // Packet 20 is lost and 21 is here: recover 20 from 21's LBRR data.
        std::vector<std::int16_t> fec(frame, 12345);
        dec.decode_fec(c.packets[21], fec);
        const auto fit = fit_tone(fec, 440, rate);
        INFO("FEC frame at " << rate << " Hz: rms " << rms(fec) << ", SNR " << fit.snr_db << " dB");
        CHECK(rms(fec) > 1000);
        CHECK(fit.snr_db > 6);
        auto n = dec.decode(c.packets[21], pcm);
        REQUIRE(n);
        CHECK(*n == frame);
        // 22 is lost with nothing after it: plain concealment.
        std::vector<std::int16_t> plc(frame, 12345);
        dec.conceal(plc);
        INFO("PLC frame at " << rate << " Hz: rms " << rms(plc));
        CHECK(rms(plc) > 500);
        // A span that is not a multiple of 2.5 ms is still filled completely.
        std::vector<std::int16_t> odd(frame + 3, 12345);
        dec.conceal(odd);
        CHECK(odd.back() == 0);
    }
}

TEST_CASE("Opus DTX sends nothing during silence", "[codecs][opus]") {
    opus_settings s;
    s.dtx = true;
    opus_encoder enc(111, s);
    std::vector<std::int16_t> silence(960, 0);
    std::vector<std::uint8_t> buf(enc.max_payload());
    int skipped = 0;
    for (int i = 0; i < 50; ++i) {
        auto n = enc.encode(silence, buf);
        REQUIRE(n);
        if (*n == 0) ++skipped;
    }
    INFO("DTX frames not sent out of 50: " << skipped);
    CHECK(skipped > 30);
}

TEST_CASE("Opus refuses bad input without throwing", "[codecs][opus]") {
    opus_decoder dec(111, 8000, 20);
    std::vector<std::int16_t> pcm(dec.max_samples());
    const std::uint8_t empty[1] = {};
    CHECK(dec.decode(std::span(empty, 0), pcm).error().code == errc::corrupt_payload);
    const std::uint8_t code3_no_count[] = {0x03};  // RFC 6716 §3.2.5: code 3 needs a count byte
    CHECK(dec.decode(code3_no_count, pcm).error().code == errc::corrupt_payload);
    CHECK_FALSE(dec.samples_in(code3_no_count));

    opus_encoder enc(111, opus_settings{});
    std::vector<std::int16_t> short_frame(959);
    std::vector<std::uint8_t> buf(enc.max_payload());
    CHECK(enc.encode(short_frame, buf).error().code == errc::bad_frame_size);

    opus_settings bad;
    bad.pcm_rate = 44100;
    CHECK_FALSE(opus_encoder::validate(bad));
    bad = {};
    bad.frame_ms = 30;
    CHECK_FALSE(opus_encoder::validate(bad));
    bad = {};
    bad.complexity = 11;
    CHECK_FALSE(opus_encoder::validate(bad));
}
