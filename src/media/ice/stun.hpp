#pragma once
// STUN (RFC 5389, updated by RFC 8489) as far as ICE needs it: Binding requests, responses and
// indications with short-term credentials (RFC 8445 §7.2.2), plus the ICE attributes of RFC 8445
// §16.1. A parsed message is a view over the caller's datagram (no allocation); a message is built
// into a caller-provided buffer. Hostile input gives an error value, never an exception.

#include "core/result.hpp"
#include "media/ice/endpoint.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace jigasi::media::ice::stun {

inline constexpr std::uint32_t magic_cookie = 0x2112A442;
inline constexpr std::size_t header_size = 20;
/// More attributes than an ICE check ever carries; a message with more is refused.
inline constexpr std::size_t max_attributes = 32;
/// UNKNOWN-ATTRIBUTES entries we remember for a 420 answer.
inline constexpr std::size_t max_unknown = 8;
inline constexpr std::size_t max_username = 513;  ///< RFC 5389 §15.3: less than 513 bytes

enum class msg_class : std::uint8_t { request = 0, indication = 1, success = 2, error = 3 };

namespace method {
inline constexpr std::uint16_t binding = 0x001;
}

/// Attribute types (RFC 5389 §18.2, RFC 8445 §16.1).
namespace attr {
inline constexpr std::uint16_t mapped_address = 0x0001;
inline constexpr std::uint16_t username = 0x0006;
inline constexpr std::uint16_t message_integrity = 0x0008;
inline constexpr std::uint16_t error_code = 0x0009;
inline constexpr std::uint16_t unknown_attributes = 0x000A;
inline constexpr std::uint16_t realm = 0x0014;
inline constexpr std::uint16_t nonce = 0x0015;
inline constexpr std::uint16_t xor_mapped_address = 0x0020;
inline constexpr std::uint16_t priority = 0x0024;
inline constexpr std::uint16_t use_candidate = 0x0025;
inline constexpr std::uint16_t software = 0x8022;
inline constexpr std::uint16_t alternate_server = 0x8023;
inline constexpr std::uint16_t fingerprint = 0x8028;
inline constexpr std::uint16_t ice_controlled = 0x8029;
inline constexpr std::uint16_t ice_controlling = 0x802A;
}  // namespace attr

/// ERROR-CODE values ICE uses (RFC 5389 §15.6, RFC 8445 §7.3.1.1).
namespace code {
inline constexpr std::uint16_t bad_request = 400;
inline constexpr std::uint16_t unauthorized = 401;
inline constexpr std::uint16_t unknown_attribute = 420;
inline constexpr std::uint16_t role_conflict = 487;
inline constexpr std::uint16_t server_error = 500;
}  // namespace code

using transaction_id = std::array<std::uint8_t, 12>;

struct attribute {
    std::uint16_t type = 0;
    std::span<const std::uint8_t> value;  ///< without padding
    std::size_t offset = 0;               ///< of the attribute header in the message
};

struct error_code_value {
    std::uint16_t code = 0;  ///< 300..699
    std::string_view reason;
};

/// True when the datagram could be STUN at all: first two bits zero, the magic cookie, a length
/// multiple of 4 (RFC 5389 §6/§7.3). Cheap; for the demultiplexer and the agent's fast path.
bool looks_like_stun(std::span<const std::uint8_t> datagram);

/// A parsed STUN message: a view over the datagram, valid while the datagram is.
class message {
public:
    /// The whole datagram must be one message (UDP framing, RFC 5389 §7.2.1).
    static core::result<message> parse(std::span<const std::uint8_t> datagram);

    msg_class cls() const { return cls_; }
    std::uint16_t method() const { return method_; }
    const transaction_id& tid() const { return tid_; }
    std::span<const std::uint8_t> bytes() const { return bytes_; }
    /// Attributes in order, up to FINGERPRINT; those after MESSAGE-INTEGRITY other than
    /// FINGERPRINT are left out (RFC 5389 §15.4: ignored).
    std::span<const attribute> attributes() const { return {attrs_.data(), count_}; }
    const attribute* find(std::uint16_t type) const;

    std::optional<std::string_view> username() const;
    std::optional<endpoint> xor_mapped_address() const;
    std::optional<endpoint> mapped_address() const;
    std::optional<std::uint32_t> priority() const;
    bool use_candidate() const { return find(attr::use_candidate) != nullptr; }
    std::optional<std::uint64_t> ice_controlling() const;
    std::optional<std::uint64_t> ice_controlled() const;
    std::optional<error_code_value> error() const;
    /// Types listed by an UNKNOWN-ATTRIBUTES attribute (in a 420 response).
    std::size_t unknown_attributes_listed(std::span<std::uint16_t> out) const;

    /// Comprehension-required attributes (type < 0x8000) this code does not know: a request
    /// carrying any gets 420 with them in UNKNOWN-ATTRIBUTES (RFC 5389 §7.3.1).
    std::span<const std::uint16_t> unknown_required() const { return {unknown_.data(), unknown_count_}; }

    bool has_integrity() const { return integrity_at_ != 0; }
    bool has_fingerprint() const { return fingerprint_at_ != 0; }
    /// RFC 5389 §15.4: HMAC-SHA1 keyed with the short-term password (§15.4 / §10.1.2).
    bool verify_integrity(std::span<const std::uint8_t> key) const;
    bool verify_integrity(std::string_view key) const;
    /// RFC 5389 §15.5: CRC-32 of the message before FINGERPRINT, XOR 0x5354554e.
    bool verify_fingerprint() const;

private:
    std::span<const std::uint8_t> bytes_;
    msg_class cls_ = msg_class::request;
    std::uint16_t method_ = 0;
    transaction_id tid_{};
    std::array<attribute, max_attributes> attrs_{};
    std::size_t count_ = 0;
    std::array<std::uint16_t, max_unknown> unknown_{};
    std::size_t unknown_count_ = 0;
    std::size_t integrity_at_ = 0;    ///< offset of MESSAGE-INTEGRITY, 0 when absent
    std::size_t fingerprint_at_ = 0;  ///< offset of FINGERPRINT, 0 when absent
};

/// Builds one message into a caller-provided buffer. Errors are sticky: a value that does not fit
/// or an attribute after MESSAGE-INTEGRITY / FINGERPRINT makes finish() fail.
class message_writer {
public:
    /// `padding` fills the 0-3 bytes after a value (RFC 5389 §15: any value; RFC 5769 uses 0x20).
    message_writer(std::span<std::uint8_t> out, msg_class c, std::uint16_t method,
                   const transaction_id& tid, std::uint8_t padding = 0);

    message_writer& add(std::uint16_t type, std::span<const std::uint8_t> value);
    message_writer& add_string(std::uint16_t type, std::string_view value);
    message_writer& add_u32(std::uint16_t type, std::uint32_t value);
    message_writer& add_u64(std::uint16_t type, std::uint64_t value);
    message_writer& add_flag(std::uint16_t type) { return add(type, {}); }
    message_writer& add_xor_address(std::uint16_t type, const endpoint& e);
    message_writer& add_address(std::uint16_t type, const endpoint& e);  ///< MAPPED-ADDRESS form
    message_writer& add_error(std::uint16_t code, std::string_view reason);
    message_writer& add_unknown_attributes(std::span<const std::uint16_t> types);
    /// MESSAGE-INTEGRITY over everything so far (RFC 5389 §15.4).
    message_writer& add_integrity(std::span<const std::uint8_t> key);
    message_writer& add_integrity(std::string_view key);
    /// FINGERPRINT, always last (RFC 5389 §15.5).
    message_writer& add_fingerprint();

    core::result<std::span<const std::uint8_t>> finish() const;
    bool ok() const { return ok_; }

private:
    std::uint8_t* reserve(std::uint16_t type, std::size_t len);
    void set_length(std::size_t body);

    std::span<std::uint8_t> out_;
    std::size_t size_ = 0;
    std::uint8_t padding_ = 0;
    bool ok_ = true;
    bool sealed_ = false;  ///< MESSAGE-INTEGRITY written: only FINGERPRINT may follow
    bool closed_ = false;  ///< FINGERPRINT written
};

/// CRC-32 (ISO-HDLC, as in zlib) for FINGERPRINT.
std::uint32_t crc32(std::span<const std::uint8_t> data, std::uint32_t crc = 0);

}  // namespace jigasi::media::ice::stun
