#pragma once
// Every subsystem reports its state here; /about/health, /stats and /metrics read it.
// Thread-safe: reporters run on their own strands.

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace jigasi::core {

enum class health_state { up, degraded, down };
std::string_view to_string(health_state);

struct health_entry {
    health_state state = health_state::down;
    std::string detail;                              ///< why, in words ("connect ...: refused")
    std::chrono::system_clock::time_point since;     ///< when the state last changed
    bool critical = true;                            ///< a critical "down" makes the process unhealthy
};

class health_registry {
public:
    /// Set a subsystem's state; `since` is kept when the state does not change.
    void report(const std::string& subsystem, health_state state, std::string detail,
                bool critical = true);
    void remove(const std::string& subsystem);

    std::map<std::string, health_entry> snapshot() const;
    /// True when no critical subsystem is down.
    bool healthy() const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, health_entry> entries_;
};

}  // namespace jigasi::core
