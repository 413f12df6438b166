#pragma once
// Expected failures of the SRTP layer (house style §6). Authentication failures and replays are
// normal on a hostile or lossy network: they are counted and dropped, never thrown.

#include <system_error>

namespace jigasi::media::srtp {

enum class errc {
    auth_failed = 1,      ///< the tag does not verify (RFC 3711 §3.3 step 5): tampered or wrong key
    replay,               ///< index already seen or behind the replay window (RFC 3711 §3.3.2)
    malformed,            ///< too short, not RTP/RTCP version 2, header beyond the packet
    buffer_too_small,     ///< no room after the packet for the tag (protect)
    bad_key,              ///< key||salt of the wrong length for the profile
    unsupported_suite,    ///< an a=crypto suite we do not implement
    bad_key_params,       ///< RFC 4568 §9.1 key-params that do not parse (base64, lifetime, MKI)
    unsupported_param,    ///< an RFC 4568 §6.3 session parameter we cannot honour (KDR, ...)
    bad_option,           ///< a session_options value out of range
    library_failure,      ///< libsrtp refused a valid request, or the random source failed
};

const std::error_category& category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), category()};
}

}  // namespace jigasi::media::srtp

template <>
struct std::is_error_code_enum<jigasi::media::srtp::errc> : std::true_type {};
