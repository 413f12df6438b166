#include "support/canned_http.hpp"

#include "media/dtls/certificate.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <openssl/ssl.h>

#include <stdexcept>

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;

namespace jigasi::test {

struct canned_http_server::state {
    state(asio::io_context& c, std::string r, mode md)
        : ioc(c), acceptor(c, tcp::endpoint(asio::ip::address_v4::loopback(), 0)), reply(std::move(r)), m(md) {}
    asio::io_context& ioc;
    tcp::acceptor acceptor;
    std::string reply;
    mode m;
    std::vector<std::string> requests;
    std::vector<std::string> names;
    std::vector<std::shared_ptr<tcp::socket>> held;
    std::unique_ptr<ssl::context> tls;
    std::shared_ptr<const media::dtls::certificate> cert;
};

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
using state = canned_http_server::state;

int on_server_name(SSL* s, int*, void* arg) {
    const char* name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);
    static_cast<state*>(arg)->names.push_back(name ? name : "");
    return SSL_TLSEXT_ERR_OK;
}

asio::awaitable<void> serve(std::shared_ptr<state> st, std::shared_ptr<tcp::socket> sock) {
    if (st->m == canned_http_server::mode::tls) {
        ssl::stream<tcp::socket> tls(std::move(*sock), *st->tls);
        co_await tls.async_handshake(ssl::stream_base::server, tuple_awaitable);  // the client gives up
        co_return;
    }
    std::string head;
    auto got = co_await asio::async_read_until(*sock, asio::dynamic_buffer(head, 16384), "\r\n\r\n", tuple_awaitable);
    if (std::get<0>(got)) co_return;
    st->requests.push_back(head.substr(0, std::get<1>(got)));
    if (st->m == canned_http_server::mode::silent) {
        st->held.push_back(sock);
        co_return;
    }
    co_await asio::async_write(*sock, asio::buffer(st->reply), tuple_awaitable);
    boost::system::error_code ignored;
    sock->shutdown(tcp::socket::shutdown_send, ignored);
    sock->close(ignored);
}

asio::awaitable<void> accept_loop(std::shared_ptr<state> st) {
    for (;;) {
        auto accepted = co_await st->acceptor.async_accept(tuple_awaitable);
        if (std::get<0>(accepted)) co_return;
        auto sock = std::make_shared<tcp::socket>(std::move(std::get<1>(accepted)));
        asio::co_spawn(st->ioc, serve(st, sock), asio::detached);
    }
}

template <class T>
asio::awaitable<void> keep(asio::awaitable<T> op, std::optional<T>* out, asio::io_context* ioc) {
    auto v = co_await std::move(op);
    out->emplace(std::move(v));
    ioc->stop();
}

template <class T>
T run_to_end(asio::io_context& ioc, asio::awaitable<T> op, std::chrono::milliseconds limit) {
    std::optional<T> out;
    auto task = keep(std::move(op), &out, &ioc);
    asio::co_spawn(ioc, std::move(task), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    ioc.restart();
    ioc.run_for(limit);
    if (!out) throw std::runtime_error("the client coroutine did not finish in time");
    return std::move(*out);
}

}  // namespace

canned_http_server::canned_http_server(asio::io_context& ioc, std::string reply, mode m)
    : st_(std::make_shared<state>(ioc, std::move(reply), m)) {
    if (m == mode::tls) {
        auto cert = media::dtls::certificate::generate();
        if (!cert) throw std::runtime_error("test certificate: " + cert.error().diagnostic);
        st_->cert = *cert;
        st_->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
        SSL_CTX* ctx = st_->tls->native_handle();
        if (SSL_CTX_use_certificate(ctx, st_->cert->x509()) != 1 || SSL_CTX_use_PrivateKey(ctx, st_->cert->private_key()) != 1)
            throw std::runtime_error("test certificate not usable");
        SSL_CTX_set_tlsext_servername_callback(ctx, on_server_name);
        SSL_CTX_set_tlsext_servername_arg(ctx, st_.get());
    }
    asio::co_spawn(ioc, accept_loop(st_), asio::detached);
}

canned_http_server::~canned_http_server() {
    boost::system::error_code ignored;
    st_->acceptor.close(ignored);
    for (auto& s : st_->held) s->close(ignored);
}

std::uint16_t canned_http_server::port() const { return st_->acceptor.local_endpoint().port(); }

std::string canned_http_server::url(std::string_view target) const {
    return "http://127.0.0.1:" + std::to_string(port()) + std::string(target);
}

const std::vector<std::string>& canned_http_server::requests() const { return st_->requests; }
const std::vector<std::string>& canned_http_server::server_names() const { return st_->names; }

std::string canned_http_server::reply(unsigned status, std::string_view body, std::string_view content_type) {
    return "HTTP/1.1 " + std::to_string(status) + " Canned\r\nContent-Type: " + std::string(content_type) +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + std::string(body);
}

core::result<http::http_response> run(asio::io_context& ioc, asio::awaitable<core::result<http::http_response>> op,
                                      std::chrono::milliseconds limit) {
    return run_to_end(ioc, std::move(op), limit);
}

core::result<std::optional<std::string>> run(asio::io_context& ioc,
                                             asio::awaitable<core::result<std::optional<std::string>>> op,
                                             std::chrono::milliseconds limit) {
    return run_to_end(ioc, std::move(op), limit);
}

}  // namespace jigasi::test
