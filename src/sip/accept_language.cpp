#include "sip/accept_language.hpp"

#include "sip/sdp_detail.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <tuple>

namespace jigasi::sip {
namespace {

using sdp::detail::split_first;
using sdp::detail::trim;

constexpr std::size_t max_entries = 16;

// language-range: 1*8ALPHA *("-" 1*8alphanum); RFC 4647 §2.1 allows digits after the first
// subtag ("es-419").
bool range_ok(std::string_view r) {
    std::size_t seg = 0, n = 0;
    for (char ch : r) {
        if (ch == '-') {
            if (n == 0) return false;
            ++seg;
            n = 0;
            continue;
        }
        const auto c = static_cast<unsigned char>(ch);
        if (!(seg == 0 ? std::isalpha(c) : std::isalnum(c)) || ++n > 8) return false;
    }
    return n > 0;
}

// qvalue = ("0" ["." 0*3DIGIT]) / ("1" ["." 0*3("0")]), in thousandths; -1 if it does not parse.
int qvalue(std::string_view q) {
    if (q.empty() || (q[0] != '0' && q[0] != '1')) return -1;
    int v = (q[0] - '0') * 1000;
    if (q.size() == 1) return v;
    if (q[1] != '.' || q.size() > 5) return -1;
    int scale = 100;
    for (char ch : q.substr(2)) {
        if (ch < '0' || ch > '9') return -1;
        v += (ch - '0') * scale;
        scale /= 10;
    }
    return v > 1000 ? -1 : v;
}

}  // namespace

std::vector<std::string> accepted_languages(std::string_view value) {
    struct entry {
        std::string range;
        int q;
    };
    std::vector<entry> out;
    while (!value.empty() && out.size() < max_entries) {
        std::string_view item;
        std::tie(item, value) = split_first(value, ',');
        auto [range_part, params] = split_first(item, ';');
        const std::string_view range = trim(range_part);
        int q = 1000;
        while (!params.empty() && q >= 0) {
            std::string_view p;
            std::tie(p, params) = split_first(params, ';');
            const auto [name, val] = split_first(p, '=');
            // parameter names are case-insensitive (RFC 3261 §7.3.1); "q" without "=" is no q
            if (p.find('=') != std::string_view::npos && (trim(name) == "q" || trim(name) == "Q")) q = qvalue(trim(val));
        }
        if (q <= 0 || range == "*" || !range_ok(range)) continue;
        std::string r(range);
        std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        out.push_back({std::move(r), q});
    }
    std::stable_sort(out.begin(), out.end(), [](const entry& a, const entry& b) { return a.q > b.q; });
    std::vector<std::string> ranges;
    for (auto& e : out) ranges.push_back(std::move(e.range));
    return ranges;
}

}  // namespace jigasi::sip
