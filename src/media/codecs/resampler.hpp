#pragma once
// A fixed-ratio mono resampler (speexdsp), for the legs whose PCM rate differs from the mixing
// rate, e.g. a G.722 phone (16 kHz) in a call mixed at 48 kHz. rates.hpp picks the mixing rate so
// that most calls need none. The state is made once; process() does not allocate.

#include "core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

extern "C" {
struct SpeexResamplerState_;
}

namespace jigasi::media::codecs {

class resampler {
public:
    /// speexdsp quality 0..10; 3 is its "VoIP" setting, 5 "desktop".
    static constexpr int default_quality = 3;

    /// Errors: bad_parameter for a zero or absurd rate (above 192 kHz) or a quality outside 0..10.
    static core::result<resampler> make(std::uint32_t in_rate, std::uint32_t out_rate,
                                        int quality = default_quality);

    /// Converts all of `in`; `out` must hold max_output_length(in.size()). Returns samples written.
    core::result<std::size_t> process(std::span<const std::int16_t> in, std::span<std::int16_t> out);

    /// Samples `in` input samples give on average (exact when in * out_rate / in_rate is whole,
    /// as for 10 ms frames between any of 8, 12, 16, 24, 32, 48 kHz).
    std::size_t output_length(std::size_t in) const { return in * out_rate_ / in_rate_; }
    /// At most, for one call: the fractional phase carried between calls adds one.
    std::size_t max_output_length(std::size_t in) const { return (in * out_rate_ + in_rate_ - 1) / in_rate_ + 1; }
    /// Filter delay in input samples (the output lags the input by this much).
    int input_latency() const;
    void reset();

    std::uint32_t in_rate() const { return in_rate_; }
    std::uint32_t out_rate() const { return out_rate_; }
    bool passthrough() const { return !st_; }

private:
    resampler(std::uint32_t in_rate, std::uint32_t out_rate, SpeexResamplerState_* st);
    struct deleter {
        void operator()(SpeexResamplerState_* s) const;
    };
    std::uint32_t in_rate_, out_rate_;
    std::unique_ptr<SpeexResamplerState_, deleter> st_;  ///< null when the rates are equal
};

}  // namespace jigasi::media::codecs
