#pragma once
// When to send the next RTCP compound (RFC 3550 §6.3, A.7) for a two-party audio session: the
// deterministic interval from the RTCP bandwidth and the average compound size, floored at a
// minimum, then randomized over [0.5, 1.5] so that senders do not synchronize (§6.3.1). Membership
// is fixed (us and the peer), so there is no timer reconsideration (§6.3.3) and no e-3/2
// compensation. The caller owns the timer; this says when.

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace jigasi::media::rtp {

class rtcp_scheduler {
public:
    using clock = std::chrono::steady_clock;

    struct config {
        /// §6.2 suggests 5 s and allows a smaller minimum; 1 s gives RTT and loss figures often
        /// enough for a call, at ~1 kbit/s.
        std::chrono::milliseconds min_interval{1000};
        /// §6.2: 5 % of the session bandwidth (Opus ~64 kbit/s with overhead: 3.2 kbit/s).
        std::uint32_t rtcp_bandwidth_bps = 3200;
        std::uint32_t members = 2;
    };

    rtcp_scheduler(const config& cfg, std::uint64_t seed);

    /// The first report: half the minimum (§6.2 "initial"), randomized.
    clock::time_point first(clock::time_point now);

    /// A compound of `size` bytes went out at `now`. Returns when the next one is due.
    clock::time_point on_sent(std::size_t size, clock::time_point now);

    /// A compound of `size` bytes came in: it counts in the average size (§6.3.3).
    void on_received(std::size_t size);

    /// The deterministic interval T before randomization (§6.3.1, A.7 rtcp_interval()).
    std::chrono::microseconds deterministic_interval(bool initial) const;

    double average_size() const { return avg_size_; }

private:
    std::chrono::microseconds randomized(std::chrono::microseconds t);

    config cfg_;
    std::uint64_t rng_;
    double avg_size_;
};

}  // namespace jigasi::media::rtp
