#pragma once
// A UDP transport address (IPv4 or IPv6 address bytes + port) as a small comparable value: what
// STUN puts in (XOR-)MAPPED-ADDRESS and what the ICE agent sends to. No Asio types here, so the
// sans-io layers and the fuzz targets need no I/O library; the socket glue converts.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace jigasi::media::ice {

struct endpoint {
    std::array<std::uint8_t, 16> addr{};  ///< IPv4 uses the first 4 bytes, the rest stay zero
    std::uint16_t port = 0;
    bool v6 = false;

    static endpoint ipv4(std::array<std::uint8_t, 4> a, std::uint16_t port);
    static endpoint ipv6(const std::array<std::uint8_t, 16>& a, std::uint16_t port);
    /// Dotted IPv4 or RFC 4291 IPv6 text (no brackets, no zone); nullopt for anything else
    /// (host names, mDNS ".local" candidates).
    static std::optional<endpoint> parse(std::string_view ip, std::uint16_t port);

    std::span<const std::uint8_t> address_bytes() const { return {addr.data(), v6 ? 16u : 4u}; }
    std::string address_string() const;  ///< "192.0.2.1", "2001:db8::1"
    std::string to_string() const;        ///< "192.0.2.1:3478", "[2001:db8::1]:3478"
    bool is_loopback() const;             ///< 127/8, ::1
    bool same_family(const endpoint& o) const { return v6 == o.v6; }

    friend bool operator==(const endpoint&, const endpoint&) = default;
    friend auto operator<=>(const endpoint&, const endpoint&) = default;
};

}  // namespace jigasi::media::ice
