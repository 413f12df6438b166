#include "media/rtp/receive_stats.hpp"

#include <algorithm>

namespace jigasi::media::rtp {

namespace {
constexpr std::uint32_t seq_mod = 1u << 16;  // RFC 3550 A.1 RTP_SEQ_MOD
}

receive_stats::receive_stats(std::uint32_t ssrc, const config& cfg) : ssrc_(ssrc), cfg_(cfg) {
    cfg_.min_sequential = std::max<std::uint16_t>(cfg_.min_sequential, 1);
    cfg_.clock_rate = std::max<std::uint32_t>(cfg_.clock_rate, 1);
}

void receive_stats::init_seq(std::uint16_t seq) {
    base_seq_ = seq;
    max_seq_ = seq;
    bad_seq_ = seq_mod + 1;  // so seq == bad_seq_ is false
    cycles_ = 0;
    received_ = 0;
    received_prior_ = 0;
    expected_prior_ = 0;
    have_transit_ = false;  // a restarted source has a new timestamp base
}

// RFC 3550 A.1 update_seq(). Returns true when the packet counts as valid.
bool receive_stats::update_seq(std::uint16_t seq) {
    advanced_ = false;
    const auto udelta = static_cast<std::uint16_t>(seq - max_seq_);
    if (probation_ > 0) {
        // The RFC's `seq == max_seq + 1` promotes to int and never matches at 65535; wrap it.
        if (seq == static_cast<std::uint16_t>(max_seq_ + 1)) {
            --probation_;
            max_seq_ = seq;
            if (probation_ == 0) {
                init_seq(seq);
                advanced_ = true;
                ++received_;
                return true;
            }
        } else {
            probation_ = cfg_.min_sequential - 1u;
            max_seq_ = seq;
        }
        return false;
    }
    if (udelta < cfg_.max_dropout) {
        if (seq < max_seq_) cycles_ += seq_mod;  // in order, with a permissible gap; wrapped
        advanced_ = udelta != 0;
        max_seq_ = seq;
    } else if (udelta <= seq_mod - cfg_.max_misorder) {
        // A very large jump: a restarted or re-synchronized sender if the next one follows it.
        if (seq == bad_seq_) {
            init_seq(seq);
            advanced_ = true;
        } else {
            bad_seq_ = (seq + 1u) & (seq_mod - 1);
            return false;
        }
    }
    // else: a duplicate or reordered packet, counted (so cumulative loss may go negative, §6.4.1)
    ++received_;
    return true;
}

std::uint32_t receive_stats::to_rtp_units(clock::time_point t) const {
    // Split seconds and the rest so that days of uptime times 48 kHz stay inside 64 bits; signed,
    // so that an arrival before the first one still lands on the right value modulo 2^32.
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t - epoch_).count();
    const std::int64_t rate = cfg_.clock_rate;
    const std::int64_t units = ns / 1'000'000'000 * rate + ns % 1'000'000'000 * rate / 1'000'000'000;
    return static_cast<std::uint32_t>(units);
}

seq_status receive_stats::on_packet(std::uint16_t seq, std::uint32_t rtp_timestamp,
                                    std::size_t payload_size, clock::time_point arrival) {
    if (!started_) {
        // A.1: a source heard for the first time starts on probation.
        started_ = true;
        epoch_ = arrival;
        init_seq(seq);
        max_seq_ = static_cast<std::uint16_t>(seq - 1);
        probation_ = cfg_.min_sequential;
    }
    const bool was_probation = probation_ > 0;
    if (!update_seq(seq)) return was_probation ? seq_status::probation : seq_status::bad_jump;
    last_arrival_ = arrival;
    bytes_ += payload_size;

    // A.8 interarrival jitter. Only for packets that advance the sequence (a late packet's transit
    // says nothing new) and carry a new timestamp (RFC 4733 event updates and a frame split over
    // packets share one), as libwebrtc does.
    if (advanced_ && (!have_transit_ || rtp_timestamp != last_timestamp_)) {
        const std::uint32_t transit = to_rtp_units(arrival) - rtp_timestamp;
        if (have_transit_) {
            const auto d32 = static_cast<std::int32_t>(transit - transit_);
            const std::uint32_t d = d32 < 0 ? static_cast<std::uint32_t>(-std::int64_t{d32})
                                            : static_cast<std::uint32_t>(d32);
            // J += (|D| - J) / 16, in the A.8 integer form with J scaled by 16. A |D| of seconds is
            // a timestamp jump of the sender, not jitter (libwebrtc skips those too), and would
            // overflow the scaled value.
            if (std::uint64_t{d} < 10ull * cfg_.clock_rate) jitter_q4_ += d - ((jitter_q4_ + 8) >> 4);
        }
        transit_ = transit;
        have_transit_ = true;
        last_timestamp_ = rtp_timestamp;
    }
    return seq_status::valid;
}

void receive_stats::on_sender_report(std::uint64_t ntp_time, clock::time_point arrival) {
    last_sr_ = static_cast<std::uint32_t>(ntp_time >> 16);
    last_sr_arrival_ = arrival;
}

std::uint32_t receive_stats::expected() const {
    if (!started_ || probation_ > 0) return 0;
    return extended_highest_seq() - base_seq_ + 1;
}

std::int64_t receive_stats::cumulative_lost() const {
    return static_cast<std::int64_t>(expected()) - static_cast<std::int64_t>(received_);
}

double receive_stats::jitter_ms() const { return 1000.0 * jitter() / cfg_.clock_rate; }

report_block receive_stats::make_report_block(clock::time_point now) {
    // RFC 3550 A.3
    report_block b;
    b.ssrc = ssrc_;
    b.extended_highest_seq = extended_highest_seq();
    b.cumulative_lost =
        static_cast<std::int32_t>(std::clamp<std::int64_t>(cumulative_lost(), -0x800000, 0x7fffff));
    const std::uint32_t expected_now = expected();
    const std::uint32_t expected_interval = expected_now - expected_prior_;
    expected_prior_ = expected_now;
    const std::uint64_t received_interval = received_ - received_prior_;
    received_prior_ = received_;
    const auto lost_interval =
        static_cast<std::int64_t>(expected_interval) - static_cast<std::int64_t>(received_interval);
    if (expected_interval != 0 && lost_interval > 0)
        b.fraction_lost = static_cast<std::uint8_t>(  // 256 (all lost) does not fit: 255
            std::min<std::int64_t>((lost_interval << 8) / expected_interval, 255));
    b.jitter = jitter();
    if (last_sr_arrival_) {
        b.last_sr = last_sr_;
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - *last_sr_arrival_);
        b.delay_since_last_sr =
            static_cast<std::uint32_t>(std::max<std::int64_t>(us.count(), 0) * 65536 / 1'000'000);
    }
    return b;
}

}  // namespace jigasi::media::rtp
