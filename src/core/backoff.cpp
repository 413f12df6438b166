#include "core/backoff.hpp"

#include <algorithm>

namespace jigasi::core {

backoff::backoff(std::chrono::milliseconds min, std::chrono::milliseconds max, std::uint64_t seed)
    : min_(min), max_(std::max(min, max)), state_(seed | 1) {}

void backoff::set_limits(std::chrono::milliseconds min, std::chrono::milliseconds max) {
    min_ = min;
    max_ = std::max(min, max);
}

std::chrono::milliseconds backoff::next() {
    // Doubling capped well before overflow: 2^20 * min is far beyond any sane max.
    const auto shift = std::min(attempt_, 20u);
    ++attempt_;
    const auto base = std::min<std::int64_t>(min_.count() << shift, max_.count());
    // xorshift64: cheap, deterministic per seed (tests), good enough for jitter.
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    const auto span = base / 5;  // ±20 %
    const auto jitter = span > 0 ? static_cast<std::int64_t>(state_ % (2 * span + 1)) - span : 0;
    return std::chrono::milliseconds{std::max<std::int64_t>(1, base + jitter)};
}

}  // namespace jigasi::core
