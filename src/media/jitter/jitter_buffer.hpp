#pragma once
// An adaptive jitter buffer for one incoming audio SSRC, without I/O or clocks (house style 1):
// the media loop inserts packets with their arrival time and pops one piece of audio per 20 ms
// tick. It never decodes; it tells the caller what to decode, conceal or leave silent.
//
// Playout follows the RTP timestamps (RFC 3550 §5.1), sequence numbers only order and identify
// packets. The delay is the audio buffered ahead of the playout point. It grows at once when a
// packet is missing and less than the target follows it (a concealed frame is inserted and the
// late packet still plays), and shrinks by one frame after a whole second with more than the
// target plus a frame buffered, and at every talk-spurt restart, where the buffer refills only to
// the target. The target is four RFC 3550 §6.4.1 interarrival jitters within [min, max] delay:
// up at once (and a frame more per late packet), down over seconds (delay_estimator.hpp).
//
// Streams from the Jitsi bridge stop during silence (jitsi-protocol.md §4.5, discard-silence): the
// buffer then conceals briefly, goes idle (pop says silence) and restarts on the next packet
// without carrying old delay or stale packets into the new spurt.
//
// All memory (slots and payload bytes) is allocated in the constructor; insert and pop do not
// allocate.

#include "media/jitter/delay_estimator.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace jigasi::media::jitter {

struct config {
    std::uint32_t clock_rate = 48000;  ///< RTP clock of the payload type (8000 for G.722)
    std::uint32_t frame_ms = 20;       ///< the pop tick, and the packet duration until one is seen
    std::chrono::milliseconds min_delay{20};
    std::chrono::milliseconds max_delay{200};
    std::size_t max_packets = 32;      ///< slots (bounded memory); 32 x 20 ms well above max_delay
    std::size_t max_payload = 1500;    ///< bytes per slot; larger payloads are refused
    /// Concealment with nothing buffered after which the stream counts as idle (at least the
    /// target delay, so that a jitter spike below the target does not end the spurt).
    std::chrono::milliseconds idle_after{60};
};

enum class insert_result : std::uint8_t {
    accepted,
    reset,      ///< accepted as the first packet of a new stream (new SSRC, confirmed jump)
    duplicate,  ///< already buffered or already played: dropped
    late,       ///< its playout time has passed: dropped
    stray,      ///< a very large sequence jump not confirmed yet (RFC 3550 A.1 probation): dropped
    too_large,  ///< payload longer than config::max_payload: dropped
};

std::string_view name(insert_result r);

enum class pop_kind : std::uint8_t {
    frame,    ///< decode payload
    fec,      ///< a packet is lost and the next one is here: payload is that next packet, decode
              ///< the lost frame from its in-band FEC (or conceal if the codec has none)
    conceal,  ///< a packet is missing: run the decoder's PLC for `duration`
    silence,  ///< the stream is idle (or between talk spurts): no audio from this source
};

std::string_view name(pop_kind k);

struct pop_result {
    pop_kind kind = pop_kind::silence;
    /// The packet to decode (frame), or the packet after the lost one (fec). Valid until the
    /// next insert or pop.
    std::span<const std::uint8_t> payload;
    std::uint16_t seq = 0;         ///< the packet's, or the missing packet's
    std::uint32_t timestamp = 0;   ///< RTP timestamp this piece of audio starts at
    std::uint32_t duration = 0;    ///< RTP clock ticks this piece covers (conceal that much)
    bool marker = false;
    bool spurt_start = false;      ///< first frame after (re)buffering
};

struct stats {
    std::uint64_t received = 0;    ///< packets given to insert for this stream
    std::uint64_t lost = 0;        ///< skipped at playout and never arrived since
    std::uint64_t late = 0;        ///< arrived after their playout time
    std::uint64_t duplicates = 0;
    std::uint64_t concealed = 0;   ///< conceal and fec results
    std::uint64_t discarded = 0;   ///< dropped to bound the delay: overflow, stale at a restart
    std::uint64_t skipped = 0;     ///< dropped to shrink the delay
    std::uint64_t invalid = 0;     ///< strays and oversized payloads
    std::uint64_t resets = 0;      ///< new SSRC or confirmed sequence jump
    std::uint32_t current_delay_ms = 0;  ///< audio buffered at each tick, smoothed: the mean wait
    std::uint32_t target_delay_ms = 0;   ///< buffering the adaptation aims for (see above)
    double jitter_ms = 0;          ///< RFC 3550 §6.4.1 interarrival jitter
    std::size_t buffered = 0;      ///< packets in the buffer now
};

class jitter_buffer {
public:
    using clock = std::chrono::steady_clock;

    explicit jitter_buffer(const config& cfg = {});

    /// A packet of the stream, with its arrival time. The payload is copied.
    insert_result insert(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t timestamp, bool marker,
                         std::span<const std::uint8_t> payload, clock::time_point arrival);
    /// The same, for a buffer that only ever sees one SSRC.
    insert_result insert(std::uint16_t seq, std::uint32_t timestamp, bool marker,
                         std::span<const std::uint8_t> payload, clock::time_point arrival) {
        return insert(ssrc_, seq, timestamp, marker, payload, arrival);
    }

    /// The next piece of audio: call once per tick (config::frame_ms). With packets longer than
    /// a tick, call again only when the previous result's duration has been played.
    pop_result pop(clock::time_point now);

    /// Forget the stream (keeps the statistics and the jitter estimate).
    void reset();

    const stats& statistics() const { return stats_; }
    const config& settings() const { return cfg_; }
    std::size_t capacity() const { return slots_.size(); }
    std::size_t payload_capacity() const { return storage_.size(); }

private:
    enum class state : std::uint8_t { empty, buffering, playing, idle };
    enum class outcome : std::uint8_t { none, played, lost };

    struct slot {
        std::int64_t seq = -1;  ///< extended sequence number, -1 when free
        std::int64_t ts = 0;    ///< extended timestamp
        std::uint16_t len = 0;
        bool marker = false;
    };

    void restart_stream(std::uint32_t ssrc, std::uint16_t seq, std::uint32_t ts, clock::time_point arrival);
    void begin_spurt(std::int64_t seq, std::int64_t ts, clock::time_point arrival);
    void clear_slots();
    void publish_estimates();
    slot* find(std::int64_t seq);
    slot* head();
    std::optional<std::int64_t> next_ts(std::int64_t seq);
    std::int64_t level() const;  ///< ticks buffered from the playout point
    void drop_head(std::uint64_t& counter);
    void remember(std::int64_t seq, outcome o);
    pop_result play(slot& s, bool spurt_start);
    pop_result pop_playing();
    pop_result conceal_result(pop_kind k, std::span<const std::uint8_t> next);
    pop_result silence_result();
    std::span<const std::uint8_t> bytes(const slot& s) const;
    std::int64_t ms_to_ticks(double ms) const { return static_cast<std::int64_t>(ms * cfg_.clock_rate / 1000.0); }
    double ticks_to_ms(std::int64_t t) const { return static_cast<double>(t) * 1000.0 / cfg_.clock_rate; }

    config cfg_;
    std::vector<slot> slots_;
    std::vector<std::uint8_t> storage_;
    std::vector<std::pair<std::int64_t, outcome>> history_;  ///< recent outcomes, for late vs duplicate

    state state_ = state::empty;
    std::uint32_t ssrc_ = 0;
    std::int64_t max_seq_ = 0;      ///< highest extended sequence number seen
    std::int64_t ref_ts_ = 0;       ///< extended timestamp of max_seq_, the reference for extending
    std::int64_t newest_ts_ = 0;    ///< highest extended timestamp buffered in this spurt
    std::optional<std::uint16_t> bad_seq_;  ///< RFC 3550 A.1 probation after a large jump
    std::int64_t play_seq_ = 0;     ///< next sequence number to play
    std::int64_t play_ts_ = 0;      ///< timestamp the next piece of audio starts at
    std::int64_t frame_ts_ = 0;     ///< packet duration, learnt from consecutive packets
    std::size_t count_ = 0;         ///< packets buffered
    clock::time_point spurt_arrival_{};  ///< first packet of the spurt being buffered
    clock::time_point last_arrival_{};
    bool spurt_start_ = false;
    std::int64_t held_ticks_ = 0;   ///< consecutive concealment at the playout point

    delay_estimator estimator_;
    double target_ms_ = 0;
    double delay_ms_ = 0;           ///< smoothed level
    // The shrink window: the lowest level over the last second of playout.
    unsigned window_pops_ = 0;
    std::int64_t window_min_ = 0;

    stats stats_;
};

}  // namespace jigasi::media::jitter
