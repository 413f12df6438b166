#pragma once
// HTTP digest authentication as SIP uses it (RFC 3261 22, RFC 7616, RFC 8760): MD5 and SHA-256,
// qop=auth, for both sides. libre 1.1.0 only knows MD5, so the registration client and the
// registrar use this instead. Pure functions plus a stateless nonce issuer: no I/O, no clock.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace jigasi::sip::digest {

enum class algorithm : std::uint8_t { md5, sha256 };

/// "MD5" / "SHA-256" as written in the algorithm parameter.
std::string_view name(algorithm a);

/// A WWW-Authenticate / Proxy-Authenticate value (RFC 7616 3.3).
struct challenge {
    std::string realm;
    std::string nonce;
    std::string opaque;
    algorithm algo = algorithm::md5;
    bool qop_auth = false;  ///< the server offered qop="auth" (auth-int is not supported)
    bool stale = false;     ///< the nonce expired, credentials were right: retry without asking
};

/// Parses "Digest realm=..., nonce=..., ...". nullopt if it is not a digest challenge we can
/// answer (unknown algorithm such as SHA-512-256 or an -sess variant, no nonce, qop without auth).
std::optional<challenge> parse_challenge(std::string_view value);

/// The fields of an Authorization / Proxy-Authorization value (RFC 7616 3.4).
struct credentials {
    std::string username;
    std::string realm;
    std::string nonce;
    std::string uri;
    std::string response;
    std::string opaque;
    std::string cnonce;
    std::string nc;      ///< 8 hex digits when qop is present
    algorithm algo = algorithm::md5;
    bool qop_auth = false;
};

/// nullopt on anything malformed: a missing field, an unknown algorithm, a bad nc.
std::optional<credentials> parse_credentials(std::string_view value);

/// Lower-case hex of H(user ":" realm ":" password): what the config may store instead of a password.
std::string ha1(algorithm a, std::string_view user, std::string_view realm, std::string_view password);

/// The response value for the given HA1 (RFC 7616 3.4.1; without qop, RFC 2069 form).
std::string response(algorithm a, std::string_view ha1_hex, std::string_view nonce, std::string_view method,
                     std::string_view uri, bool qop_auth, std::string_view nc, std::string_view cnonce);

/// Client side: the Authorization header value answering `c`. `cnonce` must be fresh per request.
std::string authorization(const challenge& c, std::string_view user, std::string_view ha1_hex,
                          std::string_view method, std::string_view uri, std::uint32_t nc,
                          std::string_view cnonce);

/// Server side: true if `cr.response` is right for the stored HA1 (compared in constant time).
bool verify(const credentials& cr, std::string_view ha1_hex, std::string_view method);

/// The WWW-Authenticate value of a challenge the server sends.
std::string challenge_header(algorithm a, std::string_view realm, std::string_view nonce, bool stale);

/// Random lower-case hex of `bytes` random bytes (cnonce, tags).
std::string random_hex(std::size_t bytes);

/// Issues nonces that carry their own time and a MAC, so the registrar keeps no nonce table and a
/// restart just makes old nonces "stale" (the phone retries without asking its user).
class nonce_issuer {
public:
    using clock = std::chrono::system_clock;

    /// `secret` keys the MAC; a fresh random one per process is fine.
    explicit nonce_issuer(std::span<const std::uint8_t> secret, std::chrono::seconds lifetime);
    nonce_issuer();  ///< random secret, 5 minutes

    std::string issue(clock::time_point now) const;

    enum class verdict : std::uint8_t { fresh, stale, forged };
    verdict check(std::string_view nonce, clock::time_point now) const;

private:
    std::string mac(std::uint64_t seconds) const;
    std::string secret_;
    std::chrono::seconds lifetime_;
};

}  // namespace jigasi::sip::digest
