#pragma once
// What arrived on the call's one UDP port (BUNDLE + rtcp-mux: STUN, DTLS, SRTP and SRTCP share
// it). RFC 7983 §7 tells them apart by the first byte; RFC 5761 §4 tells RTCP from RTP by the
// second. Header-only and constexpr: the media pump calls it for every datagram.

#include <cstddef>
#include <cstdint>
#include <span>

namespace jigasi::media::ice {

enum class packet_kind : std::uint8_t { stun, dtls, rtp, rtcp, drop };

/// Smallest datagrams worth handing on: a STUN header (RFC 5389 §6), a DTLS record header
/// (RFC 6347 §4.1), an RTP fixed header (RFC 3550 §5.1), an RTCP header with the sender SSRC.
inline constexpr std::size_t min_stun = 20, min_dtls = 13, min_rtp = 12, min_rtcp = 8;

constexpr packet_kind classify(std::span<const std::uint8_t> p) noexcept {
    if (p.empty()) return packet_kind::drop;
    const std::uint8_t b = p[0];
    // RFC 7983 §7: [0..3] STUN, [16..19] ZRTP, [20..63] DTLS, [64..79] TURN channel,
    // [128..191] RTP/RTCP. ZRTP and TURN channels are not used here: dropped.
    if (b <= 3) return p.size() >= min_stun ? packet_kind::stun : packet_kind::drop;
    if (b >= 20 && b <= 63) return p.size() >= min_dtls ? packet_kind::dtls : packet_kind::drop;
    if (b >= 128 && b <= 191) {
        if (p.size() < 2) return packet_kind::drop;
        // RFC 5761 §4: RTCP packet types 192..223 (SR 200, RR 201, ... FIR 192) collide with the
        // M bit + payload types 64..95, which RTP therefore must not use.
        const std::uint8_t pt = p[1];
        if (pt >= 192 && pt <= 223) return p.size() >= min_rtcp ? packet_kind::rtcp : packet_kind::drop;
        return p.size() >= min_rtp ? packet_kind::rtp : packet_kind::drop;
    }
    return packet_kind::drop;
}

}  // namespace jigasi::media::ice
