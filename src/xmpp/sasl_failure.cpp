// The SASL <failure/> conditions of RFC 6120 §6.5, for logs and the retry decision (sasl.hpp).

#include "xmpp/sasl.hpp"

#include <array>

namespace jigasi::xmpp {
namespace {

struct failure_entry {
    std::string_view condition;
    std::string_view text;
};

// Indexed by sasl_failure (RFC 6120 §6.5.1 - §6.5.11).
constexpr std::array<failure_entry, 12> failures{{
    {"aborted", "the exchange was aborted (aborted)"},
    {"account-disabled", "the account is disabled (account-disabled)"},
    {"credentials-expired", "the password has expired (credentials-expired)"},
    {"encryption-required", "the mechanism is refused without TLS (encryption-required)"},
    {"incorrect-encoding", "the server could not decode our base64 (incorrect-encoding)"},
    {"invalid-authzid", "the authorization identity is not allowed (invalid-authzid)"},
    {"invalid-mechanism", "the server does not support the mechanism (invalid-mechanism)"},
    {"malformed-request", "the server found the request malformed (malformed-request)"},
    {"mechanism-too-weak", "server policy requires a stronger mechanism (mechanism-too-weak)"},
    {"not-authorized", "wrong username or password (not-authorized)"},
    {"temporary-auth-failure", "temporary server problem, retry later (temporary-auth-failure)"},
    {"", "unknown SASL failure condition"},
}};
static_assert(failures.size() == static_cast<std::size_t>(sasl_failure::unknown) + 1);

}  // namespace

sasl_failure parse_sasl_failure(std::string_view condition) {
    for (std::size_t i = 0; i + 1 < failures.size(); ++i)
        if (failures[i].condition == condition) return static_cast<sasl_failure>(i);
    return sasl_failure::unknown;
}

std::string_view describe(sasl_failure f) {
    const auto i = static_cast<std::size_t>(f);
    return failures[i < failures.size() ? i : failures.size() - 1].text;
}

bool is_transient(sasl_failure f) { return f == sasl_failure::temporary_auth_failure; }

}  // namespace jigasi::xmpp
