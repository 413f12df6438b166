#pragma once
// The per-call audio mixer, run once per 20 ms tick on the call's strand (pure: no I/O, no clock, no
// allocation after construction). jitsi-protocol.md §4.6: the phone hears the web speakers, the
// bridge hears the phone. Here the phone is a pinned participant and every participant hears the
// total minus its own contribution ("mix-minus"): the phone's output is then exactly the selected
// web speakers, and an N-way conference would need nothing more. The bridge's output is the phone's
// frame itself; the call layer encodes it without asking the mixer.
//
// One tick:
//   auto decode = m.begin_tick();            // which slots to decode (never a silent or
//   for (slot s : decode) {                  //   unselected stream)
//       decoder_of(s).decode(..., m.frame(s));
//       m.frame_ready(s);
//   }
//   m.mix_minus(phone, out);                 // the phone's 20 ms
//
// No clicks: a stream that enters is faded in over its first frame, one that leaves is decoded once
// more and faded out over that frame, and a stream whose frame is missing (lost packet, no PLC)
// decays linearly from its last sample to zero instead of stopping dead.

#include "media/mixer/selector.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace jigasi::media::mixer {

using slot = std::uint16_t;

class mixer {
public:
    struct config {
        std::size_t max_participants = 64;
        std::size_t frame_samples = 960;  ///< 20 ms at 48 kHz, the rate everything is mixed at
        std::size_t max_speakers = 3;     ///< K of the loudest-K selection
        std::uint8_t hysteresis_db = 6;
        /// RFC 6464 levels at or above this are silence (127: only digital silence).
        std::uint8_t silence_level = 127;
        /// A speaker whose level was not refreshed for this many ticks counts as silent: the bridge
        /// stops forwarding silent streams (jitsi-protocol.md §4.5), so levels go stale, not quiet.
        std::uint32_t level_timeout_ticks = 10;
    };

    explicit mixer(const config& cfg);

    /// A participant. pinned: always decoded and mixed, outside the loudest-K contest (the phone).
    /// nullopt when all slots are taken.
    std::optional<slot> add(std::uint32_t ssrc, bool pinned = false);
    /// It leaves: faded out over the next tick (without decoding), then its slot is free.
    void remove(slot s);
    std::optional<slot> find(std::uint32_t ssrc) const;
    std::uint32_t ssrc(slot s) const { return slots_[s].ssrc; }

    /// The latest RFC 6464 level of a participant's stream (0 loudest .. 127 silence).
    void set_level(slot s, std::uint8_t level);

    /// Start a tick: run the selection and return the slots whose stream must be decoded into
    /// frame() this tick. Valid until the next begin_tick().
    std::span<const slot> begin_tick();
    /// Where to decode slot `s`'s frame (frame_samples samples at the mixer rate).
    std::span<std::int16_t> frame(slot s);
    /// frame(s) holds this tick's decoded audio.
    void frame_ready(slot s);

    /// Everything mixed this tick except `listener`'s own contribution, saturated to +-32767.
    void mix_minus(slot listener, std::span<std::int16_t> out);
    /// Everything mixed this tick.
    void mix_all(std::span<std::int16_t> out);

    /// The web speakers selected this tick.
    std::span<const std::uint16_t> speakers() const { return selector_.members(); }
    bool contributing(slot s) const;
    std::size_t frame_samples() const { return cfg_.frame_samples; }
    std::uint64_t ticks() const { return tick_; }

private:
    enum class gain : std::uint8_t { off, on, fade_in, fade_out };
    struct slot_state {
        bool in_use = false;
        bool pinned = false;
        bool removing = false;
        std::uint32_t ssrc = 0;
        std::uint8_t level = 127;
        std::uint64_t level_tick = 0;
        gain g = gain::off;            ///< this tick's ramp (before knowing whether a frame came)
        bool has_frame = false;        ///< frame_ready() this tick
        bool ended_loud = false;       ///< the last tick's contribution did not end at zero
        std::int16_t last_sample = 0;  ///< the last sample it contributed (for the decay)
    };

    void finish_tick();
    /// Slot s's contribution to sample i of this tick's mix.
    std::int32_t contribution(const slot_state& st, slot s, std::size_t i) const;
    void ensure_mixed();

    config cfg_;
    loudest_selector selector_;
    std::vector<slot_state> slots_;
    std::vector<std::int16_t> frames_;    ///< max_participants * frame_samples
    std::vector<std::int32_t> acc_;       ///< this tick's total, 32-bit
    std::vector<std::uint8_t> levels_;    ///< scratch for the selector
    std::vector<slot> decode_;
    std::uint64_t tick_ = 0;
    bool mixed_ = false;
    bool in_tick_ = false;
};

}  // namespace jigasi::media::mixer
