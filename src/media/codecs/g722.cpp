#include "media/codecs/g722.hpp"

#include <spandsp.h>

#include <new>

namespace jigasi::media::codecs {
namespace {

constexpr int bit_rate = 64000;  // mode 1, the only one RTP uses (RFC 3551 §4.5.2)

}  // namespace

void g722_encoder::deleter::operator()(g722_encode_state_s* s) const { g722_encode_free(s); }
void g722_decoder::deleter::operator()(g722_decode_state_s* s) const { g722_decode_free(s); }

g722_encoder::g722_encoder(std::uint8_t pt, std::uint32_t frame_ms)
    : state_(g722_encode_init(nullptr, bit_rate, 0)) {
    if (!state_) throw std::bad_alloc();  // setup-time exhaustion, not network input
    format_ = {codec_id::g722, pt, 16000, 8000, frame_ms};
}

void g722_encoder::reset() { g722_encode_init(state_.get(), bit_rate, 0); }

core::result<std::size_t> g722_encoder::encode(std::span<const std::int16_t> pcm, std::span<std::uint8_t> out) {
    if (pcm.size() != format_.samples_per_frame()) return core::error{errc::bad_frame_size, {}};
    if (out.size() < max_payload()) return core::error{errc::buffer_too_small, {}};
    const int n = g722_encode(state_.get(), out.data(), pcm.data(), static_cast<int>(pcm.size()));
    return static_cast<std::size_t>(n);
}

g722_decoder::g722_decoder(std::uint8_t pt, std::uint32_t frame_ms)
    : state_(g722_decode_init(nullptr, bit_rate, 0)), plc_(16000) {
    if (!state_) throw std::bad_alloc();
    format_ = {codec_id::g722, pt, 16000, 8000, frame_ms};
}

void g722_decoder::reset() {
    g722_decode_init(state_.get(), bit_rate, 0);
    plc_.reset();
}

core::result<std::size_t> g722_decoder::decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> out) {
    if (out.size() < payload.size() * 2) return core::error{errc::buffer_too_small, {}};
    const int n = g722_decode(state_.get(), out.data(), payload.data(), static_cast<int>(payload.size()));
    if (n < 0) return core::error{errc::corrupt_payload, {}};
    plc_.good_frame(out.first(static_cast<std::size_t>(n)));
    return static_cast<std::size_t>(n);
}

}  // namespace jigasi::media::codecs
