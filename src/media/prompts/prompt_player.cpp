#include "media/prompts/prompt_player.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace jigasi::media::prompts {

prompt_player::prompt_player(std::shared_ptr<const prompt_set> set, std::uint32_t rate)
    : set_(std::move(set)), rate_(rate) {
    if (!set_) throw std::invalid_argument("prompt_player: no prompt set");
    if (!prompt_set::supports(rate))
        throw std::invalid_argument("prompt_player: unsupported rate " + std::to_string(rate));
}

bool prompt_player::push(item it) {
    if (count_ == max_queued) return false;
    if (it.length() == 0) return true;  // nothing to play; keeps next_frame free of empty items
    queue_[(head_ + count_) % max_queued] = it;
    ++count_;
    return true;
}

bool prompt_player::play(prompt_id id) {
    return push({set_->samples(id, rate_), 0});
}

bool prompt_player::silence(std::chrono::milliseconds ms) {
    const auto n = ms.count() <= 0 ? 0 : static_cast<std::size_t>(ms.count()) * rate_ / 1000;
    return push({{}, n});
}

void prompt_player::clear() {
    head_ = count_ = offset_ = 0;
}

bool prompt_player::next_frame(std::span<std::int16_t> out) {
    if (count_ == 0) return false;
    std::size_t filled = 0;
    while (filled < out.size() && count_ > 0) {
        const item& it = queue_[head_];
        const std::size_t n = std::min(it.length() - offset_, out.size() - filled);
        if (it.pcm.empty())
            std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(filled), n, std::int16_t{0});
        else
            std::copy_n(it.pcm.begin() + static_cast<std::ptrdiff_t>(offset_), n,
                        out.begin() + static_cast<std::ptrdiff_t>(filled));
        filled += n;
        offset_ += n;
        if (offset_ == it.length()) {
            head_ = (head_ + 1) % max_queued;
            --count_;
            offset_ = 0;
        }
    }
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(filled), out.end(), std::int16_t{0});
    return true;
}

}  // namespace jigasi::media::prompts
