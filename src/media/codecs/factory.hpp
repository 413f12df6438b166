#pragma once
// From a negotiated payload type (media/description.hpp) to a codec: which one, at which PCM rate
// and frame, and the encoder/decoder objects. Everything is decided here, at call setup; the frame
// path never looks at SDP again.

#include "media/codecs/codec.hpp"
#include "media/codecs/opus.hpp"
#include "media/description.hpp"

#include <memory>
#include <vector>

namespace jigasi::media::codecs {

struct codec_options {
    std::uint32_t frame_ms = 20;          ///< the negotiated ptime
    std::uint32_t opus_pcm_rate = 48000;  ///< rate Opus encodes from and decodes to (see rates.hpp)
    opus_settings opus;                   ///< encoder tuning; fmtp and the two fields above override
};

/// What the payload type is for the audio path: codec, PCM rate, RTP clock, frame. Errors:
/// unsupported_codec (unknown names, telephone-event, video) and bad_parameter (a clock rate or
/// channel count the codec does not have, a ptime we do not packetise).
core::result<format> describe(const media::payload_type& pt, const codec_options& opts = {});

core::result<std::unique_ptr<encoder>> make_encoder(const media::payload_type& pt, const codec_options& opts = {});
core::result<std::unique_ptr<decoder>> make_decoder(const media::payload_type& pt, const codec_options& opts = {});

/// The encoder settings the receiver's fmtp asks for (RFC 7587 §6.1): useinbandfec, usedtx, cbr,
/// maxplaybackrate, maxaveragebitrate. We send mono whatever stereo says (allowed by §6.1).
/// Malformed values are ignored (the defaults stay), so an odd peer still gets audio.
opus_settings opus_settings_from_fmtp(const std::vector<media::parameter>& fmtp, opus_settings base);

}  // namespace jigasi::media::codecs
