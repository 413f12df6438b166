#pragma once
// The built-in registrar's logic (RFC 3261 10.3), without I/O: a REGISTER described by its fields
// goes in, the reply to send comes out; bindings live here. The libre glue (registrar_service)
// turns sip_msg into a register_request and the outcome into sip_replyf. Calls from registered
// users are authenticated with the same credentials (authenticate()).
//
// Against enumeration (sipvicious svwar): a REGISTER without credentials is challenged whether or
// not the user exists, and wrong credentials and unknown users get the same answer.

#include "config/config.hpp"
#include "sip/digest.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jigasi::sip {

struct register_contact {
    std::string uri;                     ///< the Contact URI (without <> and parameters)
    std::string header;                  ///< the whole contact-param as received, echoed in the 200
    std::optional<unsigned> expires;     ///< ;expires= parameter
};

struct register_request {
    std::string aor_user;                ///< user part of the To URI
    std::vector<register_contact> contacts;
    bool wildcard = false;               ///< Contact: *
    std::optional<unsigned> expires;     ///< Expires header
    std::string call_id;
    std::uint32_t cseq = 0;
    std::vector<std::string> authorization;  ///< Authorization header values
    std::string source;                  ///< "udp:192.0.2.1:5060", for the binding and the logs
};

struct register_outcome {
    std::uint16_t status = 500;
    std::string reason;
    std::vector<std::string> headers;    ///< complete header lines without CRLF
    bool silent = false;                 ///< policy "silent": send nothing
    std::string log;                     ///< why, for the one log line the glue writes
};

struct binding {
    std::string contact_uri;
    std::string contact_header;
    std::string call_id;
    std::uint32_t cseq = 0;
    std::string source;
    std::chrono::steady_clock::time_point expires_at;
    std::chrono::steady_clock::time_point registered_at;
};

/// Outcome of checking the credentials of a non-REGISTER request (INVITE from a phone).
enum class auth_result : std::uint8_t {
    ok,          ///< user authenticated
    challenge,   ///< no (usable) credentials or a stale nonce: send 401/407 with challenge_headers()
    refused,     ///< wrong credentials or unknown user
};

class registrar {
public:
    using clock = std::chrono::steady_clock;

    registrar(config::sip_registrar_config cfg, config::sip_unknown_policy unknown);

    /// A new configuration (users, limits); bindings of users that remain are kept.
    void reconfigure(config::sip_registrar_config cfg, config::sip_unknown_policy unknown);

    register_outcome handle(const register_request& req, clock::time_point now,
                            digest::nonce_issuer::clock::time_point wall_now);

    /// Checks `authorization` values for `method`; on ok, `user` is set. `stale` (if given) is set
    /// when the credentials were right but the nonce too old: challenge again with stale=true.
    auth_result authenticate(const std::vector<std::string>& authorization, std::string_view method,
                             digest::nonce_issuer::clock::time_point wall_now, std::string& user,
                             bool* stale = nullptr) const;

    /// WWW-Authenticate (or Proxy-Authenticate) header lines: SHA-256 first when enabled
    /// (sip.registrar.sha256, RFC 8760 2.4), then MD5.
    std::vector<std::string> challenge_headers(std::string_view header_name,
                                               digest::nonce_issuer::clock::time_point wall_now,
                                               bool stale) const;

    /// Drops expired bindings; returns how many.
    std::size_t expire(clock::time_point now);

    /// Current bindings of a user, newest first.
    std::vector<binding> lookup(const std::string& user, clock::time_point now) const;

    std::size_t binding_count() const;
    std::size_t user_count() const { return bindings_.size(); }  ///< users with a binding
    const config::sip_registrar_config& config() const { return cfg_; }

private:
    const config::sip_user_config* find_user(const std::string& name) const;
    std::optional<std::string> stored_ha1(const config::sip_user_config& u, digest::algorithm a) const;
    register_outcome refuse(std::string log) const;

    config::sip_registrar_config cfg_;
    config::sip_unknown_policy unknown_;
    digest::nonce_issuer nonces_;
    std::map<std::string, std::vector<binding>> bindings_;
};

}  // namespace jigasi::sip
