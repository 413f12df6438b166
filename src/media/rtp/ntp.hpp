#pragma once
// NTP timestamps as RTCP carries them (RFC 3550 §4: 32.32 fixed-point seconds since 1900) and the
// round-trip time a report block gives (§6.4.1). The wall clock is passed in.

#include <chrono>
#include <cstdint>
#include <optional>

namespace jigasi::media::rtp {

/// 64-bit NTP time: seconds since 1900-01-01 in the high 32 bits, the fraction in the low ones.
using ntp_time = std::uint64_t;

inline constexpr std::uint64_t ntp_unix_offset = 2'208'988'800;  ///< 1900 -> 1970, in seconds

/// The NTP time of a wall-clock instant (before 1970 counts as 1970).
ntp_time to_ntp(std::chrono::system_clock::time_point t);

/// The middle 32 bits (16.16 seconds): the LSR field and the unit of A and DLSR in §6.4.1.
inline std::uint32_t ntp_mid32(ntp_time t) { return static_cast<std::uint32_t>(t >> 16); }

/// RFC 3550 §6.4.1: RTT = A - LSR - DLSR, all in 1/65536 s, modulo 2^32. `arrival` is when the
/// report block came (middle 32 bits of our NTP clock). nullopt when the peer has had no SR of
/// ours yet (LSR 0); a negative result (clock steps, a lying DLSR) counts as 0.
std::optional<std::chrono::microseconds> round_trip_time(std::uint32_t arrival, std::uint32_t lsr,
                                                         std::uint32_t dlsr);

}  // namespace jigasi::media::rtp
