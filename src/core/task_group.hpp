#pragma once
// Tracks the long-lived tasks of the process (listeners, connections, calls) so shutdown can cancel
// them in two phases (house style §5): total first (calls still send BYE / session-terminate), then
// terminal after the drain deadline. An exception escaping a task is a bug: it is logged at the task's
// root and ends only that task.

#include "core/log.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>

namespace jigasi::core {

class task_group {
public:
    /// `on_failure` is told the task name when a task ends with an exception (for a metric).
    explicit task_group(log_channel log, std::function<void(const std::string&)> on_failure = {});
    task_group(const task_group&) = delete;
    task_group& operator=(const task_group&) = delete;
    ~task_group();

    /// Run `task` on `ex` (normally a strand). Cancellation emitted by emit() reaches it through its
    /// cancellation slot, posted to `ex` so that the task's I/O objects are only touched there.
    void spawn(boost::asio::any_io_executor ex, boost::asio::awaitable<void> task, std::string name);

    void emit(boost::asio::cancellation_type type);

    /// Completes when no task is left (polls; shutdown is not a hot path).
    boost::asio::awaitable<void> async_wait_empty();

    std::size_t size() const;

private:
    struct entry;
    log_channel log_;
    std::function<void(const std::string&)> on_failure_;
    mutable std::mutex mutex_;
    std::list<std::shared_ptr<entry>> tasks_;
};

}  // namespace jigasi::core
