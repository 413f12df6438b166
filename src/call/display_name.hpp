#pragma once
// The caller's name in the conference (calls.display_name): a template over the From display
// name and number, with the number's digits masked but the last few when calls.mask_numbers is on
// (a phone number is personal data the whole conference would otherwise see). Pure.
#include "config/config.hpp"

#include <string>

namespace jigasi::call {

/// "+49 30 1234-5678" with 4 visible digits -> "+49 xx xxxx-5678": only digits change.
std::string mask_digits(const std::string& number, unsigned visible);

/// calls.display_name with {name}, {number} and {caller} filled in; a name that is itself a
/// number (no letters) is masked like one. Never empty: falls back to "phone".
std::string display_name(const config::calls_config& cfg, const std::string& name, const std::string& number);

}  // namespace jigasi::call
