#pragma once
// Our DTLS certificate: ECDSA P-256, self-signed (RFC 5763 §5: the fingerprint in signalling, not
// a CA, vouches for it; RFC 8827 §6.5 asks for ECDSA P-256 support). One per process by default
// (process_certificate()), or one per call when the caller wants calls unlinkable.

#include "core/result.hpp"
#include "media/dtls/error.hpp"
#include "media/dtls/fingerprint.hpp"

#include <openssl/types.h>

#include <chrono>
#include <memory>
#include <string>

namespace jigasi::media::dtls {

struct certificate_options {
    std::string common_name = "jigasi-ng";
    /// Peers do not check validity of a fingerprint-verified certificate, but some log or refuse
    /// an expired one; process_certificate() replaces it at half this age.
    std::chrono::seconds validity = std::chrono::hours(24 * 30);
};

class certificate {
public:
    /// A fresh key pair and certificate: random 62-bit serial, notBefore one day back (clock
    /// skew), SHA-256 signature. Fails with certificate_failed.
    static core::result<std::shared_ptr<const certificate>> generate(
        const certificate_options& options = {});

    certificate(const certificate&) = delete;
    certificate& operator=(const certificate&) = delete;
    ~certificate();

    X509* x509() const { return cert_; }
    EVP_PKEY* private_key() const { return key_; }
    /// The SHA-256 fingerprint we signal (a=fingerprint:sha-256, Jingle <fingerprint hash=...>).
    const fingerprint& sha256() const { return fingerprint_; }
    std::chrono::system_clock::time_point created() const { return created_; }
    std::chrono::seconds validity() const { return validity_; }

private:
    certificate(X509* cert, EVP_PKEY* key, fingerprint fp, std::chrono::seconds validity);

    X509* cert_;
    EVP_PKEY* key_;
    fingerprint fingerprint_;
    std::chrono::system_clock::time_point created_;
    std::chrono::seconds validity_;
};

/// The process-wide certificate with default options: generated on first use and replaced once
/// past half its validity. Calls keep the shared_ptr they started with. Thread-safe.
core::result<std::shared_ptr<const certificate>> process_certificate();

}  // namespace jigasi::media::dtls
