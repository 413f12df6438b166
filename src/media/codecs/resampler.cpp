#include "media/codecs/resampler.hpp"

#include "media/codecs/codec.hpp"

#include <speex/speex_resampler.h>

#include <algorithm>
#include <new>

namespace jigasi::media::codecs {

void resampler::deleter::operator()(SpeexResamplerState_* s) const { speex_resampler_destroy(s); }

resampler::resampler(std::uint32_t in_rate, std::uint32_t out_rate, SpeexResamplerState_* st)
    : in_rate_(in_rate), out_rate_(out_rate), st_(st) {}

core::result<resampler> resampler::make(std::uint32_t in_rate, std::uint32_t out_rate, int quality) {
    if (in_rate == 0 || out_rate == 0 || in_rate > 192000 || out_rate > 192000)
        return core::error{errc::bad_parameter, "resampler: rates must be 1..192000 Hz"};
    if (quality < SPEEX_RESAMPLER_QUALITY_MIN || quality > SPEEX_RESAMPLER_QUALITY_MAX)
        return core::error{errc::bad_parameter, "resampler: quality must be 0..10"};
    if (in_rate == out_rate) return resampler(in_rate, out_rate, nullptr);
    int err = 0;
    auto* st = speex_resampler_init(1, in_rate, out_rate, quality, &err);
    if (!st || err != RESAMPLER_ERR_SUCCESS) {
        if (st) speex_resampler_destroy(st);
        return core::error{errc::codec_failure, speex_resampler_strerror(err)};
    }
    // No speex_resampler_skip_zeros(): it would drop the filter delay's leading zeros, which
    // aligns the stream but makes the first frame short. A mixer wants every frame full.
    return resampler(in_rate, out_rate, st);
}

core::result<std::size_t> resampler::process(std::span<const std::int16_t> in, std::span<std::int16_t> out) {
    if (!st_) {
        if (out.size() < in.size()) return core::error{errc::buffer_too_small, {}};
        std::copy(in.begin(), in.end(), out.begin());
        return in.size();
    }
    if (out.size() < max_output_length(in.size())) return core::error{errc::buffer_too_small, {}};
    spx_uint32_t in_len = static_cast<spx_uint32_t>(in.size());
    spx_uint32_t out_len = static_cast<spx_uint32_t>(out.size());
    const int err = speex_resampler_process_int(st_.get(), 0, in.data(), &in_len, out.data(), &out_len);
    if (err != RESAMPLER_ERR_SUCCESS) return core::error{errc::codec_failure, {}};
    return std::size_t{out_len};
}

int resampler::input_latency() const { return st_ ? speex_resampler_get_input_latency(st_.get()) : 0; }

void resampler::reset() {
    if (st_) speex_resampler_reset_mem(st_.get());
}

}  // namespace jigasi::media::codecs
