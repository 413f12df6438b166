#include "media/rtp/telephone_event.hpp"

#include "media/rtp/bytes.hpp"

#include <algorithm>
#include <string_view>

namespace jigasi::media::rtp {

namespace {

constexpr std::uint64_t max_duration = 0xFFFF;  // §2.5.1.3: the 16-bit duration field
constexpr std::string_view digits = "0123456789*#ABCD";

std::uint64_t to_units(std::chrono::milliseconds d, std::uint32_t rate) {
    return d.count() <= 0 ? 0 : static_cast<std::uint64_t>(d.count()) * rate / 1000;
}

}  // namespace

result<telephone_event> parse_telephone_event(std::span<const std::uint8_t> payload) {
    // §2.3: event (8) | E | R | volume (6) | duration (16)
    if (payload.size() < telephone_event_size) return fail(errc::truncated);
    telephone_event e;
    e.event = payload[0];
    e.end = (payload[1] & 0x80) != 0;
    e.volume = payload[1] & 0x3f;
    e.duration = detail::get16(payload, 2);
    return e;
}

std::array<std::uint8_t, telephone_event_size> encode_telephone_event(const telephone_event& e) {
    std::array<std::uint8_t, telephone_event_size> b{};
    b[0] = e.event;
    b[1] = static_cast<std::uint8_t>((e.end ? 0x80 : 0) | (e.volume & 0x3f));  // R stays 0
    detail::put16(b, 2, e.duration);
    return b;
}

std::optional<char> event_to_char(std::uint8_t event) {
    if (event < digits.size()) return digits[event];
    if (event == event_flash) return '!';
    return std::nullopt;
}

std::optional<std::uint8_t> event_from_char(char c) {
    if (c >= 'a' && c <= 'd') c = static_cast<char>(c - 'a' + 'A');
    if (c == '!') return event_flash;
    const auto at = digits.find(c);
    if (at == std::string_view::npos) return std::nullopt;
    return static_cast<std::uint8_t>(at);
}

// --- sender (§2.5.1) ---

telephone_event_sender::telephone_event_sender(const config& cfg) : cfg_(cfg) {
    cfg_.clock_rate = std::max<std::uint32_t>(cfg_.clock_rate, 1);
    cfg_.end_repeats = std::max(cfg_.end_repeats, 1u);
    cfg_.update_interval = std::max(cfg_.update_interval, std::chrono::milliseconds{1});
    // One update must not pass more than one segment boundary.
    interval_units_ = std::clamp<std::uint64_t>(to_units(cfg_.update_interval, cfg_.clock_rate), 1,
                                                max_duration);
}

bool telephone_event_sender::start(std::uint8_t event, std::chrono::milliseconds duration,
                                   std::uint32_t timestamp, clock::time_point now) {
    if (busy()) return false;
    phase_ = phase::sending;
    event_ = event;
    start_ = now;
    k_ = 0;
    total_units_ = std::max<std::uint64_t>(to_units(duration, cfg_.clock_rate), 1);
    reported_units_ = 0;
    segment_start_ = 0;
    segment_ts_ = timestamp;
    old_segment_repeats_ = 0;
    end_sent_ = 0;
    queued_ = next_out_ = 0;
    return true;
}

void telephone_event_sender::stop(clock::time_point now) {
    if (phase_ != phase::sending) return;
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - start_);
    total_units_ = std::max({reported_units_, to_units(elapsed, cfg_.clock_rate), std::uint64_t{1}});
}

void telephone_event_sender::queue(bool marker, std::uint32_t ts, bool end, std::uint16_t duration) {
    if (queued_ == queue_.size()) return;
    event_packet p;
    p.marker = marker;
    p.timestamp = ts;
    p.event = telephone_event{event_, end, cfg_.volume, duration};
    p.payload = encode_telephone_event(p.event);
    queue_[queued_++] = p;
}

void telephone_event_sender::tick() {
    queued_ = next_out_ = 0;
    // §2.5.1.4: the last packet of each segment goes three times, like the end of the event.
    if (old_segment_repeats_ > 0) {
        queue(false, old_segment_ts_, false, static_cast<std::uint16_t>(max_duration));
        --old_segment_repeats_;
    }
    if (phase_ == phase::ending) {
        queue(false, segment_ts_, true, final_duration_);
        if (++end_sent_ >= cfg_.end_repeats) phase_ = phase::idle;
    } else if (phase_ == phase::sending) {
        const std::uint64_t covered = std::min((k_ + 1) * interval_units_, total_units_);
        if (covered - segment_start_ > max_duration) {
            // §2.5.1.3: report the full segment without E, then go on in a new segment that starts
            // where it ended, without the marker.
            queue(false, segment_ts_, false, static_cast<std::uint16_t>(max_duration));
            old_segment_ts_ = segment_ts_;
            old_segment_repeats_ = cfg_.end_repeats - 1;
            segment_ts_ += static_cast<std::uint32_t>(max_duration);
            segment_start_ += max_duration;
        }
        const auto duration = static_cast<std::uint16_t>(covered - segment_start_);
        const bool end = covered >= total_units_;
        queue(k_ == 0, segment_ts_, end, duration);  // §2.5.1.2: M on the event's first packet
        reported_units_ = covered;
        if (end) {
            final_duration_ = duration;
            end_sent_ = 1;
            phase_ = end_sent_ >= cfg_.end_repeats ? phase::idle : phase::ending;
        }
    }
    ++k_;
}

std::optional<event_packet> telephone_event_sender::poll(clock::time_point now) {
    if (next_out_ < queued_) return queue_[next_out_++];
    if (phase_ == phase::idle && old_segment_repeats_ == 0) return std::nullopt;
    const auto due = start_ + cfg_.update_interval * static_cast<std::int64_t>(k_);
    if (now < due) return std::nullopt;
    tick();
    if (next_out_ < queued_) return queue_[next_out_++];
    return std::nullopt;
}

std::optional<telephone_event_sender::clock::time_point> telephone_event_sender::deadline() const {
    if (next_out_ < queued_) return start_ + cfg_.update_interval * static_cast<std::int64_t>(k_ - 1);
    if (phase_ == phase::idle && old_segment_repeats_ == 0) return std::nullopt;
    return start_ + cfg_.update_interval * static_cast<std::int64_t>(k_);
}

// --- receiver (§2.5.2) ---

telephone_event_receiver::telephone_event_receiver(const config& cfg) : cfg_(cfg) {
    cfg_.clock_rate = std::max<std::uint32_t>(cfg_.clock_rate, 1);
}

std::chrono::milliseconds telephone_event_receiver::to_ms(std::uint64_t units) const {
    return std::chrono::milliseconds(static_cast<std::int64_t>(units * 1000 / cfg_.clock_rate));
}

event_report telephone_event_receiver::finish(bool end_missing) {
    event_report r;
    r.what = event_report::kind::end;
    r.event = event_;
    r.timestamp = first_ts_;
    r.duration_units = earlier_segments_ + segment_duration_;
    r.duration = to_ms(r.duration_units);
    r.end_missing = end_missing;
    active_ = false;
    newest_ended_ = segment_ts_;
    return r;
}

event_reports telephone_event_receiver::on_packet(const telephone_event& e, std::uint32_t rtp_timestamp,
                                                  bool marker, clock::time_point now) {
    event_reports out;
    if (active_) {
        if (rtp_timestamp == segment_ts_) {
            // An update or a retransmission of the running event (§2.5.2): the timestamp, not
            // the marker or the sequence number, says which event a packet belongs to.
            if (e.event != event_) return out;
            segment_duration_ = std::max(segment_duration_, e.duration);
            last_packet_ = now;
            if (e.end) out.add(finish(false));
            return out;
        }
        const auto delta = static_cast<std::int32_t>(rtp_timestamp - segment_ts_);
        if (delta < 0) return out;  // a late packet of an earlier event or segment
        if (e.event == event_ && !marker && segment_duration_ == max_duration &&
            static_cast<std::uint64_t>(delta) == max_duration) {
            // §2.5.1.3: the next segment of a long event, where the previous one ended.
            earlier_segments_ += max_duration;
            segment_ts_ = rtp_timestamp;
            segment_duration_ = e.duration;
            last_packet_ = now;
            if (e.end) out.add(finish(false));
            return out;
        }
        out.add(finish(true));  // a new event began before this one's end packets came
    }
    // At or before the newest ended event: a retransmitted end packet or a late update.
    if (newest_ended_ && static_cast<std::int32_t>(rtp_timestamp - *newest_ended_) <= 0) return out;

    active_ = true;
    event_ = e.event;
    first_ts_ = segment_ts_ = rtp_timestamp;
    earlier_segments_ = 0;
    segment_duration_ = e.duration;
    last_packet_ = now;
    event_report r;
    r.what = event_report::kind::start;
    r.event = e.event;
    r.timestamp = rtp_timestamp;
    r.duration_units = e.duration;
    r.duration = to_ms(e.duration);
    out.add(r);
    if (e.end) out.add(finish(false));  // the only packet that made it is an end packet
    return out;
}

event_reports telephone_event_receiver::on_timer(clock::time_point now) {
    event_reports out;
    if (active_ && now - last_packet_ >= cfg_.end_timeout) out.add(finish(true));
    return out;
}

std::optional<telephone_event_receiver::clock::time_point> telephone_event_receiver::deadline() const {
    if (!active_) return std::nullopt;
    return last_packet_ + cfg_.end_timeout;
}

}  // namespace jigasi::media::rtp
