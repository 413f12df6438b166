#include "media/description.hpp"

#include <array>
#include <utility>

namespace jigasi::media {
namespace {

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N>& table,
                        std::string_view s) {
    for (const auto& [e, name] : table)
        if (name == s) return e;
    return std::nullopt;
}

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
    for (const auto& [k, name] : table)
        if (k == e) return name;
    return {};
}

constexpr std::array<std::pair<media_kind, std::string_view>, 3> kinds{{
    {media_kind::audio, "audio"},
    {media_kind::video, "video"},
    {media_kind::application, "application"},
}};

constexpr std::array<std::pair<transport_profile, std::string_view>, 6> profiles{{
    {transport_profile::rtp_avp, "RTP/AVP"},
    {transport_profile::rtp_savp, "RTP/SAVP"},
    {transport_profile::rtp_avpf, "RTP/AVPF"},
    {transport_profile::rtp_savpf, "RTP/SAVPF"},
    {transport_profile::udp_tls_rtp_savp, "UDP/TLS/RTP/SAVP"},
    {transport_profile::udp_tls_rtp_savpf, "UDP/TLS/RTP/SAVPF"},
}};

constexpr std::array<std::pair<direction, std::string_view>, 4> directions{{
    {direction::sendrecv, "sendrecv"},
    {direction::sendonly, "sendonly"},
    {direction::recvonly, "recvonly"},
    {direction::inactive, "inactive"},
}};

constexpr std::array<std::pair<setup_role, std::string_view>, 4> setups{{
    {setup_role::actpass, "actpass"},
    {setup_role::active, "active"},
    {setup_role::passive, "passive"},
    {setup_role::holdconn, "holdconn"},
}};

}  // namespace

std::string_view to_string(media_kind k) { return k == media_kind::other ? "other" : name_of(kinds, k); }
std::string_view to_string(transport_profile p) {
    return p == transport_profile::other ? "other" : name_of(profiles, p);
}
std::string_view to_string(direction d) { return name_of(directions, d); }
std::string_view to_string(setup_role r) { return r == setup_role::none ? "" : name_of(setups, r); }

std::optional<media_kind> parse_media_kind(std::string_view s) { return lookup(kinds, s); }
std::optional<transport_profile> parse_profile(std::string_view s) { return lookup(profiles, s); }
std::optional<direction> parse_direction(std::string_view s) { return lookup(directions, s); }
std::optional<setup_role> parse_setup_role(std::string_view s) { return lookup(setups, s); }

bool is_rtp(transport_profile p) { return p != transport_profile::other; }

bool is_secure(transport_profile p) {
    return p == transport_profile::rtp_savp || p == transport_profile::rtp_savpf ||
           p == transport_profile::udp_tls_rtp_savp || p == transport_profile::udp_tls_rtp_savpf;
}

std::string_view kind_name(const media_section& m) {
    return m.kind == media_kind::other ? std::string_view(m.kind_token) : to_string(m.kind);
}

std::string_view profile_name(const media_section& m) {
    return m.profile == transport_profile::other ? std::string_view(m.profile_token)
                                                 : to_string(m.profile);
}

direction reverse(direction d) {
    switch (d) {
    case direction::sendonly: return direction::recvonly;
    case direction::recvonly: return direction::sendonly;
    default: return d;
    }
}

bool sends(direction d) { return d == direction::sendrecv || d == direction::sendonly; }
bool receives(direction d) { return d == direction::sendrecv || d == direction::recvonly; }

direction effective_direction(const media_section& m) {
    if (m.address != "0.0.0.0") return m.dir;
    // RFC 3264 §8.4: an offerer may still put the old c=0.0.0.0 hold; it cannot receive.
    return sends(m.dir) ? direction::sendonly : direction::inactive;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

const payload_type* find_payload(const media_section& m, std::uint8_t pt) {
    for (const auto& p : m.payload_types)
        if (p.pt == pt) return &p;
    return nullptr;
}

const parameter* find_parameter(const std::vector<parameter>& params, std::string_view name) {
    for (const auto& p : params)
        if (iequals(p.name, name)) return &p;
    return nullptr;
}

payload_type static_payload_type(std::uint8_t pt) {
    // RFC 3551 §6 table 4: the audio payload types still met in practice.
    switch (pt) {
    case 0: return {pt, "PCMU", 8000, 1, {}};
    case 3: return {pt, "GSM", 8000, 1, {}};
    case 4: return {pt, "G723", 8000, 1, {}};
    case 8: return {pt, "PCMA", 8000, 1, {}};
    case 9: return {pt, "G722", 8000, 1, {}};
    case 13: return {pt, "CN", 8000, 1, {}};
    case 18: return {pt, "G729", 8000, 1, {}};
    default: return {pt, {}, 0, 1, {}};
    }
}

}  // namespace jigasi::media
