#pragma once
// Base64 (RFC 4648 §4) for the XMPP layer: SASL payloads travel base64-encoded inside <auth/>,
// <challenge/>, <response/> and <success/> (RFC 6120 §6.4). src/sip/sdp.hpp has the same codec for
// SDES keys; it lives in jigasi::sip::sdp, and the XMPP layer should not depend on the SIP layer.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace jigasi::xmpp {

/// Standard alphabet with '=' padding, no line breaks.
std::string base64_encode(std::span<const std::uint8_t> data);
std::string base64_encode(std::string_view bytes);

/// Strict decoding: no whitespace, length a multiple of 4, padding only at the end. nullopt on
/// anything else (RFC 6120 §6.4.2 and §6.5.3 expect incorrect encoding to be refused, not repaired).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace jigasi::xmpp
