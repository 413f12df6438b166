#pragma once
// One upstream registration (a SIP provider, PBX or trunk) as a state machine without I/O
// (house style 1): the glue feeds it responses and timer expiries and performs the actions it
// returns. RFC 3261 10.2 with digest auth (RFC 7616, MD5 and SHA-256).
//
//   start() -> send REGISTER -> 401/407: answer the challenge once per nonce -> 2xx: registered,
//   refresh before expiry -> failure or no answer: failing, retry with backoff forever
//   (Jigasi #539 stays unregistered after an outage). stop() -> un-REGISTER (Expires: 0).

#include "config/config.hpp"
#include "core/backoff.hpp"
#include "sip/digest.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jigasi::sip {

enum class registration_state : std::uint8_t {
    idle,          ///< not started or stopped
    registering,   ///< a REGISTER is out
    registered,
    failing,       ///< last attempt failed; a retry is scheduled
    unregistering, ///< stop(): the Expires: 0 REGISTER is out
};

std::string_view name(registration_state s);

/// What the glue must do next. At most one of each per step.
struct registration_actions {
    struct send_register {
        unsigned expires = 0;
        std::optional<std::string> authorization;  ///< "Authorization: ..." or "Proxy-Authorization: ..."
    };
    std::optional<send_register> send;
    std::optional<std::chrono::milliseconds> arm_timer;  ///< (re)arm the single timer
    bool cancel_timer = false;
    bool state_changed = false;
};

/// A final response to our REGISTER, reduced to what matters here.
struct register_response {
    std::uint16_t status = 0;
    std::string reason;
    std::vector<std::string> www_authenticate;    ///< values of WWW-Authenticate
    std::vector<std::string> proxy_authenticate;  ///< values of Proxy-Authenticate
    std::optional<unsigned> granted_expires;      ///< our Contact's expires param, else Expires
    std::optional<unsigned> min_expires;          ///< Min-Expires of a 423
};

class registration_fsm {
public:
    using clock = std::chrono::steady_clock;

    registration_fsm(config::sip_account_config account, std::chrono::milliseconds retry_min,
                     std::chrono::milliseconds retry_max, std::uint64_t seed);

    registration_actions start();
    registration_actions stop();

    /// A final response (>= 200) to the REGISTER last sent. The digest covers the registrar URI
    /// of the account (the Request-URI the glue must use).
    registration_actions on_response(const register_response& r, clock::time_point now);

    /// The transaction failed without a final response (timeout, transport error, DNS).
    registration_actions on_failure(std::string cause, clock::time_point now);

    /// The timer armed by the last action fired.
    registration_actions on_timer(clock::time_point now);

    registration_state state() const { return state_; }
    const std::string& last_status() const { return last_status_; }  ///< "200 OK", "timeout", ...
    std::optional<clock::time_point> last_change() const { return last_change_; }
    unsigned granted_expires() const { return granted_; }
    unsigned failures() const { return failures_; }  ///< consecutive failed attempts
    const config::sip_account_config& account() const { return account_; }

private:
    registration_actions send_fresh(unsigned expires);
    registration_actions fail(std::string status, clock::time_point now);
    registration_actions stop_done(clock::time_point now);
    void set_state(registration_state s, registration_actions& a);

    config::sip_account_config account_;
    core::backoff backoff_;
    registration_state state_ = registration_state::idle;
    std::string last_status_ = "not started";
    std::optional<clock::time_point> last_change_;
    unsigned asked_ = 0;       ///< expires we ask for
    unsigned granted_ = 0;
    unsigned failures_ = 0;
    std::string answered_nonce_;  ///< the nonce we already answered: a second 401 means wrong password
    std::uint32_t nc_ = 0;
    bool outstanding_ = false;    ///< a REGISTER of ours awaits its final response
};

}  // namespace jigasi::sip
