#pragma once
// The RTP fixed header (RFC 3550 §5.1): a zero-copy view of a received packet and a writer into a
// caller buffer. Nothing here allocates; parse() reads network input and never throws (fuzzed by
// tests/fuzz/rtp_fuzz.cpp).

#include "media/rtp/error.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace jigasi::media::rtp {

inline constexpr std::size_t fixed_header_size = 12;
inline constexpr std::size_t max_csrcs = 15;  ///< the CC field has 4 bits

/// A parsed RTP packet. Every span points into the buffer given to parse().
struct packet_view {
    bool marker = false;
    std::uint8_t payload_type = 0;
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
    std::uint32_t ssrc = 0;
    std::uint8_t csrc_count = 0;
    std::span<const std::uint8_t> csrc_bytes;  ///< 4 * csrc_count bytes; read them with csrc(i)
    bool has_extension = false;
    std::uint16_t extension_profile = 0;  ///< 0xBEDE one-byte, 0x100x two-byte (RFC 8285 §4)
    std::span<const std::uint8_t> extension_data;  ///< the block after its 4-byte header
    std::uint8_t padding_size = 0;  ///< padding bytes cut off the end (0 when P was clear)
    std::size_t header_size = 0;    ///< fixed header + CSRCs + extension block
    std::span<const std::uint8_t> payload;  ///< padding removed

    std::uint32_t csrc(std::size_t i) const;
};

/// Parse and bounds-check one RTP packet (SRTP already removed).
result<packet_view> parse(std::span<const std::uint8_t> packet);

/// RFC 5761 §4: with RTP and RTCP on one port, a second octet in 192..223 (RTCP packet types
/// 192..223, i.e. RTP PT 64..95 with the marker set, which RFC 5761 forbids for RTP) is RTCP.
bool is_rtcp(std::span<const std::uint8_t> packet);

/// One RFC 8285 header extension element: its local id and its data.
struct extension_element {
    std::uint8_t id = 0;
    std::span<const std::uint8_t> data;
};

/// RFC 8285 §4.2 one-byte form (ids 1..14, 1..16 bytes) or §4.3 two-byte form (ids 1..255,
/// 0..255 bytes; needs a=extmap-allow-mixed, RFC 8285 §6). automatic: one-byte when all fit.
enum class extension_form : std::uint8_t { automatic, one_byte, two_byte };

/// What write_header() writes. The spans are read during the call only.
struct header {
    bool marker = false;
    std::uint8_t payload_type = 0;
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
    std::uint32_t ssrc = 0;
    std::span<const std::uint32_t> csrcs;
    std::span<const extension_element> extensions;  ///< empty: no extension (X = 0)
    extension_form form = extension_form::automatic;
};

/// The number of bytes write_header() would write, or bad_field / bad_extension.
result<std::size_t> header_size(const header& h);

/// Write the header into `out`; the payload goes at out[returned size]. No padding (P = 0).
result<std::size_t> write_header(const header& h, std::span<std::uint8_t> out);

/// Header, payload and `padding` bytes of RFC 3550 §5.1 padding (0: none; else 1..255, the last
/// byte holding the count). Returns the packet size.
result<std::size_t> write_packet(const header& h, std::span<const std::uint8_t> payload,
                                 std::span<std::uint8_t> out, std::uint8_t padding = 0);

}  // namespace jigasi::media::rtp
