#pragma once
// The audio of one call toward the phone (the SIP leg), sans-io like bridge_audio: the phone's
// one RTP stream (G.711, G.722 or Opus) in through its own jitter buffer and decoder, 20 ms of
// PCM out per tick; our mix in as 20 ms PCM frames, one RTP packet out; RFC 4733 both ways.
// No sockets, no clock reads, no allocation after create().
//
// Per 20 ms tick, with bridge_audio beside it on the call's strand:
//   bridge.tick(now, mix);                   phone.to_phone(mix, now, out) -> send to the phone
//   phone.tick(now, pcm);                    bridge.from_phone(pcm, now, out) -> send to the bridge
//   while (auto e = bridge.poll_event()) ... phone.start_dtmf(...)   (jitsi-protocol.md §5.4)
//
// The PCM is at format.pcm_rate (8 kHz G.711, 16 kHz G.722, the Opus rate given), which
// codecs::plan_rates makes the bridge side's mixing rate: no resampling between the two. We
// packetise at the 20 ms tick whatever a=ptime said (RFC 4566 §6: a preference; any
// packetisation the phone sends is played, 10 to 120 ms). One remote SSRC at a time: a new one
// (re-INVITE, transfer) restarts the jitter buffer and the decoder.

#include "media/codecs/codec.hpp"
#include "media/codecs/opus.hpp"
#include "media/jitter/jitter_buffer.hpp"
#include "media/pipeline/dtmf.hpp"
#include "media/pipeline/playout.hpp"
#include "media/pipeline/rtcp_link.hpp"
#include "media/pipeline/sender.hpp"
#include "media/pipeline/stats.hpp"
#include "media/rtp/receive_stats.hpp"

#include <memory>
#include <optional>
#include <span>

namespace jigasi::media::pipeline {

/// What the SDP offer/answer gave toward the phone.
struct phone_config {
    codecs::format format;                  ///< codecs::describe() of the chosen payload type
    std::uint8_t dtmf_pt = 101;             ///< telephone-event, 0 = none
    std::uint32_t dtmf_clock_rate = 8000;
    std::uint32_t local_ssrc = 0;           ///< random, chosen by the caller
    std::uint16_t first_sequence = 0;       ///< random (RFC 3550 §5.1)
    std::uint32_t first_timestamp = 0;      ///< random
    /// clock_rate and frame_ms are taken from `format` and the tick.
    jitter::config jitter;
    /// When the phone speaks Opus (fmtp applied by the caller); pcm_rate and frame_ms are set
    /// from `format` and the tick.
    codecs::opus_settings opus;
    rtcp_link::config rtcp;
};

class phone_audio {
public:
    /// Errors: codecs::errc::bad_parameter (payload types, a rate the codec does not have).
    static core::result<std::unique_ptr<phone_audio>> create(const phone_config& cfg);

    /// A (decrypted, if SRTP) RTP packet from the phone. Comfort noise (PT 13), other unknown PTs,
    /// malformed and empty packets, our own SSRC: counted in stats().drops, dropped.
    void on_rtp(std::span<const std::uint8_t> packet, clock::time_point arrival);
    /// An RTCP compound from the phone (on the RTP port with rtcp-mux, or the next port).
    void on_rtcp(std::span<const std::uint8_t> packet, clock::time_point arrival);

    /// Every 20 ms: the phone's audio into `pcm` (frame_samples()), decoded, FEC-recovered or
    /// concealed as the jitter buffer says, silence when the phone sends nothing. Returns the
    /// samples that carry audio (0: all silence). Error: bad_frame_size.
    core::result<std::size_t> tick(clock::time_point now, std::span<std::int16_t> pcm);

    /// Our 20 ms frame (frame_samples()) -> one RTP packet to the phone in `out`; its size, 0 =
    /// nothing to send (DTX, or a telephone-event replaces the audio).
    core::result<std::size_t> to_phone(std::span<const std::int16_t> pcm, clock::time_point now,
                                       std::span<std::uint8_t> out);

    /// RFC 4733 toward the phone (a web participant's key, jitsi-protocol.md §5.4).
    bool start_dtmf(std::uint8_t event, std::chrono::milliseconds duration, clock::time_point now);
    std::size_t poll_dtmf(clock::time_point now, std::span<std::uint8_t> out);
    /// An event is still being sent (its end packets included): the next must wait.
    bool dtmf_busy() const;
    /// A key the phone pressed (RFC 4733 from the phone).
    std::optional<dtmf_event> poll_event() { return dtmf_in_.poll(); }

    std::size_t poll_rtcp(clock::time_point now, std::span<std::uint8_t> out);
    std::size_t write_bye(clock::time_point now, std::span<std::uint8_t> out);
    std::optional<clock::time_point> next_rtcp() const { return rtcp_.next(); }

    std::optional<clock::time_point> last_rx() const { return last_rx_; }
    leg_stats stats() const;

    const codecs::format& format() const { return fmt_; }
    std::size_t frame_samples() const { return fmt_.samples_per_frame(); }
    std::size_t max_packet_size() const { return sender_->header_bytes() + sender_->encoder().max_payload(); }

    phone_audio(const phone_audio&) = delete;
    phone_audio& operator=(const phone_audio&) = delete;
    ~phone_audio();

private:
    phone_audio(const phone_config& cfg, const codecs::format& fmt, std::unique_ptr<codecs::encoder> enc,
                std::unique_ptr<codecs::decoder> dec);

    phone_config cfg_;
    codecs::format fmt_;  ///< the phone's codec at the 20 ms tick
    rtp::receive_stats::config rx_cfg_;
    jitter::jitter_buffer jb_;
    rtp::receive_stats rx_;
    std::optional<std::uint32_t> remote_ssrc_;
    std::uint64_t reported_at_ = 0;
    decode_lane lane_;
    playout_state play_;
    std::unique_ptr<rtp_sender> sender_;
    rtcp_link rtcp_;
    dtmf_receiver dtmf_in_;
    std::optional<clock::time_point> last_rx_;
    std::uint64_t rx_packets_ = 0, rx_bytes_ = 0, frames_decoded_ = 0, fec_ = 0;
    std::int64_t retired_lost_ = 0;
    std::uint64_t retired_expected_ = 0;
    drop_stats drops_;
};

}  // namespace jigasi::media::pipeline
