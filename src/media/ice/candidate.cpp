#include "media/ice/candidate.hpp"

#include "core/error.hpp"

#include <openssl/rand.h>

#include <algorithm>

namespace jigasi::media::ice {

std::string_view to_string(candidate_type t) {
    switch (t) {
    case candidate_type::host: return "host";
    case candidate_type::srflx: return "srflx";
    case candidate_type::prflx: return "prflx";
    case candidate_type::relay: return "relay";
    }
    return "host";
}

std::optional<candidate_type> parse_candidate_type(std::string_view s) {
    if (s == "host") return candidate_type::host;
    if (s == "srflx") return candidate_type::srflx;
    if (s == "prflx") return candidate_type::prflx;
    if (s == "relay") return candidate_type::relay;
    return std::nullopt;
}

std::uint32_t type_preference(candidate_type t) {
    switch (t) {
    case candidate_type::host: return 126;
    case candidate_type::prflx: return 110;
    case candidate_type::srflx: return 100;
    case candidate_type::relay: return 0;
    }
    return 0;
}

core::result<candidate> from_description(const media::ice_candidate& c) {
    using core::errc;
    if (!media::iequals(c.transport, "udp")) return core::error{errc::bad_input, "ice: not a UDP candidate"};
    // rtcp-mux and BUNDLE (jitsi-protocol.md §4.4): component 1 only.
    if (c.component != 1) return core::error{errc::bad_input, "ice: component other than 1"};
    const auto type = parse_candidate_type(c.type);
    if (!type) return core::error{errc::bad_input, "ice: unknown candidate type " + c.type};
    const auto addr = endpoint::parse(c.address, c.port);
    if (!addr || c.port == 0) return core::error{errc::bad_input, "ice: candidate address is not an IP literal: " + c.address};
    if (c.priority == 0) return core::error{errc::bad_input, "ice: candidate priority 0"};
    candidate out;
    out.type = *type;
    out.address = *addr;
    out.base = *addr;
    if (!c.related_address.empty())
        if (auto rel = endpoint::parse(c.related_address, c.related_port)) out.related = *rel;
    out.priority = c.priority;
    out.foundation = c.foundation.empty() ? std::string(c.type) : c.foundation;
    out.component = c.component;
    return out;
}

media::ice_candidate to_description(const candidate& c, std::uint32_t generation) {
    media::ice_candidate d;
    d.foundation = c.foundation;
    d.component = c.component;
    d.transport = "udp";
    d.priority = c.priority;
    d.address = c.address.address_string();
    d.port = c.address.port;
    d.type = std::string(to_string(c.type));
    if (c.type != candidate_type::host) {
        d.related_address = c.related.address_string();
        d.related_port = c.related.port;
    }
    d.generation = generation;
    return d;
}

bool system_random(std::span<std::uint8_t> out) {
    return out.empty() || RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
}

std::string random_ice_string(std::size_t n, const random_fn& random) {
    static constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out(n, '\0');
    auto bytes = std::span(reinterpret_cast<std::uint8_t*>(out.data()), n);
    if (!(random ? random(bytes) : system_random(bytes))) return {};
    for (auto& ch : out) ch = alphabet[static_cast<std::uint8_t>(ch) & 63];  // 64 symbols: no bias
    return out;
}

credentials make_credentials(const random_fn& random) {
    credentials c{random_ice_string(8, random), random_ice_string(24, random)};
    if (c.ufrag.empty() || c.pwd.empty()) return {};
    return c;
}

namespace {
bool ice_chars(std::string_view s, std::size_t min, std::size_t max) {
    if (s.size() < min || s.size() > max) return false;
    return std::all_of(s.begin(), s.end(), [](char ch) {
        return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+' ||
               ch == '/';
    });
}
}  // namespace

bool valid_ufrag(std::string_view s) { return ice_chars(s, 4, 256); }
bool valid_pwd(std::string_view s) { return ice_chars(s, 22, 256); }

}  // namespace jigasi::media::ice
