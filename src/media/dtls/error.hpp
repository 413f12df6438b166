#pragma once
// Expected failures of DTLS-SRTP (house style §6): what a peer, the network or signalling can
// cause. Each comes with a diagnostic saying what exactly failed.

#include <system_error>

namespace jigasi::media::dtls {

enum class errc {
    bad_fingerprint = 1,       ///< a signalled fingerprint that does not parse (RFC 8122 §5)
    unsupported_hash,          ///< a fingerprint hash we do not implement (md5, md2, unknown)
    fingerprint_mismatch,      ///< the peer's certificate is not the one signalled
    no_peer_certificate,       ///< the peer completed the handshake without a certificate
    handshake_failed,          ///< a fatal alert, sent or received, or a protocol error
    timeout,                   ///< the handshake did not finish within the caller's limit
    too_many_retransmissions,  ///< no answer after the configured number of retransmissions
    too_many_datagrams,        ///< the handshake took more datagrams than configured
    no_srtp_profile,           ///< no use_srtp profile in common (RFC 5764 §4.1.1)
    key_export_failed,         ///< SSL_export_keying_material failed
    certificate_failed,        ///< generating our certificate failed
    bad_config,                ///< the caller's configuration cannot work (no certificate, ...)
    connection_failed,         ///< a fatal alert after the handshake
};

const std::error_category& category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), category()};
}

}  // namespace jigasi::media::dtls

template <>
struct std::is_error_code_enum<jigasi::media::dtls::errc> : std::true_type {};
