#include "media/rtp/packet.hpp"

#include "media/rtp/bytes.hpp"
#include "media/rtp/header_extension.hpp"

#include <algorithm>

namespace jigasi::media::rtp {

using detail::get16;
using detail::get32;
using detail::put16;
using detail::put32;

std::uint32_t packet_view::csrc(std::size_t i) const { return get32(csrc_bytes, 4 * i); }

result<packet_view> parse(std::span<const std::uint8_t> packet) {
    // RFC 3550 §5.1 fixed header:
    //  V=2 | P | X | CC(4) | M | PT(7) | sequence(16) | timestamp(32) | SSRC(32) | CSRC list
    if (packet.size() < fixed_header_size) return fail(errc::truncated);
    if ((packet[0] >> 6) != 2) return fail(errc::bad_version);
    packet_view v;
    const bool padding = (packet[0] & 0x20) != 0;
    v.has_extension = (packet[0] & 0x10) != 0;
    v.csrc_count = packet[0] & 0x0f;
    v.marker = (packet[1] & 0x80) != 0;
    v.payload_type = packet[1] & 0x7f;
    v.sequence = get16(packet, 2);
    v.timestamp = get32(packet, 4);
    v.ssrc = get32(packet, 8);

    std::size_t at = fixed_header_size;
    const std::size_t csrc_bytes = 4u * v.csrc_count;
    if (packet.size() - at < csrc_bytes) return fail(errc::truncated);
    v.csrc_bytes = packet.subspan(at, csrc_bytes);
    at += csrc_bytes;

    if (v.has_extension) {
        // RFC 3550 §5.3.1: 16-bit profile-defined field, 16-bit length in 32-bit words, then data.
        if (packet.size() - at < 4) return fail(errc::truncated);
        v.extension_profile = get16(packet, at);
        const std::size_t len = 4u * get16(packet, at + 2);
        at += 4;
        if (packet.size() - at < len) return fail(errc::bad_extension);
        v.extension_data = packet.subspan(at, len);
        at += len;
    }
    v.header_size = at;

    std::size_t end = packet.size();
    if (padding) {
        // RFC 3550 §5.1: the last octet counts the padding, itself included, so it is at least 1.
        const std::uint8_t count = packet.back();
        if (count == 0 || count > end - at) return fail(errc::bad_padding);
        v.padding_size = count;
        end -= count;
    }
    v.payload = packet.subspan(at, end - at);
    return v;
}

bool is_rtcp(std::span<const std::uint8_t> packet) {
    return packet.size() >= 2 && packet[1] >= 192 && packet[1] <= 223;
}

result<std::size_t> header_size(const header& h) {
    if (h.payload_type > 127 || h.csrcs.size() > max_csrcs) return fail(errc::bad_field);
    const auto ext = extension_block_size(h.extensions, h.form);
    if (!ext) return ext.error();
    return fixed_header_size + 4 * h.csrcs.size() + *ext;
}

result<std::size_t> write_header(const header& h, std::span<std::uint8_t> out) {
    const auto size = header_size(h);
    if (!size) return size;
    if (out.size() < *size) return fail(errc::buffer_too_small);
    const bool x = !h.extensions.empty();
    out[0] = static_cast<std::uint8_t>(0x80 | (x ? 0x10 : 0) | h.csrcs.size());
    out[1] = static_cast<std::uint8_t>((h.marker ? 0x80 : 0) | h.payload_type);
    put16(out, 2, h.sequence);
    put32(out, 4, h.timestamp);
    put32(out, 8, h.ssrc);
    std::size_t at = fixed_header_size;
    for (const auto c : h.csrcs) {
        put32(out, at, c);
        at += 4;
    }
    if (x) {
        const auto n = write_extension_block(h.extensions, h.form, out.subspan(at));
        if (!n) return n;
        at += *n;
    }
    return at;
}

result<std::size_t> write_packet(const header& h, std::span<const std::uint8_t> payload,
                                 std::span<std::uint8_t> out, std::uint8_t padding) {
    const auto n = write_header(h, out);
    if (!n) return n;
    const std::size_t total = *n + payload.size() + padding;
    if (out.size() < total) return fail(errc::buffer_too_small);
    std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(*n));
    if (padding > 0) {
        out[0] |= 0x20;
        auto pad = out.subspan(*n + payload.size(), padding);
        std::fill(pad.begin(), pad.end(), std::uint8_t{0});
        pad.back() = padding;
    }
    return total;
}

}  // namespace jigasi::media::rtp
