// The public side of a connection (connection.hpp) and its run loop; connecting, negotiating and
// resuming are in connection_negotiate.cpp.

#include "xmpp/connection_impl.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace jigasi::xmpp {

namespace {
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
using clock = std::chrono::steady_clock;

std::error_code to_std(const boost::system::error_code& ec) { return ec; }

/// The link itself failed (reset, EOF without </stream:stream>, write error): the stream may be
/// resumed. The transports report XML they cannot read in the generic category: not a link failure.
bool link_failure(const boost::system::error_code& ec) {
    return ec && ec.category() != boost::system::generic_category();
}
}  // namespace

std::string iq_outcome::condition() const {
    if (!reply) return {};
    const element* err = reply->child("error");
    if (!err) return {};
    for (const auto* c : err->elements())
        if (c->ns() == ns::stanzas_error && c->name() != "text") return c->name();
    return "undefined-condition";
}

connection::connection(asio::any_io_executor strand, connection_options opts, core::log_channel log)
    : impl_(std::make_unique<impl>(strand, std::move(opts), std::move(log))) {}

connection::~connection() = default;

const std::string& connection::jid() const { return impl_->jid; }
asio::any_io_executor connection::executor() const { return impl_->ex; }
bool connection::is_open() const { return impl_->ready && !impl_->closing; }
std::string connection::next_id() { return "j" + std::to_string(++impl_->ids); }

asio::awaitable<std::error_code> connection::open() {
    auto& d = *impl_;
    if (auto ec = co_await d.negotiate(d.opts.stream, d.opts.host, d.opts.port, d.opts.connect_timeout,
                                       d.opts.negotiate_timeout, diagnostic_))
        co_return ec;
    d.ready = true;
    d.jid = d.fsm.jid();
    std::string sm_note;
    if (const auto& g = d.fsm.sm()) {
        d.sm.start(*g);
        const std::string window = g->max.count() ? std::to_string(g->max.count()) + " s" : "an unsaid time";
        sm_note = g->resume ? "; XEP-0198 session " + g->id + ", resumable for " + window
                            : "; XEP-0198 without resumption";
    } else if (!d.fsm.sm_failure().empty()) {
        sm_note = "; XEP-0198 refused (" + d.fsm.sm_failure() + ")";
    }
    d.log.info("stream ready as ", d.jid, " (", d.link->websocket() ? "WebSocket, " : "",
               d.fsm.tls_active() ? "TLS" : "no TLS", d.fsm.mechanism().empty() ? "" : ", " + d.fsm.mechanism(), ")",
               sm_note);
    co_return std::error_code{};
}

void connection::send(const element& stanza) {
    auto& d = *impl_;
    if (d.closing || !d.link) return;
    std::string data = d.out(stanza);
    if (sm_counts(stanza) && d.sm.on_outbound(data))
        d.log.warning("XEP-0198: ", d.sm.unacked(), " stanzas unacknowledged (over ", d.opts.sm.max_unacked, " or ",
                      d.opts.sm.max_unacked_bytes, " bytes): session ", d.sm.grant().id,
                      " cannot be resumed until the server acknowledges them");
    d.outbox.push_back(std::move(data));
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
    d.closing = true;
    if (d.resuming) {
        // No stream to close politely: stop the attempt under way.
        d.pause.cancel();
        d.link->close();
        return;
    }
    if (d.sm.enabled()) d.outbox.push_back(d.out(d.sm.ack()));  // XEP-0198 §4: the last count first
    d.outbox.push_back(d.link->closing());
    d.wake_writer.cancel();
}

asio::awaitable<std::error_code> connection::run(stanza_handler on_stanza) {
    auto& d = *impl_;
    // Cancelled (shutdown), we still say goodbye below: house style §5.
    co_await asio::this_coro::throw_if_cancelled(false);
    std::error_code why;
    // The first reason the stream ends wins (a polite close, then the server's closing tag).
    auto end_with = [&](std::error_code ec, std::string diag) {
        if (why) return;
        why = ec;
        if (!diag.empty()) diagnostic_ = std::move(diag);
    };
    for (;;) {
        bool broke = false;  // the link failed under a healthy stream: XEP-0198 may resume it
        // Reader: parse, answer waiters and <r/>, hand out stanzas, ping on idle (XEP-0199 §4.2).
        auto reader = [&]() -> asio::awaitable<void> {
            asio::steady_timer idle(d.ex);
            bool ping_out = false;
            for (;;) {
                while (!d.events.empty()) {
                    auto ev = std::move(d.events.front());
                    d.events.pop_front();
                    if (ev.type == xml_event::kind::stream_close) {
                        end_with(make_error_code(stream_errc::closed), d.closing ? "" : "the server closed the stream");
                        co_return;
                    }
                    if (ev.type != xml_event::kind::stanza) continue;
                    const element& s = ev.stanza;
                    if (s.is("error", ns::stream)) {
                        auto info = read_stream_error(s);
                        end_with(make_error_code(stream_errc::stream_error),
                                 "stream error " + info.condition + (info.text.empty() ? "" : ": " + info.text));
                        co_return;
                    }
                    if (s.ns() == ns::sm) {
                        auto r = d.sm.on_element(s);
                        if (d.closing) continue;  // nothing after </stream:stream>
                        if (r.reply) d.outbox.push_back(d.out(*r.reply));
                        if (r.ec) {
                            // §4: a count we cannot trust ends the stream (error sent, then closed).
                            end_with(r.ec, "XEP-0198: " + r.diagnostic);
                            d.outbox.push_back(d.link->closing());
                            d.closing = true;
                        }
                        d.wake_writer.cancel();
                        continue;
                    }
                    if (sm_counts(s)) d.sm.on_inbound();
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
                        broke = !d.closing;
                        end_with(std::make_error_code(std::errc::timed_out),
                                 "no answer to a ping for " + std::to_string(d.opts.ping_timeout.count()) + " s");
                        co_return;
                    }
                    // XEP-0199 §4.2: a client pings its server; a component pings the server's domain.
                    element ping("iq", std::string(d.content_ns()));
                    ping.set_attr("type", "get").set_attr("id", "ping-" + next_id());
                    const std::string& domain = d.opts.stream.domain;
                    if (d.opts.stream.component) ping.set_attr("from", d.jid).set_attr("to", domain.substr(domain.find('.') + 1));
                    else ping.set_attr("to", domain);
                    ping.add("ping", std::string(ns::ping));
                    send(ping);
                    ping_out = true;
                    continue;
                }
                if (auto ec = std::get<0>(r)) {
                    broke = !d.closing && link_failure(ec);
                    end_with(to_std(ec), d.closing ? "" : diag);
                    co_return;
                }
                ping_out = false;  // any traffic proves the stream alive
            }
        };
        // Writer: the outbox in order, <r/> when acks are due; after the closing tag, nothing.
        auto writer = [&]() -> asio::awaitable<void> {
            for (;;) {
                while (!d.outbox.empty()) {
                    std::string data = std::move(d.outbox.front());
                    d.outbox.pop_front();
                    if (auto ec = co_await d.link->write(data)) {
                        broke = !d.closing;
                        end_with(to_std(ec), "write: " + ec.message());
                        co_return;
                    }
                    // XEP-0198 §4: after a burst, ask how much of it the server has handled.
                    if (d.outbox.empty() && !d.closing && d.sm.request_due()) d.outbox.push_back(d.out(d.sm.request()));
                }
                if (d.closing) {
                    // RFC 6120 §4.4: wait briefly for the server's closing tag, then drop the link.
                    asio::steady_timer grace(d.ex);
                    grace.expires_after(std::chrono::seconds(2));
                    co_await grace.async_wait(tuple_awaitable);
                    co_return;
                }
                // A few stanzas waiting quietly for an ack get an <r/> of their own after a while.
                if (d.sm.request_pending()) d.wake_writer.expires_after(d.opts.ack_request);
                else d.wake_writer.expires_at(clock::time_point::max());
                auto [wec] = co_await d.wake_writer.async_wait(tuple_awaitable);
                if (!wec && !d.closing && d.sm.request_pending()) d.outbox.push_back(d.out(d.sm.request()));
            }
        };
        co_await (reader() || writer());
        if (co_await run_cancelled()) {
            co_await d.goodbye();
            why = std::make_error_code(std::errc::operation_canceled);
            break;
        }
        d.link->close();
        if (!broke || d.closing || !d.sm.enabled() || !d.sm.grant().resume) break;
        if (!d.sm.resumable()) {
            d.log.notice("stream lost (", diagnostic_, "); session ", d.sm.grant().id, " cannot be resumed: ",
                         d.sm.unacked(), " unacknowledged stanzas were not kept");
            break;
        }
        // XEP-0198 §5: a new link, the same session.
        d.log.notice("stream lost (", diagnostic_, "), resuming session ", d.sm.grant().id);
        const auto lost = clock::now();
        std::size_t resent = 0;
        std::string diag;
        if (auto ec = co_await d.resume(diag, resent)) {
            why = ec;
            if (!diag.empty()) diagnostic_ = diag;
            break;
        }
        if (d.closing) {
            why = {};
            break;
        }
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - lost).count();
        d.log.info("stream resumed after ", ms, " ms, ", resent, " stanzas resent");
        why = {};
        diagnostic_.clear();
    }
    d.ready = false;
    for (auto& [id, w] : d.waiters) w->wake.cancel();  // their request() sees connection_aborted
    d.link->close();
    if (d.closing && (!why || why == make_error_code(stream_errc::closed))) co_return std::error_code{};
    co_return why ? why : make_error_code(stream_errc::closed);
}

}  // namespace jigasi::xmpp
