#pragma once
// What we know about one SSRC we receive, as RFC 3550 Appendix A computes it: sequence validation
// with extended sequence numbers (A.1), expected/lost/fraction lost for a report block (A.3) and the
// interarrival jitter in RTP clock units (A.8). Times are passed in; nothing allocates.

#include <chrono>
#include <cstdint>
#include <optional>

namespace jigasi::media::rtp {

/// One RFC 3550 §6.4.1 reception report block.
struct report_block {
    std::uint32_t ssrc = 0;           ///< the source this block is about
    std::uint8_t fraction_lost = 0;   ///< since the previous report, in 1/256
    std::int32_t cumulative_lost = 0; ///< 24-bit signed on the wire (duplicates make it negative)
    std::uint32_t extended_highest_seq = 0;
    std::uint32_t jitter = 0;         ///< RTP clock units
    std::uint32_t last_sr = 0;        ///< middle 32 bits of the last SR's NTP time, 0 if none
    std::uint32_t delay_since_last_sr = 0;  ///< 1/65536 s, 0 if no SR yet
    friend bool operator==(const report_block&, const report_block&) = default;
};

/// What on_packet() made of a packet.
enum class seq_status : std::uint8_t {
    valid,      ///< in sequence (or an acceptable reorder/duplicate): play it
    probation,  ///< a new or restarted source has not shown enough sequential packets yet
    bad_jump,   ///< a sequence jump too large; a second packet following it restarts the source
};

class receive_stats {
public:
    using clock = std::chrono::steady_clock;

    struct config {
        std::uint32_t clock_rate = 48000;
        /// A.1 MIN_SEQUENTIAL. 2 drops the first packet of a source; 1 accepts it at once (fine
        /// behind SRTP authentication, where a stray packet cannot reach us).
        std::uint16_t min_sequential = 2;
        std::uint16_t max_dropout = 3000;   ///< A.1 MAX_DROPOUT
        std::uint16_t max_misorder = 100;   ///< A.1 MAX_MISORDER
    };

    receive_stats(std::uint32_t ssrc, const config& cfg);

    /// A packet of this SSRC arrived at `arrival` (RFC 3550 A.1 update_seq, then A.8 jitter).
    seq_status on_packet(std::uint16_t seq, std::uint32_t rtp_timestamp, std::size_t payload_size,
                         clock::time_point arrival);

    /// An SR from this source: keep LSR (middle 32 bits of its NTP time) and when it came, for the
    /// DLSR of our next report block (RFC 3550 §6.4.1).
    void on_sender_report(std::uint64_t ntp_time, clock::time_point arrival);

    /// The report block for our next RR/SR. Advances the A.3 interval (expected_prior,
    /// received_prior), so call it once per report sent.
    report_block make_report_block(clock::time_point now);

    std::uint32_t ssrc() const { return ssrc_; }
    bool started() const { return started_; }
    std::uint32_t extended_highest_seq() const { return cycles_ + max_seq_; }
    std::uint32_t expected() const;
    std::uint64_t received() const { return received_; }
    std::int64_t cumulative_lost() const;  ///< not clamped to 24 bits
    std::uint32_t jitter() const { return jitter_q4_ >> 4; }  ///< RTP clock units
    double jitter_ms() const;
    std::uint64_t payload_bytes() const { return bytes_; }
    std::optional<clock::time_point> last_arrival() const { return last_arrival_; }

private:
    void init_seq(std::uint16_t seq);
    bool update_seq(std::uint16_t seq);
    std::uint32_t to_rtp_units(clock::time_point t) const;

    std::uint32_t ssrc_;
    config cfg_;
    bool started_ = false;
    // RFC 3550 A.1 source state
    std::uint16_t max_seq_ = 0;
    std::uint32_t cycles_ = 0;  ///< shifted count of wraps (multiples of 65536)
    std::uint32_t base_seq_ = 0;
    std::uint32_t bad_seq_ = 0;
    std::uint32_t probation_ = 0;
    bool advanced_ = false;  ///< the last update_seq() moved max_seq_ forward (or restarted)
    std::uint64_t received_ = 0;
    std::uint32_t expected_prior_ = 0;
    std::uint64_t received_prior_ = 0;
    // RFC 3550 A.8: jitter scaled by 16 (the integer form of A.8)
    std::uint32_t jitter_q4_ = 0;
    std::uint32_t transit_ = 0;
    bool have_transit_ = false;
    std::uint32_t last_timestamp_ = 0;
    std::uint64_t bytes_ = 0;
    clock::time_point epoch_{};
    std::optional<clock::time_point> last_arrival_;
    // §6.4.1 LSR / DLSR
    std::uint32_t last_sr_ = 0;
    std::optional<clock::time_point> last_sr_arrival_;
};

}  // namespace jigasi::media::rtp
