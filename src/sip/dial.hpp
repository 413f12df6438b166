#pragma once
// Where an outgoing INVITE goes: the Request-URI, From, Route and credentials for a destination
// reached through an upstream account (trunk, PBX), a phone registered on our registrar, or a SIP
// URI dialled directly. Pure: the user agent sends what this decides.

#include "config/config.hpp"
#include "sip/registrar.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace jigasi::sip {

struct dial_request {
    std::string to;   ///< number/user (via an account or the registrar) or a sip:/sips: URI
    std::string via;  ///< "" = direct URI, "registrar" = a registered user, else an account id
};

struct dial_target {
    std::string request_uri;
    std::string from_uri;
    std::string from_name;      ///< display name, may be empty
    std::string contact_user;   ///< user part of our Contact
    std::string route;          ///< one pre-loaded Route (outbound proxy, registered flow); may be empty
    std::string auth_user;      ///< digest credentials for 401/407; empty: none
    std::string password;
    bool srtp = false;          ///< the account wants RTP/SAVP
    std::string description;    ///< for logs: "account trunk1", "registered user alice", "direct"
};

enum class dial_failure : std::uint8_t { none, bad_request, not_found };

struct dial_resolution {
    std::optional<dial_target> target;
    dial_failure failure = dial_failure::none;
    std::string error;  ///< why, when there is no target
};

/// `local_host` names us in From for direct and registrar calls (the public address, or a
/// listener's).
dial_resolution resolve_dial(const config::sip_config& sip, const registrar& reg,
                             std::chrono::steady_clock::time_point now, const std::string& local_host,
                             const dial_request& req);

/// True when `s` can go into a SIP URI's user part or a header unescaped without changing the
/// message's structure: no whitespace, controls, quotes, angle brackets, '@' or ';' (RFC 3261 25.1
/// user-unreserved plus the digits and letters).
bool safe_user_part(const std::string& s);

/// True for "sip:" / "sips:" URIs made only of characters that cannot break a header (no space,
/// CR, LF, quote, angle brackets).
bool safe_uri(const std::string& s);

}  // namespace jigasi::sip
