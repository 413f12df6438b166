#pragma once
// Why an RTP, RTCP or telephone-event packet was refused. The parsers read network input and return
// these (house style §6): never an exception, never a diagnostic string on the per-packet path (the
// code says it all, and an empty std::string costs no allocation).

#include "core/result.hpp"

#include <system_error>

namespace jigasi::media::rtp {

enum class errc {
    truncated = 1,       ///< shorter than a header or a length field says
    bad_version,         ///< V is not 2 (RFC 3550 §5.1)
    bad_padding,         ///< padding count 0 or larger than the payload (RFC 3550 §5.1)
    bad_extension,       ///< header extension block or element out of bounds (RFC 8285)
    bad_length,          ///< an RTCP length field that does not fit the compound (RFC 3550 §6.4.1)
    bad_field,           ///< a value out of range in something we write (PT > 127, 16 CSRCs, ...)
    buffer_too_small,    ///< the caller's output buffer cannot take what was asked
};

const std::error_category& category() noexcept;
inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), category()}; }

template <class T>
using result = core::result<T>;

/// An error with no diagnostic text: allocation-free, for the per-packet path.
inline core::error fail(errc e) { return core::error{make_error_code(e), {}}; }

}  // namespace jigasi::media::rtp

template <>
struct std::is_error_code_enum<jigasi::media::rtp::errc> : std::true_type {};
