#include "sip/strand_op.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <future>

namespace asio = boost::asio;

namespace jigasi::sip::detail {

using op_signature = void(std::exception_ptr, strand_result);

// State of one awaited operation. `done`, `hook` and `handler` are touched on the strand only.
struct strand_op_state {
    explicit strand_op_state(signalling_strand s) : strand(std::move(s)) {}

    signalling_strand strand;
    asio::any_io_executor work;  // the coroutine's executor, work-tracked while we are pending
    // Boxed and never assigned: Boost 1.81's any_completion_handler move-assignment passes an
    // lvalue of itself to its converting constructor, which then wraps itself without end.
    using handler_type = asio::any_completion_handler<op_signature>;
    std::unique_ptr<handler_type> handler;
    std::function<void()> hook;
    bool done = false;

    void finish(std::error_code ec, std::any value, std::exception_ptr ex = nullptr) {
        if (done) return;
        done = true;
        hook = nullptr;
        // Resume the coroutine on its own executor, never inline on the strand. The slot is
        // cleared there too: that is where cancellation is emitted, so the two cannot race.
        // Nothing of `this` may be touched after the post: the coroutine can resume on another
        // thread at once and drop the last reference to this state.
        auto target = std::move(work);
        asio::post(target, [h = std::move(handler), ex, r = strand_result{ec, std::move(value)}]() mutable {
            h->get_cancellation_slot().clear();
            std::move(*h)(ex, std::move(r));
        });
    }

    void cancel() {
        if (done) return;
        auto h = std::move(hook);
        // Complete first: a libre callback fired re-entrantly by the hook's mem_deref is ignored.
        finish(std::make_error_code(std::errc::operation_canceled), {});
        if (h) h();
    }
};

// Shared by every copy of a completion; dropping the last copy unanswered is a broken promise.
// Copies live on the strand, so this destructor runs there.
struct strand_promise {
    explicit strand_promise(std::shared_ptr<strand_op_state> s) : state(std::move(s)) {}
    ~strand_promise() { state->finish(std::make_error_code(std::future_errc::broken_promise), {}); }
    strand_promise(const strand_promise&) = delete;
    strand_promise& operator=(const strand_promise&) = delete;
    std::shared_ptr<strand_op_state> state;
};

}  // namespace jigasi::sip::detail

namespace jigasi::sip {

void completion::complete(std::error_code ec, std::any value) const {
    promise_->state->finish(ec, std::move(value));
}

bool completion::pending() const { return !promise_->state->done; }

void completion::on_cancel(std::function<void()> hook) const {
    if (!promise_->state->done) promise_->state->hook = std::move(hook);
}

asio::awaitable<strand_result> async_on_strand(signalling_strand strand, std::function<void(completion)> fn) {
    auto initiation = [](auto handler, signalling_strand strand, std::function<void(completion)> fn) {
        auto state = std::make_shared<detail::strand_op_state>(strand);
        asio::any_io_executor ex = asio::get_associated_executor(handler, strand);
        state->work = asio::prefer(ex, asio::execution::outstanding_work.tracked);

        state->handler = std::make_unique<detail::strand_op_state::handler_type>(std::move(handler));
        // The slot of the type-erased handler, not of `handler`: any_completion_handler puts its
        // own cancellation_state into the original slot and forwards from there.
        auto slot = state->handler->get_cancellation_slot();
        if (slot.is_connected()) {
            // Weak: the slot lives in the handler, which the state owns.
            slot.assign([weak = std::weak_ptr<detail::strand_op_state>(state)](asio::cancellation_type type) {
                if (type == asio::cancellation_type::none) return;
                if (auto s = weak.lock()) asio::dispatch(s->strand, [s] { s->cancel(); });
            });
        }

        asio::dispatch(strand, [state, fn = std::move(fn)] {
            if (state->done) return;  // cancelled before we got here
            // Held here, not only by the temporary completion: a throwing `fn` must report its
            // exception, not the broken promise its unwinding would otherwise cause first.
            auto promise = std::make_shared<detail::strand_promise>(state);
            try {
                fn(completion(promise));
            } catch (...) {
                state->finish({}, {}, std::current_exception());
            }
        });
    };
    return asio::async_initiate<const asio::use_awaitable_t<>, detail::op_signature>(
        initiation, asio::use_awaitable, std::move(strand), std::move(fn));
}

asio::awaitable<void> async_run_on_strand(signalling_strand strand, std::function<void()> fn) {
    // Named, not a temporary in the co_await expression: GCC 12 destroys such temporaries twice
    // when they own resources (a lambda capturing a std::function, a braced aggregate).
    std::function<void(completion)> call = [fn = std::move(fn)](completion done) {
        fn();
        done.complete({});
    };
    co_await async_on_strand(std::move(strand), std::move(call));
}

}  // namespace jigasi::sip
