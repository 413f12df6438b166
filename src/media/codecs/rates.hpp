#pragma once
// The rule that picks a call's internal mixing rate so that no audio is converted twice
// (jitsi-protocol.md §4.6: every bridge stream is decoded, mixed, encoded for the phone, and the
// phone's audio re-encoded to Opus). Opus codes natively at 8/12/16/24/48 kHz, so mixing at the
// phone codec's own rate lets the bridge streams decode straight to it and the phone's audio go
// into the Opus encoder unconverted:
//   G.711 phone (8 kHz)  -> mix at 8 kHz, Opus decoded and encoded at 8 kHz, no resampler;
//   G.722 phone (16 kHz) -> mix at 16 kHz, likewise;
//   Opus phone           -> mix at 48 kHz;
//   any other rate       -> mix at 48 kHz and resample only the phone leg.
// Mixing at more than the phone's rate would buy nothing: the phone cannot hear it, and the web
// participants hear each other through the bridge, not through us.

#include "media/codecs/codec.hpp"

#include <cstdint>

namespace jigasi::media::codecs {

struct rate_plan {
    std::uint32_t phone_rate = 8000;   ///< PCM rate of the SIP leg's codec
    std::uint32_t mix_rate = 8000;     ///< the mixer's rate for this call
    std::uint32_t opus_rate = 8000;    ///< the rate the bridge leg's Opus decoders/encoder run at
    bool resample_phone = false;       ///< the phone leg needs a resampler to and from mix_rate
};

rate_plan plan_rates(std::uint32_t phone_pcm_rate);
inline rate_plan plan_rates(const format& phone) { return plan_rates(phone.pcm_rate); }

}  // namespace jigasi::media::codecs
