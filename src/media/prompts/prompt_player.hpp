#pragma once
// Plays a queue of prompts and pauses into a call's frames, sans-io: the call's 20 ms tick asks
// for the next frame and mixes or substitutes it as it sees fit. Nothing allocates after
// construction: the queue is a fixed ring and the audio is the set's, at the player's rate.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "media/prompts/prompt_id.hpp"
#include "media/prompts/prompt_set.hpp"

namespace jigasi::media::prompts {

class prompt_player {
public:
    /// Prompts and pauses that can wait in the queue (one IVR step needs three or four).
    static constexpr std::size_t max_queued = 16;

    /// Plays `set`'s prompts at `rate`, which must be one of prompt_set::rates (anything else is
    /// a caller's bug: std::invalid_argument).
    prompt_player(std::shared_ptr<const prompt_set> set, std::uint32_t rate);

    /// Queues a prompt after what is queued. False, and nothing queued, when the queue is full.
    /// The first play of a prompt at a rate may resample it (prompt_set::prepare avoids that).
    bool play(prompt_id id);
    /// Queues `ms` of silence, e.g. between two prompts. False when the queue is full.
    bool silence(std::chrono::milliseconds ms);
    /// Stops at once and forgets the queue (a key pressed during a prompt, a new state).
    void clear();
    /// Whether anything is still to be played.
    bool playing() const { return count_ > 0; }

    /// The next out.size() samples (rate / 50 for 20 ms); the end of the queue is padded with
    /// silence. Returns false and leaves `out` untouched when idle.
    bool next_frame(std::span<std::int16_t> out);

    std::uint32_t rate() const { return rate_; }
    const prompt_set& set() const { return *set_; }

private:
    /// A prompt's samples, or `silence` samples of silence when pcm is empty.
    struct item {
        std::span<const std::int16_t> pcm;
        std::size_t silence = 0;
        std::size_t length() const { return pcm.empty() ? silence : pcm.size(); }
    };
    bool push(item it);

    std::shared_ptr<const prompt_set> set_;
    std::uint32_t rate_;
    std::array<item, max_queued> queue_{};
    std::size_t head_ = 0, count_ = 0;
    std::size_t offset_ = 0;  ///< samples of the head item already played
};

}  // namespace jigasi::media::prompts
