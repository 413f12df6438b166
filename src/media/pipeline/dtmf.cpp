#include "media/pipeline/dtmf.hpp"

namespace jigasi::media::pipeline {

dtmf_receiver::dtmf_receiver(std::uint32_t clock_rate) : receiver_({clock_rate, std::chrono::milliseconds(400)}) {}

bool dtmf_receiver::on_packet(std::uint32_t ssrc, std::span<const std::uint8_t> payload, std::uint32_t timestamp,
                              bool marker, clock::time_point now) {
    const auto e = rtp::parse_telephone_event(payload);
    if (!e) return false;
    ssrc_ = ssrc;
    push(receiver_.on_packet(*e, timestamp, marker, now).all());
    return true;
}

void dtmf_receiver::on_tick(clock::time_point now) {
    if (const auto d = receiver_.deadline(); d && now >= *d) push(receiver_.on_timer(now).all());
}

void dtmf_receiver::push(std::span<const rtp::event_report> reports) {
    for (const auto& r : reports) {
        if (r.what == rtp::event_report::kind::start) ++started_;
        if (count_ == ring_.size()) {
            head_ = (head_ + 1) % ring_.size();  // drop the oldest
            --count_;
            ++overflows_;
        }
        ring_[(head_ + count_) % ring_.size()] = dtmf_event{r, ssrc_};
        ++count_;
    }
}

std::optional<dtmf_event> dtmf_receiver::poll() {
    if (count_ == 0) return std::nullopt;
    const auto e = ring_[head_];
    head_ = (head_ + 1) % ring_.size();
    --count_;
    return e;
}

}  // namespace jigasi::media::pipeline
