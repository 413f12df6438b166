#include "core/call_stats.hpp"

#include <algorithm>
#include <cmath>

namespace jigasi::core {

const char* to_string(call_direction d) { return d == call_direction::in ? "in" : "out"; }
const char* to_string(media_leg l) { return l == media_leg::bridge ? "bridge" : "phone"; }

void seconds_histogram::observe(double seconds) {
    seconds = std::max(0.0, seconds);
    const auto at = std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin();
    buckets_[static_cast<std::size_t>(at)].fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(static_cast<std::uint64_t>(std::llround(seconds * 1e6)), std::memory_order_relaxed);
}

seconds_histogram::snapshot_type seconds_histogram::snapshot() const {
    snapshot_type s;
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        s.cumulative[i] = running;
    }
    s.count = running + buckets_[bounds.size()].load(std::memory_order_relaxed);
    s.sum = static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6;
    return s;
}

void call_stats::attempt(call_direction d, std::string_view result, std::string_view reason) {
    std::lock_guard lock(mu_);
    ++attempts_[{to_string(d), std::string(result), std::string(reason)}];
}

std::map<call_stats::attempt_key, std::uint64_t> call_stats::attempts() const {
    std::lock_guard lock(mu_);
    return attempts_;
}

void call_stats::rtp(media_leg l, std::uint64_t rx_packets, std::uint64_t tx_packets, std::uint64_t rx_lost) {
    const auto i = static_cast<std::size_t>(l);
    rx_[i].fetch_add(rx_packets, std::memory_order_relaxed);
    tx_[i].fetch_add(tx_packets, std::memory_order_relaxed);
    lost_[i].fetch_add(rx_lost, std::memory_order_relaxed);
}

call_stats::rtp_counts call_stats::rtp(media_leg l) const {
    const auto i = static_cast<std::size_t>(l);
    return {rx_[i].load(std::memory_order_relaxed), tx_[i].load(std::memory_order_relaxed),
            lost_[i].load(std::memory_order_relaxed), media_timeouts_[i].load(std::memory_order_relaxed)};
}

}  // namespace jigasi::core
