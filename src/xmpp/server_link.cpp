#include "xmpp/server_link.hpp"

#include "core/backoff.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <array>
#include <random>

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
    auto limits = cfg_.get()->xmpp;
    core::backoff retry(std::chrono::seconds(limits.reconnect_min_s),
                        std::chrono::seconds(limits.reconnect_max_s), std::random_device{}());
    asio::steady_timer wait(ex);
    tcp::resolver resolver(ex);
    std::string last_error;

    health_.report(name_, core::health_state::down, "connecting to " + where);
    for (;;) {
        limits = cfg_.get()->xmpp;  // backoff and timeouts change live on reload
        retry.set_limits(std::chrono::seconds(limits.reconnect_min_s),
                         std::chrono::seconds(limits.reconnect_max_s));
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
            retry.reset();
            last_error.clear();
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
        const auto delay = retry.next();
        const auto reason = (ec == asio::error::eof ? std::string("closed by the server") : describe(ec));
        health_.report(name_, core::health_state::down,
                       "connect " + where + ": " + reason + "; retry " + std::to_string(retry.attempts()) +
                           " in " + std::to_string(delay.count()) + " ms");
        // One log line per distinct failure, not one per retry (house rule: each failure logged once).
        if (reason != last_error) {
            log_.warning(name_, ": cannot connect to ", where, ": ", reason, "; retrying with backoff");
            last_error = reason;
        } else {
            log_.debug(name_, ": retry ", retry.attempts(), " failed: ", reason);
        }
        wait.expires_after(delay);
        auto [wec] = co_await wait.async_wait(tuple_awaitable);
        if (wec == asio::error::operation_aborted) co_return;
    }
}

}  // namespace jigasi::xmpp
