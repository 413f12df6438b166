#pragma once
// Audio codecs of the media engine: one frame of int16 mono PCM in, one RTP payload out, and back.
//
// encoder/decoder are small virtual interfaces rather than a std::variant of the concrete codecs:
// a call holds one decoder per incoming SSRC and one encoder per leg, chosen at negotiation time,
// and the codec states (libopus, spandsp) live on the heap anyway. One indirect call per 20 ms
// frame costs nothing next to the codec work, and a new codec (AMR-WB, iLBC) does not change the
// type every mixer and leg spells. Nothing allocates after construction: PCM and payloads are
// caller-owned spans.

#include "core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>

namespace jigasi::media::codecs {

enum class errc {
    unsupported_codec = 1,  ///< not an audio codec we have (or telephone-event, which is no codec)
    bad_parameter,          ///< clock rate, channels, ptime or fmtp value we cannot honour
    bad_frame_size,         ///< PCM span is not exactly one frame
    buffer_too_small,       ///< output span cannot hold the result
    corrupt_payload,        ///< the decoder refused the payload (network input)
    codec_failure,          ///< the library failed for another reason
};

const std::error_category& category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), category()}; }

enum class codec_id : std::uint8_t { opus, pcmu, pcma, g722 };

std::string_view name(codec_id c);

/// What a negotiated payload type means for the audio path.
struct format {
    codec_id id = codec_id::pcmu;
    std::uint8_t pt = 0;
    std::uint32_t pcm_rate = 8000;    ///< samples per second of the PCM the codec takes and gives
    std::uint32_t rtp_clock = 8000;   ///< RTP timestamp units per second (8000 for G.722)
    std::uint32_t frame_ms = 20;      ///< packetisation (ptime)

    std::size_t samples_per_frame() const { return std::size_t{pcm_rate} * frame_ms / 1000; }
    std::uint32_t rtp_ticks_per_frame() const { return rtp_clock * frame_ms / 1000; }
    /// RTP timestamp units -> PCM samples (G.722: 1 tick = 2 samples).
    std::size_t samples_for_ticks(std::uint32_t ticks) const {
        return static_cast<std::size_t>(std::uint64_t{ticks} * pcm_rate / rtp_clock);
    }
};

/// The longest packet any of our codecs can carry: Opus allows 120 ms (RFC 6716 §3.2.5).
inline constexpr std::uint32_t max_packet_ms = 120;

class encoder {
public:
    virtual ~encoder() = default;
    encoder() = default;
    encoder(const encoder&) = delete;
    encoder& operator=(const encoder&) = delete;

    /// Encodes exactly one frame (format().samples_per_frame() samples) into `out`. Returns the
    /// payload size; 0 means "nothing to send" (Opus DTX, RFC 7587 §3.1.3).
    virtual core::result<std::size_t> encode(std::span<const std::int16_t> pcm,
                                             std::span<std::uint8_t> out) = 0;
    /// The largest payload one frame can produce (size `out` with it).
    virtual std::size_t max_payload() const = 0;
    virtual void reset() = 0;
    const codecs::format& format() const { return format_; }

protected:
    codecs::format format_;
};

class decoder {
public:
    virtual ~decoder() = default;
    decoder() = default;
    decoder(const decoder&) = delete;
    decoder& operator=(const decoder&) = delete;

    /// Decodes one RTP payload (which may carry several frames' worth) into `out`; returns the
    /// number of samples written. Network input: bad payloads give errc::corrupt_payload.
    virtual core::result<std::size_t> decode(std::span<const std::uint8_t> payload,
                                             std::span<std::int16_t> out) = 0;
    /// Packet loss concealment: fills all of `out` (one lost frame) from the decoder's history.
    virtual void conceal(std::span<std::int16_t> out) = 0;
    /// Recovers the lost frame before `next_payload` from its in-band FEC (Opus LBRR, RFC 6716
    /// §2.1.7) into all of `out`. Codecs without FEC conceal; the next payload must still be
    /// decoded normally afterwards.
    virtual void decode_fec(std::span<const std::uint8_t> next_payload, std::span<std::int16_t> out) {
        (void)next_payload;
        conceal(out);
    }
    virtual bool has_fec() const { return false; }
    /// Forget the history (new stream, talk spurt after a long silence).
    virtual void reset() = 0;
    /// Samples one payload can decode to at most (size `out` with it).
    std::size_t max_samples() const { return std::size_t{format_.pcm_rate} * max_packet_ms / 1000; }
    const codecs::format& format() const { return format_; }

protected:
    codecs::format format_;
};

}  // namespace jigasi::media::codecs

template <>
struct std::is_error_code_enum<jigasi::media::codecs::errc> : std::true_type {};
