#pragma once
// The interarrival jitter of RFC 3550 §6.4.1 and the target delay derived from it, apart from the
// buffer so that the rule can be read (and tuned) on its own.

#include <chrono>
#include <cstdint>
#include <optional>

namespace jigasi::media::jitter {

class delay_estimator {
public:
    using clock = std::chrono::steady_clock;

    delay_estimator(std::uint32_t clock_rate, double min_ms, double max_ms);

    /// The timestamps start over (new stream): the next packet only sets the reference.
    void restart() { last_transit_.reset(); }
    /// A packet with (extended) RTP timestamp `ts` arrived at `arrival`.
    void on_packet(std::int64_t ts, clock::time_point arrival);
    /// A packet came after its playout time.
    void on_late(double frame_ms);

    double jitter_ms() const { return jitter_ * 1000.0 / rate_; }
    double target_ms() const { return target_; }

private:
    void update_target();

    double rate_, min_, max_;
    clock::time_point epoch_{};
    std::optional<double> last_transit_;
    double jitter_ = 0;  ///< timestamp units
    double target_;
};

}  // namespace jigasi::media::jitter
