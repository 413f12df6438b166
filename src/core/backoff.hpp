#pragma once
// Exponential reconnect backoff with jitter: retries never stop, the delay is capped (Jigasi #539 and
// #331: a gateway that gives up after an outage is down until someone restarts it).

#include <chrono>
#include <cstdint>

namespace jigasi::core {

class backoff {
public:
    backoff(std::chrono::milliseconds min, std::chrono::milliseconds max, std::uint64_t seed);

    /// Delay before the next attempt: min, 2*min, 4*min ... capped at max, each with ±20 % jitter
    /// so that many gateways do not reconnect to a restarted server in lock-step.
    std::chrono::milliseconds next();
    void reset() { attempt_ = 0; }
    unsigned attempts() const { return attempt_; }
    void set_limits(std::chrono::milliseconds min, std::chrono::milliseconds max);

private:
    std::chrono::milliseconds min_, max_;
    unsigned attempt_ = 0;
    std::uint64_t state_;
};

}  // namespace jigasi::core
