#pragma once
// Runs libre (the SIP stack) on an Asio strand instead of its own re_main() loop.
//
// libre 1.1.0 has no external-loop API: sockets register through fd_listen/fd_close and timers go
// into one global list. The binary links libre.a statically with
// -Wl,--wrap=fd_listen,--wrap=fd_close,--wrap=tmr_start, so libre's own calls land in this bridge,
// which maps each fd onto an asio::posix::stream_descriptor wait and keeps one steady_timer at the
// head of libre's timer list.
//
// Threading: libre keeps global, unsynchronised state (timer list, refcounts, the dbg handler), so
// every libre call and callback must run on one thread at a time. That is the *signalling strand*
// given to the bridge: run libre code only there (see strand_op.hpp for coroutines on other
// executors). Never call re_main(), re_thread_init() or libre_close().

#include "core/log.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>

#include <cstddef>
#include <functional>
#include <string_view>
#include <memory>

namespace jigasi::sip {

/// The strand on which every libre call and callback runs.
using signalling_strand = boost::asio::strand<boost::asio::any_io_executor>;

class libre_bridge {
public:
    /// Calls libre_init() the first time in the process and makes this the active bridge.
    /// Throws std::logic_error if another bridge is active (libre has a single global event
    /// state) and std::system_error if libre_init() fails.
    libre_bridge(signalling_strand strand, core::log_channel log);

    /// Stops the bridge if stop() was not called. Only safe on the strand or once the
    /// io_context no longer runs handlers.
    ~libre_bridge();

    libre_bridge(const libre_bridge&) = delete;
    libre_bridge& operator=(const libre_bridge&) = delete;

    const signalling_strand& strand() const;

    /// On the strand: release every watched fd (never closing it), cancel the timer and give up
    /// the active slot. Free libre objects before this; their later fd_close calls are no-ops.
    void stop();

    // Introspection for tests and health checks; call on the strand.
    std::size_t watched_fds() const;       ///< fds libre currently listens on
    bool timer_pending() const;            ///< the steady_timer for libre's list is armed
    std::size_t fd_callbacks() const;      ///< libre fd handlers invoked so far
    /// libre calls (fd_listen/fd_close/tmr_start) that arrived off the strand: always a bug.
    std::size_t off_strand_calls() const;

    /// Number of timers in libre's global list (any bridge or none); call on the strand.
    static std::size_t libre_timer_count();

    /// libre writes some diagnostics straight to stderr with re_fprintf (e.g. "sip: msg decode
    /// err" for every undecodable message, with no source and no rate limit). The link wraps
    /// re_fprintf so each such line goes to this hook (on the strand) instead; without a hook it is
    /// logged at debug level.
    void set_stderr_hook(std::function<void(std::string_view)> hook);

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace jigasi::sip
