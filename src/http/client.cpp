// GET over Beast. The request runs as a child coroutine on a strand of the caller's executor: the
// stream's timer, the detached DNS query and the coroutine then never touch the same object from two
// threads, whatever executor the caller has. One absolute deadline covers the whole exchange.

#include "http/client.hpp"

#include "core/error.hpp"
#include "core/version.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <cctype>
#include <memory>
#include <optional>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using sys_error = boost::system::error_code;

namespace jigasi::http {

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t header_limit = 8 * 1024;

/// The URL as it may appear in a log line.
std::string printable(std::string_view s) {
    std::string out(s.substr(0, 200));
    for (auto& ch : out)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    return out;
}

core::error bad_url(std::string_view url, std::string_view why) {
    return {core::errc::bad_input, "bad URL \"" + printable(url) + "\": " + std::string(why)};
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
}

bool host_name_char(unsigned char ch) { return std::isalnum(ch) || ch == '.' || ch == '-' || ch == '_'; }

/// The client context: system trust store, loaded once (reading it costs milliseconds). Never
/// destroyed, so no request can outlive it at exit.
ssl::context& client_context() {
    static ssl::context* ctx = [] {
        auto* c = new ssl::context(ssl::context::tls_client);
        c->set_default_verify_paths();
        return c;
    }();
    return *ctx;
}

/// One GET in flight.
struct job {
    url_parts url;
    std::string where;  ///< host:port, for messages
    std::chrono::milliseconds timeout;
    std::chrono::steady_clock::time_point deadline;
    std::size_t body_limit;
};

core::error failure(const job& j, std::string_view what, const sys_error& ec) {
    const std::string at = std::string(what) + " " + j.where;
    // The stream closes itself at the deadline; whatever error that causes is a timeout.
    if (ec == beast::error::timeout || std::chrono::steady_clock::now() >= j.deadline)
        return {core::errc::timeout, at + ": no complete answer within " + std::to_string(j.timeout.count()) + " ms"};
    if (ec == asio::error::operation_aborted) return {core::errc::cancelled, at + ": cancelled"};
    return {ec, at + ": " + ec.message()};
}

core::error read_failure(const job& j, const sys_error& ec) {
    if (ec == bhttp::error::body_limit)
        return {core::errc::limit_exceeded,
                "answer from " + j.where + " is larger than " + std::to_string(j.body_limit) + " bytes"};
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
        return {core::errc::limit_exceeded,
                "answer from " + j.where + " has more than " + std::to_string(header_limit) + " bytes of headers"};
    if (ec == bhttp::error::end_of_stream) return {ec, j.where + " closed the connection without answering"};
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category() &&
        std::chrono::steady_clock::now() < j.deadline)
        return {core::errc::bad_input, "unreadable HTTP answer from " + j.where + ": " + ec.message()};
    return failure(j, "reading the answer from", ec);
}

/// A query in flight and what it found; shared with its completion handler.
struct pending_resolve {
    explicit pending_resolve(const asio::any_io_executor& ex) : resolver(ex), wake(ex) {}
    tcp::resolver resolver;
    asio::steady_timer wake;
    bool done = false;
    sys_error ec;
    tcp::resolver::results_type results;
};

/// getaddrinfo cannot be interrupted: Asio reports a cancelled query only once the system call
/// returns, possibly long after the deadline. So the query completes on its own and wakes us; at
/// the deadline we leave it behind (it owns its state) instead of waiting for it.
asio::awaitable<core::result<tcp::resolver::results_type>> resolve(asio::any_io_executor strand, const job& j) {
    auto p = std::make_shared<pending_resolve>(strand);
    p->wake.expires_at(j.deadline);
    p->resolver.async_resolve(j.url.host, j.url.port, [p](const sys_error& ec, tcp::resolver::results_type r) {
        p->done = true;
        p->ec = ec;
        p->results = std::move(r);
        p->wake.cancel();
    });
    auto waited = co_await p->wake.async_wait(tuple_awaitable);
    if (!p->done) {
        p->resolver.cancel();
        if (std::get<0>(waited) == asio::error::operation_aborted)
            co_return core::error{core::errc::cancelled, "resolve " + j.url.host + ": cancelled"};
        co_return core::error{core::errc::timeout, "resolve " + j.url.host + ": no answer within " +
                                                       std::to_string(j.timeout.count()) + " ms"};
    }
    if (p->ec) co_return core::error{p->ec, "resolve " + j.url.host + ": " + p->ec.message()};
    co_return std::move(p->results);
}

std::string bracketed(const url_parts& u) { return u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host; }

/// RFC 9110 §7.2: the port only when it is not the scheme's default.
std::string host_header(const url_parts& u) {
    return u.port == (u.tls ? "443" : "80") ? bracketed(u) : bracketed(u) + ":" + u.port;
}

/// Request and answer over a connected (and, for https, handshaken) stream.
template <class Stream>
asio::awaitable<core::result<http_response>> exchange(Stream& stream, const job& j) {
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, j.url.target, 11};
    req.set(bhttp::field::host, host_header(j.url));
    req.set(bhttp::field::user_agent, "jigasi-ng/" + std::string(core::version()));
    req.set(bhttp::field::accept, "application/json");
    req.set(bhttp::field::connection, "close");
    auto wrote = co_await bhttp::async_write(stream, req, tuple_awaitable);
    if (std::get<0>(wrote)) co_return failure(j, "sending the request to", std::get<0>(wrote));

    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(header_limit);
    parser.body_limit(j.body_limit);
    auto read = co_await bhttp::async_read(stream, buffer, parser, tuple_awaitable);
    if (std::get<0>(read)) co_return read_failure(j, std::get<0>(read));

    auto& res = parser.get();
    http_response out;
    out.status = res.result_int();
    out.content_type = std::string(res[bhttp::field::content_type]);
    out.location = printable(res[bhttp::field::location]);
    out.body = std::move(res.body());
    co_return out;
}

asio::awaitable<core::result<http_response>> get_on_strand(asio::any_io_executor strand, job j) {
    // GCC 12: arguments taken by value must not live across the co_await; name the awaitable first.
    auto resolving = resolve(strand, j);
    auto endpoints = co_await std::move(resolving);
    if (!endpoints) co_return endpoints.error();

    if (!j.url.tls) {
        beast::tcp_stream stream(strand);
        stream.expires_at(j.deadline);
        auto connected = co_await stream.async_connect(*endpoints, tuple_awaitable);
        if (std::get<0>(connected)) co_return failure(j, "connect", std::get<0>(connected));
        auto r = co_await exchange(stream, j);
        co_return r;
    }

    beast::ssl_stream<beast::tcp_stream> stream(strand, client_context());
    auto& tcp_layer = beast::get_lowest_layer(stream);
    tcp_layer.expires_at(j.deadline);
    auto connected = co_await tcp_layer.async_connect(*endpoints, tuple_awaitable);
    if (std::get<0>(connected)) co_return failure(j, "connect", std::get<0>(connected));
    // The certificate must name the URL's host (RFC 6125 §6.4); SNI carries host names only
    // (RFC 6066 §3), never an IP literal.
    stream.set_verify_mode(ssl::verify_peer);
    stream.set_verify_callback(ssl::host_name_verification(j.url.host));
    sys_error not_ip;
    asio::ip::make_address(j.url.host, not_ip);
    if (not_ip && !SSL_set_tlsext_host_name(stream.native_handle(), j.url.host.c_str()))
        co_return core::error{core::errc::bad_input, "TLS: cannot send the server name " + j.url.host};
    auto shook = co_await stream.async_handshake(ssl::stream_base::client, tuple_awaitable);
    if (std::get<0>(shook)) co_return failure(j, "TLS handshake with", std::get<0>(shook));
    // No close_notify afterwards: the answer is complete (length or chunks delimit it, and an
    // answer delimited by the end of the connection needs close_notify to count as complete).
    auto r = co_await exchange(stream, j);
    co_return r;
}

/// co_spawn hands a value-less T() to its handler when the coroutine throws, so T must have one.
asio::awaitable<std::optional<core::result<http_response>>> boxed(asio::any_io_executor strand, job j) {
    auto op = get_on_strand(std::move(strand), std::move(j));
    auto r = co_await std::move(op);
    co_return std::optional<core::result<http_response>>(std::move(r));
}

}  // namespace

core::result<url_parts> parse_url(std::string_view url) {
    for (unsigned char ch : url)
        if (ch <= 0x20 || ch >= 0x7f) return bad_url(url, "blanks, control and non-ASCII characters are not allowed");
    url_parts u;
    std::string_view rest;
    if (starts_with_nocase(url, "https://")) {
        u.tls = true;
        rest = url.substr(8);
    } else if (starts_with_nocase(url, "http://")) {
        rest = url.substr(7);
    } else {
        return bad_url(url, "expected http:// or https://");
    }
    rest = rest.substr(0, rest.find('#'));
    const auto end = rest.find_first_of("/?");
    const std::string_view authority = rest.substr(0, end);
    const std::string_view target = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    if (authority.find('@') != std::string_view::npos)
        return bad_url(url, "user names and passwords in URLs are not supported");

    std::string_view host = authority, port;
    bool has_port = false;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return bad_url(url, "unclosed [ of an IPv6 address");
        host = authority.substr(1, close - 1);
        sys_error ec;
        asio::ip::make_address_v6(std::string(host), ec);
        if (ec) return bad_url(url, "not an IPv6 address in [ ]");
        const auto after = authority.substr(close + 1);
        if (!after.empty() && after[0] != ':') return bad_url(url, "expected :port after ]");
        has_port = !after.empty();
        if (has_port) port = after.substr(1);
    } else {
        const auto colon = authority.find(':');
        if (colon != std::string_view::npos) {
            host = authority.substr(0, colon);
            port = authority.substr(colon + 1);
            has_port = true;
        }
        for (unsigned char ch : host)
            if (!host_name_char(ch)) return bad_url(url, "the host may hold letters, digits, '.', '-' and '_' (IPv6 in [ ])");
    }
    if (host.empty()) return bad_url(url, "no host");
    if (has_port) {
        const bool digits = !port.empty() && port.size() <= 5 &&
                            port.find_first_not_of("0123456789") == std::string_view::npos;
        if (!digits || std::stoul(std::string(port)) == 0 || std::stoul(std::string(port)) > 65535)
            return bad_url(url, "the port must be 1..65535");
    }
    u.host = std::string(host);
    u.port = has_port ? std::string(port) : std::string(u.tls ? "443" : "80");
    u.target = target.empty() ? "/" : target.starts_with('?') ? "/" + std::string(target) : std::string(target);
    return u;
}

asio::awaitable<core::result<http_response>> http_get(asio::any_io_executor ex, std::string url,
                                                      std::chrono::milliseconds timeout, std::size_t body_limit) {
    auto parsed = parse_url(url);
    if (!parsed) co_return parsed.error();
    job j;
    j.url = std::move(*parsed);
    j.where = bracketed(j.url) + ":" + j.url.port;
    j.timeout = timeout;
    j.deadline = std::chrono::steady_clock::now() + timeout;
    j.body_limit = body_limit;
    asio::any_io_executor strand = asio::make_strand(ex);
    auto op = asio::co_spawn(strand, boxed(strand, std::move(j)), asio::use_awaitable);
    auto r = co_await std::move(op);
    co_return std::move(*r);
}

}  // namespace jigasi::http
