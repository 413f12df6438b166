// STUN writer, CRC-32 for FINGERPRINT and HMAC-SHA1 for MESSAGE-INTEGRITY.

#include "core/error.hpp"
#include "media/ice/stun.hpp"
#include "media/ice/stun_detail.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <algorithm>

namespace jigasi::media::ice::stun {

using detail::wr16;
using detail::wr32;

namespace {

constexpr std::array<std::uint32_t, 256> crc_table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
    }
    return t;
}();

}  // namespace

std::uint32_t crc32(std::span<const std::uint8_t> data, std::uint32_t crc) {
    crc = ~crc;
    for (auto b : data) crc = crc_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

namespace detail {

bool hmac_sha1(std::span<const std::uint8_t> key, std::initializer_list<std::span<const std::uint8_t>> parts,
               std::array<std::uint8_t, 20>& out) {
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!mac) return false;
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    if (!ctx) return false;
    char digest[] = "SHA1";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    // A null key means "keep the previous key" to EVP_MAC_init: give an empty one a real pointer.
    static const std::uint8_t no_key = 0;
    bool ok = EVP_MAC_init(ctx, key.empty() ? &no_key : key.data(), key.size(), params) == 1;
    for (auto p : parts)
        if (!p.empty()) ok = ok && EVP_MAC_update(ctx, p.data(), p.size()) == 1;
    std::size_t n = 0;
    ok = ok && EVP_MAC_final(ctx, out.data(), &n, out.size()) == 1 && n == out.size();
    EVP_MAC_CTX_free(ctx);
    return ok;
}

}  // namespace detail

message_writer::message_writer(std::span<std::uint8_t> out, msg_class c, std::uint16_t method,
                               const transaction_id& tid, std::uint8_t padding)
    : out_(out), padding_(padding) {
    if (out.size() < header_size || method > 0x0FFF) {
        ok_ = false;
        return;
    }
    const auto cls = static_cast<std::uint16_t>(c);
    const auto type = static_cast<std::uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) |
                                                 ((method & 0x0F80) << 2) | ((cls & 1) << 4) | ((cls & 2) << 7));
    wr16(&out[0], type);
    wr16(&out[2], 0);
    wr32(&out[4], magic_cookie);
    std::copy(tid.begin(), tid.end(), out.begin() + 8);
    size_ = header_size;
}

void message_writer::set_length(std::size_t body) { wr16(&out_[2], static_cast<std::uint16_t>(body)); }

std::uint8_t* message_writer::reserve(std::uint16_t type, std::size_t len) {
    if (!ok_ || closed_ || (sealed_ && type != attr::fingerprint)) {
        ok_ = false;
        return nullptr;
    }
    const std::size_t padded = (len + 3) & ~std::size_t{3};
    if (len > 0xFFFF || size_ + 4 + padded > out_.size() || size_ + 4 + padded - header_size > 0xFFFF) {
        ok_ = false;
        return nullptr;
    }
    std::uint8_t* p = &out_[size_];
    wr16(p, type);
    wr16(p + 2, static_cast<std::uint16_t>(len));
    std::fill(p + 4 + len, p + 4 + padded, padding_);
    size_ += 4 + padded;
    set_length(size_ - header_size);
    return p + 4;
}

message_writer& message_writer::add(std::uint16_t type, std::span<const std::uint8_t> value) {
    if (auto* p = reserve(type, value.size())) std::copy(value.begin(), value.end(), p);
    return *this;
}

message_writer& message_writer::add_string(std::uint16_t type, std::string_view value) {
    return add(type, std::span(reinterpret_cast<const std::uint8_t*>(value.data()), value.size()));
}

message_writer& message_writer::add_u32(std::uint16_t type, std::uint32_t value) {
    if (auto* p = reserve(type, 4)) wr32(p, value);
    return *this;
}

message_writer& message_writer::add_u64(std::uint16_t type, std::uint64_t value) {
    if (auto* p = reserve(type, 8)) {
        wr32(p, static_cast<std::uint32_t>(value >> 32));
        wr32(p + 4, static_cast<std::uint32_t>(value));
    }
    return *this;
}

message_writer& message_writer::add_address(std::uint16_t type, const endpoint& e) {
    const std::size_t n = e.v6 ? 16 : 4;
    if (auto* p = reserve(type, 4 + n)) {
        p[0] = 0;
        p[1] = e.v6 ? 0x02 : 0x01;
        wr16(p + 2, e.port);
        std::copy_n(e.addr.begin(), n, p + 4);
    }
    return *this;
}

message_writer& message_writer::add_xor_address(std::uint16_t type, const endpoint& e) {
    endpoint x = e;
    // RFC 5389 §15.2, the inverse of the reader's XOR (the transaction id is already in place).
    std::uint8_t mask[16];
    wr32(mask, magic_cookie);
    if (out_.size() >= header_size) std::copy_n(&out_[8], 12, mask + 4);
    x.port ^= static_cast<std::uint16_t>(magic_cookie >> 16);
    for (std::size_t i = 0; i < (e.v6 ? 16u : 4u); ++i) x.addr[i] ^= mask[i];
    return add_address(type, x);
}

message_writer& message_writer::add_error(std::uint16_t code, std::string_view reason) {
    if (code < 300 || code > 699) {
        ok_ = false;
        return *this;
    }
    // RFC 5389 §15.6: the reason phrase is at most 128 characters.
    reason = reason.substr(0, 128);
    if (auto* p = reserve(attr::error_code, 4 + reason.size())) {
        p[0] = p[1] = 0;
        p[2] = static_cast<std::uint8_t>(code / 100);
        p[3] = static_cast<std::uint8_t>(code % 100);
        std::copy(reason.begin(), reason.end(), p + 4);
    }
    return *this;
}

message_writer& message_writer::add_unknown_attributes(std::span<const std::uint16_t> types) {
    if (auto* p = reserve(attr::unknown_attributes, 2 * types.size()))
        for (std::size_t i = 0; i < types.size(); ++i) wr16(p + 2 * i, types[i]);
    return *this;
}

message_writer& message_writer::add_integrity(std::span<const std::uint8_t> key) {
    // The length field already counts this attribute when the HMAC is taken (RFC 5389 §15.4).
    auto* p = reserve(attr::message_integrity, 20);
    if (!p) return *this;
    std::array<std::uint8_t, 20> mac{};
    if (!detail::hmac_sha1(key, {std::span<const std::uint8_t>(out_.data(), size_ - 24)}, mac)) {
        ok_ = false;
        return *this;
    }
    std::copy(mac.begin(), mac.end(), p);
    sealed_ = true;
    return *this;
}

message_writer& message_writer::add_integrity(std::string_view key) {
    return add_integrity(std::span(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()));
}

message_writer& message_writer::add_fingerprint() {
    auto* p = reserve(attr::fingerprint, 4);
    if (!p) return *this;
    wr32(p, crc32(std::span<const std::uint8_t>(out_.data(), size_ - 8)) ^ 0x5354554e);
    closed_ = true;
    return *this;
}

core::result<std::span<const std::uint8_t>> message_writer::finish() const {
    if (!ok_) return core::error{core::errc::limit_exceeded, "stun: message does not fit or is malformed"};
    return std::span<const std::uint8_t>(out_.data(), size_);
}

}  // namespace jigasi::media::ice::stun
