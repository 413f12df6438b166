// XMPP over TCP (RFC 6120 §4): one XML stream, parsed as bytes arrive; TLS by STARTTLS or from the
// first byte (XEP-0368).

#include "xmpp/transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <optional>

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace jigasi::xmpp {

namespace {
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

class tcp_transport final : public transport {
public:
    tcp_transport(asio::any_io_executor ex, transport_options o)
        : ex_(ex), o_(std::move(o)), socket_(ex), parser_(o_.limits) {}

    asio::awaitable<boost::system::error_code> open(std::string& diag) override {
        tcp::resolver resolver(ex_);
        auto [rec, endpoints] = co_await resolver.async_resolve(o_.host, std::to_string(o_.port), tuple_awaitable);
        if (rec) {
            diag = "resolve " + o_.host + ": " + rec.message();
            co_return rec;
        }
        asio::steady_timer deadline(ex_);
        deadline.expires_after(o_.connect_timeout);
        auto r = co_await (asio::async_connect(socket_, endpoints, tuple_awaitable) || deadline.async_wait(tuple_awaitable));
        if (r.index() == 1) {
            diag = "connect " + where() + ": timed out";
            co_return asio::error::timed_out;
        }
        if (auto [cec, ep] = std::get<0>(r); cec) {
            diag = "connect " + where() + ": " + cec.message();
            co_return cec;
        }
        boost::system::error_code ignored;
        socket_.set_option(tcp::no_delay(true), ignored);
        if (o_.direct_tls) {
            if (auto ec = co_await start_tls()) {
                diag = "TLS handshake with " + where() + ": " + ec.message();
                co_return ec;
            }
        }
        co_return boost::system::error_code{};
    }

    asio::awaitable<boost::system::error_code> read(std::deque<xml_event>& out, std::string& diag) override {
        for (;;) {
            auto [ec, n] = tls_ ? co_await tls_->async_read_some(asio::buffer(buf_), tuple_awaitable)
                                : co_await socket_.async_read_some(asio::buffer(buf_), tuple_awaitable);
            if (ec) {
                diag = ec == asio::error::eof ? "the server closed the connection" : "read: " + ec.message();
                co_return ec;
            }
            if (auto perr = parser_.feed({buf_.data(), n})) {
                diag = "unreadable XML from the server: " + parser_.diagnostic();
                co_return boost::system::error_code(perr.value(), boost::system::generic_category());
            }
            bool got = false;
            while (auto ev = parser_.next()) {
                out.push_back(std::move(*ev));
                got = true;
            }
            if (got) co_return boost::system::error_code{};
        }
    }

    asio::awaitable<boost::system::error_code> write(const std::string& data) override {
        auto [ec, n] = tls_ ? co_await asio::async_write(*tls_, asio::buffer(data), tuple_awaitable)
                            : co_await asio::async_write(socket_, asio::buffer(data), tuple_awaitable);
        co_return ec;
    }

    asio::awaitable<boost::system::error_code> start_tls() override {
        // Made only now: an OpenSSL context with the system's trust store is large, and most
        // streams on loopback never use one.
        ctx_.emplace(ssl::context::tls_client);
        ctx_->set_default_verify_paths();
        boost::system::error_code ec;
        if (!o_.ca_file.empty()) ctx_->load_verify_file(o_.ca_file, ec);
        if (ec) co_return ec;
        tls_.emplace(socket_, *ctx_);
        if (o_.verify_tls) {
            // RFC 6120 §13.7.2.1 / RFC 6125: the certificate must name the XMPP domain, not the host.
            tls_->set_verify_mode(ssl::verify_peer);
            tls_->set_verify_callback(ssl::host_name_verification(o_.tls_name));
        } else {
            tls_->set_verify_mode(ssl::verify_none);
        }
        SSL_set_tlsext_host_name(tls_->native_handle(), o_.tls_name.c_str());  // SNI
        auto [hec] = co_await tls_->async_handshake(ssl::stream_base::client, tuple_awaitable);
        co_return hec;
    }

    void restart() override { parser_.reset(); }
    bool tls_active() const override { return tls_.has_value(); }
    bool websocket() const override { return false; }
    write_scope scope(std::string_view content_ns) const override { return in_stream(content_ns); }
    std::string closing() const override { return std::string(stream_close()); }
    void close() override {
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }
    std::string where() const override { return o_.host + ":" + std::to_string(o_.port); }

private:
    asio::any_io_executor ex_;
    transport_options o_;
    tcp::socket socket_;
    std::optional<ssl::context> ctx_;
    std::optional<ssl::stream<tcp::socket&>> tls_;
    xml_parser parser_;
    std::array<char, 16384> buf_{};
};

}  // namespace

std::unique_ptr<transport> make_tcp_transport(asio::any_io_executor ex, transport_options o) {
    return std::make_unique<tcp_transport>(ex, std::move(o));
}

}  // namespace jigasi::xmpp
