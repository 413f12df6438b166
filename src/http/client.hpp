#pragma once
// A small HTTP/1.1 client for the few outgoing requests jigasi-ng makes (an external conference
// mapper): one GET per connection ("Connection: close"), http:// or https://. TLS verifies the
// server's certificate against the system trust store and its name against the URL's host (RFC
// 6125), with SNI for host names. Redirects are not followed: a 3xx is returned as it came.
// Expected failures (bad URL, DNS, refused, TLS, timeout, oversize or malformed answer) come back
// as core::error, never as exceptions.

#include "core/result.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace jigasi::http {

/// An http:// or https:// URL taken apart.
struct url_parts {
    bool tls = false;
    std::string host;     ///< without the brackets of an IPv6 literal
    std::string port;     ///< "80" / "443" unless the URL names one
    std::string target;   ///< path and query, "/" at least; the fragment is dropped
};

/// Accepts http://host[:port][/path][?query][#fragment]; refuses other schemes, user:password@,
/// blanks and control characters (they could split the request line). bad_input with the reason.
core::result<url_parts> parse_url(std::string_view url);

/// What a GET brought back.
struct http_response {
    unsigned status = 0;
    std::string content_type;
    std::string location;  ///< of a redirect, which is not followed
    std::string body;
};

/// Answers larger than this are refused unless the caller allows more.
inline constexpr std::size_t default_body_limit = 64 * 1024;

/// GET `url`. `timeout` bounds the whole exchange (DNS, connect, TLS, request, answer). Runs on a
/// strand of `ex`; cancelling the awaiting coroutine (terminal) ends it with core::errc::cancelled.
/// Errors: core::errc::bad_input (URL or malformed answer), timeout, limit_exceeded (body over
/// `body_limit`, headers over 8 KiB), cancelled; DNS, connect and TLS failures keep the system's
/// or OpenSSL's code. The diagnostic says what failed and where ("connect 192.0.2.1:80: ...").
boost::asio::awaitable<core::result<http_response>> http_get(boost::asio::any_io_executor ex, std::string url,
                                                             std::chrono::milliseconds timeout,
                                                             std::size_t body_limit = default_body_limit);

}  // namespace jigasi::http
