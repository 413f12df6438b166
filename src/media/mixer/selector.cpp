#include "media/mixer/selector.hpp"

#include <algorithm>

namespace jigasi::media::mixer {

namespace {
constexpr std::size_t npos = static_cast<std::size_t>(-1);
}

loudest_selector::loudest_selector(std::size_t capacity, const config& cfg)
    : cfg_(cfg), member_(capacity, 0) {
    cfg_.k = std::min(cfg_.k, capacity);
    set_.reserve(cfg_.k);
    entered_.reserve(capacity);
    left_.reserve(capacity);
}

std::size_t loudest_selector::loudest_outside(std::span<const std::uint8_t> levels) const {
    std::size_t best = npos;
    const std::size_t n = std::min(levels.size(), member_.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (member_[i] || levels[i] == no_level) continue;
        if (best == npos || levels[i] < levels[best]) best = i;
    }
    return best;
}

std::size_t loudest_selector::quietest_member(std::span<const std::uint8_t> levels) const {
    std::size_t worst = 0;
    for (std::size_t j = 1; j < set_.size(); ++j) {
        const auto a = levels[set_[j]], b = levels[set_[worst]];
        if (a > b || (a == b && set_[j] > set_[worst])) worst = j;
    }
    return worst;
}

void loudest_selector::leave(std::size_t index_in_set) {
    const auto slot = set_[index_in_set];
    member_[slot] = 0;
    left_.push_back(slot);
    set_.erase(set_.begin() + static_cast<std::ptrdiff_t>(index_in_set));
}

void loudest_selector::enter(std::size_t slot) {
    member_[slot] = 1;
    set_.push_back(static_cast<std::uint16_t>(slot));
    entered_.push_back(static_cast<std::uint16_t>(slot));
}

void loudest_selector::select(std::span<const std::uint8_t> levels) {
    entered_.clear();
    left_.clear();
    // Members that are no longer candidates (silent, stale, gone) leave at once.
    for (std::size_t j = set_.size(); j-- > 0;) {
        const auto slot = set_[j];
        if (slot >= levels.size() || levels[slot] == no_level) leave(j);
    }
    // Free places go to the loudest candidates.
    while (set_.size() < cfg_.k) {
        const auto c = loudest_outside(levels);
        if (c == npos) break;
        enter(c);
    }
    // A full set changes only for a candidate clearly louder than its quietest member. Each swap
    // makes the set strictly louder, so this ends; k swaps at most.
    for (std::size_t round = 0; round < cfg_.k && !set_.empty(); ++round) {
        const auto c = loudest_outside(levels);
        if (c == npos) break;
        const auto q = quietest_member(levels);
        const int louder_by = int{levels[set_[q]]} - int{levels[c]};
        if (louder_by <= 0 || louder_by < cfg_.hysteresis_db) break;
        leave(q);
        enter(c);
    }
}

}  // namespace jigasi::media::mixer
