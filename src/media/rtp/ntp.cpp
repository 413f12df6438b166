#include "media/rtp/ntp.hpp"

namespace jigasi::media::rtp {

ntp_time to_ntp(std::chrono::system_clock::time_point t) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    if (ns <= 0) return ntp_unix_offset << 32;
    const auto u = static_cast<std::uint64_t>(ns);
    const std::uint64_t seconds = u / 1'000'000'000 + ntp_unix_offset;
    const std::uint64_t fraction = ((u % 1'000'000'000) << 32) / 1'000'000'000;  // < 2^62 before /
    return (seconds << 32) | fraction;
}

std::optional<std::chrono::microseconds> round_trip_time(std::uint32_t arrival, std::uint32_t lsr,
                                                         std::uint32_t dlsr) {
    if (lsr == 0) return std::nullopt;
    const std::uint32_t rtt = arrival - lsr - dlsr;
    if (static_cast<std::int32_t>(rtt) < 0) return std::chrono::microseconds{0};
    return std::chrono::microseconds{static_cast<std::int64_t>(std::uint64_t{rtt} * 1'000'000 / 65536)};
}

}  // namespace jigasi::media::rtp
