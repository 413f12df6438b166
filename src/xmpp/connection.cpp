#include "xmpp/connection.hpp"

#include "xmpp/xml_writer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
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
#include <deque>
#include <map>

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace jigasi::xmpp {

namespace {
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
using clock = std::chrono::steady_clock;

std::error_code to_std(const boost::system::error_code& ec) { return ec; }
}  // namespace

std::string iq_outcome::condition() const {
    if (!reply) return {};
    const element* err = reply->child("error");
    if (!err) return {};
    for (const auto* c : err->elements())
        if (c->ns() == ns::stanzas_error && c->name() != "text") return c->name();
    return "undefined-condition";
}

struct connection::impl {
    /// A request() waiting for its answer; the timer is its wake-up call.
    struct waiter {
        asio::steady_timer wake;
        std::optional<element> reply;
        explicit waiter(const asio::any_io_executor& ex) : wake(ex) {}
    };

    asio::any_io_executor ex;
    connection_options opts;
    core::log_channel log;
    tcp::socket socket;
    ssl::context ssl_ctx{ssl::context::tls_client};
    std::optional<ssl::stream<tcp::socket&>> tls;
    xml_parser parser;
    stream_fsm fsm;
    std::deque<std::string> outbox;
    asio::steady_timer wake_writer;
    std::map<std::string, waiter*> waiters;
    clock::time_point last_rx = clock::now();
    bool ready = false, closing = false;
    unsigned ids = 0;
    std::array<char, 16384> buf{};

    impl(asio::any_io_executor e, connection_options o, core::log_channel l)
        : ex(e), opts(std::move(o)), log(std::move(l)), socket(e), parser(opts.limits), fsm(opts.stream), wake_writer(e) {
        wake_writer.expires_at(clock::time_point::max());
    }

    asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_some() {
        auto [ec, n] = tls ? co_await tls->async_read_some(asio::buffer(buf), tuple_awaitable)
                           : co_await socket.async_read_some(asio::buffer(buf), tuple_awaitable);
        co_return std::pair{ec, n};
    }

    asio::awaitable<boost::system::error_code> write(const std::string& data) {
        auto [ec, n] = tls ? co_await asio::async_write(*tls, asio::buffer(data), tuple_awaitable)
                           : co_await asio::async_write(socket, asio::buffer(data), tuple_awaitable);
        co_return ec;
    }

    asio::awaitable<boost::system::error_code> tls_handshake() {
        ssl_ctx.set_default_verify_paths();
        boost::system::error_code ec;
        if (!opts.ca_file.empty()) ssl_ctx.load_verify_file(opts.ca_file, ec);
        if (ec) co_return ec;
        tls.emplace(socket, ssl_ctx);
        if (opts.verify_tls) {
            // RFC 6120 §13.7.2.1 / RFC 6125: the certificate must name the XMPP domain, not the host.
            tls->set_verify_mode(ssl::verify_peer);
            tls->set_verify_callback(ssl::host_name_verification(opts.stream.domain));
        } else {
            tls->set_verify_mode(ssl::verify_none);
        }
        SSL_set_tlsext_host_name(tls->native_handle(), opts.stream.domain.c_str());  // SNI
        auto [hec] = co_await tls->async_handshake(ssl::stream_base::client, tuple_awaitable);
        co_return hec;
    }

    /// Performs negotiation actions; true once ready, false (with `err` set) on failure.
    asio::awaitable<bool> perform(stream_fsm::actions acts, std::error_code& err, std::string& why) {
        for (std::size_t i = 0; i < acts.size(); ++i) {
            auto& a = acts[i];
            switch (a.type) {
            case stream_action::kind::send:
                if (auto ec = co_await write(a.data)) {
                    err = to_std(ec);
                    why = "write: " + ec.message();
                    co_return false;
                }
                break;
            case stream_action::kind::start_tls: {
                if (auto ec = co_await tls_handshake()) {
                    err = to_std(ec);
                    why = "TLS handshake with " + opts.host + ": " + ec.message();
                    co_return false;
                }
                auto more = fsm.on_tls_established();
                acts.insert(acts.end(), more.begin(), more.end());
                break;
            }
            case stream_action::kind::restart: parser.reset(); break;
            case stream_action::kind::ready: ready = true; co_return true;
            case stream_action::kind::fail:
                err = a.ec;
                why = a.data;
                co_return false;
            }
        }
        co_return false;
    }
};

connection::connection(asio::any_io_executor strand, connection_options opts, core::log_channel log)
    : impl_(std::make_unique<impl>(strand, std::move(opts), std::move(log))) {}

connection::~connection() = default;

const std::string& connection::jid() const { return impl_->fsm.jid(); }
asio::any_io_executor connection::executor() const { return impl_->ex; }
bool connection::is_open() const { return impl_->ready && !impl_->closing; }
std::string connection::next_id() { return "j" + std::to_string(++impl_->ids); }

asio::awaitable<std::error_code> connection::open() {
    auto& d = *impl_;
    const std::string where = d.opts.host + ":" + std::to_string(d.opts.port);
    tcp::resolver resolver(d.ex);
    auto [rec, endpoints] = co_await resolver.async_resolve(d.opts.host, std::to_string(d.opts.port), tuple_awaitable);
    if (rec) {
        diagnostic_ = "resolve " + d.opts.host + ": " + rec.message();
        co_return to_std(rec);
    }
    asio::steady_timer deadline(d.ex);
    deadline.expires_after(d.opts.connect_timeout);
    auto connected = co_await (asio::async_connect(d.socket, endpoints, tuple_awaitable) || deadline.async_wait(tuple_awaitable));
    if (connected.index() == 1) {
        diagnostic_ = "connect " + where + ": timed out";
        co_return std::make_error_code(std::errc::timed_out);
    }
    if (auto [cec, ep] = std::get<0>(connected); cec) {
        diagnostic_ = "connect " + where + ": " + cec.message();
        co_return to_std(cec);
    }
    d.socket.set_option(tcp::no_delay(true));
    if (d.opts.stream.tls == config::xmpp_tls::direct) {
        // XEP-0368: TLS from the first byte (port 5223 style).
        if (auto ec = co_await d.tls_handshake()) {
            diagnostic_ = "TLS handshake with " + where + ": " + ec.message();
            co_return to_std(ec);
        }
        d.opts.stream.tls_active = true;
        d.fsm = stream_fsm(d.opts.stream);
    }
    std::error_code err;
    deadline.expires_after(d.opts.negotiate_timeout);
    auto negotiate = [&]() -> asio::awaitable<void> {
        if (co_await d.perform(d.fsm.start(), err, diagnostic_)) co_return;
        while (!err) {
            auto [ec, n] = co_await d.read_some();
            if (ec) {
                err = to_std(ec);
                diagnostic_ = ec == asio::error::eof ? "the server closed the connection during negotiation" : "read: " + ec.message();
                co_return;
            }
            if (auto perr = d.parser.feed({d.buf.data(), n})) {
                err = perr;
                diagnostic_ = "unreadable XML from the server: " + d.parser.diagnostic();
                co_return;
            }
            while (!err && !d.ready) {
                auto ev = d.parser.next();
                if (!ev) break;
                if (co_await d.perform(d.fsm.on_event(*ev), err, diagnostic_)) co_return;
            }
            if (d.ready) co_return;
        }
    };
    auto outcome = co_await (negotiate() || deadline.async_wait(tuple_awaitable));
    if (outcome.index() == 1) {
        diagnostic_ = "stream negotiation with " + where + " timed out after " + std::to_string(d.opts.negotiate_timeout.count()) + " s";
        co_return std::make_error_code(std::errc::timed_out);
    }
    if (!d.ready) co_return err ? err : std::make_error_code(std::errc::protocol_error);
    d.last_rx = clock::now();
    d.log.info("stream ready as ", d.fsm.jid(), " (", d.fsm.tls_active() ? "TLS" : "no TLS",
               d.fsm.mechanism().empty() ? "" : ", " + d.fsm.mechanism(), ")");
    co_return std::error_code{};
}

void connection::send(const element& stanza) {
    auto& d = *impl_;
    if (d.closing) return;
    d.outbox.push_back(write(stanza, in_stream(d.opts.stream.component ? ns::component : ns::client)));
    d.wake_writer.cancel();
}

asio::awaitable<iq_outcome> connection::request(element iq, std::chrono::milliseconds timeout) {
    auto& d = *impl_;
    if (!iq.attr("id")) iq.set_attr("id", next_id());
    const std::string id(*iq.attr("id"));
    impl::waiter w(d.ex);
    d.waiters[id] = &w;
    w.wake.expires_after(timeout);
    send(iq);
    co_await w.wake.async_wait(tuple_awaitable);
    d.waiters.erase(id);
    iq_outcome out;
    if (w.reply) out.reply = std::move(w.reply);
    else out.ec = d.closing || !d.ready ? std::make_error_code(std::errc::connection_aborted)
                                         : std::make_error_code(std::errc::timed_out);
    co_return out;
}

void connection::close() {
    auto& d = *impl_;
    if (d.closing) return;
    d.outbox.push_back(std::string(stream_close()));
    d.closing = true;
    d.wake_writer.cancel();
}

asio::awaitable<std::error_code> connection::run(stanza_handler on_stanza) {
    auto& d = *impl_;
    std::error_code why;
    // Reader: parse, answer waiters, hand out stanzas, ping on idle (XEP-0199 §4.2).
    auto reader = [&]() -> asio::awaitable<void> {
        asio::steady_timer idle(d.ex);
        bool ping_out = false;
        for (;;) {
            while (auto ev = d.parser.next()) {
                if (ev->type == xml_event::kind::stream_close) {
                    why = make_error_code(stream_errc::closed);
                    co_return;
                }
                if (ev->type != xml_event::kind::stanza) continue;
                const element& s = ev->stanza;
                if (s.is("error", ns::stream)) {
                    auto info = read_stream_error(s);
                    diagnostic_ = "stream error " + info.condition + (info.text.empty() ? "" : ": " + info.text);
                    why = make_error_code(stream_errc::stream_error);
                    co_return;
                }
                const auto type = s.attr_or("type");
                if (s.name() == "iq" && (type == "result" || type == "error")) {
                    auto it = d.waiters.find(std::string(s.attr_or("id")));
                    if (it != d.waiters.end()) {
                        it->second->reply = s;
                        it->second->wake.cancel();
                        continue;
                    }
                }
                on_stanza(s);
            }
            idle.expires_after(ping_out ? d.opts.ping_timeout : d.opts.idle_ping);
            auto r = co_await (d.read_some() || idle.async_wait(tuple_awaitable));
            if (r.index() == 1) {
                if (ping_out) {
                    diagnostic_ = "no answer to a ping for " + std::to_string(d.opts.ping_timeout.count()) + " s";
                    why = std::make_error_code(std::errc::timed_out);
                    co_return;
                }
                element ping("iq", std::string(d.opts.stream.component ? ns::component : ns::client));
                ping.set_attr("type", "get").set_attr("id", "ping-" + next_id());
                if (d.opts.stream.component) ping.set_attr("from", d.fsm.jid());
                ping.set_attr("to", d.opts.stream.component ? d.opts.stream.domain.substr(d.opts.stream.domain.find('.') + 1)
                                                            : d.opts.stream.domain);
                ping.add("ping", std::string(ns::ping));
                send(ping);
                ping_out = true;
                continue;
            }
            auto [ec, n] = std::get<0>(r);
            if (ec) {
                why = to_std(ec);
                if (!d.closing) diagnostic_ = ec == asio::error::eof ? "the server closed the connection" : "read: " + ec.message();
                co_return;
            }
            ping_out = false;  // any traffic proves the stream alive
            d.last_rx = clock::now();
            if (auto perr = d.parser.feed({d.buf.data(), n})) {
                diagnostic_ = "unreadable XML from the server: " + d.parser.diagnostic();
                why = perr;
                co_return;
            }
        }
    };
    // Writer: the outbox in order; after the closing tag, the socket is shut.
    auto writer = [&]() -> asio::awaitable<void> {
        for (;;) {
            while (!d.outbox.empty()) {
                std::string data = std::move(d.outbox.front());
                d.outbox.pop_front();
                if (auto ec = co_await d.write(data)) {
                    why = to_std(ec);
                    diagnostic_ = "write: " + ec.message();
                    co_return;
                }
            }
            if (d.closing) {
                // RFC 6120 §4.4: wait briefly for the server's closing tag, then drop the link.
                asio::steady_timer grace(d.ex);
                grace.expires_after(std::chrono::seconds(2));
                co_await grace.async_wait(tuple_awaitable);
                co_return;
            }
            d.wake_writer.expires_at(clock::time_point::max());
            co_await d.wake_writer.async_wait(tuple_awaitable);
        }
    };
    co_await (reader() || writer());
    d.ready = false;
    for (auto& [id, w] : d.waiters) w->wake.cancel();  // their request() sees connection_aborted
    boost::system::error_code ignored;
    d.socket.shutdown(tcp::socket::shutdown_both, ignored);
    d.socket.close(ignored);
    if (d.closing && (!why || why == make_error_code(stream_errc::closed))) co_return std::error_code{};
    co_return why ? why : make_error_code(stream_errc::closed);
}

}  // namespace jigasi::xmpp
