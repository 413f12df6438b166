#pragma once
// Base64 (RFC 4648 §4): SASL payloads inside <auth/>, <challenge/>, <response/>, <success/> (RFC 6120
// §6.4), XEP-0115 caps hashes, and SDES keys in a=crypto (RFC 4568 §6.1).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace jigasi::core {

/// Standard alphabet with '=' padding, no line breaks.
std::string base64_encode(std::span<const std::uint8_t> data);
std::string base64_encode(std::string_view bytes);

/// Strict decoding: no whitespace, length a multiple of 4, padding only at the end. nullopt on
/// anything else (RFC 6120 §6.4.2 and §6.5.3 expect incorrect encoding to be refused, not repaired).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace jigasi::core
