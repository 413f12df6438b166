#pragma once
// The RTCP side of one leg (RFC 3550 §6), shared by bridge_audio and phone_audio: when our next
// compound is due (rtcp_scheduler), writing SR/RR + SDES CNAME with the report blocks the leg
// gives, and what the peer's report blocks say about the stream we send (loss, jitter, RTT).
// Time points are passed in; nothing allocates after construction.

#include "media/pipeline/stats.hpp"
#include "media/rtp/rtcp.hpp"
#include "media/rtp/rtcp_scheduler.hpp"
#include "media/rtp/send_stream.hpp"

#include <optional>
#include <span>
#include <string>

namespace jigasi::media::pipeline {

class rtcp_link {
public:
    struct config {
        std::string cname;  ///< RFC 3550 §6.5.1, 1..255 bytes; empty: "jigasi-<ssrc>"
        rtp::rtcp_scheduler::config schedule;
        std::uint64_t seed = 1;  ///< for the §6.3.1 randomisation; give each call its own
        clock_anchor anchor;
    };

    rtcp_link(const config& cfg, std::uint32_t local_ssrc);

    /// Our NTP time at steady instant `t` (through the anchor).
    rtp::ntp_time ntp_at(clock::time_point t) const;

    /// A compound from the peer (already parsed): its size counts in the interval (§6.3.3) and
    /// its report blocks about our SSRC give loss, jitter and the §6.4.1 round trip.
    void on_compound(const rtp::rtcp_summary& s, std::size_t size, clock::time_point arrival);

    /// Whether our next compound is due at `now`. The first call schedules the first report
    /// (§6.2: half the minimum interval, randomised).
    bool due(clock::time_point now);
    /// When the next compound is due, once due() was called once.
    std::optional<clock::time_point> next() const { return next_; }

    /// Writes SR (we sent since the last report) or RR, the blocks and our CNAME, and BYE when
    /// asked; schedules the next one. 0 when `out` is too small (counted in write_failures()).
    std::size_t write(clock::time_point now, rtp::send_stream& stream,
                      std::span<const rtp::report_block> blocks, std::span<std::uint8_t> out,
                      bool bye = false);

    const std::optional<rtp::report_block>& peer_report() const { return peer_; }
    std::optional<std::chrono::microseconds> rtt() const { return rtt_; }
    std::uint64_t received() const { return received_; }
    std::uint64_t sent() const { return sent_; }
    std::uint64_t write_failures() const { return failures_; }
    const std::string& cname() const { return cfg_.cname; }

private:
    config cfg_;
    std::uint32_t ssrc_;
    rtp::rtcp_scheduler scheduler_;
    std::optional<clock::time_point> next_;
    std::optional<rtp::report_block> peer_;
    std::optional<std::chrono::microseconds> rtt_;
    std::uint64_t received_ = 0;
    std::uint64_t sent_ = 0;
    std::uint64_t failures_ = 0;
};

}  // namespace jigasi::media::pipeline
