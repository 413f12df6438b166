#include "media/net/transport_runner.hpp"

#include "media/net/udp_socket.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using asio::ip::udp;

namespace jigasi::media::net {

transport_runner::transport_runner(udp::socket socket, std::unique_ptr<secure_transport> t, core::log_channel log)
    : socket_(std::move(socket)), t_(std::move(t)), log_(std::move(log)), timer_(socket_.get_executor()) {}

transport_runner::~transport_runner() = default;

std::uint16_t transport_runner::local_port() const {
    boost::system::error_code ec;
    return socket_.local_endpoint(ec).port();
}

asio::awaitable<std::optional<transport_failed>> transport_runner::run(transport_handler& h) {
    handler_ = &h;
    flush(&h);
    co_await (receive_loop(h) || timer_loop());
    handler_ = nullptr;
    boost::system::error_code ec;
    socket_.close(ec);
    co_return failed_;
}

void transport_runner::kick() {
    flush(handler_);
    timer_.cancel();  // the timer loop re-reads the deadline
}

asio::awaitable<void> transport_runner::receive_loop(transport_handler& h) {
    udp::endpoint from;
    while (!failed_ && !closing_) {
        auto [ec, n] = co_await socket_.async_receive_from(asio::buffer(rx_), from, asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted || !socket_.is_open()) co_return;
        if (ec) {
            // ICMP port unreachable surfaces here on Linux (connection_refused): not fatal for UDP.
            continue;
        }
        const auto now = clock::now();
        ++stats_.datagrams_in;
        stats_.bytes_in += n;
        const auto in = t_->on_datagram(now, to_endpoint(from), std::span(rx_.data(), n));
        if (in.kind == inbound_kind::rtp) h.on_rtp(std::span(rx_.data(), in.size), now);
        if (in.kind == inbound_kind::rtcp) h.on_rtcp(std::span(rx_.data(), in.size), now);
        flush(&h);
        if (t_->next_deadline()) timer_.cancel();  // a new deadline may be earlier
    }
}

asio::awaitable<void> transport_runner::timer_loop() {
    while (!failed_ && !closing_) {
        const auto d = t_->next_deadline();
        if (d && *d <= clock::now()) {
            t_->on_timer(clock::now());
            flush(handler_);
            continue;
        }
        timer_.expires_at(d ? *d : clock::now() + std::chrono::hours(1));
        auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
        (void)ec;  // cancelled by kick(): look at the deadline again
    }
}

void transport_runner::flush(transport_handler* h) {
    while (auto a = t_->poll()) {
        if (auto* s = std::get_if<send_to>(&*a)) {
            send(s->to, s->bytes);
        } else if (auto* ok = std::get_if<secured>(&*a)) {
            log_.info("media secured (", srtp::sdes_name(ok->profile), ") with ", ok->remote.to_string(), " after ",
                      t_->stats().connect_time.value_or(std::chrono::milliseconds{}).count(), " ms");
            if (h) h->on_secured(*ok);
        } else if (auto* f = std::get_if<transport_failed>(&*a)) {
            log_.warning("media transport failed (", f->stage, "): ", f->reason);
            failed_ = *f;
            boost::system::error_code ec;
            socket_.cancel(ec);
            timer_.cancel();
        } else if (auto* c = std::get_if<candidate_gathered>(&*a)) {
            if (h) h->on_candidate(c->c);
        }
    }
}

void transport_runner::send(const ice::endpoint& to, std::span<const std::uint8_t> bytes) {
    boost::system::error_code ec;
    socket_.send_to(asio::buffer(bytes.data(), bytes.size()), to_asio(to), 0, ec);
    if (ec) {
        ++stats_.send_errors;
        return;
    }
    ++stats_.datagrams_out;
    stats_.bytes_out += bytes.size();
}

bool transport_runner::send_rtp(std::span<std::uint8_t> buffer, std::size_t length) {
    return send_protected(false, buffer, length);
}

bool transport_runner::send_rtcp(std::span<std::uint8_t> buffer, std::size_t length) {
    return send_protected(true, buffer, length);
}

bool transport_runner::send_protected(bool rtcp, std::span<std::uint8_t> buffer, std::size_t length) {
    const auto to = t_->remote();
    if (!to) return false;
    auto n = rtcp ? t_->protect_rtcp(buffer, length) : t_->protect_rtp(buffer, length);
    if (!n) return false;
    send(*to, buffer.first(*n));
    return true;
}

void transport_runner::close() {
    if (closing_) return;
    closing_ = true;
    t_->close();
    flush(nullptr);
    boost::system::error_code ec;
    socket_.cancel(ec);
    timer_.cancel();
}

}  // namespace jigasi::media::net
