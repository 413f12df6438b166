#include "media/rtp/send_stream.hpp"

#include <algorithm>

namespace jigasi::media::rtp {

send_stream::send_stream(const config& cfg)
    : cfg_(cfg), seq_(cfg.first_sequence), last_ts_(cfg.first_timestamp) {
    cfg_.clock_rate = std::max<std::uint32_t>(cfg_.clock_rate, 1);
}

std::uint32_t send_stream::to_units(clock::duration d) const {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    if (us <= 0) return 0;
    // Split to keep long pauses at 48 kHz inside 64 bits; RTP timestamps wrap at 2^32 anyway.
    const auto s = static_cast<std::uint64_t>(us / 1'000'000);
    const auto rest = static_cast<std::uint64_t>(us % 1'000'000);
    return static_cast<std::uint32_t>(s * cfg_.clock_rate + rest * cfg_.clock_rate / 1'000'000);
}

send_stream::stamp send_stream::next_frame(std::uint32_t samples, std::size_t payload_size,
                                           clock::time_point now) {
    stamp s;
    if (!started_) {
        started_ = true;
        s.timestamp = last_ts_;
        s.marker = true;  // the first packet starts a talk spurt
    } else if (resync_ || now - last_time_ > cfg_.pause_threshold) {
        // Time went on while we sent nothing (or sent from another source): follow the wall
        // clock, but never step back over the frame already sent.
        s.timestamp = last_ts_ + std::max(last_samples_, to_units(now - last_time_));
        s.marker = true;
    } else {
        s.timestamp = last_ts_ + last_samples_;  // continuous audio: the sampling clock rules
    }
    resync_ = false;
    s.sequence = seq_++;
    last_ts_ = s.timestamp;
    last_samples_ = samples;
    last_time_ = now;
    ++packets_;
    octets_ += static_cast<std::uint32_t>(payload_size);
    return s;
}

std::uint16_t send_stream::next_sequence(std::size_t payload_size) {
    ++packets_;
    octets_ += static_cast<std::uint32_t>(payload_size);
    return seq_++;
}

std::uint32_t send_stream::timestamp_at(clock::time_point now) const {
    if (!started_) return last_ts_;
    return last_ts_ + to_units(now - last_time_);
}

std::optional<sender_info> send_stream::report(ntp_time ntp_now, clock::time_point now) {
    const bool sent = packets_ != packets_at_report_[0];
    packets_at_report_[0] = packets_at_report_[1];
    packets_at_report_[1] = packets_;
    if (!sent) return std::nullopt;
    return sender_info{ntp_now, timestamp_at(now), packets_, octets_};
}

}  // namespace jigasi::media::rtp
