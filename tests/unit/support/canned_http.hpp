#pragma once
// A real HTTP server for client tests: 127.0.0.1 on an ephemeral port, on the test's io_context,
// answering every connection with the same canned bytes (or nothing). Also runs a client
// coroutine to its end on that io_context.

#include "core/result.hpp"
#include "http/client.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jigasi::test {

class canned_http_server {
public:
    enum class mode {
        answer,  ///< read the request head, send the reply, close
        silent,  ///< read the request head, then hold the connection without a word
        tls,     ///< TLS with a fresh self-signed certificate (no client should trust it)
    };

    canned_http_server(boost::asio::io_context& ioc, std::string reply, mode m = mode::answer);
    ~canned_http_server();
    canned_http_server(const canned_http_server&) = delete;
    canned_http_server& operator=(const canned_http_server&) = delete;

    std::uint16_t port() const;
    /// "http://127.0.0.1:<port>" + target.
    std::string url(std::string_view target = "/") const;
    /// Request heads received so far, in order.
    const std::vector<std::string>& requests() const;
    /// The server names (SNI) TLS clients sent; "" for a ClientHello without one.
    const std::vector<std::string>& server_names() const;

    /// A whole HTTP/1.1 answer with Content-Length.
    static std::string reply(unsigned status, std::string_view body, std::string_view content_type = "application/json");

    struct state;

private:
    std::shared_ptr<state> st_;
};

/// Runs `op` on `ioc` (with anything else queued there, e.g. a server) until it finishes; throws if
/// it has not within `limit`.
core::result<http::http_response> run(boost::asio::io_context& ioc, boost::asio::awaitable<core::result<http::http_response>> op,
                                      std::chrono::milliseconds limit = std::chrono::seconds(10));
core::result<std::optional<std::string>> run(boost::asio::io_context& ioc,
                                             boost::asio::awaitable<core::result<std::optional<std::string>>> op,
                                             std::chrono::milliseconds limit = std::chrono::seconds(10));

}  // namespace jigasi::test
