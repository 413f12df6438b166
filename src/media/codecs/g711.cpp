#include "media/codecs/g711.hpp"

#include <spandsp.h>

namespace jigasi::media::codecs {
namespace {

codecs::format g711_format(g711_law law, std::uint8_t pt, std::uint32_t frame_ms) {
    return {law == g711_law::ulaw ? codec_id::pcmu : codec_id::pcma, pt, 8000, 8000, frame_ms};
}

}  // namespace

g711_encoder::g711_encoder(g711_law law, std::uint8_t pt, std::uint32_t frame_ms) : law_(law) {
    format_ = g711_format(law, pt, frame_ms);
}

core::result<std::size_t> g711_encoder::encode(std::span<const std::int16_t> pcm, std::span<std::uint8_t> out) {
    if (pcm.size() != format_.samples_per_frame()) return core::error{errc::bad_frame_size, {}};
    if (out.size() < pcm.size()) return core::error{errc::buffer_too_small, {}};
    if (law_ == g711_law::ulaw)
        for (std::size_t i = 0; i < pcm.size(); ++i) out[i] = linear_to_ulaw(pcm[i]);
    else
        for (std::size_t i = 0; i < pcm.size(); ++i) out[i] = linear_to_alaw(pcm[i]);
    return pcm.size();
}

g711_decoder::g711_decoder(g711_law law, std::uint8_t pt, std::uint32_t frame_ms) : law_(law), plc_(8000) {
    format_ = g711_format(law, pt, frame_ms);
}

// Any payload length is valid: one octet is one sample whatever the sender's ptime.
core::result<std::size_t> g711_decoder::decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> out) {
    if (out.size() < payload.size()) return core::error{errc::buffer_too_small, {}};
    if (law_ == g711_law::ulaw)
        for (std::size_t i = 0; i < payload.size(); ++i) out[i] = ulaw_to_linear(payload[i]);
    else
        for (std::size_t i = 0; i < payload.size(); ++i) out[i] = alaw_to_linear(payload[i]);
    plc_.good_frame(out.first(payload.size()));
    return payload.size();
}

}  // namespace jigasi::media::codecs
