// Fingerprints as signalled (RFC 8122 §5) and our self-signed ECDSA P-256 certificate.

#include "media/dtls/certificate.hpp"
#include "media/dtls/fingerprint.hpp"

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cctype>
#include <ctime>
#include <string>

namespace dtls = jigasi::media::dtls;
using dtls::hash_algorithm;

namespace {

// 32 bytes 00..1F.
constexpr auto sha256_hex =
    "00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:"
    "10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F";

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

TEST_CASE("fingerprint parses either case and formats upper case", "[dtls]") {
    for (const std::string& text : {std::string(sha256_hex), lower(sha256_hex)}) {
        for (const char* hash : {"sha-256", "SHA-256", "Sha-256"}) {
            const auto fp = dtls::parse_fingerprint(hash, text);
            REQUIRE(fp);
            CHECK(fp->hash == hash_algorithm::sha_256);
            REQUIRE(fp->digest.size() == 32);
            CHECK(fp->digest[0] == 0x00);
            CHECK(fp->digest[31] == 0x1f);
            CHECK(dtls::to_hex(*fp) == sha256_hex);
            CHECK(dtls::describe(*fp) == std::string("sha-256 ") + sha256_hex);
        }
    }
    const jigasi::media::dtls_params params{"sha-256", sha256_hex,
                                            jigasi::media::setup_role::actpass};
    REQUIRE(dtls::parse_fingerprint(params));
    const auto back = dtls::to_dtls_params(*dtls::parse_fingerprint(params),
                                           jigasi::media::setup_role::actpass);
    CHECK(back == params);
}

TEST_CASE("fingerprint hash names and lengths", "[dtls]") {
    CHECK(dtls::parse_hash_name("sha-1") == hash_algorithm::sha_1);
    CHECK(dtls::parse_hash_name("SHA-384") == hash_algorithm::sha_384);
    CHECK(dtls::parse_hash_name("sha-512") == hash_algorithm::sha_512);
    CHECK(dtls::parse_hash_name("sha-224") == hash_algorithm::sha_224);
    CHECK_FALSE(dtls::parse_hash_name("md5"));  // RFC 8122 §5: MUST NOT
    CHECK_FALSE(dtls::parse_hash_name("sha256"));
    CHECK(dtls::digest_length(hash_algorithm::sha_1) == 20);
    CHECK(dtls::digest_length(hash_algorithm::sha_512) == 64);
    const std::string sha1(20 * 3 - 1, 'A');
    std::string s = sha1;
    for (std::size_t i = 2; i < s.size(); i += 3) s[i] = ':';
    CHECK(dtls::parse_fingerprint("sha-1", s));
}

TEST_CASE("fingerprint refuses what does not parse", "[dtls]") {
    const std::string good = sha256_hex;
    CHECK(dtls::parse_fingerprint("md5", "00:11").error().code == dtls::errc::unsupported_hash);
    CHECK(dtls::parse_fingerprint("", good).error().code == dtls::errc::unsupported_hash);
    for (const std::string& bad : {
             good.substr(0, good.size() - 3),           // one byte short
             good + ":20",                              // one byte long
             "G" + good.substr(1),                      // not hex
             good.substr(0, 2) + "-" + good.substr(3),  // wrong separator
             std::string(),
             std::string(95, 'A'),                      // no separators at all
             " " + good.substr(1),
         }) {
        const auto r = dtls::parse_fingerprint("sha-256", bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == dtls::errc::bad_fingerprint);
    }
}

TEST_CASE("certificate is a self-signed ECDSA P-256 with its SHA-256 fingerprint", "[dtls]") {
    const auto made = dtls::certificate::generate();
    REQUIRE(made);
    const auto& cert = **made;
    X509* x = cert.x509();
    REQUIRE(x);
    CHECK(EVP_PKEY_is_a(cert.private_key(), "EC"));
    CHECK(EVP_PKEY_get_bits(cert.private_key()) == 256);
    CHECK(X509_check_private_key(x, cert.private_key()) == 1);
    // Self-signed: issuer is subject and the signature verifies with its own key.
    CHECK(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0);
    CHECK(X509_verify(x, cert.private_key()) == 1);
    char cn[64] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
    CHECK(std::string(cn) == "jigasi-ng");
    // Valid now and for about 30 days.
    CHECK(X509_cmp_current_time(X509_get0_notBefore(x)) < 0);
    std::time_t in29 = std::time(nullptr) + 29 * 86400;
    std::time_t in31 = std::time(nullptr) + 31 * 86400;
    CHECK(X509_cmp_time(X509_get0_notAfter(x), &in29) > 0);
    CHECK(X509_cmp_time(X509_get0_notAfter(x), &in31) < 0);

    const auto fp = dtls::fingerprint_of(x, hash_algorithm::sha_256);
    REQUIRE(fp);
    CHECK(*fp == cert.sha256());
    CHECK(dtls::to_hex(cert.sha256()).size() == 32 * 3 - 1);

    // Another one differs in key, serial and fingerprint.
    const auto other = dtls::certificate::generate({"other", std::chrono::hours(1)});
    REQUIRE(other);
    CHECK((*other)->sha256() != cert.sha256());
    CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(x),
                           X509_get0_serialNumber((*other)->x509())) != 0);
}

TEST_CASE("process certificate is made once and shared", "[dtls]") {
    const auto a = dtls::process_certificate();
    const auto b = dtls::process_certificate();
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->get() == b->get());
}
