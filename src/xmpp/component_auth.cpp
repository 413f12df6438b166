#include "xmpp/component_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>

namespace jigasi::xmpp {

std::string component_handshake(std::string_view stream_id, std::string_view secret) {
    const std::string input = std::string(stream_id) + std::string(secret);
    std::array<unsigned char, SHA_DIGEST_LENGTH> md{};
    if (!SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), md.data()))
        throw std::runtime_error("SHA1 failed");  // a broken libcrypto, not bad input
    constexpr std::string_view hex = "0123456789abcdef";
    std::string out;
    for (unsigned char b : md) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

bool verify_component_handshake(std::string_view stream_id, std::string_view secret,
                                std::string_view received) {
    const std::string want = component_handshake(stream_id, secret);
    if (received.size() != want.size()) return false;
    std::string got(received);
    for (auto& c : got)
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    return CRYPTO_memcmp(got.data(), want.data(), want.size()) == 0;
}

}  // namespace jigasi::xmpp
