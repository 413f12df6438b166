#pragma once
// Graceful shutdown in phases: request (stop taking calls, publish graceful_shutdown) -> drain
// (wait for calls up to server.drain_timeout_s; a second request cuts it short) -> total
// cancellation (calls still send BYE / session-terminate) -> terminal cancellation.

#include "core/log.hpp"
#include "core/stats.hpp"
#include "core/task_group.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <string>

namespace jigasi::app {

class shutdown_control {
public:
    using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;
    shutdown_control(strand_type strand, core::gateway_stats& stats);

    /// Thread-safe. Returns true for the first request.
    bool request(std::string reason);
    bool requested() const { return requests_.load() > 0; }

    // The rest runs on the strand given to the constructor.
    boost::asio::awaitable<void> wait_requested();
    boost::asio::awaitable<void> drain(unsigned timeout_s, const core::log_channel& log);
    boost::asio::awaitable<void> stop_tasks(core::task_group& tasks, const core::log_channel& log);

private:
    boost::asio::awaitable<bool> wait_until(std::chrono::steady_clock::time_point deadline,
                                            const std::function<bool()>& done);
    strand_type strand_;
    core::gateway_stats& stats_;
    boost::asio::steady_timer wake_;
    std::atomic<unsigned> requests_{0};
    std::string reason_;  // strand only
};

}  // namespace jigasi::app
