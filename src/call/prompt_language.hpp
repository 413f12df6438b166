#pragma once
// Which language an incoming call's prompts speak (IVR, keypad, lobby, waiting), and why, for the
// log: the caller's Accept-Language (RFC 3261 §20.3) when ivr.accept_language is on and it names
// a loaded language, else the dialled number's (dialin.numbers, calls.numbers), else none
// (ivr.language).

#include "media/prompts/prompt_library.hpp"

#include <string>
#include <vector>

namespace jigasi::call {

struct language_choice {
    std::string language;  ///< empty: ivr.language
    std::string why;       ///< " (Accept-Language)", " (the number's)", ...; empty: nothing chose
};

/// `accept_values`: the Accept-Language header's values as libre splits them (one per range).
language_choice choose_language(bool use_accept, const media::prompts::prompt_library* lib,
                                const std::vector<std::string>& accept_values, const std::string& number_language);

}  // namespace jigasi::call
