#pragma once
// Opus (RFC 6716, RTP payload RFC 7587). The RTP clock is always 48 kHz, but libopus encodes from
// and decodes to 8, 12, 16, 24 or 48 kHz natively, so a call with a G.711 phone decodes the bridge's
// streams straight at 8 kHz and feeds the phone's audio in at 8 kHz: no resampler on either side.
// We always produce mono (jitsi-protocol.md §4.5: mono content in an opus/48000/2 payload type) and
// decode to mono (libopus downmixes a stereo stream).

#include "media/codecs/codec.hpp"

extern "C" {
struct OpusEncoder;
struct OpusDecoder;
}

#include <memory>

namespace jigasi::media::codecs {

/// Encoder tuning. Defaults follow Jigasi's (complexity 10) and WebRTC's voice settings.
struct opus_settings {
    std::uint32_t pcm_rate = 48000;  ///< 8000, 12000, 16000, 24000 or 48000
    std::uint32_t frame_ms = 20;     ///< 10, 20, 40 or 60
    int bitrate = 32000;             ///< bit/s, 6000..510000
    int complexity = 10;             ///< 0..10
    bool fec = true;                 ///< in-band FEC (LBRR), useful when the peer says useinbandfec=1
    int packet_loss_perc = 10;       ///< expected loss, drives how much FEC the encoder spends
    bool dtx = false;                ///< discontinuous transmission (RFC 7587 usedtx)
    bool cbr = false;                ///< RFC 7587 cbr=1
    std::uint32_t max_playback_rate = 48000;  ///< the peer's maxplaybackrate: caps the coded bandwidth
};

class opus_encoder final : public encoder {
public:
    /// Throws std::bad_alloc only; check settings with validate() first.
    opus_encoder(std::uint8_t pt, const opus_settings& s);
    static core::result<opus_settings> validate(const opus_settings& s);

    core::result<std::size_t> encode(std::span<const std::int16_t> pcm, std::span<std::uint8_t> out) override;
    /// RFC 6716 §3.4 R5: 1275 bytes per frame at most; 40/60 ms packets carry 2 or 3 frames.
    std::size_t max_payload() const override { return 1275 * ((format_.frame_ms + 19) / 20) + 3; }
    void reset() override;

    void set_bitrate(int bps);
    void set_packet_loss_perc(int perc);  ///< e.g. from RTCP receiver reports
    const opus_settings& settings() const { return settings_; }

private:
    void apply();
    struct deleter {
        void operator()(OpusEncoder* e) const;
    };
    std::unique_ptr<OpusEncoder, deleter> enc_;
    opus_settings settings_;
};

class opus_decoder final : public decoder {
public:
    /// pcm_rate: 8000, 12000, 16000, 24000 or 48000; frame_ms: the frame to conceal by default.
    opus_decoder(std::uint8_t pt, std::uint32_t pcm_rate, std::uint32_t frame_ms);

    core::result<std::size_t> decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> out) override;
    void conceal(std::span<std::int16_t> out) override;
    void decode_fec(std::span<const std::uint8_t> next_payload, std::span<std::int16_t> out) override;
    bool has_fec() const override { return true; }
    void reset() override;

    /// Samples the payload would decode to, or an error for a malformed TOC (RFC 6716 §3.1).
    core::result<std::size_t> samples_in(std::span<const std::uint8_t> payload) const;

private:
    void fill(std::span<std::int16_t> out, const std::uint8_t* data, std::size_t len, bool fec);
    struct deleter {
        void operator()(OpusDecoder* d) const;
    };
    std::unique_ptr<OpusDecoder, deleter> dec_;
};

/// True for the rates libopus takes and gives natively.
bool opus_native_rate(std::uint32_t rate);

}  // namespace jigasi::media::codecs
