#pragma once
// G.711 µ-law (PCMU, static PT 0) and A-law (PCMA, PT 8) at 8 kHz, one byte per sample
// (RFC 3551 §4.5.14). The tables are spandsp's inline converters; concealment repeats the last
// pitch period with a fade (G.711 Appendix I), since the codec has none.

#include "media/codecs/codec.hpp"
#include "media/codecs/plc.hpp"

namespace jigasi::media::codecs {

enum class g711_law : std::uint8_t { ulaw, alaw };

class g711_encoder final : public encoder {
public:
    g711_encoder(g711_law law, std::uint8_t pt, std::uint32_t frame_ms);
    core::result<std::size_t> encode(std::span<const std::int16_t> pcm, std::span<std::uint8_t> out) override;
    std::size_t max_payload() const override { return format_.samples_per_frame(); }
    void reset() override {}

private:
    g711_law law_;
};

class g711_decoder final : public decoder {
public:
    g711_decoder(g711_law law, std::uint8_t pt, std::uint32_t frame_ms);
    core::result<std::size_t> decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> out) override;
    void conceal(std::span<std::int16_t> out) override { plc_.conceal(out); }
    void reset() override { plc_.reset(); }

private:
    g711_law law_;
    plc plc_;
};

}  // namespace jigasi::media::codecs
