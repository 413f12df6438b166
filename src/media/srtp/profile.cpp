#include "media/srtp/profile.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace jigasi::media::srtp {

std::size_t key_length(profile) { return 16; }

std::size_t salt_length(profile p) { return p == profile::aead_aes_128_gcm ? 12 : 14; }

std::size_t rtp_overhead(profile p) {
    switch (p) {
    case profile::aes_cm_128_hmac_sha1_80: return 10;
    case profile::aes_cm_128_hmac_sha1_32: return 4;
    case profile::aead_aes_128_gcm: return 16;
    }
    return max_rtp_overhead;
}

std::size_t rtcp_overhead(profile p) {
    // 4 bytes E||SRTCP index, then the tag; the _32 suite keeps an 80-bit SRTCP tag.
    return 4 + (p == profile::aead_aes_128_gcm ? 16 : 10);
}

std::string_view sdes_name(profile p) {
    switch (p) {
    case profile::aes_cm_128_hmac_sha1_80: return "AES_CM_128_HMAC_SHA1_80";
    case profile::aes_cm_128_hmac_sha1_32: return "AES_CM_128_HMAC_SHA1_32";
    case profile::aead_aes_128_gcm: return "AEAD_AES_128_GCM";
    }
    return "";
}

std::optional<profile> parse_sdes_suite(std::string_view name) {
    for (auto p : {profile::aes_cm_128_hmac_sha1_80, profile::aes_cm_128_hmac_sha1_32,
                   profile::aead_aes_128_gcm})
        if (sdes_name(p) == name) return p;
    return std::nullopt;
}

std::string_view dtls_name(profile p) {
    switch (p) {
    case profile::aes_cm_128_hmac_sha1_80: return "SRTP_AES128_CM_SHA1_80";
    case profile::aes_cm_128_hmac_sha1_32: return "SRTP_AES128_CM_SHA1_32";
    case profile::aead_aes_128_gcm: return "SRTP_AEAD_AES_128_GCM";
    }
    return "";
}

std::optional<profile> from_dtls_id(std::uint32_t id) {
    switch (id) {
    case 0x0001: return profile::aes_cm_128_hmac_sha1_80;
    case 0x0002: return profile::aes_cm_128_hmac_sha1_32;
    case 0x0007: return profile::aead_aes_128_gcm;
    default: return std::nullopt;
    }
}

master_key::master_key(srtp::profile p, std::span<const std::uint8_t> key,
                       std::span<const std::uint8_t> salt)
    : profile_(p) {
    const auto k = std::min(key.size(), key_length(p));
    const auto s = std::min(salt.size(), salt_length(p));
    std::copy_n(key.begin(), k, data_.begin());
    std::copy_n(salt.begin(), s, data_.begin() + static_cast<std::ptrdiff_t>(k));
    size_ = k + s;
}

std::optional<master_key> master_key::from_bytes(srtp::profile p,
                                                 std::span<const std::uint8_t> key_salt) {
    if (key_salt.size() != master_length(p)) return std::nullopt;
    return master_key(p, key_salt.first(key_length(p)), key_salt.subspan(key_length(p)));
}

master_key::~master_key() { OPENSSL_cleanse(data_.data(), data_.size()); }

bool operator==(const master_key& a, const master_key& b) {
    return a.profile_ == b.profile_ && std::ranges::equal(a.bytes(), b.bytes());
}

}  // namespace jigasi::media::srtp
