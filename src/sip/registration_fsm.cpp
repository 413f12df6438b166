#include "sip/registration_fsm.hpp"

#include <algorithm>

namespace jigasi::sip {

std::string_view name(registration_state s) {
    switch (s) {
    case registration_state::idle: return "idle";
    case registration_state::registering: return "registering";
    case registration_state::registered: return "registered";
    case registration_state::failing: return "failing";
    case registration_state::unregistering: return "unregistering";
    }
    return "?";
}

registration_fsm::registration_fsm(config::sip_account_config account, std::chrono::milliseconds retry_min,
                                   std::chrono::milliseconds retry_max, std::uint64_t seed)
    : account_(std::move(account)), backoff_(retry_min, retry_max, seed), asked_(account_.expires_s) {}

void registration_fsm::set_state(registration_state s, registration_actions& a) {
    if (state_ != s) a.state_changed = true;
    state_ = s;
}

registration_actions registration_fsm::send_fresh(unsigned expires) {
    registration_actions a;
    answered_nonce_.clear();
    outstanding_ = true;
    a.send = registration_actions::send_register{expires, std::nullopt};
    return a;
}

registration_actions registration_fsm::start() {
    if (state_ != registration_state::idle) return {};
    auto a = send_fresh(asked_);
    set_state(registration_state::registering, a);
    return a;
}

registration_actions registration_fsm::stop() {
    registration_actions a;
    a.cancel_timer = true;
    if (state_ == registration_state::registered) {
        // A refresh still out is superseded by the un-REGISTER (the glue cancels it).
        a = send_fresh(0);
        a.cancel_timer = true;
        set_state(registration_state::unregistering, a);
    } else {
        set_state(registration_state::idle, a);
    }
    return a;
}

registration_actions registration_fsm::fail(std::string status, clock::time_point now) {
    registration_actions a;
    outstanding_ = false;
    ++failures_;
    last_status_ = std::move(status);
    last_change_ = now;
    granted_ = 0;
    a.arm_timer = backoff_.next();
    set_state(registration_state::failing, a);
    return a;
}

registration_actions registration_fsm::on_response(const register_response& r, clock::time_point now) {
    const bool unregistering = state_ == registration_state::unregistering;
    if (!outstanding_) return {};  // late or duplicate
    const std::string status = std::to_string(r.status) + (r.reason.empty() ? "" : " " + r.reason);

    if (r.status == 401 || r.status == 407) {
        const auto& values = r.status == 401 ? r.www_authenticate : r.proxy_authenticate;
        // Prefer SHA-256 when the server offers both (RFC 8760 2.4), else the first usable one.
        std::optional<digest::challenge> pick;
        for (const auto& v : values) {
            auto c = digest::parse_challenge(v);
            if (!c) continue;
            if (!pick || (c->algo == digest::algorithm::sha256 && pick->algo != digest::algorithm::sha256)) pick = c;
        }
        if (!pick) return unregistering ? stop_done(now) : fail(status + " (no digest challenge we can answer)", now);
        // The same nonce challenged again without stale=true: our credentials are wrong.
        if (pick->nonce == answered_nonce_ && !pick->stale)
            return unregistering ? stop_done(now) : fail(status + " (credentials refused)", now);
        answered_nonce_ = pick->nonce;
        const std::string uri = account_.registrar;
        const std::string h1 = digest::ha1(pick->algo, account_.auth_user, pick->realm, account_.password);
        registration_actions a;
        a.send = registration_actions::send_register{
            unregistering ? 0u : asked_,
            std::string(r.status == 401 ? "Authorization: " : "Proxy-Authorization: ") +
                digest::authorization(*pick, account_.auth_user, h1, "REGISTER", uri, ++nc_, digest::random_hex(8))};
        return a;
    }
    if (unregistering) return stop_done(now);

    if (r.status == 423 && r.min_expires && *r.min_expires > asked_) {
        asked_ = *r.min_expires;  // RFC 3261 10.2.8: retry with at least Min-Expires
        return send_fresh(asked_);
    }
    if (r.status >= 200 && r.status < 300) {
        registration_actions a;
        granted_ = r.granted_expires.value_or(asked_);
        if (granted_ == 0) return fail(status + " (registrar granted no time)", now);
        outstanding_ = false;
        failures_ = 0;
        backoff_.reset();
        last_status_ = status;
        last_change_ = now;
        // Refresh at half the granted time but at least 5 s before it ends (RFC 3261 10.2.4
        // leaves the margin to the UA; half keeps a NAT binding warm and survives one lost refresh).
        const auto refresh = std::chrono::seconds(std::max(1u, std::min(granted_ / 2, granted_ > 10 ? granted_ - 5 : 1)));
        a.arm_timer = std::chrono::duration_cast<std::chrono::milliseconds>(refresh);
        set_state(registration_state::registered, a);
        return a;
    }
    return fail(status, now);
}

registration_actions registration_fsm::stop_done(clock::time_point now) {
    registration_actions a;
    outstanding_ = false;
    last_status_ = "unregistered";
    last_change_ = now;
    granted_ = 0;
    set_state(registration_state::idle, a);
    return a;
}

registration_actions registration_fsm::on_failure(std::string cause, clock::time_point now) {
    if (!outstanding_) return {};
    if (state_ == registration_state::unregistering) return stop_done(now);
    return fail(std::move(cause), now);
}

registration_actions registration_fsm::on_timer(clock::time_point) {
    if (outstanding_) return {};
    if (state_ != registration_state::registered && state_ != registration_state::failing) return {};
    auto a = send_fresh(asked_);
    // A refresh keeps "registered" until the answer says otherwise: calls keep working meanwhile.
    if (state_ == registration_state::failing) set_state(registration_state::registering, a);
    return a;
}

}  // namespace jigasi::sip
