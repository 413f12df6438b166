#pragma once
// Which web speakers the phone hears: the K loudest by their RFC 6464 levels, with hysteresis so the
// set does not flap between speakers of similar loudness (a newcomer must be louder than the quietest
// member by `hysteresis_db` to take its place). jitsi-protocol.md §4.6: decoding every SSRC is what
// made Jigasi's CPU cost grow with the room; streams outside the set are never decoded.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace jigasi::media::mixer {

/// Not a candidate this tick: absent, silent, stale or pinned.
inline constexpr std::uint8_t no_level = 255;

class loudest_selector {
public:
    struct config {
        std::size_t k = 3;
        std::uint8_t hysteresis_db = 6;
    };

    /// Slots are 0..capacity-1. All storage is taken here, none per tick.
    loudest_selector(std::size_t capacity, const config& cfg);

    /// One decision: levels[i] is slot i's level in -dBov (0 loudest .. 127), or no_level.
    /// Members that stopped being candidates leave; free places go to the loudest candidates; then
    /// a candidate louder than the quietest member by the hysteresis replaces it. Ties go to the
    /// lower slot, so the result is deterministic.
    void select(std::span<const std::uint8_t> levels);

    bool selected(std::size_t slot) const { return slot < member_.size() && member_[slot]; }
    std::span<const std::uint16_t> members() const { return set_; }
    std::span<const std::uint16_t> entered() const { return entered_; }  ///< by the last select()
    std::span<const std::uint16_t> left() const { return left_; }        ///< by the last select()
    std::size_t k() const { return cfg_.k; }

private:
    /// The loudest candidate outside the set, or npos.
    std::size_t loudest_outside(std::span<const std::uint8_t> levels) const;
    /// The index in set_ of the quietest member.
    std::size_t quietest_member(std::span<const std::uint8_t> levels) const;
    void leave(std::size_t index_in_set);
    void enter(std::size_t slot);

    config cfg_;
    std::vector<std::uint8_t> member_;  ///< per slot
    std::vector<std::uint16_t> set_;
    std::vector<std::uint16_t> entered_;
    std::vector<std::uint16_t> left_;
};

}  // namespace jigasi::media::mixer
