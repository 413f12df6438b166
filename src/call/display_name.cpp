#include "call/display_name.hpp"

#include <algorithm>
#include <cctype>

namespace jigasi::call {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool has_letters(const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](unsigned char c) { return std::isalpha(c) != 0; });
}
}  // namespace

std::string mask_digits(const std::string& number, unsigned visible) {
    std::string out = number;
    std::size_t digits = static_cast<std::size_t>(std::count_if(out.begin(), out.end(), is_digit));
    for (char& ch : out) {
        if (!is_digit(ch)) continue;
        if (digits-- > visible) ch = 'x';
    }
    return out;
}

std::string display_name(const config::calls_config& cfg, const std::string& name, const std::string& number) {
    auto shown = [&](const std::string& s) {
        return cfg.mask_numbers && !has_letters(s) ? mask_digits(s, cfg.visible_digits) : s;
    };
    const std::string n = shown(number), nm = shown(name);
    const std::string caller = nm.empty() ? n : nm;
    std::string out;
    const auto& t = cfg.display_name;
    for (std::size_t i = 0; i < t.size();) {
        if (t[i] == '{') {
            const auto end = t.find('}', i);
            if (end != std::string::npos) {
                const auto key = t.substr(i + 1, end - i - 1);
                if (key == "name" || key == "number" || key == "caller") {
                    out += key == "name" ? nm : key == "number" ? n : caller;
                    i = end + 1;
                    continue;
                }
            }
        }
        out += t[i++];
    }
    // A template of placeholders alone with nothing to fill them leaves blanks: name it anyway.
    if (std::all_of(out.begin(), out.end(), [](unsigned char c) { return std::isspace(c) || std::ispunct(c); }))
        out = caller.empty() ? "phone" : caller;
    return out;
}

}  // namespace jigasi::call
