// STUN reader: header and attribute checks, typed accessors, integrity and fingerprint checks.

#include "media/ice/stun.hpp"

#include "core/error.hpp"
#include "media/ice/stun_detail.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

namespace jigasi::media::ice::stun {

using detail::rd16;
using detail::rd32;

namespace {

core::error bad(const char* what) { return core::error{core::errc::bad_input, what}; }

bool known(std::uint16_t type) {
    switch (type) {
    case attr::mapped_address:
    case attr::username:
    case attr::message_integrity:
    case attr::error_code:
    case attr::unknown_attributes:
    case attr::realm:
    case attr::nonce:
    case attr::xor_mapped_address:
    case attr::priority:
    case attr::use_candidate: return true;
    default: return false;
    }
}

bool valid_address(std::span<const std::uint8_t> v) {
    if (v.size() < 4) return false;
    return (v[1] == 0x01 && v.size() == 8) || (v[1] == 0x02 && v.size() == 20);
}

/// Length and form of the attributes we interpret; a malformed one makes the message malformed.
const char* check_value(const attribute& a) {
    const auto n = a.value.size();
    switch (a.type) {
    case attr::message_integrity: return n == 20 ? nullptr : "stun: MESSAGE-INTEGRITY is not 20 bytes";
    case attr::fingerprint: return n == 4 ? nullptr : "stun: FINGERPRINT is not 4 bytes";
    case attr::username: return n < max_username ? nullptr : "stun: USERNAME too long";
    case attr::mapped_address:
    case attr::xor_mapped_address:
    case attr::alternate_server: return valid_address(a.value) ? nullptr : "stun: bad address attribute";
    case attr::priority: return n == 4 ? nullptr : "stun: PRIORITY is not 4 bytes";
    case attr::ice_controlled:
    case attr::ice_controlling: return n == 8 ? nullptr : "stun: ICE-CONTROLL* is not 8 bytes";
    case attr::use_candidate: return n == 0 ? nullptr : "stun: USE-CANDIDATE has a value";
    case attr::error_code:
        if (n < 4) return "stun: ERROR-CODE too short";
        if ((a.value[2] & 7) < 3 || (a.value[2] & 7) > 6 || a.value[3] > 99) return "stun: bad ERROR-CODE";
        return nullptr;
    case attr::unknown_attributes: return n % 2 == 0 ? nullptr : "stun: odd UNKNOWN-ATTRIBUTES";
    default: return nullptr;
    }
}

std::optional<endpoint> read_address(const attribute* a, const transaction_id* xor_tid) {
    if (!a) return std::nullopt;
    const auto v = a->value;
    endpoint e;
    e.v6 = v[1] == 0x02;
    e.port = rd16(&v[2]);
    std::copy_n(&v[4], e.v6 ? 16 : 4, e.addr.begin());
    if (xor_tid) {
        // RFC 5389 §15.2: port XOR the cookie's high half, address XOR cookie || transaction id.
        std::uint8_t mask[16];
        detail::wr32(mask, magic_cookie);
        std::copy(xor_tid->begin(), xor_tid->end(), mask + 4);
        e.port ^= static_cast<std::uint16_t>(magic_cookie >> 16);
        for (std::size_t i = 0; i < (e.v6 ? 16u : 4u); ++i) e.addr[i] ^= mask[i];
    }
    return e;
}

}  // namespace

bool looks_like_stun(std::span<const std::uint8_t> d) {
    return d.size() >= header_size && (d[0] & 0xC0) == 0 && rd16(&d[2]) % 4 == 0 &&
           rd32(&d[4]) == magic_cookie;
}

core::result<message> message::parse(std::span<const std::uint8_t> d) {
    if (d.size() < header_size) return bad("stun: shorter than a header");
    if (d[0] & 0xC0) return bad("stun: first two bits are not zero");
    const std::size_t length = rd16(&d[2]);
    if (length % 4) return bad("stun: length is not a multiple of 4");
    if (length + header_size != d.size()) return bad("stun: length does not match the datagram");
    if (rd32(&d[4]) != magic_cookie) return bad("stun: no magic cookie (RFC 3489 is not supported)");

    message m;
    m.bytes_ = d;
    const std::uint16_t type = rd16(&d[0]);
    // RFC 5389 §6: the class bits C1 C0 sit at bits 8 and 4 of the type, the method around them.
    m.cls_ = static_cast<msg_class>(((type >> 7) & 2) | ((type >> 4) & 1));
    m.method_ = static_cast<std::uint16_t>((type & 0x000F) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0F80));
    std::copy_n(&d[8], 12, m.tid_.begin());

    std::size_t off = header_size;
    while (off < d.size()) {
        if (m.fingerprint_at_) return bad("stun: attribute after FINGERPRINT");
        const std::uint16_t atype = rd16(&d[off]);
        const std::size_t alen = rd16(&d[off + 2]);
        const std::size_t padded = (alen + 3) & ~std::size_t{3};
        if (padded > d.size() - off - 4) return bad("stun: attribute overruns the message");
        const attribute a{atype, d.subspan(off + 4, alen), off};
        off += 4 + padded;
        // RFC 5389 §15.4: after MESSAGE-INTEGRITY only FINGERPRINT counts; the rest is ignored.
        if (m.integrity_at_ && atype != attr::fingerprint) continue;
        if (m.count_ == max_attributes) return core::error{core::errc::limit_exceeded, "stun: too many attributes"};
        if (const char* why = check_value(a)) return bad(why);
        if (atype == attr::message_integrity) m.integrity_at_ = a.offset;
        if (atype == attr::fingerprint) m.fingerprint_at_ = a.offset;
        if (atype < 0x8000 && !known(atype) && m.unknown_count_ < max_unknown &&
            std::find(m.unknown_.begin(), m.unknown_.begin() + m.unknown_count_, atype) ==
                m.unknown_.begin() + m.unknown_count_)
            m.unknown_[m.unknown_count_++] = atype;
        m.attrs_[m.count_++] = a;
    }
    return m;
}

const attribute* message::find(std::uint16_t type) const {
    // RFC 5389 §15: only the first of repeated attributes is processed.
    for (std::size_t i = 0; i < count_; ++i)
        if (attrs_[i].type == type) return &attrs_[i];
    return nullptr;
}

std::optional<std::string_view> message::username() const {
    const auto* a = find(attr::username);
    if (!a) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(a->value.data()), a->value.size());
}

std::optional<endpoint> message::xor_mapped_address() const { return read_address(find(attr::xor_mapped_address), &tid_); }
std::optional<endpoint> message::mapped_address() const { return read_address(find(attr::mapped_address), nullptr); }

std::optional<std::uint32_t> message::priority() const {
    const auto* a = find(attr::priority);
    return a ? std::optional(rd32(a->value.data())) : std::nullopt;
}

namespace {
std::optional<std::uint64_t> read_u64(const attribute* a) {
    if (!a) return std::nullopt;
    return std::uint64_t{rd32(a->value.data())} << 32 | rd32(a->value.data() + 4);
}
}  // namespace

std::optional<std::uint64_t> message::ice_controlling() const { return read_u64(find(attr::ice_controlling)); }
std::optional<std::uint64_t> message::ice_controlled() const { return read_u64(find(attr::ice_controlled)); }

std::optional<error_code_value> message::error() const {
    const auto* a = find(attr::error_code);
    if (!a) return std::nullopt;
    const auto v = a->value;
    error_code_value e;
    e.code = static_cast<std::uint16_t>((v[2] & 7) * 100 + v[3]);
    e.reason = std::string_view(reinterpret_cast<const char*>(v.data() + 4), v.size() - 4);
    return e;
}

std::size_t message::unknown_attributes_listed(std::span<std::uint16_t> out) const {
    const auto* a = find(attr::unknown_attributes);
    if (!a) return 0;
    const std::size_t n = std::min(out.size(), a->value.size() / 2);
    for (std::size_t i = 0; i < n; ++i) out[i] = rd16(&a->value[2 * i]);
    return n;
}

bool message::verify_integrity(std::span<const std::uint8_t> key) const {
    if (!integrity_at_) return false;
    // RFC 5389 §15.4: the HMAC covers the header with a length that ends at MESSAGE-INTEGRITY
    // (a FINGERPRINT after it is not counted), then every attribute before it.
    std::uint8_t length[2];
    detail::wr16(length, static_cast<std::uint16_t>(integrity_at_ + 24 - header_size));
    std::array<std::uint8_t, 20> mac{};
    if (!detail::hmac_sha1(key, {bytes_.first(2), length, bytes_.subspan(4, integrity_at_ - 4)}, mac)) return false;
    return CRYPTO_memcmp(mac.data(), bytes_.data() + integrity_at_ + 4, mac.size()) == 0;
}

bool message::verify_integrity(std::string_view key) const {
    return verify_integrity(std::span(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()));
}

bool message::verify_fingerprint() const {
    if (!fingerprint_at_) return false;
    // FINGERPRINT is the last attribute (parse() refuses anything after it), so the header's
    // length already is the one the CRC was computed with.
    const std::uint32_t want = crc32(bytes_.first(fingerprint_at_)) ^ 0x5354554e;
    return rd32(bytes_.data() + fingerprint_at_ + 4) == want;
}

}  // namespace jigasi::media::ice::stun
