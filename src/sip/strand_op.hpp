#pragma once
// Coroutines on any executor awaiting libre outcomes on the signalling strand.
//
//   auto r = co_await async_on_strand(bridge.strand(), [&](completion done) {
//       auto* ctx = new options_ctx{done};                 // runs on the strand
//       if (int err = sip_requestf(&ctx->req, ..., on_response, ctx, ...)) {
//           done.complete(libre_error(err));
//           delete ctx;
//           return;
//       }
//       done.on_cancel([ctx] { mem_deref(ctx->req); delete ctx; });  // no callback after this
//   });
//   // in on_response (strand): auto done = ctx->done; delete ctx; done.complete({}, msg->scode);
//
// Guarantees: `fn`, complete() and the cancel hook all run on the strand; the awaiting coroutine
// resumes on its own executor exactly once; after cancellation (any type: the operation is
// abandoned) complete() is a no-op and the hook frees the libre objects so no libre callback fires
// for a coroutine that has gone. If every copy of the completion is dropped without complete(),
// the coroutine gets std::future_errc::broken_promise instead of hanging; an exception thrown by
// `fn` is rethrown in the coroutine.
//
// GCC 12 caveat (whole project): a temporary that owns resources inside a co_await expression is
// destroyed twice, e.g. `co_await async_run_on_strand(s, [p = std::move(ptr)] {...})` or
// `co_await f(holder{str})`. Lambdas capturing only references or trivial values are fine; name
// anything else first and std::move it in.

#include "sip/libre_bridge.hpp"

#include <boost/asio/awaitable.hpp>

#include <any>
#include <functional>
#include <memory>
#include <system_error>

namespace jigasi::sip {

namespace detail {
struct strand_op_state;
struct strand_promise;
}  // namespace detail

/// What the strand side delivered.
struct strand_result {
    std::error_code ec;
    std::any value;  ///< whatever completion::complete() passed (empty if nothing)
};

/// The strand side's handle on one awaited operation. Cheap to copy; use only on the strand.
class completion {
public:
    explicit completion(std::shared_ptr<detail::strand_promise> p) : promise_(std::move(p)) {}

    /// Deliver the outcome. The first call wins; later calls, and calls after the awaiting
    /// coroutine was cancelled, do nothing. The coroutine may resume on another thread before
    /// this returns: afterwards, touch nothing the coroutine owns.
    void complete(std::error_code ec, std::any value = {}) const;

    /// True while the awaiting coroutine still waits for this outcome.
    bool pending() const;

    /// Runs on the strand if the coroutine is cancelled before complete(). Free libre objects
    /// here (mem_deref) so they call nobody back. Replaces a previous hook; never capture the
    /// completion itself in it.
    void on_cancel(std::function<void()> hook) const;

private:
    std::shared_ptr<detail::strand_promise> promise_;
};

/// Run `fn` on `strand` and wait until it (or a libre callback it arranged) completes.
boost::asio::awaitable<strand_result> async_on_strand(signalling_strand strand,
                                                      std::function<void(completion)> fn);

/// Run `fn` on `strand` and wait for it to return (for synchronous libre calls: alloc, free).
boost::asio::awaitable<void> async_run_on_strand(signalling_strand strand, std::function<void()> fn);

/// A libre errno result as an error_code.
inline std::error_code libre_error(int err) { return {err, std::generic_category()}; }

}  // namespace jigasi::sip
