#include "core/task_group.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;

namespace jigasi::core {

struct task_group::entry {
    asio::cancellation_signal signal;
    asio::any_io_executor executor;
    std::string name;
    bool done = false;  // only touched on `executor`
};

task_group::task_group(log_channel log, std::function<void(const std::string&)> on_failure)
    : log_(std::move(log)), on_failure_(std::move(on_failure)) {}

task_group::~task_group() = default;

void task_group::spawn(asio::any_io_executor ex, asio::awaitable<void> task, std::string name) {
    auto e = std::make_shared<entry>();
    e->executor = ex;
    e->name = std::move(name);
    {
        std::lock_guard lock(mutex_);
        tasks_.push_back(e);
    }
    // The completion runs on `ex`; it is the root where a task's exception is caught (house style §7).
    auto on_done = [this, e](std::exception_ptr ep) {
        e->done = true;
        if (ep) {
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& x) {
                log_.error("task ", e->name, " ended with an exception: ", x.what());
            } catch (...) {
                log_.error("task ", e->name, " ended with an unknown exception");
            }
            if (on_failure_) on_failure_(e->name);
        } else {
            log_.debug("task ", e->name, " finished");
        }
        std::lock_guard lock(mutex_);
        tasks_.remove(e);
    };
    asio::co_spawn(ex, std::move(task), asio::bind_cancellation_slot(e->signal.slot(), on_done));
}

void task_group::emit(asio::cancellation_type type) {
    std::lock_guard lock(mutex_);
    for (const auto& e : tasks_) {
        asio::post(e->executor, [e, type] {
            if (!e->done) e->signal.emit(type);
        });
    }
}

asio::awaitable<void> task_group::async_wait_empty() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (size() != 0) {
        timer.expires_after(std::chrono::milliseconds(20));
        co_await timer.async_wait(asio::use_awaitable);
    }
}

std::size_t task_group::size() const {
    std::lock_guard lock(mutex_);
    return tasks_.size();
}

}  // namespace jigasi::core
