#include "media/dtls/fingerprint.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>

namespace jigasi::media::dtls {
namespace {

constexpr std::array all_hashes{hash_algorithm::sha_1, hash_algorithm::sha_224,
                                hash_algorithm::sha_256, hash_algorithm::sha_384,
                                hash_algorithm::sha_512};

const EVP_MD* evp(hash_algorithm h) {
    switch (h) {
    case hash_algorithm::sha_1: return EVP_sha1();
    case hash_algorithm::sha_224: return EVP_sha224();
    case hash_algorithm::sha_256: return EVP_sha256();
    case hash_algorithm::sha_384: return EVP_sha384();
    case hash_algorithm::sha_512: return EVP_sha512();
    }
    return nullptr;
}

int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

core::error fail(errc e, std::string diagnostic) {
    return core::error{make_error_code(e), std::move(diagnostic)};
}

}  // namespace

std::string_view hash_name(hash_algorithm h) {
    switch (h) {
    case hash_algorithm::sha_1: return "sha-1";
    case hash_algorithm::sha_224: return "sha-224";
    case hash_algorithm::sha_256: return "sha-256";
    case hash_algorithm::sha_384: return "sha-384";
    case hash_algorithm::sha_512: return "sha-512";
    }
    return "";
}

std::optional<hash_algorithm> parse_hash_name(std::string_view name) {
    for (auto h : all_hashes)
        if (media::iequals(name, hash_name(h))) return h;
    return std::nullopt;
}

std::size_t digest_length(hash_algorithm h) {
    switch (h) {
    case hash_algorithm::sha_1: return 20;
    case hash_algorithm::sha_224: return 28;
    case hash_algorithm::sha_256: return 32;
    case hash_algorithm::sha_384: return 48;
    case hash_algorithm::sha_512: return 64;
    }
    return 0;
}

std::string to_hex(const fingerprint& fp) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string s;
    s.reserve(fp.digest.size() * 3);
    for (auto b : fp.digest) {
        if (!s.empty()) s += ':';
        s += digits[b >> 4];
        s += digits[b & 0x0f];
    }
    return s;
}

std::string describe(const fingerprint& fp) {
    return std::string(hash_name(fp.hash)) + ' ' + to_hex(fp);
}

core::result<fingerprint> parse_fingerprint(std::string_view hash, std::string_view hex) {
    const auto h = parse_hash_name(hash);
    if (!h)
        return fail(errc::unsupported_hash,
                    "fingerprint hash '" + std::string(hash) + "' not supported");
    const auto n = digest_length(*h);
    // n pairs and n-1 colons: "AB:CD".
    if (hex.size() != n * 3 - 1)
        return fail(errc::bad_fingerprint, std::string(hash_name(*h)) + " fingerprint needs " +
                                               std::to_string(n) + " hex pairs");
    fingerprint fp{*h, {}};
    fp.digest.reserve(n);
    for (std::size_t i = 0; i < hex.size(); i += 3) {
        const int hi = nibble(hex[i]);
        const int lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0 || (i + 2 < hex.size() && hex[i + 2] != ':'))
            return fail(errc::bad_fingerprint, "bad character in fingerprint at offset " +
                                                   std::to_string(i));
        fp.digest.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    return fp;
}

core::result<fingerprint> parse_fingerprint(const media::dtls_params& params) {
    return parse_fingerprint(params.hash, params.fingerprint);
}

core::result<fingerprint> fingerprint_of(const X509* cert, hash_algorithm h) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (cert == nullptr || X509_digest(cert, evp(h), md.data(), &len) != 1)
        return fail(errc::bad_fingerprint, "cannot digest the certificate");
    return fingerprint{h, {md.begin(), md.begin() + len}};
}

media::dtls_params to_dtls_params(const fingerprint& fp, media::setup_role setup) {
    return {std::string(hash_name(fp.hash)), to_hex(fp), setup};
}

}  // namespace jigasi::media::dtls
