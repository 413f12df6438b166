#include "media/jitter/delay_estimator.hpp"

#include <algorithm>
#include <cmath>

namespace jigasi::media::jitter {
namespace {

constexpr double target_decay = 1.0 / 256;  // per packet: ~5 s time constant at 50 packets/s
constexpr double deviations = 4;            // J is a third of the range of a uniform jitter

}  // namespace

delay_estimator::delay_estimator(std::uint32_t clock_rate, double min_ms, double max_ms)
    : rate_(clock_rate), min_(min_ms), max_(std::max(min_ms, max_ms)), target_(min_ms) {}

// RFC 3550 A.8: J += (|D| - J) / 16, D the change in relative transit time between two packets.
void delay_estimator::on_packet(std::int64_t ts, clock::time_point arrival) {
    if (!last_transit_) epoch_ = arrival;
    const double arrival_ticks = std::chrono::duration<double>(arrival - epoch_).count() * rate_;
    const double transit = arrival_ticks - static_cast<double>(ts);
    if (last_transit_) jitter_ += (std::abs(transit - *last_transit_) - jitter_) / 16.0;
    last_transit_ = transit;
    update_target();
}

// J is a mean and lags behind spikes: a packet that actually came too late raises the target by a
// frame at once.
void delay_estimator::on_late(double frame_ms) {
    target_ = std::min(target_ + frame_ms, max_);
    update_target();
}

// Up at once, down slowly, so that one quiet second does not undo a bad minute.
void delay_estimator::update_target() {
    const double desired = std::clamp(deviations * jitter_ms(), min_, max_);
    if (desired > target_) target_ = desired;
    else target_ += (desired - target_) * target_decay;
    if (target_ - desired < 0.5) target_ = desired;  // the decay is exponential: end it
}

}  // namespace jigasi::media::jitter
