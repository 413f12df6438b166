#include "call/idle_clock.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;

namespace jigasi::call {

idle_clock::idle_clock(const asio::strand<asio::any_io_executor>& strand, phone_port& phone)
    : timer_(strand), phone_(phone), in_(phone.frame_samples()), silence_(phone.frame_samples()),
      next_(std::chrono::steady_clock::now()) {}

void idle_clock::resync() { next_ = std::chrono::steady_clock::now(); }

asio::awaitable<void> idle_clock::tick(bool keys) {
    // More than 100 ms behind (a busy machine): start again from now, since catching up would
    // send the phone a burst of frames that its jitter buffer drops.
    if (std::chrono::steady_clock::now() - next_ > 5 * frame) resync();
    next_ += frame;
    timer_.expires_at(next_);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled: tick early
    phone_.capture(in_);
    if (keys) (void)phone_.poll_key();
    phone_.play(silence_);
}

}  // namespace jigasi::call
