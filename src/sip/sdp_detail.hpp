#pragma once
// Text helpers shared by the SDP reader and writer (internal to src/sip/sdp*.cpp).

#include <charconv>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace jigasi::sip::sdp::detail {

inline bool is_space(char c) { return c == ' ' || c == '\t'; }

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

/// Split at the first `sep`: ("a:b:c", ':') -> ("a", "b:c"); no `sep` -> (s, "").
inline std::pair<std::string_view, std::string_view> split_first(std::string_view s, char sep) {
    const auto p = s.find(sep);
    if (p == std::string_view::npos) return {s, {}};
    return {s.substr(0, p), s.substr(p + 1)};
}

/// The first whitespace-separated token and the trimmed rest.
inline std::pair<std::string_view, std::string_view> split_ws(std::string_view s) {
    s = trim(s);
    std::size_t p = 0;
    while (p < s.size() && !is_space(s[p])) ++p;
    return {s.substr(0, p), trim(s.substr(p))};
}

/// Every piece between `sep`s (the input is a bounded line, so the count is bounded).
inline std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        const auto p = s.find(sep);
        out.push_back(s.substr(0, p));
        if (p == std::string_view::npos) return out;
        s.remove_prefix(p + 1);
    }
}

/// Whitespace-separated tokens, at most `cap` of them (callers compare the size with their limit).
inline std::vector<std::string_view> tokens(std::string_view s, std::size_t cap = 16) {
    std::vector<std::string_view> out;
    while (out.size() < cap) {
        auto [t, rest] = split_ws(s);
        if (t.empty()) break;
        out.push_back(t);
        s = rest;
    }
    return out;
}

/// A decimal number that fills the whole text and fits T; no sign, no spaces.
template <class T>
std::optional<T> to_uint(std::string_view s) {
    T v{};
    if (s.empty() || s.front() == '+' || s.front() == '-') return std::nullopt;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace jigasi::sip::sdp::detail
