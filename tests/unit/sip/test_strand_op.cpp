// async_on_strand: results, cancellation with cleanup on the strand, broken promises, exceptions.

#include "sip/libre.hpp"
#include "sip_fixture.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <future>
#include <optional>
#include <stdexcept>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using namespace jigasi;
using namespace std::chrono_literals;

namespace {

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// A libre timer whose expiry completes an awaited operation.
struct timed_op {
    test::sip_fixture* f = nullptr;
    tmr t{};
    std::optional<sip::completion> done;
    bool fired = false;
    bool hook_ran = false;
    bool hook_on_strand = false;
};

}  // namespace

TEST_CASE("async_on_strand runs on the strand and delivers the value to the caller's executor", "[sip]") {
    test::sip_fixture f;
    timed_op later;
    later.f = &f;
    f.run([&]() -> asio::awaitable<void> {
        bool fn_on_strand = false;
        auto r = co_await sip::async_on_strand(f.strand, [&](sip::completion done) {
            fn_on_strand = f.strand.running_in_this_thread();
            CHECK(done.pending());
            done.complete({}, 42);
            CHECK_FALSE(done.pending());
            done.complete(sip::libre_error(EINVAL), 7);  // ignored: the first outcome won
        });
        CHECK(fn_on_strand);
        CHECK_FALSE(f.strand.running_in_this_thread());  // resumed on the pool, not the strand
        CHECK_FALSE(r.ec);
        CHECK(std::any_cast<int>(r.value) == 42);

        // A libre callback (timer) completing later, with an errno outcome. `later` lives
        // outside this coroutine frame: the strand side must never own coroutine memory.
        auto& op = later;
        r = co_await sip::async_on_strand(f.strand, [&](sip::completion done) {
            op.done = done;
            tmr_start(&op.t, 20, [](void* arg) {
                auto* op = static_cast<timed_op*>(arg);
                op->f->note_callback();
                op->fired = true;
                auto done = std::move(*op->done);  // release our state first: completing
                op->done.reset();                  // may resume the coroutine at once
                done.complete(sip::libre_error(ETIMEDOUT));
            }, &op);
        });
        CHECK(op.fired);
        CHECK(r.ec == std::errc::timed_out);
    });
    CHECK(f.off_strand_callbacks == 0);
}

TEST_CASE("cancelling the awaiting coroutine runs the hook on the strand; libre stays silent", "[sip]") {
    test::sip_fixture f;
    timed_op op;
    op.f = &f;
    f.run([&]() -> asio::awaitable<void> {
        auto slow = sip::async_on_strand(f.strand, [&](sip::completion done) {
            op.done = done;
            tmr_start(&op.t, 5000, [](void* arg) {
                auto* op = static_cast<timed_op*>(arg);
                op->f->note_callback();
                op->fired = true;
            }, &op);
            done.on_cancel([&] {
                op.hook_ran = true;
                op.hook_on_strand = f.strand.running_in_this_thread();
                tmr_cancel(&op.t);  // mem_deref discipline: the libre side is gone
            });
        });
        // Operation vs deadline: the deadline wins and cancels the operation.
        auto winner = co_await (std::move(slow) || sleep_for(50ms));
        CHECK(winner.index() == 1);
    });
    f.on_strand([&] {
        CHECK(op.hook_ran);
        CHECK(op.hook_on_strand);
        CHECK(sip::libre_bridge::libre_timer_count() == 0);
        REQUIRE(op.done);
        CHECK_FALSE(op.done->pending());
        op.done->complete({});  // too late: a no-op, the coroutine is gone
        op.done.reset();
    });
    CHECK_FALSE(op.fired);
    CHECK(f.off_strand_callbacks == 0);
}

TEST_CASE("cancellation through a cancellation slot reports operation_canceled", "[sip]") {
    test::sip_fixture f;
    std::optional<sip::completion> kept;
    std::promise<void> started;
    asio::cancellation_signal signal;  // outlives the operation: declared before the wait below
    std::promise<sip::strand_result> outcome;
    asio::co_spawn(f.ioc.get_executor(),
        sip::async_on_strand(f.strand, [&](sip::completion done) {
            kept = done;
            started.set_value();
        }),
        asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr, sip::strand_result r) {
            outcome.set_value(std::move(r));
        }));
    REQUIRE(started.get_future().wait_for(5s) == std::future_status::ready);
    asio::post(f.ioc.get_executor(), [&] { signal.emit(asio::cancellation_type::terminal); });
    auto fut = outcome.get_future();
    REQUIRE(fut.wait_for(5s) == std::future_status::ready);
    CHECK(fut.get().ec == std::errc::operation_canceled);
    f.on_strand([&] { kept.reset(); });  // dropping it now is no broken promise: already done
}

TEST_CASE("dropping every completion is a broken promise, not a hang", "[sip]") {
    test::sip_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        auto r = co_await sip::async_on_strand(f.strand, [](sip::completion) {});
        CHECK(r.ec == std::future_errc::broken_promise);
    });
}

TEST_CASE("an exception thrown on the strand is rethrown in the awaiting coroutine", "[sip]") {
    test::sip_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        CHECK_THROWS_AS(co_await sip::async_run_on_strand(f.strand, [] { throw std::runtime_error("boom"); }),
                        std::runtime_error);
        // The strand keeps working afterwards.
        bool ran = false;
        co_await sip::async_run_on_strand(f.strand, [&] { ran = f.strand.running_in_this_thread(); });
        CHECK(ran);
    });
}
