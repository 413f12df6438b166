#pragma once
// G.722 at 64 kbit/s (static PT 9): 16 kHz audio, one octet per two samples, while SDP and the
// RTP timestamps say 8000 Hz for historical reasons (RFC 3551 §4.5.2). spandsp's sub-band ADPCM;
// concealment as for G.711 (the codec has none in its base specification).

#include "media/codecs/codec.hpp"
#include "media/codecs/plc.hpp"

#include <memory>

extern "C" {
struct g722_encode_state_s;
struct g722_decode_state_s;
}

namespace jigasi::media::codecs {

class g722_encoder final : public encoder {
public:
    g722_encoder(std::uint8_t pt, std::uint32_t frame_ms);
    core::result<std::size_t> encode(std::span<const std::int16_t> pcm, std::span<std::uint8_t> out) override;
    std::size_t max_payload() const override { return format_.samples_per_frame() / 2; }
    void reset() override;

private:
    struct deleter {
        void operator()(g722_encode_state_s* s) const;
    };
    std::unique_ptr<g722_encode_state_s, deleter> state_;
};

class g722_decoder final : public decoder {
public:
    g722_decoder(std::uint8_t pt, std::uint32_t frame_ms);
    core::result<std::size_t> decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> out) override;
    void conceal(std::span<std::int16_t> out) override { plc_.conceal(out); }
    void reset() override;

private:
    struct deleter {
        void operator()(g722_decode_state_s* s) const;
    };
    std::unique_ptr<g722_decode_state_s, deleter> state_;
    plc plc_;
};

}  // namespace jigasi::media::codecs
