#pragma once
// The retry policy shared by every long-lived XMPP link (server_link, control_link): capped
// exponential backoff read live from the config, the link's state in health with the next retry,
// and each distinct failure logged once at warning (repeats at debug), so an outage neither floods
// the log nor goes unreported.

#include "config/store.hpp"
#include "core/backoff.hpp"
#include "core/health.hpp"
#include "core/log.hpp"

#include <chrono>
#include <random>
#include <string>

namespace jigasi::xmpp {

class link_retry {
public:
    link_retry(std::string health_name, const config::store& cfg, core::health_registry& health,
               const core::log_channel& log)
        : name_(std::move(health_name)), cfg_(cfg), health_(health), log_(log),
          backoff_(std::chrono::seconds(cfg.get()->xmpp.reconnect_min_s),
                   std::chrono::seconds(cfg.get()->xmpp.reconnect_max_s), std::random_device{}()) {}

    /// Before each attempt: backoff limits and timeouts change live on reload.
    config::xmpp_config limits() {
        auto x = cfg_.get()->xmpp;
        backoff_.set_limits(std::chrono::seconds(x.reconnect_min_s), std::chrono::seconds(x.reconnect_max_s));
        return x;
    }

    /// The link works again: the next failure starts from the shortest wait and is logged.
    void succeeded() {
        backoff_.reset();
        last_.clear();
    }

    std::size_t attempts() const { return backoff_.attempts(); }

    /// Reports the failure (health down, log once per distinct reason) and returns how long to wait.
    /// `log_text` words the warning when it should differ from the health detail `why`.
    std::chrono::milliseconds failed(const std::string& why, const std::string& log_text = {}) {
        const auto delay = backoff_.next();
        health_.report(name_, core::health_state::down,
                       why + "; retry " + std::to_string(backoff_.attempts()) + " in " + std::to_string(delay.count()) + " ms");
        if (why != last_) {
            log_.warning(log_text.empty() ? why : log_text, "; retrying with backoff");
            last_ = why;
        } else {
            log_.debug("retry ", backoff_.attempts(), " failed: ", why);
        }
        return delay;
    }

private:
    std::string name_;
    const config::store& cfg_;
    core::health_registry& health_;
    const core::log_channel& log_;
    core::backoff backoff_;
    std::string last_;
};

}  // namespace jigasi::xmpp
