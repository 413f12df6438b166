#pragma once
// The state of the one RTP stream we send on a leg: SSRC, sequence numbers and timestamps that stay
// continuous whatever feeds the stream (the phone's audio, a prompt, a pause), and the counters an
// SR reports. RFC 3550 §5.1: sequence numbers go up by one per packet whatever happens; timestamps
// follow the sampling clock, so after a pause or a change of source they jump by the wall-clock time
// that passed, and the first packet after silence carries the marker (RFC 3551 §4.1).

#include "media/rtp/ntp.hpp"
#include "media/rtp/rtcp.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace jigasi::media::rtp {

class send_stream {
public:
    using clock = std::chrono::steady_clock;

    struct config {
        std::uint32_t ssrc = 0;
        std::uint32_t clock_rate = 48000;
        std::uint16_t first_sequence = 0;   ///< random (RFC 3550 §5.1), chosen by the caller
        std::uint32_t first_timestamp = 0;  ///< random, likewise
        /// A gap between two frames longer than this is a pause: the timestamp then follows the
        /// wall clock and the marker is set. Longer than the 20 ms tick's worst lateness.
        std::chrono::milliseconds pause_threshold{100};
    };

    /// Sequence number, timestamp and marker for one packet.
    struct stamp {
        std::uint16_t sequence = 0;
        std::uint32_t timestamp = 0;
        bool marker = false;
    };

    explicit send_stream(const config& cfg);

    /// An audio frame of `samples` RTP clock units, sent at `now`.
    stamp next_frame(std::uint32_t samples, std::size_t payload_size, clock::time_point now);

    /// The next frame starts a new talk spurt or comes from another source (a prompt ends, the
    /// phone's audio resumes): its timestamp follows the wall clock and it carries the marker.
    void resync() { resync_ = true; }

    /// A packet that is not an audio frame (RFC 4733 events) takes the next sequence number; its
    /// timestamp is the caller's (timestamp_at() of the event start).
    std::uint16_t next_sequence(std::size_t payload_size);

    /// The RTP timestamp of wall-clock instant `now` on this stream's timeline (for an SR, or the
    /// start of a telephone event).
    std::uint32_t timestamp_at(clock::time_point now) const;

    /// The SR sender info for a report going out at `now` (NTP `ntp_now`), or nullopt when nothing
    /// was sent since the report before the previous one: RFC 3550 §6.4 then wants an RR.
    std::optional<sender_info> report(ntp_time ntp_now, clock::time_point now);

    std::uint32_t ssrc() const { return cfg_.ssrc; }
    std::uint32_t clock_rate() const { return cfg_.clock_rate; }
    std::uint32_t packets_sent() const { return packets_; }
    std::uint32_t octets_sent() const { return octets_; }

private:
    std::uint32_t to_units(clock::duration d) const;

    config cfg_;
    std::uint16_t seq_;
    std::uint32_t last_ts_;
    std::uint32_t last_samples_ = 0;
    clock::time_point last_time_{};
    bool started_ = false;
    bool resync_ = false;
    std::uint32_t packets_ = 0;  ///< RFC 3550 §6.4.1: both counts wrap at 2^32
    std::uint32_t octets_ = 0;
    std::uint32_t packets_at_report_[2] = {0, 0};  ///< at the previous and the one before
};

}  // namespace jigasi::media::rtp
