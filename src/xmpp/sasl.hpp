#pragma once
// Client side of XMPP SASL (RFC 6120 §6, RFC 4422): choosing a mechanism from <mechanisms/> and
// running SCRAM-SHA-256 / SCRAM-SHA-1 (RFC 7677, RFC 5802), PLAIN (RFC 4616) or ANONYMOUS
// (RFC 4505). Sans-io and XML-free: the stream FSM puts the base64 text returned here into <auth/>
// and <response/>, and passes the text of <challenge/> and <success/> back in. Hostile input from
// the server never throws; every expected failure is a sasl_errc with a diagnostic.
//
// Usage: choose_mechanism() -> sasl_client -> <auth mechanism=mechanism_name()> with
// initial_response() -> on_challenge() for each <challenge/> -> on_success() for <success/>.
// Any error from on_challenge(): send <abort/> (RFC 6120 §6.4.4). An error from on_success() means
// the server could not prove it knows the password (RFC 5802 §9): close the stream, do not bind.

#include "core/result.hpp"
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace jigasi::xmpp {

enum class sasl_errc {
    no_acceptable_mechanism = 1,  ///< nothing offered that the config allows (or nothing offered)
    plain_needs_tls,              ///< only PLAIN is usable, but the stream is not TLS-protected
    invalid_credentials,          ///< empty username/password, control characters, NUL
    saslprep_unsupported,         ///< non-ASCII credentials: NFKC (RFC 4013 §2.2) is not implemented
    bad_base64,                   ///< a payload that is not base64 (RFC 6120 §6.5.3)
    malformed_message,            ///< SCRAM attributes out of order, missing, invalid or oversized
    nonce_mismatch,               ///< the server nonce does not extend ours (RFC 5802 §5.1)
    iteration_count_too_low,      ///< i= below sasl_config::min_iterations
    iteration_count_too_high,     ///< i= above sasl_config::max_iterations (CPU DoS guard)
    server_error,                 ///< e= in server-final-message; the value is the diagnostic
    server_signature_mismatch,    ///< v= is wrong: the server does not know our password
    missing_server_signature,     ///< <success/> before the server proved itself
    unexpected_message,           ///< a challenge/success at the wrong step, or after a failure
    crypto_failure,               ///< libcrypto or the random source failed
};

const std::error_category& sasl_category() noexcept;
inline std::error_code make_error_code(sasl_errc e) noexcept {
    return {static_cast<int>(e), sasl_category()};
}

/// Errors say what failed ("i=100 is below the minimum 4096").
using sasl_error = core::error;
template <class T>
using sasl_result = core::result<T>;

/// In order of preference.
enum class sasl_mechanism : std::uint8_t { scram_sha_256, scram_sha_1, plain, anonymous };

/// The IANA name: "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "ANONYMOUS".
std::string_view mechanism_name(sasl_mechanism m);

struct sasl_config {
    std::string username;  ///< authcid (the localpart for c2s); empty = ANONYMOUS
    std::string password;
    std::string authzid;   ///< usually empty: the server derives it (RFC 6120 §6.3.8)
    bool anonymous = false;                ///< use ANONYMOUS even if credentials are set
    bool allow_plain_without_tls = false;  ///< PLAIN on a plaintext stream sends the password
    /// RFC 7677 §4 / RFC 5802 §5.1: at least 4096. Below this a stolen server database is cheap
    /// to brute-force, and a MITM could lower it to harvest a weak verifier.
    std::uint32_t min_iterations = 4096;
    /// PBKDF2 runs with the server's count before the server has proved anything: cap it.
    std::uint32_t max_iterations = 1'000'000;
    /// The SCRAM client nonce (printable ASCII without ','). Empty: random_nonce(). Tests inject.
    std::function<std::string()> client_nonce;
};

/// 32 characters of base64 over 24 bytes of RAND_bytes; empty if the CSPRNG fails.
std::string random_nonce();

/// The best mechanism among `offered` (the <mechanism/> texts) for `cfg`:
/// ANONYMOUS if requested or no username is set; otherwise SCRAM-SHA-256, SCRAM-SHA-1, then PLAIN
/// only if `tls_protected` or cfg.allow_plain_without_tls. Never falls back from credentials to
/// ANONYMOUS (that would silently log in as someone else).
sasl_result<sasl_mechanism> choose_mechanism(std::span<const std::string> offered,
                                             const sasl_config& cfg, bool tls_protected);

/// RFC 4013 SASLprep as stored strings (RFC 5802 §2.2, "Normalize"). ASCII is prepared exactly
/// (controls are prohibited, everything else maps to itself); non-ASCII is saslprep_unsupported.
sasl_result<std::string> saslprep(std::string_view s);

/// RFC 5802 §5.1 saslname: ',' -> "=2C", '=' -> "=3D".
std::string scram_escape_name(std::string_view name);

/// One authentication attempt with one mechanism. Movable; not reusable after done/failed.
class sasl_client {
public:
    sasl_client(sasl_mechanism m, sasl_config cfg);
    ~sasl_client();
    sasl_client(sasl_client&&) noexcept;
    sasl_client& operator=(sasl_client&&) noexcept;

    sasl_mechanism mechanism() const { return mech_; }
    std::string_view name() const { return mechanism_name(mech_); }

    /// The text of <auth/>: base64 of the initial response, "=" for an empty one
    /// (RFC 6120 §6.4.2: an empty element would mean "no initial response").
    sasl_result<std::string> initial_response();

    /// Takes the text of <challenge/>, returns the text of <response/> ("" for an empty response).
    sasl_result<std::string> on_challenge(std::string_view text);

    /// Takes the text of <success/> (may be empty, or "=" for empty additional data, RFC 6120
    /// §6.3.10). For SCRAM, success is only accepted once v= has been verified.
    std::error_code on_success(std::string_view text);

    /// True once on_success() accepted the outcome.
    bool authenticated() const { return step_ == step::done; }
    /// What the first error was about (empty if none).
    const std::string& diagnostic() const { return diagnostic_; }

private:
    enum class step : std::uint8_t { start, sent_initial, sent_final, verified, done, failed };

    sasl_error fail(sasl_error e);
    sasl_error fail(sasl_errc e, std::string diagnostic);
    sasl_result<std::string> scram_first();
    sasl_result<std::string> scram_final(std::string_view server_first);
    std::error_code scram_verify(std::string_view server_final);
    void wipe();

    sasl_mechanism mech_;
    sasl_config cfg_;
    step step_ = step::start;
    std::string diagnostic_;
    std::string nonce_;              ///< client nonce
    std::string gs2_header_;         ///< "n,," or "n,a=<authzid>,"
    std::string client_first_bare_;  ///< "n=<user>,r=<nonce>"
    std::vector<std::uint8_t> server_signature_;  ///< expected v= (RFC 5802 §3)
};

/// The SASL <failure/> conditions (RFC 6120 §6.5).
enum class sasl_failure : std::uint8_t {
    aborted,
    account_disabled,
    credentials_expired,
    encryption_required,
    incorrect_encoding,
    invalid_authzid,
    invalid_mechanism,
    malformed_request,
    mechanism_too_weak,
    not_authorized,
    temporary_auth_failure,
    unknown,  ///< an undefined condition
};

/// From the name of the child element of <failure/> ("not-authorized").
sasl_failure parse_sasl_failure(std::string_view condition);
/// Human-readable text for logs ("wrong username or password (not-authorized)").
std::string_view describe(sasl_failure f);
/// Only temporary-auth-failure (RFC 6120 §6.5.11) may succeed when retried unchanged.
bool is_transient(sasl_failure f);

}  // namespace jigasi::xmpp

template <>
struct std::is_error_code_enum<jigasi::xmpp::sasl_errc> : std::true_type {};
