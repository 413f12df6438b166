#pragma once
// The state of one connection (connection.hpp), shared by its two halves: connection.cpp (the
// public calls and run()) and connection_negotiate.cpp (connect, negotiate, resume). Private to
// those two files.

#include "xmpp/connection.hpp"
#include "xmpp/transport.hpp"
#include "xmpp/xml_writer.hpp"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <map>

namespace jigasi::xmpp {

/// The calling coroutine's task was cancelled (shutdown).
boost::asio::awaitable<bool> run_cancelled();

struct connection::impl {
    /// A request() waiting for its answer; the timer is its wake-up call.
    struct waiter {
        boost::asio::steady_timer wake;
        std::optional<element> reply;
        explicit waiter(const boost::asio::any_io_executor& ex) : wake(ex) {}
    };

    boost::asio::any_io_executor ex;
    connection_options opts;
    core::log_channel log;
    std::unique_ptr<transport> link;
    std::deque<xml_event> events;  ///< read but not handled yet
    stream_fsm fsm;
    stream_mgmt sm;
    std::string jid;                ///< bound by open(), kept by a resumption
    std::deque<std::string> outbox;
    boost::asio::steady_timer wake_writer;
    boost::asio::steady_timer pause;  ///< between resumption attempts
    std::map<std::string, waiter*> waiters;
    bool ready = false, closing = false, resuming = false;
    unsigned ids = 0;

    impl(boost::asio::any_io_executor e, connection_options o, core::log_channel l);

    std::string_view content_ns() const { return opts.stream.component ? ns::component : ns::client; }
    /// An element as written on the current link.
    std::string out(const element& e) const { return write(e, link->scope(content_ns())); }

    /// Performs negotiation actions; true once ready, false (with `err` set) on failure.
    boost::asio::awaitable<bool> perform(stream_fsm::actions acts, std::error_code& err, std::string& why);
    /// A fresh transport to host:port (or the URL), then negotiation up to ready under one deadline.
    boost::asio::awaitable<std::error_code> negotiate(stream_settings s, std::string host, std::uint16_t port,
                                                      std::chrono::seconds connect_timeout,
                                                      std::chrono::seconds timeout, std::string& diag);
    /// XEP-0198 §5: reconnects and resumes the session within its window, retrying with a short
    /// backoff; on success the unacknowledged stanzas are queued again (`resent` of them).
    boost::asio::awaitable<std::error_code> resume(std::string& diag, std::size_t& resent);
    /// Our last ack and </stream:stream> straight onto the link (the run loop is gone), briefly.
    boost::asio::awaitable<void> goodbye();
};

}  // namespace jigasi::xmpp
