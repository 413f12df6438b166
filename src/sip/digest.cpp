#include "sip/digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace jigasi::sip::digest {

namespace {

std::string to_hex(const unsigned char* p, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(n * 2, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0xf];
    }
    return out;
}

std::string hash_hex(algorithm a, std::string_view text) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    const EVP_MD* md_type = a == algorithm::md5 ? EVP_md5() : EVP_sha256();
    if (!EVP_Digest(text.data(), text.size(), md, &len, md_type, nullptr))
        throw std::runtime_error("EVP_Digest failed");  // a broken libcrypto, not bad input
    return to_hex(md, len);
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

void skip_space(std::string_view& s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
}

/// Walks `name=value` / `name="quoted value"` pairs separated by commas (RFC 7235 2.1 auth-param).
/// Calls f(name, value) for each; returns false on malformed input.
template <class F>
bool for_each_param(std::string_view s, F&& f) {
    constexpr std::size_t max_params = 32;
    for (std::size_t count = 0;; ++count) {
        skip_space(s);
        if (s.empty()) return true;
        if (count == max_params) return false;
        const auto eq = s.find('=');
        if (eq == std::string_view::npos || eq == 0) return false;
        std::string_view name = s.substr(0, eq);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
        s.remove_prefix(eq + 1);
        skip_space(s);
        std::string value;
        if (!s.empty() && s.front() == '"') {
            s.remove_prefix(1);
            for (;;) {
                if (s.empty()) return false;  // unterminated quoted string
                char ch = s.front();
                s.remove_prefix(1);
                if (ch == '"') break;
                if (ch == '\\') {
                    if (s.empty()) return false;
                    ch = s.front();
                    s.remove_prefix(1);
                }
                value.push_back(ch);
            }
        } else {
            const auto end = s.find(',');
            std::string_view raw = s.substr(0, end);
            while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
            value.assign(raw);
            s.remove_prefix(end == std::string_view::npos ? s.size() : end);
        }
        f(name, value);
        skip_space(s);
        if (!s.empty()) {
            if (s.front() != ',') return false;
            s.remove_prefix(1);
        }
    }
}

/// Strips the "Digest " scheme; nullopt for another scheme.
std::optional<std::string_view> digest_params(std::string_view value) {
    skip_space(value);
    if (value.size() < 7 || !iequals(value.substr(0, 6), "Digest") || (value[6] != ' ' && value[6] != '\t'))
        return std::nullopt;
    return value.substr(7);
}

std::optional<algorithm> parse_algorithm(std::string_view v) {
    if (v.empty() || iequals(v, "MD5")) return algorithm::md5;  // RFC 7616 3.3: absent means MD5
    if (iequals(v, "SHA-256")) return algorithm::sha256;
    return std::nullopt;
}

/// qop is a quoted list in a challenge ("auth,auth-int"), a token in credentials.
bool has_auth(std::string_view list) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (iequals(item, "auth")) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

/// RFC 7616 3.4: quoted-string with '"' and '\' escaped.
std::string quoted(std::string_view v) {
    std::string out = "\"";
    for (char ch : v) {
        if (ch == '"' || ch == '\\') out.push_back('\\');
        out.push_back(ch);
    }
    out.push_back('"');
    return out;
}

}  // namespace

std::string_view name(algorithm a) { return a == algorithm::md5 ? "MD5" : "SHA-256"; }

std::optional<challenge> parse_challenge(std::string_view value) {
    auto params = digest_params(value);
    if (!params) return std::nullopt;
    challenge c;
    std::string algo, qop;
    bool have_qop = false;
    const bool ok = for_each_param(*params, [&](std::string_view n, std::string& v) {
        if (iequals(n, "realm")) c.realm = std::move(v);
        else if (iequals(n, "nonce")) c.nonce = std::move(v);
        else if (iequals(n, "opaque")) c.opaque = std::move(v);
        else if (iequals(n, "algorithm")) algo = std::move(v);
        else if (iequals(n, "qop")) qop = std::move(v), have_qop = true;
        else if (iequals(n, "stale")) c.stale = iequals(v, "true");
    });
    if (!ok || c.nonce.empty()) return std::nullopt;
    auto a = parse_algorithm(algo);
    if (!a) return std::nullopt;
    c.algo = *a;
    c.qop_auth = have_qop && has_auth(qop);
    if (have_qop && !c.qop_auth) return std::nullopt;  // only auth-int offered: cannot answer
    return c;
}

std::optional<credentials> parse_credentials(std::string_view value) {
    auto params = digest_params(value);
    if (!params) return std::nullopt;
    credentials cr;
    std::string algo, qop;
    const bool ok = for_each_param(*params, [&](std::string_view n, std::string& v) {
        if (iequals(n, "username")) cr.username = std::move(v);
        else if (iequals(n, "realm")) cr.realm = std::move(v);
        else if (iequals(n, "nonce")) cr.nonce = std::move(v);
        else if (iequals(n, "uri")) cr.uri = std::move(v);
        else if (iequals(n, "response")) cr.response = std::move(v);
        else if (iequals(n, "opaque")) cr.opaque = std::move(v);
        else if (iequals(n, "cnonce")) cr.cnonce = std::move(v);
        else if (iequals(n, "nc")) cr.nc = std::move(v);
        else if (iequals(n, "algorithm")) algo = std::move(v);
        else if (iequals(n, "qop")) qop = std::move(v);
    });
    if (!ok || cr.username.empty() || cr.nonce.empty() || cr.uri.empty() || cr.response.empty())
        return std::nullopt;
    auto a = parse_algorithm(algo);
    if (!a) return std::nullopt;
    cr.algo = *a;
    if (!qop.empty()) {
        if (!iequals(qop, "auth") || cr.cnonce.empty() || cr.nc.size() != 8 ||
            !std::all_of(cr.nc.begin(), cr.nc.end(), [](unsigned char ch) { return std::isxdigit(ch); }))
            return std::nullopt;
        cr.qop_auth = true;
    }
    return cr;
}

std::string ha1(algorithm a, std::string_view user, std::string_view realm, std::string_view password) {
    std::string text;
    text.append(user).append(":").append(realm).append(":").append(password);
    return hash_hex(a, text);
}

std::string response(algorithm a, std::string_view ha1_hex, std::string_view nonce, std::string_view method,
                     std::string_view uri, bool qop_auth, std::string_view nc, std::string_view cnonce) {
    std::string a2;
    a2.append(method).append(":").append(uri);
    const std::string ha2 = hash_hex(a, a2);
    std::string kd;
    kd.append(ha1_hex).append(":").append(nonce).append(":");
    if (qop_auth) kd.append(nc).append(":").append(cnonce).append(":auth:");
    kd.append(ha2);
    return hash_hex(a, kd);
}

std::string authorization(const challenge& c, std::string_view user, std::string_view ha1_hex,
                          std::string_view method, std::string_view uri, std::uint32_t nc,
                          std::string_view cnonce) {
    char nc_hex[9];
    std::snprintf(nc_hex, sizeof nc_hex, "%08x", nc);
    std::string out = "Digest username=" + quoted(user) + ", realm=" + quoted(c.realm) +
                      ", nonce=" + quoted(c.nonce) + ", uri=" + quoted(uri) + ", response=\"" +
                      response(c.algo, ha1_hex, c.nonce, method, uri, c.qop_auth, nc_hex, cnonce) + "\"" +
                      ", algorithm=" + std::string(name(c.algo));
    if (c.qop_auth) out += ", qop=auth, nc=" + std::string(nc_hex) + ", cnonce=" + quoted(cnonce);
    if (!c.opaque.empty()) out += ", opaque=" + quoted(c.opaque);
    return out;
}

bool verify(const credentials& cr, std::string_view ha1_hex, std::string_view method) {
    const std::string want = response(cr.algo, ha1_hex, cr.nonce, method, cr.uri, cr.qop_auth, cr.nc, cr.cnonce);
    std::string got = cr.response;
    std::transform(got.begin(), got.end(), got.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return got.size() == want.size() && CRYPTO_memcmp(got.data(), want.data(), want.size()) == 0;
}

std::string challenge_header(algorithm a, std::string_view realm, std::string_view nonce, bool stale) {
    std::string out = "Digest realm=" + quoted(realm) + ", nonce=" + quoted(nonce) +
                      ", algorithm=" + std::string(name(a)) + ", qop=\"auth\"";
    if (stale) out += ", stale=true";
    return out;
}

std::string random_hex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return to_hex(reinterpret_cast<const unsigned char*>(raw.data()), bytes);
}

// Nonce = 16 hex digits of the issue time (seconds) + 32 hex digits of HMAC-SHA-256(secret, time).
nonce_issuer::nonce_issuer(std::span<const std::uint8_t> secret, std::chrono::seconds lifetime)
    : secret_(secret.begin(), secret.end()), lifetime_(lifetime) {}

nonce_issuer::nonce_issuer() : lifetime_(std::chrono::minutes(5)) {
    secret_.resize(32);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(secret_.data()), 32) != 1)
        throw std::runtime_error("RAND_bytes failed");
}

std::string nonce_issuer::mac(std::uint64_t seconds) const {
    unsigned char msg[8], md[EVP_MAX_MD_SIZE];
    for (int i = 7; i >= 0; --i, seconds >>= 8) msg[i] = static_cast<unsigned char>(seconds & 0xff);
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()), msg, sizeof msg, md, &len);
    return to_hex(md, 16);
}

std::string nonce_issuer::issue(clock::time_point now) const {
    const auto t = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    char stamp[17];
    std::snprintf(stamp, sizeof stamp, "%016llx", static_cast<unsigned long long>(t));
    return stamp + mac(t);
}

nonce_issuer::verdict nonce_issuer::check(std::string_view nonce, clock::time_point now) const {
    if (nonce.size() != 48) return verdict::forged;
    std::uint64_t t = 0;
    for (char ch : nonce.substr(0, 16)) {
        const int d = std::isdigit(static_cast<unsigned char>(ch)) ? ch - '0'
                      : (ch >= 'a' && ch <= 'f')                  ? ch - 'a' + 10
                                                                  : -1;
        if (d < 0) return verdict::forged;
        t = t << 4 | static_cast<std::uint64_t>(d);
    }
    const std::string want = mac(t);
    if (CRYPTO_memcmp(want.data(), nonce.data() + 16, 32) != 0) return verdict::forged;
    const auto issued = clock::time_point(std::chrono::seconds(t));
    if (issued > now + std::chrono::seconds(5) || now - issued > lifetime_) return verdict::stale;
    return verdict::fresh;
}

}  // namespace jigasi::sip::digest
