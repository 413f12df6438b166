#include "core/health.hpp"

namespace jigasi::core {

std::string_view to_string(health_state s) {
    switch (s) {
    case health_state::up: return "up";
    case health_state::degraded: return "degraded";
    case health_state::down: return "down";
    }
    return "unknown";
}

void health_registry::report(const std::string& subsystem, health_state state, std::string detail,
                             bool critical) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = entries_.try_emplace(subsystem);
    auto& e = it->second;
    if (inserted || e.state != state) e.since = std::chrono::system_clock::now();
    e.state = state;
    e.detail = std::move(detail);
    e.critical = critical;
}

void health_registry::remove(const std::string& subsystem) {
    std::lock_guard lock(mutex_);
    entries_.erase(subsystem);
}

std::map<std::string, health_entry> health_registry::snapshot() const {
    std::lock_guard lock(mutex_);
    return entries_;
}

bool health_registry::healthy() const {
    std::lock_guard lock(mutex_);
    for (const auto& [name, e] : entries_)
        if (e.critical && e.state == health_state::down) return false;
    return true;
}

}  // namespace jigasi::core
