#include "media/dtls/certificate.hpp"

#include "media/dtls/openssl.hpp"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <mutex>

namespace jigasi::media::dtls {
namespace {

core::error fail(std::string_view what) {
    return core::error{make_error_code(errc::certificate_failed), detail::openssl_error(what)};
}

}  // namespace

core::result<std::shared_ptr<const certificate>> certificate::generate(
    const certificate_options& options) {
    ERR_clear_error();
    detail::pkey_ptr key(EVP_EC_gen("P-256"));
    if (!key) return fail("P-256 key generation");
    detail::x509_ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) return fail("X509_new");

    // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets, unique per issuer; random
    // because every certificate is its own issuer.
    std::array<unsigned char, 8> serial{};
    if (RAND_bytes(serial.data(), static_cast<int>(serial.size())) != 1) return fail("RAND_bytes");
    serial[0] = static_cast<unsigned char>((serial[0] & 0x3f) | 0x40);
    detail::bn_ptr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
    if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) == nullptr)
        return fail("serial number");

    constexpr long skew = 24 * 3600;
    const auto validity = static_cast<long>(options.validity.count());
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -skew) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity) == nullptr)
        return fail("validity");

    X509_NAME* name = X509_get_subject_name(cert.get());
    const auto* cn = reinterpret_cast<const unsigned char*>(options.common_name.c_str());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert.get(), name) != 1 ||
        X509_set_pubkey(cert.get(), key.get()) != 1 ||
        X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
        return fail("self-signing");

    auto fp = fingerprint_of(cert.get(), hash_algorithm::sha_256);
    if (!fp) return fp.error();
    return std::shared_ptr<const certificate>(
        new certificate(cert.release(), key.release(), std::move(*fp), options.validity));
}

certificate::certificate(X509* cert, EVP_PKEY* key, fingerprint fp, std::chrono::seconds validity)
    : cert_(cert),
      key_(key),
      fingerprint_(std::move(fp)),
      created_(std::chrono::system_clock::now()),
      validity_(validity) {}

certificate::~certificate() {
    X509_free(cert_);
    EVP_PKEY_free(key_);
}

core::result<std::shared_ptr<const certificate>> process_certificate() {
    static std::mutex mutex;
    static std::shared_ptr<const certificate> current;
    std::lock_guard lock(mutex);
    const auto now = std::chrono::system_clock::now();
    if (!current || now > current->created() + current->validity() / 2) {
        auto fresh = certificate::generate();
        if (!fresh) return fresh.error();
        current = std::move(*fresh);
    }
    return current;
}

}  // namespace jigasi::media::dtls
