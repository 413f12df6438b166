#pragma once
// RFC 4733 telephone-events (DTMF): the 4-byte payload, a sender that turns "send digit 5 for
// 100 ms" into the packet sequence of §2.5.1, and a receiver that turns the redundant packets of
// §2.5.2 into one start and one end per digit. The web participants' browsers send these through the
// bridge (jitsi-protocol.md §4.5); the call layer relays them to the phone (§5.4). Time is passed in;
// sequence numbers come from the send_stream: events share the audio's SSRC and sequence space.

#include "media/rtp/error.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace jigasi::media::rtp {

inline constexpr std::uint8_t event_flash = 16;  ///< RFC 4733 §3.2 hook flash

/// The payload of §2.3.
struct telephone_event {
    std::uint8_t event = 0;      ///< 0-9, 10 '*', 11 '#', 12-15 A-D, 16 flash (§3.2)
    bool end = false;            ///< E
    std::uint8_t volume = 10;    ///< 0..63, -dBm0 (power level of the tone)
    std::uint16_t duration = 0;  ///< in RTP timestamp units since the event (segment) began
    friend bool operator==(const telephone_event&, const telephone_event&) = default;
};

inline constexpr std::size_t telephone_event_size = 4;

/// Read the first event of a payload (more than 4 bytes: the rest is ignored, RFC 4733 §2.5.1.5
/// allows several only with RFC 2198 redundancy, which is a different payload type).
result<telephone_event> parse_telephone_event(std::span<const std::uint8_t> payload);
std::array<std::uint8_t, telephone_event_size> encode_telephone_event(const telephone_event& e);

/// '0'..'9', '*', '#', 'A'..'D' for events 0..15; '!' for flash (a common notation, not a key).
std::optional<char> event_to_char(std::uint8_t event);
/// The inverse; lower-case a..d accepted.
std::optional<std::uint8_t> event_from_char(char c);

/// One packet to send: the caller adds the payload type, the next sequence number of its
/// send_stream and the SSRC.
struct event_packet {
    bool marker = false;
    std::uint32_t timestamp = 0;
    telephone_event event;
    std::array<std::uint8_t, telephone_event_size> payload{};
};

class telephone_event_sender {
public:
    using clock = std::chrono::steady_clock;

    struct config {
        std::uint32_t clock_rate = 8000;
        /// §2.5.1.2: every 50 ms, or the audio codec's packet interval.
        std::chrono::milliseconds update_interval{50};
        std::uint8_t volume = 10;
        unsigned end_repeats = 3;  ///< §2.5.1.4: the final packet is sent three times
    };

    explicit telephone_event_sender(const config& cfg);

    /// Begin `event` lasting `duration` from `now`, at RTP `timestamp` (the stream's timestamp_at
    /// of now). False while a previous event is still being sent.
    bool start(std::uint8_t event, std::chrono::milliseconds duration, std::uint32_t timestamp,
               clock::time_point now);

    /// End the event early, at `now` (never before what was already reported).
    void stop(clock::time_point now);

    /// The next packet due at `now`; call until nullopt. Packet k of an event goes at
    /// start + k * update_interval and covers the event up to the end of its interval (as libre and
    /// libwebrtc do), so the first one already says one interval.
    std::optional<event_packet> poll(clock::time_point now);

    /// When poll() has the next packet; nullopt when idle.
    std::optional<clock::time_point> deadline() const;
    bool busy() const { return phase_ != phase::idle || old_segment_repeats_ > 0; }

private:
    enum class phase : std::uint8_t { idle, sending, ending };
    void tick();
    void queue(bool marker, std::uint32_t ts, bool end, std::uint16_t duration);

    config cfg_;
    std::uint64_t interval_units_;
    phase phase_ = phase::idle;
    std::uint8_t event_ = 0;
    clock::time_point start_{};
    std::uint64_t k_ = 0;              ///< packets (ticks) so far
    std::uint64_t total_units_ = 0;    ///< the event's duration
    std::uint64_t reported_units_ = 0; ///< covered by the last packet, whole event
    std::uint64_t segment_start_ = 0;  ///< §2.5.1.3: offset of the current segment in the event
    std::uint32_t segment_ts_ = 0;
    std::uint32_t old_segment_ts_ = 0;
    unsigned old_segment_repeats_ = 0; ///< retransmissions of the previous segment's last packet
    unsigned end_sent_ = 0;
    std::uint16_t final_duration_ = 0;
    std::array<event_packet, 3> queue_{};  ///< packets of one tick (segment ends add some)
    std::size_t queued_ = 0;
    std::size_t next_out_ = 0;
};

/// What the receiver saw: an event began, or it ended (its end packet, or silence for the
/// timeout, or another event that began before its end arrived).
struct event_report {
    enum class kind : std::uint8_t { start, end };
    kind what = kind::start;
    std::uint8_t event = 0;
    std::uint32_t timestamp = 0;        ///< RTP timestamp of the event's first segment
    std::uint64_t duration_units = 0;   ///< all segments; for start: what the first packet said
    std::chrono::milliseconds duration{0};
    bool end_missing = false;           ///< ended without an E packet
};

/// At most three reports come out of one packet: the end of an event whose end packets were lost,
/// the start of the new one, and its end when the only packet that arrived already has E set.
struct event_reports {
    std::array<event_report, 3> items{};
    std::size_t count = 0;
    std::span<const event_report> all() const { return {items.data(), count}; }
    void add(const event_report& r) { if (count < items.size()) items[count++] = r; }
};

class telephone_event_receiver {
public:
    using clock = std::chrono::steady_clock;

    struct config {
        std::uint32_t clock_rate = 8000;
        /// No packet of a running event for this long: it ended and its end packets were lost.
        /// Several update intervals (50 ms) plus jitter.
        std::chrono::milliseconds end_timeout{400};
    };

    explicit telephone_event_receiver(const config& cfg);

    /// A telephone-event packet of the stream (after SRTP and the jitter of the network: no jitter
    /// buffer needed, the timestamps order the events).
    event_reports on_packet(const telephone_event& e, std::uint32_t rtp_timestamp, bool marker,
                            clock::time_point now);

    /// Call at deadline(): ends an event whose end packets never came.
    event_reports on_timer(clock::time_point now);
    std::optional<clock::time_point> deadline() const;

private:
    event_report finish(bool end_missing);
    std::chrono::milliseconds to_ms(std::uint64_t units) const;

    config cfg_;
    bool active_ = false;
    std::uint8_t event_ = 0;
    std::uint32_t first_ts_ = 0;
    std::uint32_t segment_ts_ = 0;
    std::uint64_t earlier_segments_ = 0;
    std::uint16_t segment_duration_ = 0;
    clock::time_point last_packet_{};
    // The last segment timestamp of the newest event that ended: packets at or before it are
    // retransmitted end packets or late updates (§2.5.2), never a new event.
    std::optional<std::uint32_t> newest_ended_;
};

}  // namespace jigasi::media::rtp
