// Dialled numbers: how they compare, and the checks of calls.numbers (a number per room) against
// dialin.numbers (the numbers Jitsi Meet shows, which lead to the IVR); the prompt languages the
// numbers ask for.
#include "config/config.hpp"
#include "config/detail.hpp"

#include <algorithm>
#include <map>

namespace jigasi::config {

namespace {

// calls.country_code may be written "+49".
std::string_view calling_code(std::string_view cc) { return cc.substr(cc.starts_with('+') ? 1 : 0); }

}  // namespace

std::string number_digits(std::string_view user, std::string_view country_code, std::string_view national_prefix) {
    // RFC 3966 §5.1.1 visual separators, and a leading + (the international form); parameters
    // (";npdi", ";rn=...", §5.1) follow the number.
    user = user.substr(0, user.find(';'));
    std::string digits;
    for (std::size_t i = 0; i < user.size(); ++i) {
        const char ch = user[i];
        if (ch >= '0' && ch <= '9') digits += ch;
        else if (!(ch == '+' && i == 0) && ch != '-' && ch != '.' && ch != ' ' && ch != '(' && ch != ')') return {};
    }
    // "00", the international call prefix of most countries (ITU-T's recommended one), as a
    // switch may deliver it in place of +.
    if (digits.starts_with("00") && user.front() != '+') {
        digits.erase(0, 2);
        return digits;
    }
    // National form (ITU-T E.164 §6.2.3: national prefix, then the national significant number).
    if (!calling_code(country_code).empty() && !national_prefix.empty() && digits.size() > national_prefix.size() && user.front() != '+' &&
        digits.starts_with(national_prefix))
        digits.replace(0, national_prefix.size(), calling_code(country_code));
    return digits;
}

bool detail::language_ok(std::string_view language) {
    // The name of a prompts folder (prompt_set::load): no separators, no dots.
    return !language.empty() && language.size() <= 32 &&
           language.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
               std::string_view::npos;
}

std::vector<std::string> prompt_languages(const config& cfg) {
    std::vector<std::string> out{cfg.ivr.language};
    auto add = [&](const std::string& l) {
        if (!l.empty() && std::find(out.begin(), out.end(), l) == out.end()) out.push_back(l);
    };
    for (const auto& n : cfg.dialin.numbers) add(n.language);
    for (const auto& n : cfg.calls.numbers) add(n.language);
    return out;
}

std::vector<problem> detail::check_numbers(const config& cfg) {
    std::vector<problem> out;
    const auto& k = cfg.calls;
    std::map<std::string, std::string> shown;  // digits -> where
    for (std::size_t i = 0; i < cfg.dialin.numbers.size(); ++i)
        shown.emplace(number_digits(cfg.dialin.numbers[i].number, k.country_code, k.national_prefix),
                      join(index("dialin.numbers", i), "number"));
    std::map<std::string, std::string> seen;
    for (std::size_t i = 0; i < k.numbers.size(); ++i) {
        const auto at = index("calls.numbers", i);
        const auto& n = k.numbers[i];
        const auto digits = number_digits(n.number, k.country_code, k.national_prefix);
        if (digits.size() < 2)
            out.push_back({join(at, "number"), "expected a phone number (digits, an optional leading +, and - . ( ) or spaces)"});
        else if (auto [it, fresh] = seen.emplace(digits, at); !fresh)
            out.push_back({join(at, "number"), "the same number as " + it->second});
        else if (auto s = shown.find(digits); s != shown.end())
            out.push_back({join(at, "number"), "also " + s->second + ", which leads to the IVR"});
        else if (digits == number_digits(cfg.ivr.extension, k.country_code, k.national_prefix))
            out.push_back({join(at, "number"), "the IVR's extension (ivr.extension)"});
        // RFC 7622 §3.3.1: these may not appear in a localpart; a domain has no spaces or slashes.
        const auto atsign = n.room.find('@');
        const auto local = n.room.substr(0, atsign);
        const auto domain = atsign == std::string::npos ? std::string("-") : n.room.substr(atsign + 1);
        if (local.empty() || local.find_first_of(" \"&'/:<>@") != std::string::npos || domain.empty() ||
            domain.find_first_of(" /@\"<>") != std::string::npos)
            out.push_back({join(at, "room"), "expected a room name or room@muc"});
        if (!n.language.empty() && !language_ok(n.language)) out.push_back({join(at, "language"), language_problem});
    }
    // E.164 country calling codes have 1 to 3 digits and never start with 0 (ITU-T E.164 §6.2.1).
    const std::string_view cc = calling_code(k.country_code);
    if (!k.country_code.empty() && (cc.empty() || cc.size() > 3 || cc.front() == '0' || cc.find_first_not_of("0123456789") != std::string_view::npos))
        out.push_back({"calls.country_code", "expected a country calling code of 1 to 3 digits, e.g. \"49\" (empty: none)"});
    if (k.national_prefix.size() > 3 || k.national_prefix.find_first_not_of("0123456789") != std::string::npos)
        out.push_back({"calls.national_prefix", "expected 0 to 3 digits, e.g. \"0\""});
    if (!k.numbers.empty() && std::find(k.routing.begin(), k.routing.end(), "number") == k.routing.end())
        out.push_back({"calls.numbers", "unused: calls.routing has no \"number\" step"});
    return out;
}

}  // namespace jigasi::config
