#pragma once
// Internals shared by the STUN reader and writer: big-endian access and HMAC-SHA1.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace jigasi::media::ice::stun::detail {

inline std::uint16_t rd16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
inline std::uint32_t rd32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
inline void wr16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
inline void wr32(std::uint8_t* p, std::uint32_t v) {
    wr16(p, static_cast<std::uint16_t>(v >> 16));
    wr16(p + 2, static_cast<std::uint16_t>(v));
}

/// HMAC-SHA1 of the concatenated parts; false if OpenSSL fails.
bool hmac_sha1(std::span<const std::uint8_t> key, std::initializer_list<std::span<const std::uint8_t>> parts,
               std::array<std::uint8_t, 20>& out);

}  // namespace jigasi::media::ice::stun::detail
