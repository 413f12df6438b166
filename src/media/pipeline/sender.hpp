#pragma once
// The one RTP stream a leg sends: PCM frames in, RTP packets out, plus RFC 4733 telephone-events
// on the same SSRC and sequence space (RFC 4733 §2.1). bridge_audio and phone_audio each own one.
// The packet is written straight into the caller's buffer (header first, then the encoder writes
// the payload after it): no copy, no allocation.

#include "media/codecs/codec.hpp"
#include "media/pipeline/stats.hpp"
#include "media/rtp/send_stream.hpp"
#include "media/rtp/telephone_event.hpp"

#include <memory>
#include <span>
#include <string>

namespace jigasi::media::pipeline {

class rtp_sender {
public:
    struct config {
        std::uint32_t ssrc = 0;
        std::uint16_t first_sequence = 0;   ///< random (RFC 3550 §5.1), chosen by the caller
        std::uint32_t first_timestamp = 0;  ///< likewise
        std::uint8_t audio_level_id = 0;    ///< RFC 6464 extension id, 0 = none
        std::uint8_t mid_id = 0;            ///< RFC 9143 sdes:mid extension id, 0 = none
        std::string mid;
        bool two_byte_extensions = false;   ///< an id above 14 needs RFC 8285 §4.3 (extmap-allow-mixed)
        std::uint8_t dtmf_pt = 0;           ///< telephone-event payload type, 0 = none
        std::uint32_t dtmf_clock_rate = 8000;
    };

    /// `enc` encodes 20 ms frames (the tick).
    rtp_sender(const config& cfg, std::unique_ptr<codecs::encoder> enc);

    /// One frame (exactly enc.format().samples_per_frame() samples) into `out` as an RTP packet.
    /// 0: nothing to send (Opus DTX, or a telephone-event is being sent: the event replaces the
    /// audio, as libwebrtc does). Errors: bad_frame_size, buffer_too_small, codec_failure.
    core::result<std::size_t> send_frame(std::span<const std::int16_t> pcm, clock::time_point now,
                                         std::span<std::uint8_t> out);

    /// Begin sending `event` (0-15 digits, 16 flash; RFC 4733 §3.2) lasting `duration`. False
    /// without a negotiated telephone-event or while the previous event is still going out.
    bool start_dtmf(std::uint8_t event, std::chrono::milliseconds duration, clock::time_point now);
    /// The next telephone-event packet due at `now` into `out`; call until 0.
    std::size_t poll_dtmf(clock::time_point now, std::span<std::uint8_t> out);
    bool dtmf_busy() const { return events_.busy(); }

    rtp::send_stream& stream() { return stream_; }
    const rtp::send_stream& stream() const { return stream_; }
    codecs::encoder& encoder() { return *enc_; }
    std::uint64_t frames_encoded() const { return frames_; }
    std::uint64_t events_started() const { return events_started_; }
    /// Bytes a packet needs before its payload (fixed header and extension block).
    std::size_t header_bytes() const { return header_bytes_; }

private:
    config cfg_;
    std::unique_ptr<codecs::encoder> enc_;
    rtp::send_stream stream_;
    rtp::telephone_event_sender events_;
    std::size_t header_bytes_ = 0;
    bool after_event_ = false;
    std::uint64_t frames_ = 0;
    std::uint64_t events_started_ = 0;
};

}  // namespace jigasi::media::pipeline
