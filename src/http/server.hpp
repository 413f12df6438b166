#pragma once
// The one HTTP server (admin UI, REST, health, metrics): Beast over Asio coroutines, one strand per
// connection. Bad input never crashes it or leaks a connection: every request has header and body
// limits and a read deadline, idle keep-alive connections are closed, and malformed requests get a
// clean 4xx before the connection is closed.

#include "config/store.hpp"
#include "core/log.hpp"
#include "core/task_group.hpp"
#include "http/router.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <memory>
#include <system_error>

namespace prometheus { class Registry; }

namespace jigasi::http {

class server {
public:
    server(boost::asio::io_context& ioc, const router& routes, const config::store& cfg,
           core::log_channel log, prometheus::Registry& metrics);
    ~server();

    /// Bind and listen now, so that a busy port is reported at start-up.
    std::error_code listen(const std::string& address, std::uint16_t port);
    boost::asio::ip::tcp::endpoint local_endpoint() const;

    /// Accept until close(); each connection becomes a task of `tasks`.
    boost::asio::awaitable<void> accept_loop(core::task_group& tasks);

    /// Stop accepting (thread-safe); open connections end with terminal cancellation.
    void close();

    unsigned active_connections() const { return active_.load(); }

private:
    struct instruments;
    boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& ioc_;
    const router& routes_;
    const config::store& cfg_;
    core::log_channel log_;
    std::unique_ptr<instruments> metrics_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::atomic<unsigned> active_{0};
};

}  // namespace jigasi::http
