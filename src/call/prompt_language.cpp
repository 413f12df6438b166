#include "call/prompt_language.hpp"

#include "sip/accept_language.hpp"

namespace jigasi::call {

language_choice choose_language(bool use_accept, const media::prompts::prompt_library* lib,
                                const std::vector<std::string>& accept_values, const std::string& number_language) {
    language_choice c;
    if (use_accept && lib && !accept_values.empty()) {
        // libre splits the list at its commas: joined again, it is the header's list.
        std::string h;
        for (const auto& x : accept_values) h += (h.empty() ? "" : ", ") + x;
        // An empty header or "*" alone names no language: nothing to say about it.
        if (const auto ranges = sip::accepted_languages(h); !ranges.empty()) {
            c.language = lib->lookup(ranges);
            c.why = c.language.empty() ? " (Accept-Language: " + h.substr(0, 64) + ": none loaded)" : " (Accept-Language)";
        }
    }
    if (c.language.empty() && !number_language.empty()) {
        c.language = number_language;
        c.why += " (the number's)";
    }
    return c;
}

}  // namespace jigasi::call
