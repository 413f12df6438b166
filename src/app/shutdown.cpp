#include "app/shutdown.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;

namespace jigasi::app {
namespace {
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds total_phase{3};     // calls say goodbye (BYE, session-terminate)
constexpr std::chrono::seconds terminal_phase{5};  // tasks unwind after their I/O is aborted
}  // namespace

shutdown_control::shutdown_control(strand_type strand, core::gateway_stats& stats)
    : strand_(strand), stats_(stats), wake_(strand) {}

bool shutdown_control::request(std::string reason) {
    const bool first = requests_.fetch_add(1) == 0;
    // Visible at once in /about/health, /about/stats and the brewery presence.
    stats_.graceful_shutdown.store(true);
    asio::post(strand_, [this, first, reason = std::move(reason)]() mutable {
        if (first) reason_ = std::move(reason);
        wake_.cancel();
    });
    return first;
}

asio::awaitable<void> shutdown_control::wait_requested() {
    while (!requested()) {
        wake_.expires_at(std::chrono::steady_clock::time_point::max());
        co_await wake_.async_wait(tuple_awaitable);
    }
}

asio::awaitable<bool> shutdown_control::wait_until(std::chrono::steady_clock::time_point deadline,
                                                   const std::function<bool()>& done) {
    // Polled: the conditions live on other strands, and shutdown is not a hot path.
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) co_return false;
        wake_.expires_after(std::chrono::milliseconds(50));
        co_await wake_.async_wait(tuple_awaitable);
    }
    co_return true;
}

asio::awaitable<void> shutdown_control::drain(unsigned timeout_s, const core::log_channel& log) {
    const auto calls = stats_.active_calls.load();
    log.notice("shutting down (", reason_, "): taking no new calls; ", calls,
               " call(s) in progress, waiting up to ", timeout_s, " s");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    const bool drained = co_await wait_until(deadline, [this] {
        return stats_.active_calls.load() == 0 || requests_.load() > 1;
    });
    if (!drained || stats_.active_calls.load() != 0)
        log.warning("drain ended with ", stats_.active_calls.load(), " call(s) still up (",
                    requests_.load() > 1 ? "second shutdown request" : "deadline passed",
                    "); ending them");
}

asio::awaitable<void> shutdown_control::stop_tasks(core::task_group& tasks,
                                                   const core::log_channel& log) {
    tasks.emit(asio::cancellation_type::total);
    // Only calls react to total cancellation; give them a moment to say goodbye.
    co_await wait_until(std::chrono::steady_clock::now() + total_phase,
                        [this] { return stats_.active_calls.load() == 0; });
    tasks.emit(asio::cancellation_type::terminal);
    if (!co_await wait_until(std::chrono::steady_clock::now() + terminal_phase,
                             [&] { return tasks.size() == 0; })) {
        log.error(tasks.size(), " task(s) did not stop within ", terminal_phase.count(),
                  " s after cancellation; stopping the event loop");
        strand_.get_inner_executor().context().stop();
    }
}

}  // namespace jigasi::app
