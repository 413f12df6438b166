#include "media/pipeline/rtcp_link.hpp"

#include <cstdio>

namespace jigasi::media::pipeline {

rtcp_link::rtcp_link(const config& cfg, std::uint32_t local_ssrc)
    : cfg_(cfg), ssrc_(local_ssrc), scheduler_(cfg.schedule, cfg.seed) {
    if (cfg_.cname.empty()) {
        char buf[24];
        std::snprintf(buf, sizeof buf, "jigasi-%08x", static_cast<unsigned>(local_ssrc));
        cfg_.cname = buf;
    }
    if (cfg_.cname.size() > 255) cfg_.cname.resize(255);  // §6.5: the length field is one byte
}

rtp::ntp_time rtcp_link::ntp_at(clock::time_point t) const {
    const auto wall = cfg_.anchor.wall + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                             t - cfg_.anchor.steady);
    return rtp::to_ntp(wall);
}

void rtcp_link::on_compound(const rtp::rtcp_summary& s, std::size_t size, clock::time_point arrival) {
    ++received_;
    scheduler_.on_received(size);
    for (const auto& b : s.report_blocks()) {
        if (b.block.ssrc != ssrc_) continue;  // a block about another sender (a mixer's members)
        peer_ = b.block;
        // §6.4.1: A - LSR - DLSR, with A our NTP time when the block arrived.
        if (auto r = rtp::round_trip_time(rtp::ntp_mid32(ntp_at(arrival)), b.block.last_sr,
                                          b.block.delay_since_last_sr))
            rtt_ = *r;
    }
}

bool rtcp_link::due(clock::time_point now) {
    if (!next_) next_ = scheduler_.first(now);
    return now >= *next_;
}

std::size_t rtcp_link::write(clock::time_point now, rtp::send_stream& stream,
                             std::span<const rtp::report_block> blocks, std::span<std::uint8_t> out,
                             bool bye) {
    rtp::rtcp_report r;
    r.ssrc = ssrc_;
    r.sender = stream.report(ntp_at(now), now);
    r.blocks = blocks.size() > 31 ? blocks.first(31) : blocks;  // RC is 5 bits (§6.4.1)
    r.cname = cfg_.cname;
    r.bye = bye;
    const auto n = rtp::write_rtcp(r, out);
    if (!n) {
        ++failures_;
        return 0;
    }
    ++sent_;
    next_ = scheduler_.on_sent(*n, now);
    return *n;
}

}  // namespace jigasi::media::pipeline
