#pragma once
// A libre bridge on a 2-thread io_context pool, as in production: test coroutines run on the pool
// (not the strand) and reach libre through async_on_strand, so every hop is exercised.

#include "core/log.hpp"
#include "sip/libre_bridge.hpp"
#include "sip/strand_op.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace jigasi::test {

class sip_fixture {
public:
    sip_fixture();
    ~sip_fixture();
    sip_fixture(const sip_fixture&) = delete;
    sip_fixture& operator=(const sip_fixture&) = delete;

    /// Run a coroutine on the pool (not the strand); fails the test after `timeout`.
    void run(std::function<boost::asio::awaitable<void>()> task,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

    /// Run `fn` on the strand and wait for it (from the test thread).
    void on_strand(std::function<void()> fn);

    /// Call from every libre callback: counts callbacks that ran off the strand.
    void note_callback() {
        if (!strand.running_in_this_thread()) off_strand_callbacks.fetch_add(1);
    }

    /// Assertion for libre's C callbacks (Catch2 must not throw through C frames); the test
    /// checks `failures` afterwards.
    bool expect(bool cond) {
        if (!cond) failures.fetch_add(1);
        return cond;
    }

    boost::asio::io_context ioc;
    core::logger logger;
    sip::signalling_strand strand;
    std::unique_ptr<sip::libre_bridge> bridge;
    std::atomic<int> off_strand_callbacks{0};
    std::atomic<int> failures{0};

private:
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::vector<std::thread> pool_;
};

}  // namespace jigasi::test
