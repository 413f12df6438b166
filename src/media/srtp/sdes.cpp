#include "media/srtp/sdes.hpp"

#include "core/base64.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <string>

namespace jigasi::media::srtp {
namespace {

core::error fail(errc e, std::string diagnostic) {
    return core::error{make_error_code(e), std::move(diagnostic)};
}

bool decimal(std::string_view s, std::uint64_t& out) {
    const auto* end = s.data() + s.size();
    return !s.empty() && std::from_chars(s.data(), end, out).ptr == end;
}

/// RFC 4568 §9.1: lifetime = ["2^"] 1*(DIGIT). We never rekey; libsrtp stops a stream itself at
/// the RFC 3711 §9.2 limits, so the value is only checked for form.
bool valid_lifetime(std::string_view s) {
    std::uint64_t n = 0;
    if (s.starts_with("2^")) return decimal(s.substr(2), n) && n >= 1 && n <= 48;
    return decimal(s, n) && n > 0;
}

}  // namespace

core::result<master_key> parse_sdes(const media::crypto_attr& attr) {
    const auto suite = parse_sdes_suite(attr.suite);
    if (!suite)
        return fail(errc::unsupported_suite, "crypto suite " + attr.suite + " not supported");
    if (attr.keys.size() != 1)
        return fail(errc::bad_key_params, "expected one inline key, got " +
                                              std::to_string(attr.keys.size()));
    for (const auto& p : attr.session_params)
        if (!p.starts_with("WSH="))  // RFC 4568 §6.3 WSH: only a hint, we keep our window
            return fail(errc::unsupported_param, "session parameter " + p + " not supported");
    const auto& k = attr.keys.front();
    if (!k.mki.empty()) return fail(errc::bad_key_params, "MKI " + k.mki + " not supported");
    if (!k.lifetime.empty() && !valid_lifetime(k.lifetime))
        return fail(errc::bad_key_params, "bad key lifetime " + k.lifetime);
    // Some peers drop the base64 padding (RFC 4648 §3.2 lets specifications omit it); a 28-byte
    // GCM key then arrives as 38 characters.
    std::string text = k.key_salt;
    if (text.size() % 4 != 0 && text.size() % 4 != 1) text.append(4 - text.size() % 4, '=');
    auto raw = core::base64_decode(text);
    if (!raw) return fail(errc::bad_key_params, "inline key is not base64");
    const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(raw->data()), raw->size());
    auto key = master_key::from_bytes(*suite, bytes);
    const auto got = raw->size();
    OPENSSL_cleanse(raw->data(), raw->size());
    if (!key)
        return fail(errc::bad_key_params, attr.suite + " needs a " +
                                              std::to_string(master_length(*suite)) +
                                              "-byte key||salt, got " + std::to_string(got));
    return std::move(*key);
}

core::result<master_key> generate_key(profile p) {
    std::array<std::uint8_t, max_master_length> buf{};
    const auto n = master_length(p);
    if (RAND_bytes(buf.data(), static_cast<int>(n)) != 1)
        return fail(errc::library_failure, "RAND_bytes failed");
    auto key = master_key::from_bytes(p, std::span(buf.data(), n));
    OPENSSL_cleanse(buf.data(), buf.size());
    return std::move(*key);
}

media::crypto_attr make_crypto_attr(std::uint32_t tag, const master_key& key) {
    media::crypto_attr c;
    c.tag = tag;
    c.suite = std::string(sdes_name(key.suite()));
    c.keys.push_back({core::base64_encode(key.bytes()), {}, {}});
    return c;
}

const media::crypto_attr* choose_crypto(std::span<const media::crypto_attr> offered,
                                        std::span<const profile> allowed) {
    for (const auto& c : offered) {
        const auto suite = parse_sdes_suite(c.suite);
        if (suite && std::ranges::find(allowed, *suite) != allowed.end() && parse_sdes(c))
            return &c;
    }
    return nullptr;
}

}  // namespace jigasi::media::srtp
