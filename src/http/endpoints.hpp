#pragma once
// The gateway's own routes: Jigasi's REST (/about/*), Jigate's /stats, /metrics and the web UI.

#include "config/store.hpp"
#include "core/health.hpp"
#include "core/stats.hpp"
#include "http/router.hpp"
#include "metrics/metrics.hpp"

#include <functional>

namespace jigasi::http {

struct gateway_context {
    const core::health_registry& health;
    const core::gateway_stats& stats;
    const metrics::metrics_registry& metrics;
    const config::store& cfg;
    /// Start a graceful shutdown (as SIGTERM); returns false if one is already under way.
    std::function<bool()> request_shutdown;
};

/// The routes keep a copy of `ctx` (whose members refer to objects that must outlive `r`).
void add_gateway_routes(router& r, const gateway_context& ctx);

/// The JSON bodies, exposed for tests and the admin API.
std::string health_json(const core::health_registry& h, bool draining, bool& healthy);
std::string jigasi_stats_json(const core::stats_snapshot& s, unsigned conferences_threshold);
std::string jigate_stats_json(const core::stats_snapshot& s, const core::health_registry& h);

}  // namespace jigasi::http
