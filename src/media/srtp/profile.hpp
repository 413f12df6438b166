#pragma once
// SRTP protection profiles and master keys, shared by the two ways keys arrive: DTLS-SRTP
// (RFC 5764, media/dtls) and SDES a=crypto (RFC 4568, srtp/sdes.hpp). No libsrtp here.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace jigasi::media::srtp {

/// The transforms we support. _32 only for SDES peers that ask for it: SRTCP keeps its 80-bit
/// tag (RFC 4568 §6.2.2, RFC 5764 §4.1.2).
enum class profile : std::uint8_t {
    aes_cm_128_hmac_sha1_80,  ///< RFC 3711 §8.2 default; DTLS-SRTP 0x0001
    aes_cm_128_hmac_sha1_32,  ///< DTLS-SRTP 0x0002
    aead_aes_128_gcm,         ///< RFC 7714 §14.2; DTLS-SRTP 0x0007
};

/// Master key and salt lengths in bytes (RFC 3711 §8.2: 16/14; RFC 7714 §14.2: 16/12).
std::size_t key_length(profile p);
std::size_t salt_length(profile p);
inline std::size_t master_length(profile p) { return key_length(p) + salt_length(p); }

/// Bytes protect_rtp() / protect_rtcp() add: the tag, and for SRTCP also the E flag and index
/// (RFC 3711 §3.4). The buffer handed to protect needs this much room after the packet.
std::size_t rtp_overhead(profile p);
std::size_t rtcp_overhead(profile p);
inline constexpr std::size_t max_rtp_overhead = 16;
inline constexpr std::size_t max_rtcp_overhead = 20;
inline constexpr std::size_t max_master_length = 30;

/// RFC 4568 §6.2 / RFC 7714 §14.1 crypto-suite names ("AES_CM_128_HMAC_SHA1_80").
std::string_view sdes_name(profile p);
/// Case-sensitive, as RFC 4568 §9.2 defines the tokens.
std::optional<profile> parse_sdes_suite(std::string_view name);

/// RFC 5764 §4.1.2 profile names as OpenSSL's use_srtp list spells them ("SRTP_AES128_CM_SHA1_80").
std::string_view dtls_name(profile p);
/// From the two-byte SRTPProtectionProfile id the handshake selected.
std::optional<profile> from_dtls_id(std::uint32_t id);

/// A master key followed by its master salt, the layout both libsrtp and the RFC 4568 inline
/// key use. Wiped when destroyed.
class master_key {
public:
    master_key() = default;
    /// `key` and `salt` must be key_length(p) and salt_length(p) bytes; extra bytes are ignored.
    master_key(srtp::profile p, std::span<const std::uint8_t> key,
               std::span<const std::uint8_t> salt);
    /// key||salt as one block; nullopt unless it is exactly master_length(p) bytes.
    static std::optional<master_key> from_bytes(srtp::profile p,
                                                std::span<const std::uint8_t> key_salt);
    master_key(const master_key&) = default;
    master_key& operator=(const master_key&) = default;
    ~master_key();

    srtp::profile suite() const { return profile_; }
    std::span<const std::uint8_t> bytes() const { return {data_.data(), size_}; }
    std::span<const std::uint8_t> key() const { return bytes().first(key_size()); }
    std::span<const std::uint8_t> salt() const { return bytes().subspan(key_size()); }
    bool empty() const { return size_ == 0; }

    friend bool operator==(const master_key& a, const master_key& b);

private:
    std::size_t key_size() const {
        return size_ < key_length(profile_) ? size_ : key_length(profile_);
    }

    srtp::profile profile_ = profile::aes_cm_128_hmac_sha1_80;
    std::size_t size_ = 0;
    std::array<std::uint8_t, max_master_length> data_{};
};

/// What one SRTP session needs: our sending key and the peer's.
struct session_keys {
    master_key local;   ///< protects what we send
    master_key remote;  ///< checks and decrypts what the peer sends
};

}  // namespace jigasi::media::srtp
