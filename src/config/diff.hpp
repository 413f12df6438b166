#pragma once
// What a reload changes: each differing key path, and whether it can change without a restart.

#include "config/config.hpp"

#include <string>
#include <vector>

namespace jigasi::config {

struct change {
    std::string path;      ///< "log.subsystems", "http.port", "xmpp.servers[0].host"
    bool live;             ///< applied at once; false = takes effect after a restart
};

/// Live today: log.*, server.drain_timeout_s, server.region, server.conferences_threshold,
/// http.max_header_bytes, http.max_body_bytes, http.read_timeout_s, http.idle_timeout_s,
/// http.max_connections, http.shutdown_enabled, http.api_token, xmpp.reconnect_*, xmpp.connect_timeout_s.
/// Everything else needs a restart until its subsystem learns to re-apply it.
std::vector<change> diff(const config& before, const config& after);

}  // namespace jigasi::config
