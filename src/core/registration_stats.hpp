#pragma once
// Per-account state of the upstream SIP registrations (sip/registration.cpp) for /metrics. The
// registrations publish from the signalling strand, the metrics collector reads at scrape time;
// accounts come and go with reloads, hence a small locked map rather than atomics.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace jigasi::core {

struct account_registration {
    bool up = false;                  ///< registered now
    std::uint64_t sent = 0;           ///< REGISTER requests sent (refreshes, auth retries, un-REGISTER)
    std::uint64_t failures = 0;       ///< attempts that ended failing (error status, timeout, refused)
    std::uint64_t keepalive_failures = 0;  ///< OPTIONS to the registrar unanswered or refused
};

class registration_stats {
public:
    void set_up(const std::string& account, bool up) { with(account, [up](auto& a) { a.up = up; }); }
    void add_sent(const std::string& account) { with(account, [](auto& a) { ++a.sent; }); }
    void add_failure(const std::string& account) { with(account, [](auto& a) { ++a.failures; }); }
    void add_keepalive_failure(const std::string& account) { with(account, [](auto& a) { ++a.keepalive_failures; }); }

    /// The account is gone from the configuration: its series disappear from /metrics.
    void remove(const std::string& account) {
        std::lock_guard lock(mutex_);
        accounts_.erase(account);
    }

    std::map<std::string, account_registration> snapshot() const {
        std::lock_guard lock(mutex_);
        return accounts_;
    }

private:
    template <class F> void with(const std::string& account, F f) {
        std::lock_guard lock(mutex_);
        f(accounts_[account]);
    }

    mutable std::mutex mutex_;
    std::map<std::string, account_registration> accounts_;
};

}  // namespace jigasi::core
