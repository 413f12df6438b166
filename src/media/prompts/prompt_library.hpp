#pragma once
// The prompt sets one configuration speaks (config::prompt_languages): ivr.language's, the main
// one, and those dial-in numbers ask for. Filled before it is shared and never changed after, so
// calls on any thread read it without a lock.
#include "media/prompts/prompt_set.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jigasi::media::prompts {

class prompt_library {
public:
    /// `main` is not null.
    explicit prompt_library(std::shared_ptr<const prompt_set> main) : main_(std::move(main)) {}

    /// Another language; a second set of the same language is ignored.
    void add(std::shared_ptr<const prompt_set> set) {
        if (!has(set->language())) others_.push_back(std::move(set));
    }

    /// The set of `language`, else the main one (an empty language, or one that did not load).
    const std::shared_ptr<const prompt_set>& of(std::string_view language) const {
        for (const auto& s : others_)
            if (s->language() == language) return s;
        return main_;
    }

    bool has(std::string_view language) const { return &of(language) != &main_ || main_->language() == language; }
    /// The first of a caller's language ranges (best first, e.g. sip::accepted_languages) that a
    /// loaded set answers, by RFC 4647 §3.4 lookup: the whole range, then without its last
    /// subtag ("de-ch" -> "de"), case-insensitively. Empty if none.
    std::string lookup(const std::vector<std::string>& ranges) const;
    const prompt_set& main() const { return *main_; }

    /// prompt_set::prepare for every language.
    void prepare(std::uint32_t rate) const {
        main_->prepare(rate);
        for (const auto& s : others_) s->prepare(rate);
    }

private:
    std::shared_ptr<const prompt_set> main_;
    std::vector<std::shared_ptr<const prompt_set>> others_;
};

}  // namespace jigasi::media::prompts
