#include "media/codecs/plc.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace jigasi::media::codecs {
namespace {

std::int16_t saturate(float v) {
    return static_cast<std::int16_t>(std::clamp(std::lround(v), -32768L, 32767L));
}

}  // namespace

plc::plc(std::uint32_t sample_rate) : rate_(std::clamp<std::uint32_t>(sample_rate, 8000, 48000)) {
    min_pitch_ = rate_ / 200;
    max_pitch_ = std::min<std::size_t>(rate_ / 66, max_pitch);
    corr_ = rate_ / 50;
    history_len_ = max_pitch_ + corr_;
    reset();
}

void plc::reset() {
    history_.fill(0);
    pitch_ = min_pitch_;
    offset_ = 0;
    lost_ = 0;
}

// G.711 Appendix I: full level for the first 10 ms, then -20 % per 10 ms, silent after 60 ms.
float plc::gain_at(std::size_t lost_sample) const {
    const std::size_t ten_ms = rate_ / 100;
    if (lost_sample < ten_ms) return 1.0f;
    const float g = 1.0f - static_cast<float>(lost_sample - ten_ms) / static_cast<float>(5 * ten_ms);
    return std::max(g, 0.0f);
}

void plc::good_frame(std::span<std::int16_t> pcm) {
    if (lost_ > 0) {
        // Overlap-add a quarter pitch period so the real signal does not start with a click.
        const std::size_t ol = std::min(overlap_, pcm.size());
        for (std::size_t i = 0; i < ol; ++i) {
            const float synth = period_[offset_] * gain_at(lost_ + i);
            offset_ = (offset_ + 1) % pitch_;
            const float w = (static_cast<float>(i) + 0.5f) / static_cast<float>(ol);
            pcm[i] = saturate((1.0f - w) * synth + w * static_cast<float>(pcm[i]));
        }
        lost_ = 0;
    }
    const std::size_t n = pcm.size();
    if (n >= history_len_) {
        std::copy(pcm.end() - static_cast<std::ptrdiff_t>(history_len_), pcm.end(), history_.begin());
    } else {
        std::copy(history_.begin() + static_cast<std::ptrdiff_t>(n),
                  history_.begin() + static_cast<std::ptrdiff_t>(history_len_), history_.begin());
        std::copy(pcm.begin(), pcm.end(), history_.begin() + static_cast<std::ptrdiff_t>(history_len_ - n));
    }
}

void plc::start_loss() {
    const std::size_t h = history_len_;
    // Pitch by the smallest average magnitude difference over the last 20 ms (G.711 App. I §I.2.2).
    long best = std::numeric_limits<long>::max();
    for (std::size_t p = min_pitch_; p <= max_pitch_; ++p) {
        long score = 0;
        for (std::size_t i = h - corr_; i < h && score < best; ++i)
            score += std::labs(long{history_[i]} - long{history_[i - p]});
        if (score < best) {
            best = score;
            pitch_ = p;
        }
    }
    // The last period, its end blended into the samples that precede its start, so that
    // repeating it has no discontinuity at the wrap.
    overlap_ = pitch_ / 4;
    for (std::size_t i = 0; i < pitch_; ++i) period_[i] = history_[h - pitch_ + i];
    for (std::size_t i = 0; i < overlap_; ++i) {
        const float w = (static_cast<float>(i) + 0.5f) / static_cast<float>(overlap_);
        const std::size_t k = pitch_ - overlap_ + i;
        period_[k] = (1.0f - w) * history_[h - overlap_ + i] + w * history_[h - pitch_ - overlap_ + i];
    }
    offset_ = 0;
}

void plc::conceal(std::span<std::int16_t> out) {
    if (lost_ == 0) start_loss();
    for (auto& s : out) {
        s = saturate(period_[offset_] * gain_at(lost_));
        offset_ = (offset_ + 1) % pitch_;
        ++lost_;
    }
}

}  // namespace jigasi::media::codecs
