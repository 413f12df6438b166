// The connection's way up (connection_impl.hpp): a fresh transport and stream_fsm negotiation, for
// open() and for each XEP-0198 resumption attempt, and its way down when cancelled.

#include "xmpp/connection_impl.hpp"

#include "core/backoff.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;

namespace jigasi::xmpp {

namespace {
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
using clock = std::chrono::steady_clock;

std::error_code to_std(const boost::system::error_code& ec) { return ec; }
}  // namespace

asio::awaitable<bool> run_cancelled() {
    co_return (co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none;
}

connection::impl::impl(asio::any_io_executor e, connection_options o, core::log_channel l)
    : ex(e), opts(std::move(o)), log(std::move(l)), fsm(opts.stream), sm(opts.sm), wake_writer(e), pause(e) {
    wake_writer.expires_at(clock::time_point::max());
}

asio::awaitable<bool> connection::impl::perform(stream_fsm::actions acts, std::error_code& err, std::string& why) {
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
        case stream_action::kind::ready: co_return true;
        case stream_action::kind::fail:
            err = a.ec;
            why = a.data;
            co_return false;
        }
    }
    co_return false;
}

asio::awaitable<std::error_code> connection::impl::negotiate(stream_settings s, std::string host, std::uint16_t port,
                                                             std::chrono::seconds connect_timeout,
                                                             std::chrono::seconds timeout, std::string& diag) {
    transport_options t;
    t.host = std::move(host);
    t.port = port;
    t.websocket_url = opts.websocket_url;
    t.direct_tls = s.tls == config::xmpp_tls::direct;
    t.verify_tls = opts.verify_tls;
    t.ca_file = opts.ca_file;
    t.tls_name = s.domain;
    t.connect_timeout = connect_timeout;
    t.limits = opts.limits;
    if (link) link->close();
    link = t.websocket_url.empty() ? make_tcp_transport(ex, t) : make_websocket_transport(ex, t);
    events.clear();
    if (!link) {
        diag = "not a ws:// or wss:// URL: " + t.websocket_url;
        co_return std::make_error_code(std::errc::invalid_argument);
    }
    if (auto ec = co_await link->open(diag)) co_return to_std(ec);
    s.tls_active = link->tls_active();
    s.websocket = link->websocket();
    s.resume_max = opts.resume_window;
    fsm = stream_fsm(std::move(s));

    std::error_code err;
    bool done = false;
    asio::steady_timer deadline(ex);
    deadline.expires_after(timeout);
    auto steps = [&]() -> asio::awaitable<void> {
        done = co_await perform(fsm.start(), err, diag);
        while (!done && !err) {
            if (events.empty()) {
                if (auto ec = co_await link->read(events, diag)) {
                    err = to_std(ec);
                    if (ec == asio::error::eof) diag = "the server closed the connection during negotiation";
                    co_return;
                }
            }
            while (!done && !err && !events.empty()) {
                auto ev = std::move(events.front());
                events.pop_front();
                done = co_await perform(fsm.on_event(ev), err, diag);
            }
        }
    };
    auto outcome = co_await (steps() || deadline.async_wait(tuple_awaitable));
    if (outcome.index() == 1) {
        diag = "stream negotiation with " + link->where() + " timed out after " +
               std::to_string(timeout.count()) + " s";
        co_return std::make_error_code(std::errc::timed_out);
    }
    if (!done) co_return err ? err : std::make_error_code(std::errc::protocol_error);
    co_return std::error_code{};
}

asio::awaitable<std::error_code> connection::impl::resume(std::string& diag, std::size_t& resent) {
    const sm_grant grant = sm.grant();
    const auto window = grant.max.count() > 0 ? std::min(grant.max, opts.resume_window) : opts.resume_window;
    const auto deadline = clock::now() + window;
    std::string host = opts.host;
    std::uint16_t port = opts.port;
    if (!grant.location.empty() && opts.websocket_url.empty()) parse_sm_location(grant.location, host, port);
    resuming = true;
    // A hiccup is short: the first attempt goes at once, then 250 ms doubling to 1 s.
    core::backoff backoff(250ms, 1000ms, static_cast<std::uint64_t>(clock::now().time_since_epoch().count()));
    std::error_code last;
    std::string last_why;
    int attempts = 0;
    bool refused = false;  // the server answered, and no: another attempt would not help
    while (!closing && clock::now() < deadline) {
        if (attempts > 0) {
            pause.expires_at(std::min(clock::now() + backoff.next(), deadline));
            co_await pause.async_wait(tuple_awaitable);
            const bool stop = co_await run_cancelled();
            if (stop || closing || clock::now() >= deadline) break;
        }
        ++attempts;
        const auto left = std::chrono::ceil<std::chrono::seconds>(deadline - clock::now());
        stream_settings s = opts.stream;
        s.resume = resume_point{grant.id, sm.handled(), jid};
        last = co_await negotiate(std::move(s), host, port, std::min(opts.connect_timeout, left),
                                  std::min(opts.negotiate_timeout, left), last_why);
        const bool stop = co_await run_cancelled();
        if (stop || closing) {
            if (!last) {
                const std::string bye = link->closing();  // a session we got back, ended on purpose
                co_await link->write(bye);
            }
            break;
        }
        if (last) {
            log.debug("resumption attempt ", attempts, ": ", last_why);
            refused = last.category() == stream_category() && last != stream_errc::closed;
            if (refused) break;
            continue;
        }
        std::optional<std::vector<std::string>> again;
        if (!fsm.resumed()) {
            // §5 <failed/>: the server has dropped the session. What the caller built on it (rooms,
            // presence) is gone too, so this fresh stream is ended rather than handed over.
            last = sm_errc::resume_failed;
            last_why = "session " + grant.id + " could not be resumed (" + fsm.resume_failure() + ")";
        } else if (again = sm.on_resumed(*fsm.resumed_h(), last, last_why); !again) {
            last_why = "resuming session " + grant.id + ": " + last_why;
        }
        if (last) {
            const std::string bye = link->closing();
            co_await link->write(bye);
            link->close();
            refused = true;
            break;
        }
        outbox.assign(std::make_move_iterator(again->begin()), std::make_move_iterator(again->end()));
        resent = outbox.size();
        resuming = false;
        co_return std::error_code{};
    }
    resuming = false;
    const bool stop = co_await run_cancelled();
    if (stop) co_return std::make_error_code(std::errc::operation_canceled);
    if (closing) co_return std::error_code{};
    if (refused) {
        diag = last.category() == sm_category() ? last_why : "resuming session " + grant.id + ": " + last_why;
        co_return last;
    }
    diag = "session " + grant.id + " not resumed within " + std::to_string(window.count()) + " s (" +
           std::to_string(attempts) + " attempts" + (last_why.empty() ? ")" : ", last: " + last_why + ")");
    co_return std::make_error_code(std::errc::timed_out);
}

asio::awaitable<void> connection::impl::goodbye() {
    if (!link || resuming) co_return;
    if (!closing) {
        if (sm.enabled()) outbox.push_back(out(sm.ack()));  // XEP-0198 §4: the last count first
        outbox.push_back(link->closing());
        closing = true;
    }
    // Without the closing tag a resumable session would be kept by the server (in our rooms,
    // taking stanzas) for its whole window after we are gone.
    asio::steady_timer limit(ex);
    limit.expires_after(1s);
    auto flush = [&]() -> asio::awaitable<void> {
        while (!outbox.empty()) {
            const std::string data = std::move(outbox.front());
            outbox.pop_front();
            if (co_await link->write(data)) co_return;
        }
    };
    co_await (flush() || limit.async_wait(tuple_awaitable));
}

}  // namespace jigasi::xmpp
