#include "xmpp/server_link.hpp"

#include "xmpp/link_retry.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <array>

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;

namespace jigasi::xmpp {
namespace {
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::string describe(const boost::system::error_code& ec) {
    return ec == beast::error::timeout ? "timed out" : ec.message();
}
}  // namespace

server_link::server_link(std::string health_name, std::string host, std::uint16_t port,
                         const config::store& cfg, core::health_registry& health,
                         core::log_channel log)
    : name_(std::move(health_name)), host_(std::move(host)), port_(port), cfg_(cfg),
      health_(health), log_(std::move(log)) {}

asio::awaitable<void> server_link::run() {
    const auto ex = co_await asio::this_coro::executor;
    const std::string where = host_ + ":" + std::to_string(port_);
    link_retry retry(name_, cfg_, health_, log_);
    asio::steady_timer wait(ex);
    tcp::resolver resolver(ex);

    health_.report(name_, core::health_state::down, "connecting to " + where);
    for (;;) {
        const auto limits = retry.limits();
        beast::tcp_stream stream(ex);
        boost::system::error_code ec;
        auto [rec, results] = co_await resolver.async_resolve(host_, std::to_string(port_), tuple_awaitable);
        ec = rec;
        if (!ec) {
            stream.expires_after(std::chrono::seconds(limits.connect_timeout_s));
            auto [cec, ep] = co_await stream.async_connect(results, tuple_awaitable);
            ec = cec;
        }
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none)
            co_return;
        if (!ec) {
            stream.expires_never();
            health_.report(name_, core::health_state::up, "TCP connected to " + where);
            log_.info(name_, ": connected to ", where,
                      retry.attempts() ? " after " + std::to_string(retry.attempts()) + " failed attempts" : "");
            retry.succeeded();
            // Hold the link until the peer closes it or it fails.
            std::array<char, 512> sink;
            for (;;) {
                auto [rec2, n] = co_await stream.async_read_some(asio::buffer(sink), tuple_awaitable);
                if (rec2) {
                    ec = rec2;
                    break;
                }
            }
            if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none)
                co_return;
            log_.warning(name_, ": link to ", where, " lost: ", describe(ec));
        }
        const auto reason = (ec == asio::error::eof ? std::string("closed by the server") : describe(ec));
        wait.expires_after(retry.failed("connect " + where + ": " + reason, name_ + ": cannot connect to " + where + ": " + reason));
        auto [wec] = co_await wait.async_wait(tuple_awaitable);
        if (wec == asio::error::operation_aborted) co_return;
    }
}

}  // namespace jigasi::xmpp
