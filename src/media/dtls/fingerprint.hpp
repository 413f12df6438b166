#pragma once
// Certificate fingerprints as SDP a=fingerprint and Jingle <fingerprint/> carry them (RFC 8122 §5):
// a hash function name and the digest of the DER certificate as colon-separated hex pairs. The
// fingerprint is the only thing that ties a self-signed DTLS certificate to the signalling
// (RFC 5763 §5), so a peer is verified by comparing it, never by a CA.

#include "core/result.hpp"
#include "media/description.hpp"
#include "media/dtls/error.hpp"

#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jigasi::media::dtls {

/// RFC 8122 §5 hash-func names we accept; md2/md5 are refused (RFC 8122 §5: "MUST NOT").
enum class hash_algorithm : std::uint8_t { sha_1, sha_224, sha_256, sha_384, sha_512 };

/// "sha-256".
std::string_view hash_name(hash_algorithm h);
/// Case-insensitive (RFC 8122 §5: the token is compared without regard to case).
std::optional<hash_algorithm> parse_hash_name(std::string_view name);
std::size_t digest_length(hash_algorithm h);

struct fingerprint {
    hash_algorithm hash = hash_algorithm::sha_256;
    std::vector<std::uint8_t> digest;
    friend bool operator==(const fingerprint&, const fingerprint&) = default;
};

/// "AB:CD:..." in upper case, the form we signal (RFC 8122 §5 UHEX).
std::string to_hex(const fingerprint& fp);
/// "sha-256 AB:CD:...", for logs and errors.
std::string describe(const fingerprint& fp);

/// Parses a signalled fingerprint: hex digits of either case in pairs separated by ':', exactly
/// digest_length(hash) bytes. Errors: unsupported_hash, bad_fingerprint.
core::result<fingerprint> parse_fingerprint(std::string_view hash, std::string_view hex);
core::result<fingerprint> parse_fingerprint(const media::dtls_params& params);

/// The fingerprint of a certificate (the digest of its DER form).
core::result<fingerprint> fingerprint_of(const X509* cert, hash_algorithm h);

/// What we put into our offer/answer for `fp` and our a=setup.
media::dtls_params to_dtls_params(const fingerprint& fp, media::setup_role setup);

}  // namespace jigasi::media::dtls
