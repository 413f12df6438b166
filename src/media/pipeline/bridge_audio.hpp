#pragma once
// The audio of one call toward the Jitsi bridge (jitsi-protocol.md §4.5, §4.6), sans-io: the web
// participants' Opus streams in, the loudest K of them mixed for the phone every 20 ms tick, and
// the phone's audio out as our one Opus stream with the audio-level and mid extensions. No sockets,
// no clock reads (every time point is passed in), and no allocation after create(): packets go
// into preallocated jitter buffers and are written into the caller's buffers.
//
// Driven from the call's strand, on decrypted packets (SRTP is the caller's, media/srtp):
//   on_rtp(pkt, t) / on_rtcp(pkt, t)         every packet from the bridge, as it arrives
//   tick(now, to_phone)                       every 20 ms: the web speakers' mix, phone rate
//   from_phone(pcm, now, out)                 every 20 ms: the phone's frame -> one RTP packet
//   poll_dtmf(now, out), poll_event()         RFC 4733 both ways, every tick
//   poll_rtcp(now, out)                       every tick (or at next_rtcp())
//
// Rates (codecs::plan_rates): the mixer runs at the phone's rate when Opus codes it natively
// (8 kHz for G.711, 16 kHz for G.722, 48 kHz for an Opus phone), so the bridge's streams decode
// straight to it and the phone's frames go into the Opus encoder unconverted; any other phone
// rate mixes at 48 kHz and only the phone side is resampled.
//
// Streams: every SSRC that sends our Opus PT is played, whether Jingle announced it or not (the
// bridge may forward before source-add reaches us, and its SSRCs need not be signalled). An SSRC
// takes one of max_streams preallocated streams on its first packet; when all are taken, the one
// heard least recently gives its place if it has been quiet for stream_idle_evict, else the
// quietest stream not being decoded does if the newcomer is louder; else the packet is dropped
// (drops.no_stream). Either way a new loud speaker is heard. remove_source() (source-remove, occupant left) and an RTCP BYE
// (RFC 3550 §6.6) free a stream at once: it fades out. add_source() only records that the SSRC
// was signalled (visible in stream stats; signalled streams are the last evicted).
//
// Cost: only the streams the mixer selects (loudest K by their RFC 6464 levels, plus one tick of
// fade-out for a stream that leaves the set) are decoded; the others cost a jitter-buffer insert
// per packet and a pop per tick. A packet without the audio-level extension counts as
// missing_level loud, so a sender that omits it can still be heard.

#include "media/codecs/opus.hpp"
#include "media/codecs/rates.hpp"
#include "media/codecs/resampler.hpp"
#include "media/jitter/jitter_buffer.hpp"
#include "media/mixer/mixer.hpp"
#include "media/pipeline/dtmf.hpp"
#include "media/pipeline/playout.hpp"
#include "media/pipeline/rtcp_link.hpp"
#include "media/pipeline/sender.hpp"
#include "media/pipeline/stats.hpp"
#include "media/rtp/receive_stats.hpp"

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace jigasi::media::pipeline {

/// What the Jingle negotiation gave toward the bridge, and the pipeline's own sizing.
struct bridge_config {
    std::uint8_t opus_pt = 111;
    std::uint8_t dtmf_pt = 126;             ///< telephone-event, 0 = none
    std::uint32_t dtmf_clock_rate = 8000;
    std::uint8_t audio_level_id = 1;        ///< RFC 6464 ext id, 0 = none
    std::uint8_t mid_id = 0;                ///< sdes:mid ext id (RFC 9143), 0 = none
    std::string mid;                        ///< 1..16 bytes when mid_id is set
    bool extmap_allow_mixed = false;        ///< RFC 8285 §6: ids above 14 need the two-byte form
    std::uint32_t local_ssrc = 0;           ///< random, chosen by the caller
    std::uint16_t first_sequence = 0;       ///< random (RFC 3550 §5.1)
    std::uint32_t first_timestamp = 0;      ///< random
    std::size_t max_speakers = 3;           ///< K: web speakers the phone hears at once
    /// Incoming SSRCs held at once (the bridge forwards only non-silent ones: jitsi-protocol.md
    /// §4.5). Each costs ~19 KiB of jitter buffer.
    std::size_t max_streams = 16;
    std::size_t max_signalled = 256;        ///< SSRCs add_source() can record
    std::chrono::milliseconds stream_idle_evict{2000};
    std::uint8_t missing_level = 64;        ///< -dBov assumed for a packet without a level
    /// Per stream. clock_rate and frame_ms are forced to 48000 and 20; 512-byte slots hold any
    /// voice Opus packet (WebRTC sends 60..200 bytes per 20 ms) at a third of the default memory.
    jitter::config jitter{.max_payload = 512};
    /// The Opus encoder toward the bridge (the caller applies the offer's fmtp with
    /// codecs::opus_settings_from_fmtp); pcm_rate and frame_ms are set from the rate plan.
    codecs::opus_settings opus;
    rtcp_link::config rtcp;
};

class bridge_audio {
public:
    /// Errors: codecs::errc::bad_parameter with a diagnostic for a configuration that cannot
    /// work (payload types, extension ids, a mid that does not fit, a phone rate not a whole
    /// number of samples per 20 ms, Opus settings).
    static core::result<std::unique_ptr<bridge_audio>> create(const bridge_config& cfg,
                                                              std::uint32_t phone_pcm_rate);

    /// An SRTP-decrypted RTP packet from the bridge. Malformed, unknown PT, empty payload, our
    /// own SSRC or no free stream: counted in stats().drops and dropped, never thrown. An RTCP
    /// packet given here by mistake (RFC 5761 §4 test) goes to on_rtcp().
    void on_rtp(std::span<const std::uint8_t> packet, clock::time_point arrival);
    /// An SRTP-decrypted RTCP compound: SR (for our report blocks' LSR/DLSR), report blocks
    /// about our stream (RTT, loss; the Opus encoder's expected loss follows them), BYE.
    void on_rtcp(std::span<const std::uint8_t> packet, clock::time_point arrival);

    /// Jingle announced `ssrc` (source-add / session-initiate). False when the record is full.
    bool add_source(std::uint32_t ssrc);
    /// Jingle removed it, or its owner left: stop playing it now (faded out).
    void remove_source(std::uint32_t ssrc);

    /// Every 20 ms: this tick's mix of the loudest K web speakers into `to_phone`
    /// (phone_frame_samples() samples at the phone's rate). Returns how many streams were heard.
    /// Error: bad_frame_size (then `to_phone` is untouched).
    core::result<std::size_t> tick(clock::time_point now, std::span<std::int16_t> to_phone);

    /// The phone's 20 ms frame (phone_frame_samples()) -> one plaintext RTP packet in `out`
    /// (leave srtp::max_rtp_overhead bytes after it for protect_rtp). Returns its size; 0 =
    /// nothing to send (DTX, or a telephone-event replaces the audio). Errors: bad_frame_size,
    /// buffer_too_small, codec_failure.
    core::result<std::size_t> from_phone(std::span<const std::int16_t> pcm, clock::time_point now,
                                         std::span<std::uint8_t> out);

    /// RFC 4733 toward the bridge (a DTMF key from the phone). False with no dtmf_pt or while
    /// the previous event is being sent.
    bool start_dtmf(std::uint8_t event, std::chrono::milliseconds duration, clock::time_point now);
    /// The next telephone-event packet due into `out`; call every tick until 0.
    std::size_t poll_dtmf(clock::time_point now, std::span<std::uint8_t> out);
    /// A key press of a web participant (its start, then its end), for the phone leg.
    std::optional<dtmf_event> poll_event() { return dtmf_in_.poll(); }

    /// Our SR/RR + SDES compound when due (RFC 3550 §6.3), else 0. Blocks for the streams heard
    /// since the previous report (at most 31).
    std::size_t poll_rtcp(clock::time_point now, std::span<std::uint8_t> out);
    /// The last compound, with BYE (RFC 3550 §6.6), at hang-up.
    std::size_t write_bye(clock::time_point now, std::span<std::uint8_t> out);
    std::optional<clock::time_point> next_rtcp() const { return rtcp_.next(); }

    /// When a valid RTP or RTCP packet last came (the media timeout), nullopt before the first.
    std::optional<clock::time_point> last_rx() const { return last_rx_; }
    /// The SSRCs of the web speakers the phone hears this tick; returns how many were written.
    std::size_t speakers(std::span<std::uint32_t> out) const;
    leg_stats stats() const;

    const codecs::rate_plan& rates() const { return plan_; }
    std::size_t phone_frame_samples() const { return plan_.phone_rate / 50; }
    /// The largest packet from_phone() writes (size `out` with it).
    std::size_t max_packet_size() const;

    bridge_audio(const bridge_audio&) = delete;
    bridge_audio& operator=(const bridge_audio&) = delete;
    ~bridge_audio();

private:
    struct stream {
        explicit stream(const jitter::config& c) : jb(c) {}
        bool in_use = false;
        bool signalled = false;
        bool decode = false;  ///< the mixer wants its frame this tick
        std::uint32_t ssrc = 0;
        std::uint8_t level = 127;  ///< of its last packet
        mixer::slot slot = 0;
        int lane = -1;
        std::uint64_t reported = 0;  ///< rx.received() at our last report block for it
        clock::time_point last_arrival{};
        jitter::jitter_buffer jb;
        rtp::receive_stats rx{0, {}};
        playout_state play;
    };

    bridge_audio(const bridge_config& cfg, const codecs::rate_plan& plan, codecs::opus_settings opus);
    stream* find(std::uint32_t ssrc);
    stream* acquire(std::uint32_t ssrc, std::uint8_t level, clock::time_point now);
    stream* choose_victim(std::uint8_t level, clock::time_point now);
    void release(stream& s);
    bool is_signalled(std::uint32_t ssrc) const;
    void assign_lanes();

    bridge_config cfg_;
    codecs::rate_plan plan_;
    codecs::format source_format_;  ///< Opus at the mix rate, 20 ms
    rtp::receive_stats::config rx_cfg_;
    mixer::mixer mixer_;
    std::vector<stream> streams_;
    std::vector<int> slot_stream_;  ///< mixer slot -> index in streams_, -1 when none
    std::vector<decode_lane> lanes_;
    std::vector<int> free_lanes_;
    std::vector<std::uint32_t> signalled_;
    std::unique_ptr<rtp_sender> sender_;
    codecs::opus_encoder* opus_;  ///< sender_'s encoder, for the expected-loss feedback
    rtcp_link rtcp_;
    dtmf_receiver dtmf_in_;
    std::optional<codecs::resampler> to_phone_rs_, from_phone_rs_;  ///< only when the plan says
    std::vector<std::int16_t> mix_buf_, enc_buf_;
    std::optional<pcm_fifo> to_phone_fifo_, from_phone_fifo_;
    std::array<rtp::report_block, 31> blocks_{};
    std::optional<clock::time_point> last_rx_;
    std::uint64_t rx_packets_ = 0, rx_bytes_ = 0, frames_decoded_ = 0, fec_ = 0, evictions_ = 0;
    std::int64_t retired_lost_ = 0;
    std::uint64_t retired_expected_ = 0;
    drop_stats drops_;
};

}  // namespace jigasi::media::pipeline
