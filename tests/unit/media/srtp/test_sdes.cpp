// SDES keys (RFC 4568): a=crypto lines into master keys, and fresh keys for our own lines.

#include "core/base64.hpp"
#include "media/srtp/sdes.hpp"
#include "media/srtp/session.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace srtp = jigasi::media::srtp;
using jigasi::media::crypto_attr;
using jigasi::media::crypto_key;

namespace {

// The example key of RFC 4568 (30 bytes).
constexpr auto rfc_key = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";

crypto_attr line(std::string suite, std::string key, std::string lifetime = {},
                 std::string mki = {}, std::vector<std::string> params = {}) {
    return crypto_attr{1, std::move(suite),
                       {crypto_key{std::move(key), std::move(lifetime), std::move(mki)}},
                       std::move(params)};
}

std::string b64(std::size_t n, std::uint8_t fill = 7) {
    return jigasi::core::base64_encode(std::vector<std::uint8_t>(n, fill));
}

}  // namespace

TEST_CASE("SDES key of a valid a=crypto line", "[srtp]") {
    const auto k = srtp::parse_sdes(line("AES_CM_128_HMAC_SHA1_80", rfc_key, "2^20"));
    REQUIRE(k);
    CHECK(k->suite() == srtp::profile::aes_cm_128_hmac_sha1_80);
    CHECK(k->bytes().size() == 30);
    CHECK(k->key().size() == 16);
    CHECK(k->salt().size() == 14);
    CHECK(jigasi::core::base64_encode(k->bytes()) == rfc_key);

    const auto k32 =
        srtp::parse_sdes(line("AES_CM_128_HMAC_SHA1_32", rfc_key, "1048576", {}, {"WSH=64"}));
    REQUIRE(k32);
    CHECK(k32->suite() == srtp::profile::aes_cm_128_hmac_sha1_32);

    // RFC 7714 §14.2: 28 bytes for GCM; with or without base64 padding.
    const auto padded = b64(28);
    CHECK(padded.size() == 40);
    const auto g1 = srtp::parse_sdes(line("AEAD_AES_128_GCM", padded));
    const auto g2 = srtp::parse_sdes(line("AEAD_AES_128_GCM", padded.substr(0, 38)));
    REQUIRE(g1);
    REQUIRE(g2);
    CHECK(*g1 == *g2);
    CHECK(g1->salt().size() == 12);
}

TEST_CASE("SDES refuses bad key parameters", "[srtp]") {
    auto code = [](const crypto_attr& c) { return srtp::parse_sdes(c).error().code; };
    CHECK(code(line("AES_CM_128_HMAC_SHA1_80", "PS1uQCVeeCFCanVmcjkp!!wjNWhcYD0mXXtxaVBR")) ==
          srtp::errc::bad_key_params);                                             // bad base64
    CHECK(code(line("AES_CM_128_HMAC_SHA1_80", b64(29))) == srtp::errc::bad_key_params);  // short
    CHECK(code(line("AES_CM_128_HMAC_SHA1_80", b64(31))) == srtp::errc::bad_key_params);  // long
    CHECK(code(line("AEAD_AES_128_GCM", b64(30))) == srtp::errc::bad_key_params);  // CM length
    CHECK(code(line("AES_CM_128_HMAC_SHA1_80", "")) == srtp::errc::bad_key_params);
    CHECK(code(line("AES_CM_128_HMAC_SHA1_80", rfc_key, {}, "1:4")) == srtp::errc::bad_key_params);
    CHECK(code(line("AES_CM_128_HMAC_SHA1_80", rfc_key, "2^0")) == srtp::errc::bad_key_params);
    CHECK(code(line("AES_CM_128_HMAC_SHA1_80", rfc_key, "2^x")) == srtp::errc::bad_key_params);
    CHECK(code(line("AES_256_CM_HMAC_SHA1_80", b64(46))) == srtp::errc::unsupported_suite);
    CHECK(code(line("F8_128_HMAC_SHA1_80", rfc_key)) == srtp::errc::unsupported_suite);
    CHECK(code(line("AES_CM_128_HMAC_SHA1_80", rfc_key, {}, {}, {"UNENCRYPTED_SRTP"})) ==
          srtp::errc::unsupported_param);
    CHECK(code(line("AES_CM_128_HMAC_SHA1_80", rfc_key, {}, {}, {"KDR=1"})) ==
          srtp::errc::unsupported_param);
    auto two_keys = line("AES_CM_128_HMAC_SHA1_80", rfc_key);
    two_keys.keys.push_back(two_keys.keys.front());
    CHECK(code(two_keys) == srtp::errc::bad_key_params);
    const auto r = srtp::parse_sdes(line("AES_CM_128_HMAC_SHA1_80", b64(29)));
    CHECK(r.error().diagnostic == "AES_CM_128_HMAC_SHA1_80 needs a 30-byte key||salt, got 29");
}

TEST_CASE("SDES fresh keys for our offer round-trip through a=crypto", "[srtp]") {
    for (auto p : {srtp::profile::aes_cm_128_hmac_sha1_80, srtp::profile::aead_aes_128_gcm}) {
        const auto k1 = srtp::generate_key(p);
        const auto k2 = srtp::generate_key(p);
        REQUIRE(k1);
        REQUIRE(k2);
        CHECK_FALSE(*k1 == *k2);
        const auto attr = srtp::make_crypto_attr(3, *k1);
        CHECK(attr.tag == 3);
        CHECK(attr.suite == srtp::sdes_name(p));
        REQUIRE(attr.keys.size() == 1);
        CHECK(attr.keys[0].lifetime.empty());
        CHECK(attr.keys[0].mki.empty());
        const auto back = srtp::parse_sdes(attr);
        REQUIRE(back);
        CHECK(*back == *k1);
        // Usable as-is by a session.
        CHECK(srtp::session::create({*k1, *back}));
    }
}

TEST_CASE("SDES choice among offered lines", "[srtp]") {
    const std::vector<crypto_attr> offered{
        line("AES_256_CM_HMAC_SHA1_80", b64(46)),        // unsupported
        line("AEAD_AES_128_GCM", b64(27)),               // broken key
        line("AES_CM_128_HMAC_SHA1_32", rfc_key),
        line("AES_CM_128_HMAC_SHA1_80", rfc_key),
    };
    const std::vector<srtp::profile> all{srtp::profile::aead_aes_128_gcm,
                                         srtp::profile::aes_cm_128_hmac_sha1_80,
                                         srtp::profile::aes_cm_128_hmac_sha1_32};
    CHECK(srtp::choose_crypto(offered, all) == &offered[2]);  // the offerer's order
    const std::vector<srtp::profile> no_32{srtp::profile::aes_cm_128_hmac_sha1_80};
    CHECK(srtp::choose_crypto(offered, no_32) == &offered[3]);
    const std::vector<srtp::profile> gcm_only{srtp::profile::aead_aes_128_gcm};
    CHECK(srtp::choose_crypto(offered, gcm_only) == nullptr);
}

TEST_CASE("SRTP profile tables", "[srtp]") {
    using srtp::profile;
    CHECK(srtp::master_length(profile::aes_cm_128_hmac_sha1_80) == 30);
    CHECK(srtp::master_length(profile::aead_aes_128_gcm) == 28);
    CHECK(srtp::rtp_overhead(profile::aes_cm_128_hmac_sha1_32) == 4);
    CHECK(srtp::rtcp_overhead(profile::aes_cm_128_hmac_sha1_32) == 14);
    CHECK(srtp::rtcp_overhead(profile::aead_aes_128_gcm) == 20);
    CHECK(srtp::from_dtls_id(0x0001) == profile::aes_cm_128_hmac_sha1_80);
    CHECK(srtp::from_dtls_id(0x0007) == profile::aead_aes_128_gcm);
    CHECK_FALSE(srtp::from_dtls_id(0x0008));
    CHECK(srtp::dtls_name(profile::aead_aes_128_gcm) == "SRTP_AEAD_AES_128_GCM");
    CHECK(srtp::parse_sdes_suite("AEAD_AES_128_GCM") == profile::aead_aes_128_gcm);
    CHECK_FALSE(srtp::parse_sdes_suite("aes_cm_128_hmac_sha1_80"));
}
