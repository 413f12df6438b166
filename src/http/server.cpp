#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace jigasi::http {
namespace {
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
}

struct server::instruments {
    prometheus::Family<prometheus::Counter>& requests;
    prometheus::Family<prometheus::Counter>& rejected;
    prometheus::Gauge& connections;

    explicit instruments(prometheus::Registry& r)
        : requests(prometheus::BuildCounter()
                       .Name("jigasi_ng_http_requests_total")
                       .Help("HTTP requests answered, by status code.")
                       .Register(r)),
          rejected(prometheus::BuildCounter()
                       .Name("jigasi_ng_http_rejected_total")
                       .Help("HTTP connections or requests refused before routing, by reason.")
                       .Register(r)),
          connections(prometheus::BuildGauge()
                          .Name("jigasi_ng_http_connections")
                          .Help("Open HTTP connections.")
                          .Register(r)
                          .Add({})) {}

    void answered(status s) { requests.Add({{"code", std::to_string(static_cast<int>(s))}}).Increment(); }
    void reject(const char* reason) { rejected.Add({{"reason", reason}}).Increment(); }
};

server::server(asio::io_context& ioc, const router& routes, const config::store& cfg,
               core::log_channel log, prometheus::Registry& metrics)
    : ioc_(ioc), routes_(routes), cfg_(cfg), log_(std::move(log)),
      metrics_(std::make_unique<instruments>(metrics)), acceptor_(asio::make_strand(ioc)) {}

server::~server() = default;

std::error_code server::listen(const std::string& address, std::uint16_t port) {
    boost::system::error_code ec;
    const auto addr = asio::ip::make_address(address, ec);
    if (ec) return ec;
    const tcp::endpoint ep{addr, port};
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    }
    return ec;
}

tcp::endpoint server::local_endpoint() const {
    boost::system::error_code ec;
    return acceptor_.local_endpoint(ec);
}

void server::close() {
    asio::post(acceptor_.get_executor(), [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    });
}

asio::awaitable<void> server::accept_loop(core::task_group& tasks) {
    asio::steady_timer pause(acceptor_.get_executor());
    while (acceptor_.is_open()) {
        auto strand = asio::make_strand(ioc_);
        auto [ec, socket] = co_await acceptor_.async_accept(strand, tuple_awaitable);
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
        if (ec) {
            // EMFILE and friends: log once per burst and back off instead of spinning.
            log_.warning("accept failed: ", ec.message());
            metrics_->reject("accept_error");
            pause.expires_after(std::chrono::milliseconds(100));
            co_await pause.async_wait(tuple_awaitable);
            continue;
        }
        boost::system::error_code pec;
        const auto peer = socket.remote_endpoint(pec);
        tasks.spawn(strand, session(std::move(socket)),
                    "http " + (pec ? std::string("?") : peer.address().to_string() + ":" +
                                                            std::to_string(peer.port())));
    }
    log_.info("no longer accepting connections");
}

namespace {

/// Map a Beast read error to the answer the client deserves (RFC 9110 15.5).
std::pair<status, const char*> classify(const beast::error_code& ec) {
    if (ec == bhttp::error::header_limit) return {status::request_header_fields_too_large, "header_too_large"};
    if (ec == bhttp::error::body_limit) return {status::payload_too_large, "body_too_large"};
    if (ec == beast::error::timeout) return {status::request_timeout, "timeout"};
    return {status::bad_request, "bad_request"};
}

}  // namespace

asio::awaitable<void> server::session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    const auto cfg = cfg_.get();
    const auto limits = cfg->http;
    struct counted {
        server& s;
        explicit counted(server& srv) : s(srv) { ++s.active_; s.metrics_->connections.Increment(); }
        ~counted() { --s.active_; s.metrics_->connections.Decrement(); }
    } count(*this);

    auto send = [&](response res, bool keep_alive) -> asio::awaitable<beast::error_code> {
        res.keep_alive(keep_alive);
        metrics_->answered(res.result());
        stream.expires_after(std::chrono::seconds(limits.read_timeout_s));
        auto [ec, n] = co_await bhttp::async_write(stream, res, tuple_awaitable);
        co_return ec;
    };

    if (active_.load() > limits.max_connections) {
        metrics_->reject("over_capacity");
        co_await send(make_error(status::service_unavailable, "too many connections"), false);
    } else {
        beast::flat_buffer buffer;
        asio::steady_timer deadline(stream.get_executor());
        // Reads race a timer rather than using tcp_stream's expiry, which closes the socket: a
        // client that stalls mid-request still gets its 408 (RFC 9110 15.5.9).
        auto read_until = [&](auto read_op, std::chrono::seconds limit) -> asio::awaitable<beast::error_code> {
            using namespace asio::experimental::awaitable_operators;
            deadline.expires_after(limit);
            auto r = co_await (std::move(read_op) || deadline.async_wait(tuple_awaitable));
            if (r.index() == 1) co_return beast::error::timeout;
            co_return std::get<0>(std::get<0>(r));
        };
        for (bool first = true;; first = false) {
            bhttp::request_parser<bhttp::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
            parser.body_limit(limits.max_body_bytes);
            // A new connection gets the read deadline; a kept-alive one may idle longer first.
            stream.expires_never();
            auto ec = co_await read_until(bhttp::async_read_header(stream, buffer, parser, tuple_awaitable),
                                          std::chrono::seconds(first ? limits.read_timeout_s : limits.idle_timeout_s));
            if (!ec && !parser.is_done())
                ec = co_await read_until(bhttp::async_read(stream, buffer, parser, tuple_awaitable),
                                         std::chrono::seconds(limits.read_timeout_s));
            if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
                ec == asio::error::connection_reset || ec == asio::error::eof)
                break;
            if (ec) {
                const bool partial = parser.got_some() || buffer.size() > 0;
                const auto [code, reason] = classify(ec);
                if (ec == beast::error::timeout && !partial) break;  // idle keep-alive: just close
                metrics_->reject(reason);
                log_.debug("bad request: ", ec.message());
                co_await send(make_error(code, ec.message()), false);
                break;
            }
            auto req = parser.release();
            const bool keep_alive = req.keep_alive();
            response res;
            try {
                res = co_await routes_.dispatch(req);
            } catch (const std::exception& x) {
                // A handler bug ends this request, not the connection's neighbours.
                log_.error(req.method_string(), " ", req.target(), " failed: ", x.what());
                res = make_error(status::internal_server_error, "internal error");
            }
            res.version(req.version());
            if (auto wec = co_await send(std::move(res), keep_alive); wec || !keep_alive) break;
        }
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.close();
}

}  // namespace jigasi::http
