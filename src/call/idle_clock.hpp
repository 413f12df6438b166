#pragma once
// The 20 ms clock of a phone that is not bridged (the IVR, the lobby, waiting for the conference
// to start, the last prompt before a BYE). Bridged, the bridge leg drives phone_port; here nothing
// else does, so each tick reads and drops what the phone sent, optionally polls its RFC 4733 keys
// (they reach the call's key handler), and sends silence that phone_port mixes the prompts into.
#include "call/phone_port.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <cstdint>
#include <vector>

namespace jigasi::call {

class idle_clock {
public:
    idle_clock(const boost::asio::strand<boost::asio::any_io_executor>& strand, phone_port& phone);
    /// Waits for the next frame time (a fixed grid, so timer lateness does not add up; over
    /// 100 ms behind it, a new grid from now), then moves one frame each way. `keys`: poll the
    /// phone's keys too.
    boost::asio::awaitable<void> tick(bool keys);
    /// A new grid from now, after a pause we caused (a mapper lookup): no frames to make up.
    void resync();

private:
    static constexpr std::chrono::milliseconds frame{20};
    boost::asio::steady_timer timer_;
    phone_port& phone_;
    std::vector<std::int16_t> in_, silence_;
    std::chrono::steady_clock::time_point next_;
};

}  // namespace jigasi::call
