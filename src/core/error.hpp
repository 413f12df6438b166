#pragma once
// Expected failures of jigasi-ng's own making, as std::error_code values (house style §6).

#include <string>
#include <system_error>

namespace jigasi::core {

enum class errc {
    timeout = 1,        ///< a deadline passed (distinct from cancellation by shutdown)
    cancelled,          ///< stopped on purpose (shutdown, hang-up)
    bad_input,          ///< malformed data from the network or a client
    limit_exceeded,     ///< a configured size or count limit
    not_found,
    unavailable,        ///< a subsystem is not ready (draining, disconnected)
};

const std::error_category& category() noexcept;

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), category()}; }

}  // namespace jigasi::core

template <>
struct std::is_error_code_enum<jigasi::core::errc> : std::true_type {};
