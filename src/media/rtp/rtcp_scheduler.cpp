#include "media/rtp/rtcp_scheduler.hpp"

#include <algorithm>

namespace jigasi::media::rtp {

namespace {

constexpr double udp_ip_overhead = 28;  // §6.2: sizes include the IPv4 + UDP headers

// splitmix64: deterministic for tests, no global state.
std::uint64_t next_random(std::uint64_t& s) {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

}  // namespace

rtcp_scheduler::rtcp_scheduler(const config& cfg, std::uint64_t seed)
    : cfg_(cfg), rng_(seed), avg_size_(100 + udp_ip_overhead) {
    cfg_.members = std::max<std::uint32_t>(cfg_.members, 1);
    cfg_.rtcp_bandwidth_bps = std::max<std::uint32_t>(cfg_.rtcp_bandwidth_bps, 1);
}

std::chrono::microseconds rtcp_scheduler::deterministic_interval(bool initial) const {
    // A.7 rtcp_interval(): senders get a 25 % share only when they are at most a quarter of the
    // members; with us and one peer, one sender is already half, so all members share alike.
    const double bw = cfg_.rtcp_bandwidth_bps / 8.0;  // bytes per second
    const auto t = std::chrono::microseconds(
        static_cast<std::int64_t>(avg_size_ * cfg_.members / bw * 1e6));
    auto min = std::chrono::duration_cast<std::chrono::microseconds>(cfg_.min_interval);
    if (initial) min /= 2;  // §6.2: the first report may go at half the minimum
    return std::max(t, min);
}

std::chrono::microseconds rtcp_scheduler::randomized(std::chrono::microseconds t) {
    // §6.3.1: uniformly over [0.5 T, 1.5 T].
    const double u = static_cast<double>(next_random(rng_) >> 11) / static_cast<double>(1ull << 53);
    return std::chrono::microseconds(static_cast<std::int64_t>(static_cast<double>(t.count()) * (0.5 + u)));
}

rtcp_scheduler::clock::time_point rtcp_scheduler::first(clock::time_point now) {
    return now + randomized(deterministic_interval(true));
}

rtcp_scheduler::clock::time_point rtcp_scheduler::on_sent(std::size_t size, clock::time_point now) {
    on_received(size);
    return now + randomized(deterministic_interval(false));
}

void rtcp_scheduler::on_received(std::size_t size) {
    // §6.3.3: avg_rtcp_size = 1/16 * packet_size + 15/16 * avg_rtcp_size
    avg_size_ = (static_cast<double>(size) + udp_ip_overhead) / 16.0 + avg_size_ * 15.0 / 16.0;
}

}  // namespace jigasi::media::rtp
