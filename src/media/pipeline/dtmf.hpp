#pragma once
// Telephone-events a leg received (RFC 4733 §2.5.2), turned into one start and one end per key
// press by rtp::telephone_event_receiver, and queued until the call's coroutine takes them
// (poll_event()). A fixed ring: a burst beyond it drops the oldest reports and counts them.

#include "media/pipeline/stats.hpp"
#include "media/rtp/telephone_event.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <span>

namespace jigasi::media::pipeline {

/// A key press from the peer: its start, then its end (with the whole duration).
struct dtmf_event {
    rtp::event_report report;
    std::uint32_t ssrc = 0;  ///< the stream that carried it (on the bridge leg: which web user)
};

class dtmf_receiver {
public:
    explicit dtmf_receiver(std::uint32_t clock_rate);

    /// A telephone-event payload of stream `ssrc`. False when the payload is malformed.
    bool on_packet(std::uint32_t ssrc, std::span<const std::uint8_t> payload, std::uint32_t timestamp,
                   bool marker, clock::time_point now);
    /// Ends an event whose end packets never came (§2.5.2); call every tick.
    void on_tick(clock::time_point now);

    std::optional<dtmf_event> poll();
    std::uint64_t started() const { return started_; }
    std::uint64_t overflows() const { return overflows_; }

private:
    void push(std::span<const rtp::event_report> reports);

    rtp::telephone_event_receiver receiver_;
    std::uint32_t ssrc_ = 0;  ///< whose event is running (one receiver: presses do not overlap)
    std::array<dtmf_event, 16> ring_{};
    std::size_t head_ = 0, count_ = 0;
    std::uint64_t started_ = 0, overflows_ = 0;
};

}  // namespace jigasi::media::pipeline
