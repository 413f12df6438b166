#include "media/mixer/mixer.hpp"

#include <algorithm>

namespace jigasi::media::mixer {

namespace {

// Symmetric, so that negating a mixed sample (phase inversion, abs for a level) never overflows.
constexpr std::int32_t sample_max = 32767;

std::int16_t saturate(std::int32_t v) {
    return static_cast<std::int16_t>(std::clamp(v, -sample_max, sample_max));
}

}  // namespace

mixer::mixer(const config& cfg)
    : cfg_(cfg),
      selector_(cfg.max_participants, {cfg.max_speakers, cfg.hysteresis_db}),
      slots_(cfg.max_participants),
      frames_(cfg.max_participants * cfg.frame_samples, 0),
      acc_(cfg.frame_samples, 0),
      levels_(cfg.max_participants, no_level) {
    decode_.reserve(cfg.max_participants);
}

std::optional<slot> mixer::add(std::uint32_t ssrc, bool pinned) {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        auto& st = slots_[i];
        if (st.in_use) continue;
        st = slot_state{};
        st.in_use = true;
        st.pinned = pinned;
        st.ssrc = ssrc;
        return static_cast<slot>(i);
    }
    return std::nullopt;
}

void mixer::remove(slot s) {
    if (s >= slots_.size() || !slots_[s].in_use) return;
    auto& st = slots_[s];
    // Still sounding: fade it out next tick (finish_tick frees it). Silent: free at once.
    if (st.ended_loud || (in_tick_ && st.g != gain::off))
        st.removing = true;
    else
        st = slot_state{};
}

std::optional<slot> mixer::find(std::uint32_t ssrc) const {
    for (std::size_t i = 0; i < slots_.size(); ++i)
        if (slots_[i].in_use && !slots_[i].removing && slots_[i].ssrc == ssrc) return static_cast<slot>(i);
    return std::nullopt;
}

void mixer::set_level(slot s, std::uint8_t level) {
    if (s >= slots_.size()) return;
    slots_[s].level = level;
    slots_[s].level_tick = tick_ + 1;  // counts for the coming tick
}

void mixer::finish_tick() {
    const std::size_t n = cfg_.frame_samples;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        auto& st = slots_[i];
        if (!st.in_use) continue;
        // Only a full-gain or faded-in frame ends away from zero; a fade-out, a decay or silence
        // ends at zero, and the next frame of that stream must fade in again.
        st.ended_loud = (st.g == gain::on || st.g == gain::fade_in) && st.has_frame && n > 0;
        st.last_sample = st.ended_loud ? frames_[i * n + n - 1] : std::int16_t{0};
        st.has_frame = false;
        if (st.removing && !st.ended_loud) st = slot_state{};
    }
}

std::span<const slot> mixer::begin_tick() {
    if (in_tick_) finish_tick();
    ++tick_;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        const auto& st = slots_[i];
        const bool fresh = st.level_tick != 0 && tick_ - st.level_tick < cfg_.level_timeout_ticks;
        const bool candidate = st.in_use && !st.removing && !st.pinned && fresh && st.level < cfg_.silence_level;
        levels_[i] = candidate ? st.level : no_level;
    }
    selector_.select(levels_);

    decode_.clear();
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        auto& st = slots_[i];
        if (!st.in_use) continue;
        const bool on = !st.removing && (st.pinned || selector_.selected(i));
        if (on)
            st.g = st.ended_loud ? gain::on : gain::fade_in;
        else
            st.g = st.ended_loud ? gain::fade_out : gain::off;
        // A removed stream has no decoder left: it decays from its last sample instead.
        if (st.g != gain::off && !st.removing) decode_.push_back(static_cast<slot>(i));
    }
    mixed_ = false;
    in_tick_ = true;
    return decode_;
}

std::span<std::int16_t> mixer::frame(slot s) {
    const std::size_t n = cfg_.frame_samples;
    return {frames_.data() + static_cast<std::size_t>(s) * n, n};
}

void mixer::frame_ready(slot s) {
    if (s < slots_.size()) slots_[s].has_frame = true;
}

bool mixer::contributing(slot s) const { return s < slots_.size() && slots_[s].g != gain::off; }

std::int32_t mixer::contribution(const slot_state& st, slot s, std::size_t i) const {
    const auto n = static_cast<std::int32_t>(cfg_.frame_samples);
    const auto k = static_cast<std::int32_t>(i);
    if (st.g == gain::off) return 0;
    if (!st.has_frame) {
        // Nothing decoded: decay linearly from where the stream stopped, reaching 0 at the end.
        return st.ended_loud ? std::int32_t{st.last_sample} * (n - 1 - k) / n : 0;
    }
    const std::int32_t x = frames_[static_cast<std::size_t>(s) * cfg_.frame_samples + i];
    switch (st.g) {
    case gain::on: return x;
    case gain::fade_in: return x * (k + 1) / n;       // 1/n .. 1
    case gain::fade_out: return x * (n - 1 - k) / n;  // (n-1)/n .. 0
    case gain::off: break;
    }
    return 0;
}

void mixer::ensure_mixed() {
    if (mixed_) return;
    std::fill(acc_.begin(), acc_.end(), 0);
    for (std::size_t s = 0; s < slots_.size(); ++s) {
        const auto& st = slots_[s];
        if (!st.in_use || st.g == gain::off) continue;
        for (std::size_t i = 0; i < acc_.size(); ++i) acc_[i] += contribution(st, static_cast<slot>(s), i);
    }
    mixed_ = true;
}

void mixer::mix_minus(slot listener, std::span<std::int16_t> out) {
    ensure_mixed();
    const std::size_t n = std::min(out.size(), acc_.size());
    const bool own = listener < slots_.size() && slots_[listener].in_use && slots_[listener].g != gain::off;
    for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t minus = own ? contribution(slots_[listener], listener, i) : 0;
        out[i] = saturate(acc_[i] - minus);
    }
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), std::int16_t{0});
}

void mixer::mix_all(std::span<std::int16_t> out) {
    ensure_mixed();
    const std::size_t n = std::min(out.size(), acc_.size());
    for (std::size_t i = 0; i < n; ++i) out[i] = saturate(acc_[i]);
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), std::int16_t{0});
}

}  // namespace jigasi::media::mixer
