#pragma once
// The server: owns every subsystem, runs them as tasks of one root task group on the shared
// io_context, and shuts them down in order (house style §5).

#include "config/cli.hpp"
#include "config/store.hpp"
#include "core/health.hpp"
#include "core/log.hpp"
#include "core/stats.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <string>

namespace jigasi::app {

class app {
public:
    /// `config_path` is reread on SIGHUP (empty: running on the embedded defaults); `flags` are
    /// re-applied over every reload so that they keep overriding the file.
    app(boost::asio::io_context& ioc, config::store& cfg, core::logger& logger,
        std::optional<std::string> config_path, config::cli_options flags);
    ~app();

    /// Start everything, serve until shutdown, drain, stop. Returns the process exit code.
    boost::asio::awaitable<int> run();

    /// Graceful shutdown (SIGTERM, SIGINT, POST /about/shutdown). Thread-safe. A second request
    /// while draining cuts the drain short. Returns false if a shutdown was already under way.
    bool request_shutdown(std::string reason);

    /// Reread the configuration file and apply what can change live (SIGHUP). Thread-safe.
    void request_reload();

    const core::health_registry& health() const;
    core::gateway_stats& stats();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace jigasi::app
