// XMPP over WebSocket (RFC 7395) with Beast: the "xmpp" subprotocol, one complete element per text
// message, <open/> and <close/> in place of the stream tags. For deployments whose XMPP server is
// reachable only through the web front end (wss://<domain>/xmpp-websocket).

#include "xmpp/transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using asio::ip::tcp;

namespace jigasi::xmpp {

bool parse_ws_url(std::string_view url, ws_url& out) {
    std::string_view rest;
    if (url.starts_with("wss://")) {
        out.tls = true;
        rest = url.substr(6);
    } else if (url.starts_with("ws://")) {
        out.tls = false;
        rest = url.substr(5);
    } else {
        return false;
    }
    const auto slash = rest.find('/');
    const std::string_view authority = rest.substr(0, slash);
    out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    const auto colon = authority.rfind(':');
    const bool v6 = authority.starts_with('[');
    if (colon != std::string_view::npos && (!v6 || colon > authority.find(']'))) {
        out.host = std::string(authority.substr(0, colon));
        out.port = std::string(authority.substr(colon + 1));
    } else {
        out.host = std::string(authority);
        out.port = out.tls ? "443" : "80";
    }
    if (v6 && out.host.size() > 2) out.host = out.host.substr(1, out.host.size() - 2);
    return !out.host.empty() && !out.port.empty();
}

namespace {
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

/// RFC 7395 §3.3: <open/> and <close/> stand for the stream tags; everything else is a stanza.
xml_event to_event(element e) {
    xml_event ev;
    if (e.is("open", ns::framing)) {
        ev.type = xml_event::kind::stream_open;
        ev.header = {std::string(e.attr_or("to")), std::string(e.attr_or("from")), std::string(e.attr_or("id")),
                     std::string(e.attr_or("version")), std::string(e.attr_or("xml:lang")), std::string(ns::client)};
    } else if (e.is("close", ns::framing)) {
        ev.type = xml_event::kind::stream_close;
    } else {
        ev.stanza = std::move(e);
    }
    return ev;
}

template <class Next>
class ws_transport final : public transport {
public:
    ws_transport(asio::any_io_executor ex, transport_options o, ws_url url, ssl::context* ctx)
        requires std::is_same_v<Next, beast::tcp_stream>
        : ex_(ex), o_(std::move(o)), url_(std::move(url)), ws_(ex) { (void)ctx; }
    ws_transport(asio::any_io_executor ex, transport_options o, ws_url url, ssl::context* ctx)
        requires(!std::is_same_v<Next, beast::tcp_stream>)
        : ex_(ex), o_(std::move(o)), url_(std::move(url)), ws_(ex, *ctx) {}

    asio::awaitable<boost::system::error_code> open(std::string& diag) override {
        tcp::resolver resolver(ex_);
        auto [rec, endpoints] = co_await resolver.async_resolve(url_.host, url_.port, tuple_awaitable);
        if (rec) {
            diag = "resolve " + url_.host + ": " + rec.message();
            co_return rec;
        }
        auto& tcp_layer = beast::get_lowest_layer(ws_);
        tcp_layer.expires_after(o_.connect_timeout);
        if (auto [cec, ep] = co_await tcp_layer.async_connect(endpoints, tuple_awaitable); cec) {
            diag = "connect " + where() + ": " + (cec == beast::error::timeout ? std::string("timed out") : cec.message());
            co_return cec;
        }
        if constexpr (!std::is_same_v<Next, beast::tcp_stream>) {
            // The web front end's certificate names the URL's host (RFC 6125 §6.4).
            auto& tls = ws_.next_layer();
            if (o_.verify_tls) {
                tls.set_verify_mode(ssl::verify_peer);
                tls.set_verify_callback(ssl::host_name_verification(url_.host));
            }
            // RFC 6066 §3: SNI carries host names only; an IP literal there makes servers
            // (Prosody) refuse the handshake with unrecognized_name.
            boost::system::error_code not_ip;
            asio::ip::make_address(url_.host, not_ip);
            if (not_ip) SSL_set_tlsext_host_name(tls.native_handle(), url_.host.c_str());
            if (auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, tuple_awaitable); hec) {
                diag = "TLS handshake with " + where() + ": " + hec.message();
                co_return hec;
            }
        }
        tcp_layer.expires_never();  // from here the websocket's own timeouts apply
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
            req.set(beast::http::field::sec_websocket_protocol, "xmpp");  // RFC 7395 §3.1
        }));
        ws_.read_message_max(o_.limits.max_stanza_bytes);
        websocket::response_type res;
        const std::string host = url_.host + ":" + url_.port;
        if (auto [wec] = co_await ws_.async_handshake(res, host, url_.target, tuple_awaitable); wec) {
            diag = "WebSocket handshake with " + where() + ": " + wec.message() +
                   (res.result_int() ? " (HTTP " + std::to_string(res.result_int()) + ")" : "");
            co_return wec;
        }
        if (res[beast::http::field::sec_websocket_protocol] != "xmpp") {
            diag = "WebSocket at " + where() + " did not agree to the xmpp subprotocol (RFC 7395 §3.1)";
            co_return asio::error::no_protocol_option;
        }
        ws_.text(true);
        co_return boost::system::error_code{};
    }

    asio::awaitable<boost::system::error_code> read(std::deque<xml_event>& out, std::string& diag) override {
        buf_.clear();
        auto [ec, n] = co_await ws_.async_read(buf_, tuple_awaitable);
        if (ec) {
            diag = ec == websocket::error::closed ? "the server closed the WebSocket" : "read: " + ec.message();
            co_return ec;
        }
        auto frag = parse_fragment(beast::buffers_to_string(buf_.data()), o_.limits, ns::client);
        if (!frag) {
            diag = "unreadable XML from the server: " + frag.diagnostic();
            co_return boost::system::error_code(frag.error().value(), boost::system::generic_category());
        }
        out.push_back(to_event(std::move(*frag)));
        co_return boost::system::error_code{};
    }

    asio::awaitable<boost::system::error_code> write(const std::string& data) override {
        auto [ec, n] = co_await ws_.async_write(asio::buffer(data), tuple_awaitable);
        co_return ec;
    }

    asio::awaitable<boost::system::error_code> start_tls() override {
        co_return asio::error::operation_not_supported;  // wss:// is the TLS of a WebSocket stream
    }
    void restart() override {}
    bool tls_active() const override { return url_.tls; }
    bool websocket() const override { return true; }
    write_scope scope(std::string_view) const override { return {}; }  // RFC 7395 §3.3.3
    std::string closing() const override { return xmpp::write(framing_close()); }
    void close() override {
        boost::system::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }
    std::string where() const override { return o_.websocket_url; }

private:
    asio::any_io_executor ex_;
    transport_options o_;
    ws_url url_;
    websocket::stream<Next> ws_;
    beast::flat_buffer buf_;
};

/// Owns the TLS context the wss stream refers to.
class wss_holder final : public transport {
public:
    wss_holder(asio::any_io_executor ex, transport_options o, ws_url url) : ctx_(ssl::context::tls_client) {
        ctx_.set_default_verify_paths();
        boost::system::error_code ec;
        if (!o.ca_file.empty()) ctx_.load_verify_file(o.ca_file, ec);
        inner_ = std::make_unique<ws_transport<beast::ssl_stream<beast::tcp_stream>>>(ex, std::move(o), std::move(url), &ctx_);
    }
    asio::awaitable<boost::system::error_code> open(std::string& d) override { return inner_->open(d); }
    asio::awaitable<boost::system::error_code> read(std::deque<xml_event>& out, std::string& d) override { return inner_->read(out, d); }
    asio::awaitable<boost::system::error_code> write(const std::string& data) override { return inner_->write(data); }
    asio::awaitable<boost::system::error_code> start_tls() override { return inner_->start_tls(); }
    void restart() override {}
    bool tls_active() const override { return true; }
    bool websocket() const override { return true; }
    write_scope scope(std::string_view c) const override { return inner_->scope(c); }
    std::string closing() const override { return inner_->closing(); }
    void close() override { inner_->close(); }
    std::string where() const override { return inner_->where(); }

private:
    ssl::context ctx_;
    std::unique_ptr<transport> inner_;
};

}  // namespace

std::unique_ptr<transport> make_websocket_transport(asio::any_io_executor ex, transport_options o) {
    ws_url url;
    if (!parse_ws_url(o.websocket_url, url)) return nullptr;
    if (url.tls) return std::make_unique<wss_holder>(ex, std::move(o), std::move(url));
    return std::make_unique<ws_transport<beast::tcp_stream>>(ex, std::move(o), std::move(url), nullptr);
}

}  // namespace jigasi::xmpp
