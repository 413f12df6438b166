#pragma once
// Test peers for the pipeline: a web speaker as the bridge forwards it (Opus of a tone, RFC 6464
// level and mid extensions), a phone (G.711/G.722/Opus of a tone), and a Goertzel detector.

#include "media/codecs/codec.hpp"
#include "media/codecs/g711.hpp"
#include "media/codecs/g722.hpp"
#include "media/codecs/opus.hpp"
#include "media/codecs/signal.hpp"
#include "media/rtp/header_extension.hpp"
#include "media/rtp/packet.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <memory>
#include <numbers>
#include <span>
#include <vector>

namespace jigasi::test {

using clock = std::chrono::steady_clock;
using bytes = std::vector<std::uint8_t>;
inline const clock::time_point t0 = clock::time_point{} + std::chrono::seconds(100);
inline clock::time_point at_tick(int t) { return t0 + std::chrono::milliseconds(20) * t; }

/// Goertzel: the amplitude of the `freq` component of `x` (exact when freq is a whole number of
/// cycles over x; the tests pick such frequencies).
inline double tone_amplitude(std::span<const std::int16_t> x, double freq, std::uint32_t rate) {
    const double coeff = 2 * std::cos(2 * std::numbers::pi * freq / rate);
    double s1 = 0, s2 = 0;
    for (const auto v : x) {
        const double s = v + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    return x.empty() ? 0 : 2 * std::sqrt(std::max(power, 0.0)) / static_cast<double>(x.size());
}

/// An RTP packet with the given payload and optional level and mid extensions.
inline bytes make_packet(std::uint8_t pt, std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts, bool marker,
                         std::span<const std::uint8_t> payload, int level = -1, std::uint8_t level_id = 1,
                         std::uint8_t mid_id = 0) {
    const std::uint8_t level_byte = media::rtp::encode_audio_level({true, static_cast<std::uint8_t>(level < 0 ? 0 : level)});
    std::array<media::rtp::extension_element, 2> ext{};
    std::size_t n = 0;
    if (level >= 0) ext[n++] = {level_id, {&level_byte, 1}};
    if (mid_id != 0) ext[n++] = media::rtp::mid_element(mid_id, "audio");
    media::rtp::header h;
    h.marker = marker;
    h.payload_type = pt;
    h.sequence = seq;
    h.timestamp = ts;
    h.ssrc = ssrc;
    h.extensions = std::span(ext.data(), n);
    bytes out(1500);
    const auto size = media::rtp::write_packet(h, payload, out);
    out.resize(size ? *size : 0);
    return out;
}

/// A browser in the conference: Opus (48 kHz, `frame_ms` packets) of a tone, as the bridge
/// forwards it, with the audio level it claims.
struct web_speaker {
    web_speaker(std::uint32_t ssrc_, double freq_, int level_, double amp_ = 6000, std::uint32_t frame_ms = 20)
        : ssrc(ssrc_), freq(freq_), amp(amp_), level(level_), enc(111, settings(frame_ms)), buf(enc.max_payload()) {}

    static media::codecs::opus_settings settings(std::uint32_t frame_ms) {
        media::codecs::opus_settings s;
        s.frame_ms = frame_ms;
        s.complexity = 5;  // the tests' own encoding need not be the best
        return s;
    }

    /// The next packet (one frame of the tone).
    bytes next() {
        const std::size_t n = enc.format().samples_per_frame();
        const auto pcm = sine(freq, 48000, n, amp, sample);
        sample += n;
        const auto size = enc.encode(pcm, buf);
        const bytes p = make_packet(111, ssrc, seq, ts, first, std::span(buf.data(), size ? *size : 0), level, 1, 10);
        first = false;
        ++seq;
        ts += static_cast<std::uint32_t>(n);
        return p;
    }

    std::uint32_t ssrc;
    double freq, amp;
    int level;
    media::codecs::opus_encoder enc;
    std::vector<std::uint8_t> buf;
    std::size_t sample = 0;
    std::uint16_t seq = 1000;
    std::uint32_t ts = 5000;
    bool first = true;
};

/// A phone sending a tone in its codec.
struct phone_peer {
    phone_peer(const media::codecs::format& f, double freq_, double amp_ = 8000)
        : fmt(f), freq(freq_), amp(amp_) {
        using namespace media::codecs;
        switch (f.id) {
        case codec_id::opus: {
            opus_settings s;
            s.pcm_rate = f.pcm_rate;
            enc = std::make_unique<opus_encoder>(f.pt, s);
            break;
        }
        case codec_id::pcmu: enc = std::make_unique<g711_encoder>(g711_law::ulaw, f.pt, 20); break;
        case codec_id::pcma: enc = std::make_unique<g711_encoder>(g711_law::alaw, f.pt, 20); break;
        case codec_id::g722: enc = std::make_unique<g722_encoder>(f.pt, 20); break;
        }
        buf.resize(enc->max_payload());
    }

    bytes next() {
        const std::size_t n = enc->format().samples_per_frame();
        const auto pcm = sine(freq, fmt.pcm_rate, n, amp, sample);
        sample += n;
        const auto size = enc->encode(pcm, buf);
        const bytes p = make_packet(fmt.pt, ssrc, seq, ts, false, std::span(buf.data(), size ? *size : 0));
        ++seq;
        ts += enc->format().rtp_ticks_per_frame();
        return p;
    }

    media::codecs::format fmt;
    double freq, amp;
    std::unique_ptr<media::codecs::encoder> enc;
    std::vector<std::uint8_t> buf;
    std::size_t sample = 0;
    std::uint32_t ssrc = 0x50484f4e;
    std::uint16_t seq = 7;
    std::uint32_t ts = 1234;
};

inline media::codecs::format g711u() { return {media::codecs::codec_id::pcmu, 0, 8000, 8000, 20}; }
inline media::codecs::format g711a() { return {media::codecs::codec_id::pcma, 8, 8000, 8000, 20}; }
inline media::codecs::format g722() { return {media::codecs::codec_id::g722, 9, 16000, 8000, 20}; }
inline media::codecs::format opus48() { return {media::codecs::codec_id::opus, 96, 48000, 48000, 20}; }

}  // namespace jigasi::test
