#include "media/prompts/prompt_library.hpp"

#include <algorithm>
#include <cctype>

namespace jigasi::media::prompts {
namespace {

// A folder may be named "pt_BR" for the tag "pt-BR".
char fold(unsigned char c) { return c == '_' ? '-' : static_cast<char>(std::tolower(c)); }

bool same_ci(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) { return fold(x) == fold(y); });
}

}  // namespace

std::string prompt_library::lookup(const std::vector<std::string>& ranges) const {
    for (std::string_view r : ranges) {
        while (!r.empty()) {
            if (same_ci(main_->language(), r)) return main_->language();
            for (const auto& s : others_)
                if (same_ci(s->language(), r)) return s->language();
            const auto dash = r.rfind('-');
            r = dash == std::string_view::npos ? std::string_view{} : r.substr(0, dash);
        }
    }
    return {};
}

}  // namespace jigasi::media::prompts
