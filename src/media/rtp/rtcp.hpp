#pragma once
// RTCP (RFC 3550 §6) on the muxed port (RFC 5761): a reader for compound packets, a summary of what
// an audio endpoint needs from one (SR, RR blocks, SDES CNAME, BYE) and a writer for our SR/RR +
// SDES CNAME compound. APP, XR, unknown types and the feedback messages of RFC 4585 (205 RTPFB,
// 206 PSFB: NACK and PLI, nothing an audio gateway acts on) are recognized and skipped. Nothing here
// allocates; spans and string_views point into the caller's buffer.

#include "media/rtp/error.hpp"
#include "media/rtp/ntp.hpp"
#include "media/rtp/receive_stats.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace jigasi::media::rtp {

enum class rtcp_type : std::uint8_t {
    sr = 200,
    rr = 201,
    sdes = 202,
    bye = 203,
    app = 204,
    rtpfb = 205,  ///< RFC 4585 §6.1 transport-layer feedback
    psfb = 206,   ///< RFC 4585 §6.1 payload-specific feedback
    xr = 207,     ///< RFC 3611
};

/// One packet of a compound: the 5-bit count (RC, SC or FMT) and the body after the 4-byte header,
/// padding removed.
struct rtcp_packet_view {
    std::uint8_t type = 0;
    std::uint8_t count = 0;
    std::span<const std::uint8_t> body;
};

/// Walks the packets of a compound. Each must be version 2 and fit inside the compound; padding is
/// allowed on the last packet only (RFC 3550 A.2). An error stops the walk.
class rtcp_reader {
public:
    explicit rtcp_reader(std::span<const std::uint8_t> compound) : data_(compound) {}
    bool next(rtcp_packet_view& out);
    std::error_code error() const { return error_; }

private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
    std::error_code error_;
};

/// RFC 3550 §6.4.1 sender info.
struct sender_info {
    ntp_time ntp = 0;
    std::uint32_t rtp_timestamp = 0;
    std::uint32_t packet_count = 0;
    std::uint32_t octet_count = 0;
    friend bool operator==(const sender_info&, const sender_info&) = default;
};

struct sender_report {
    std::uint32_t ssrc = 0;
    sender_info info;
};

/// A report block and the SSRC of the SR/RR that carried it.
struct received_block {
    std::uint32_t reporter = 0;
    report_block block;
};

struct cname_item {
    std::uint32_t ssrc = 0;
    std::string_view cname;
};

/// What one compound says. Fixed capacity: entries beyond it are counted in `dropped`, not kept.
struct rtcp_summary {
    static constexpr std::size_t capacity = 31;  ///< the most one RC/SC field can count

    std::array<sender_report, capacity> senders{};
    std::size_t sender_count = 0;
    std::array<received_block, capacity> blocks{};
    std::size_t block_count = 0;
    std::array<cname_item, capacity> cnames{};
    std::size_t cname_count = 0;
    std::array<std::uint32_t, capacity> bye{};  ///< SSRCs that left
    std::size_t bye_count = 0;
    std::size_t receiver_reports = 0;  ///< RR packets (a sender's SR counts in senders)
    std::size_t feedback = 0;          ///< RTPFB/PSFB packets skipped
    std::size_t other = 0;             ///< APP, XR and unknown packets skipped
    std::size_t dropped = 0;           ///< entries over capacity

    std::span<const sender_report> sender_reports() const { return {senders.data(), sender_count}; }
    std::span<const received_block> report_blocks() const { return {blocks.data(), block_count}; }
    std::span<const cname_item> cname_items() const { return {cnames.data(), cname_count}; }
    std::span<const std::uint32_t> bye_ssrcs() const { return {bye.data(), bye_count}; }
};

/// Parse a whole compound (or an RFC 5506 reduced-size packet). Any malformed packet fails the
/// whole compound (RFC 3550 A.2: its lengths cannot be trusted).
result<rtcp_summary> parse_rtcp(std::span<const std::uint8_t> compound);

/// What write_rtcp() sends: an SR when `sender` is set (we sent RTP since the last report, §6.4),
/// else an RR; then SDES with our CNAME (§6.1: every compound carries one); then BYE if asked.
struct rtcp_report {
    std::uint32_t ssrc = 0;
    std::optional<sender_info> sender;
    std::span<const report_block> blocks;  ///< at most 31
    std::string_view cname;                ///< 1..255 bytes (§6.5.1)
    bool bye = false;
    std::string_view bye_reason;           ///< optional, at most 255 bytes
};

/// The compound's size, or bad_field when something does not fit its field.
result<std::size_t> rtcp_size(const rtcp_report& r);
/// Write the compound into `out`; returns its size.
result<std::size_t> write_rtcp(const rtcp_report& r, std::span<std::uint8_t> out);

}  // namespace jigasi::media::rtp
