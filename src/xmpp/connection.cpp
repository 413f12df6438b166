#include "xmpp/connection.hpp"

#include "xmpp/transport.hpp"
#include "xmpp/xml_writer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <deque>
#include <map>

namespace asio = boost::asio;
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
    std::unique_ptr<transport> link;
    std::deque<xml_event> events;  ///< read but not handled yet
    stream_fsm fsm;
    std::deque<std::string> outbox;
    asio::steady_timer wake_writer;
    std::map<std::string, waiter*> waiters;
    bool ready = false, closing = false;
    unsigned ids = 0;

    impl(asio::any_io_executor e, connection_options o, core::log_channel l)
        : ex(e), opts(std::move(o)), log(std::move(l)), fsm(opts.stream), wake_writer(e) {
        wake_writer.expires_at(clock::time_point::max());
    }

    std::string_view content_ns() const { return opts.stream.component ? ns::component : ns::client; }

    /// Performs negotiation actions; true once ready, false (with `err` set) on failure.
    asio::awaitable<bool> perform(stream_fsm::actions acts, std::error_code& err, std::string& why) {
        for (std::size_t i = 0; i < acts.size(); ++i) {
            auto& a = acts[i];
            switch (a.type) {
            case stream_action::kind::send:
                if (auto ec = co_await link->write(a.data)) {
                    err = to_std(ec);
                    why = "write: " + ec.message();
                    co_return false;
                }
                break;
            case stream_action::kind::start_tls: {
                if (auto ec = co_await link->start_tls()) {
                    err = to_std(ec);
                    why = "TLS handshake with " + link->where() + ": " + ec.message();
                    co_return false;
                }
                auto more = fsm.on_tls_established();
                acts.insert(acts.end(), more.begin(), more.end());
                break;
            }
            case stream_action::kind::restart:
                link->restart();
                events.clear();
                break;
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
    transport_options t;
    t.host = d.opts.host;
    t.port = d.opts.port;
    t.websocket_url = d.opts.websocket_url;
    t.direct_tls = d.opts.stream.tls == config::xmpp_tls::direct;
    t.verify_tls = d.opts.verify_tls;
    t.ca_file = d.opts.ca_file;
    t.tls_name = d.opts.stream.domain;
    t.connect_timeout = d.opts.connect_timeout;
    t.limits = d.opts.limits;
    d.link = t.websocket_url.empty() ? make_tcp_transport(d.ex, t) : make_websocket_transport(d.ex, t);
    if (!d.link) {
        diagnostic_ = "not a ws:// or wss:// URL: " + t.websocket_url;
        co_return std::make_error_code(std::errc::invalid_argument);
    }
    if (auto ec = co_await d.link->open(diagnostic_)) co_return to_std(ec);
    d.opts.stream.tls_active = d.link->tls_active();
    d.opts.stream.websocket = d.link->websocket();
    d.fsm = stream_fsm(d.opts.stream);

    std::error_code err;
    asio::steady_timer deadline(d.ex);
    deadline.expires_after(d.opts.negotiate_timeout);
    auto negotiate = [&]() -> asio::awaitable<void> {
        if (co_await d.perform(d.fsm.start(), err, diagnostic_)) co_return;
        while (!err) {
            if (d.events.empty()) {
                if (auto ec = co_await d.link->read(d.events, diagnostic_)) {
                    err = to_std(ec);
                    if (ec == asio::error::eof) diagnostic_ = "the server closed the connection during negotiation";
                    co_return;
                }
            }
            while (!err && !d.ready && !d.events.empty()) {
                auto ev = std::move(d.events.front());
                d.events.pop_front();
                if (co_await d.perform(d.fsm.on_event(ev), err, diagnostic_)) co_return;
            }
            if (d.ready) co_return;
        }
    };
    auto outcome = co_await (negotiate() || deadline.async_wait(tuple_awaitable));
    if (outcome.index() == 1) {
        diagnostic_ = "stream negotiation with " + d.link->where() + " timed out after " +
                      std::to_string(d.opts.negotiate_timeout.count()) + " s";
        co_return std::make_error_code(std::errc::timed_out);
    }
    if (!d.ready) co_return err ? err : std::make_error_code(std::errc::protocol_error);
    d.log.info("stream ready as ", d.fsm.jid(), " (", d.link->websocket() ? "WebSocket, " : "",
               d.fsm.tls_active() ? "TLS" : "no TLS", d.fsm.mechanism().empty() ? "" : ", " + d.fsm.mechanism(), ")");
    co_return std::error_code{};
}

void connection::send(const element& stanza) {
    auto& d = *impl_;
    if (d.closing || !d.link) return;
    d.outbox.push_back(write(stanza, d.link->scope(d.content_ns())));
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
    if (d.closing || !d.link) return;
    d.outbox.push_back(d.link->closing());
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
            while (!d.events.empty()) {
                auto ev = std::move(d.events.front());
                d.events.pop_front();
                if (ev.type == xml_event::kind::stream_close) {
                    why = make_error_code(stream_errc::closed);
                    if (!d.closing) diagnostic_ = "the server closed the stream";
                    co_return;
                }
                if (ev.type != xml_event::kind::stanza) continue;
                const element& s = ev.stanza;
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
            std::string diag;
            auto r = co_await (d.link->read(d.events, diag) || idle.async_wait(tuple_awaitable));
            if (r.index() == 1) {
                if (ping_out) {
                    diagnostic_ = "no answer to a ping for " + std::to_string(d.opts.ping_timeout.count()) + " s";
                    why = std::make_error_code(std::errc::timed_out);
                    co_return;
                }
                // XEP-0199 §4.2: a client pings its server; a component pings the server's domain.
                element ping("iq", std::string(d.content_ns()));
                ping.set_attr("type", "get").set_attr("id", "ping-" + next_id());
                const std::string& domain = d.opts.stream.domain;
                if (d.opts.stream.component) ping.set_attr("from", d.fsm.jid()).set_attr("to", domain.substr(domain.find('.') + 1));
                else ping.set_attr("to", domain);
                ping.add("ping", std::string(ns::ping));
                send(ping);
                ping_out = true;
                continue;
            }
            if (auto ec = std::get<0>(r)) {
                why = to_std(ec);
                if (!d.closing) diagnostic_ = diag;
                co_return;
            }
            ping_out = false;  // any traffic proves the stream alive
        }
    };
    // Writer: the outbox in order; after the closing tag, the socket is shut.
    auto writer = [&]() -> asio::awaitable<void> {
        for (;;) {
            while (!d.outbox.empty()) {
                std::string data = std::move(d.outbox.front());
                d.outbox.pop_front();
                if (auto ec = co_await d.link->write(data)) {
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
    d.link->close();
    if (d.closing && (!why || why == make_error_code(stream_errc::closed))) co_return std::error_code{};
    co_return why ? why : make_error_code(stream_errc::closed);
}

}  // namespace jigasi::xmpp
