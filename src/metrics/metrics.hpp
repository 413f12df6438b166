#pragma once
// The Prometheus side (prometheus-cpp core only; we serve the text on our own Beast /metrics).
// Subsystems register their own families on registry(); gateway-wide values (Jigasi-compatible
// jitsi_jigasi_*, health, process, build info) are computed at scrape time from their sources, so
// there is one source of truth. Every name is documented in docs/metrics.md.

#include "core/health.hpp"
#include "core/stats.hpp"

#include <memory>
#include <string>

namespace prometheus { class Registry; class Collectable; }

namespace jigasi::metrics {

class metrics_registry {
public:
    metrics_registry(const core::gateway_stats& stats, const core::health_registry& health,
                     unsigned conferences_threshold);
    ~metrics_registry();

    prometheus::Registry& registry() { return *registry_; }

    /// stress_level = conferences / threshold, as Jigasi computes it; live-changeable.
    void set_conferences_threshold(unsigned t);

    /// Text exposition format 0.0.4.
    std::string serialize() const;

private:
    std::shared_ptr<prometheus::Registry> registry_;
    std::shared_ptr<prometheus::Collectable> gateway_;
    std::shared_ptr<prometheus::Collectable> process_;
};

}  // namespace jigasi::metrics
