#include "media/rtp/rtcp.hpp"

#include "media/rtp/bytes.hpp"

#include <algorithm>

namespace jigasi::media::rtp {

using detail::get16;
using detail::get24;
using detail::get32;
using detail::put16;
using detail::put24;
using detail::put32;

namespace {

constexpr std::size_t block_size = 24;        // RFC 3550 §6.4.1 report block
constexpr std::size_t sender_info_size = 20;  // NTP (8), RTP timestamp, packet and octet counts
constexpr std::uint8_t sdes_cname = 1;        // RFC 3550 §6.5.1

report_block read_block(std::span<const std::uint8_t> b) {
    report_block r;
    r.ssrc = get32(b, 0);
    r.fraction_lost = b[4];
    const std::uint32_t lost = get24(b, 5);  // 24-bit two's complement
    r.cumulative_lost = static_cast<std::int32_t>((lost & 0x800000) ? (lost | 0xff000000u) : lost);
    r.extended_highest_seq = get32(b, 8);
    r.jitter = get32(b, 12);
    r.last_sr = get32(b, 16);
    r.delay_since_last_sr = get32(b, 20);
    return r;
}

void write_block(std::span<std::uint8_t> b, const report_block& r) {
    put32(b, 0, r.ssrc);
    b[4] = r.fraction_lost;
    const auto lost = std::clamp<std::int32_t>(r.cumulative_lost, -0x800000, 0x7fffff);
    put24(b, 5, static_cast<std::uint32_t>(lost) & 0xffffff);
    put32(b, 8, r.extended_highest_seq);
    put32(b, 12, r.jitter);
    put32(b, 16, r.last_sr);
    put32(b, 20, r.delay_since_last_sr);
}

template <class T, std::size_t N>
void push(std::array<T, N>& a, std::size_t& n, const T& v, std::size_t& dropped) {
    if (n < N)
        a[n++] = v;
    else
        ++dropped;
}

// SR and RR: reporter SSRC, [sender info], RC report blocks, then profile extensions (skipped).
std::error_code read_report(const rtcp_packet_view& p, rtcp_summary& s) {
    const bool sr = p.type == static_cast<std::uint8_t>(rtcp_type::sr);
    const std::size_t fixed = 4 + (sr ? sender_info_size : 0);
    if (p.body.size() < fixed + block_size * p.count) return make_error_code(errc::truncated);
    const std::uint32_t reporter = get32(p.body, 0);
    if (sr) {
        sender_info i;
        i.ntp = (std::uint64_t{get32(p.body, 4)} << 32) | get32(p.body, 8);
        i.rtp_timestamp = get32(p.body, 12);
        i.packet_count = get32(p.body, 16);
        i.octet_count = get32(p.body, 20);
        push(s.senders, s.sender_count, sender_report{reporter, i}, s.dropped);
    } else {
        ++s.receiver_reports;
    }
    for (std::size_t k = 0; k < p.count; ++k)
        push(s.blocks, s.block_count,
             received_block{reporter, read_block(p.body.subspan(fixed + k * block_size))}, s.dropped);
    return {};
}

// RFC 3550 §6.5: SC chunks of SSRC + items (type, length, text), each chunk ended by one or more
// null octets up to the next 32-bit boundary.
std::error_code read_sdes(const rtcp_packet_view& p, rtcp_summary& s) {
    const auto b = p.body;
    std::size_t at = 0;
    for (std::size_t c = 0; c < p.count; ++c) {
        if (b.size() - at < 4) return make_error_code(errc::truncated);
        const std::uint32_t ssrc = get32(b, at);
        at += 4;
        for (;;) {
            if (at >= b.size()) return make_error_code(errc::truncated);
            const std::uint8_t type = b[at];
            if (type == 0) {  // end of the item list, then padding to the boundary
                at = (at + 4) & ~std::size_t{3};
                if (at > b.size()) return make_error_code(errc::truncated);
                break;
            }
            if (b.size() - at < 2 || b.size() - at - 2 < b[at + 1])
                return make_error_code(errc::truncated);
            const std::size_t len = b[at + 1];
            if (type == sdes_cname) {
                const auto* text = reinterpret_cast<const char*>(b.data() + at + 2);
                push(s.cnames, s.cname_count, cname_item{ssrc, std::string_view(text, len)}, s.dropped);
            }
            at += 2 + len;
        }
    }
    return {};
}

// RFC 3550 §6.6: SC SSRCs, then an optional length-prefixed reason.
std::error_code read_bye(const rtcp_packet_view& p, rtcp_summary& s) {
    const std::size_t n = 4u * p.count;
    if (p.body.size() < n) return make_error_code(errc::truncated);
    for (std::size_t k = 0; k < p.count; ++k) push(s.bye, s.bye_count, get32(p.body, 4 * k), s.dropped);
    if (p.body.size() > n && p.body.size() - n - 1 < p.body[n]) return make_error_code(errc::truncated);
    return {};
}

std::size_t sdes_size(std::string_view cname) { return 4 + 4 + (2 + cname.size() + 1 + 3) / 4 * 4; }

std::size_t bye_size(std::string_view reason) {
    return 4 + 4 + (reason.empty() ? 0 : (1 + reason.size() + 3) / 4 * 4);
}

void write_common(std::span<std::uint8_t> out, std::uint8_t count, rtcp_type type, std::size_t size) {
    out[0] = static_cast<std::uint8_t>(0x80 | count);
    out[1] = static_cast<std::uint8_t>(type);
    put16(out, 2, static_cast<std::uint16_t>(size / 4 - 1));  // §6.4.1: words minus one
}

}  // namespace

bool rtcp_reader::next(rtcp_packet_view& out) {
    if (error_ || pos_ >= data_.size()) return false;
    const auto rest = data_.subspan(pos_);
    if (rest.size() < 4) {
        error_ = make_error_code(errc::truncated);
        return false;
    }
    if ((rest[0] >> 6) != 2) {
        error_ = make_error_code(errc::bad_version);
        return false;
    }
    const std::size_t len = (std::size_t{get16(rest, 2)} + 1) * 4;
    if (len > rest.size()) {
        error_ = make_error_code(errc::bad_length);
        return false;
    }
    auto body = rest.subspan(4, len - 4);
    if (rest[0] & 0x20) {
        // RFC 3550 §6.4.1: only the last packet of a compound may be padded; the count includes
        // itself.
        const std::uint8_t count = body.empty() ? 0 : body.back();
        if (len != rest.size() || count == 0 || count > body.size()) {
            error_ = make_error_code(errc::bad_padding);
            return false;
        }
        body = body.first(body.size() - count);
    }
    out = rtcp_packet_view{rest[1], static_cast<std::uint8_t>(rest[0] & 0x1f), body};
    pos_ += len;
    return true;
}

result<rtcp_summary> parse_rtcp(std::span<const std::uint8_t> compound) {
    if (compound.empty()) return fail(errc::truncated);
    rtcp_summary s;
    rtcp_reader r(compound);
    rtcp_packet_view p;
    while (r.next(p)) {
        std::error_code ec;
        switch (static_cast<rtcp_type>(p.type)) {
        case rtcp_type::sr:
        case rtcp_type::rr: ec = read_report(p, s); break;
        case rtcp_type::sdes: ec = read_sdes(p, s); break;
        case rtcp_type::bye: ec = read_bye(p, s); break;
        case rtcp_type::rtpfb:
        case rtcp_type::psfb: ++s.feedback; break;
        default: ++s.other; break;
        }
        if (ec) return core::error{ec, {}};
    }
    if (r.error()) return core::error{r.error(), {}};
    return s;
}

result<std::size_t> rtcp_size(const rtcp_report& r) {
    if (r.blocks.size() > 31 || r.cname.empty() || r.cname.size() > 255 || r.bye_reason.size() > 255)
        return fail(errc::bad_field);
    std::size_t n = 8 + (r.sender ? sender_info_size : 0) + block_size * r.blocks.size();
    n += sdes_size(r.cname);
    if (r.bye) n += bye_size(r.bye_reason);
    return n;
}

result<std::size_t> write_rtcp(const rtcp_report& r, std::span<std::uint8_t> out) {
    const auto total = rtcp_size(r);
    if (!total) return total;
    if (out.size() < *total) return fail(errc::buffer_too_small);
    std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(*total), std::uint8_t{0});

    // SR or RR (§6.4.1, §6.4.2)
    const std::size_t report = 8 + (r.sender ? sender_info_size : 0) + block_size * r.blocks.size();
    write_common(out, static_cast<std::uint8_t>(r.blocks.size()), r.sender ? rtcp_type::sr : rtcp_type::rr,
                 report);
    put32(out, 4, r.ssrc);
    std::size_t at = 8;
    if (r.sender) {
        put32(out, 8, static_cast<std::uint32_t>(r.sender->ntp >> 32));
        put32(out, 12, static_cast<std::uint32_t>(r.sender->ntp));
        put32(out, 16, r.sender->rtp_timestamp);
        put32(out, 20, r.sender->packet_count);
        put32(out, 24, r.sender->octet_count);
        at += sender_info_size;
    }
    for (const auto& b : r.blocks) {
        write_block(out.subspan(at, block_size), b);
        at += block_size;
    }

    // SDES: one chunk with CNAME; the zeroed tail is the null item and the padding (§6.5).
    const auto sdes = out.subspan(at, sdes_size(r.cname));
    write_common(sdes, 1, rtcp_type::sdes, sdes.size());
    put32(sdes, 4, r.ssrc);
    sdes[8] = sdes_cname;
    sdes[9] = static_cast<std::uint8_t>(r.cname.size());
    std::copy(r.cname.begin(), r.cname.end(), sdes.begin() + 10);
    at += sdes.size();

    if (r.bye) {  // §6.6
        const auto bye = out.subspan(at, bye_size(r.bye_reason));
        write_common(bye, 1, rtcp_type::bye, bye.size());
        put32(bye, 4, r.ssrc);
        if (!r.bye_reason.empty()) {
            bye[8] = static_cast<std::uint8_t>(r.bye_reason.size());
            std::copy(r.bye_reason.begin(), r.bye_reason.end(), bye.begin() + 9);
        }
        at += bye.size();
    }
    return at;
}

}  // namespace jigasi::media::rtp
