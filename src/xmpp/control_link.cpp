#include "xmpp/control_link.hpp"

#include "xmpp/link_retry.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <random>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;

namespace jigasi::xmpp {

namespace {
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr auto join_timeout = 10s;  // Jigasi's MUC_JOIN_TIMEOUT; a brewery we cannot enter is an outage

std::string random_resource() {
    std::random_device rd;
    char buf[24];
    std::snprintf(buf, sizeof buf, "jigasi-ng-%08x", static_cast<unsigned>(rd()));
    return buf;
}

bool cancelled(const asio::cancellation_state& s) { return s.cancelled() != asio::cancellation_type::none; }
}  // namespace

control_link::control_link(control_link_options opts, const config::store& cfg, core::health_registry& health,
                           core::log_channel log, stats_provider stats)
    : opts_(std::move(opts)), cfg_(cfg), health_(health), log_(std::move(log)), stats_(std::move(stats)) {}

asio::awaitable<void> control_link::run() {
    const auto ex = co_await asio::this_coro::executor;
    const std::string where = !opts_.websocket.empty() && !opts_.component ? opts_.websocket
                                                                            : opts_.host + ":" + std::to_string(opts_.port);
    link_retry retry(opts_.health_name, cfg_, health_, log_);
    asio::steady_timer wait(ex);
    health_.report(opts_.health_name, core::health_state::down, "connecting to " + where);
    for (;;) {
        const auto limits = retry.limits();
        connection_options o;
        o.host = opts_.host;
        o.port = opts_.port;
        if (!opts_.component) o.websocket_url = opts_.websocket;
        o.ca_file = opts_.ca_file;
        o.connect_timeout = std::chrono::seconds(limits.connect_timeout_s);
        o.stream.component = opts_.component;
        o.stream.domain = opts_.domain;
        o.stream.tls = opts_.component ? config::xmpp_tls::none : opts_.tls;  // XEP-0114 has no TLS
        o.stream.sasl.username = opts_.username;
        o.stream.sasl.password = opts_.password;
        o.stream.resource = random_resource();  // AUTO_GENERATE_RESOURCE (§1.1); also our brewery nick
        o.stream.secret = opts_.secret;
        auto conn = std::make_shared<connection>(ex, std::move(o), log_);
        const auto started = std::chrono::steady_clock::now();
        std::string why;
        if (co_await conn->open()) why = conn->diagnostic();
        else why = co_await serve(conn);
        if (cancelled(co_await asio::this_coro::cancellation_state)) co_return;
        // A session that held for a while was a success: start the backoff from the bottom.
        if (std::chrono::steady_clock::now() - started > 60s) retry.succeeded();
        wait.expires_after(retry.failed(why));
        auto [wec] = co_await wait.async_wait(tuple_awaitable);
        if (wec == asio::error::operation_aborted) co_return;
    }
}

asio::awaitable<std::string> control_link::serve(std::shared_ptr<connection> conn) {
    const auto ex = co_await asio::this_coro::executor;
    room_.reset();
    in_brewery_ = false;
    ended_why_.clear();
    std::optional<jid> occupant;
    std::optional<brewery_stats> last;
    if (opts_.component) {
        health_.report(opts_.health_name, core::health_state::up, "component " + opts_.domain + " connected");
    } else {
        auto own = jid::parse(conn->jid());
        auto room = jid::parse(opts_.brewery);
        if (!own || !room) co_return "bad brewery or bound JID: " + opts_.brewery + " / " + conn->jid();
        auto occ = brewery_occupant(*room, *own);
        if (!occ) co_return "bad brewery occupant JID: " + occ.error().diagnostic;
        occupant = *occ;
        room_.emplace(*room, own->resource());
        last = stats_();
        conn->send(build_brewery_presence(*occupant, *last, true));
        log_.info("joining the brewery ", opts_.brewery, " as ", own->resource());
    }
    // Brewery presence follows the numbers (§1.1: Jicofo picks the least loaded instance).
    auto presence_loop = [&]() -> asio::awaitable<void> {
        asio::steady_timer tick(ex);
        const auto join_deadline = std::chrono::steady_clock::now() + join_timeout;
        for (;;) {
            tick.expires_after(1s);
            co_await tick.async_wait(tuple_awaitable);
            if (!ended_why_.empty()) continue;  // closing; run() returns soon
            if (opts_.component) continue;
            if (!in_brewery_) {
                if (std::chrono::steady_clock::now() > join_deadline) {
                    ended_why_ = "no answer to the brewery join of " + opts_.brewery + " within 10 s";
                    conn->close();
                }
                continue;
            }
            auto now = stats_();
            if (needs_resend(last, now)) {
                conn->send(build_brewery_presence(*occupant, now, false));
                last = now;
            }
        }
    };
    auto result = co_await (conn->run([this, &conn](const element& s) { on_stanza(*conn, s); }) || presence_loop());
    std::string why = ended_why_;
    if (why.empty()) {
        const auto ec = std::get<0>(result);
        why = !conn->diagnostic().empty() ? conn->diagnostic() : ec ? ec.message() : "the stream ended";
    }
    room_.reset();
    co_return why;
}

void control_link::on_stanza(connection& conn, const element& s) {
    if (s.name() == "iq") return on_iq(conn, s);
    if (s.name() != "presence" || !room_) return;
    auto ev = room_->on_presence(s);
    if (!ev) return;
    switch (ev->kind) {
    case muc_event_kind::self_joined:
        in_brewery_ = true;
        health_.report(opts_.health_name, core::health_state::up,
                       "in brewery " + opts_.brewery + " as " + room_->nick() + " (" + conn.jid() + ")");
        log_.info("in the brewery ", opts_.brewery, " as ", room_->nick());
        break;
    case muc_event_kind::join_refused:
        ended_why_ = "brewery join refused: " + std::string(describe(ev->refusal)) +
                     (ev->error.text.empty() ? "" : " (" + ev->error.text + ")");
        conn.close();
        break;
    case muc_event_kind::kicked:
    case muc_event_kind::room_destroyed:
        ended_why_ = std::string(ev->kind == muc_event_kind::kicked ? "removed from" : "destroyed:") + " the brewery" +
                     (ev->reason.empty() ? "" : " (" + ev->reason + ")");
        conn.close();  // reconnect and rejoin
        break;
    default: break;
    }
}

void control_link::on_iq(connection& conn, const element& iq) {
    const auto type = iq.attr_or("type");
    if (type == "result" || type == "error") return;  // answers to nobody's request: ignore (RFC 6120 §8.2.3)
    if (type == "get") {
        if (is_disco_info_get(iq)) return conn.send(build_disco_info_result(iq, control_disco_info(opts_.component)));
        if (iq.child("ping", ns::ping)) return conn.send(iq_result(iq));  // XEP-0199 §4.3
    }
    if (type == "set" && iq.child("dial", ns::rayo)) {
        auto dial = parse_dial(iq, opts_.muc_domain);
        if (!dial) {
            log_.notice("Rayo dial refused (bad-request): ", dial.error().diagnostic);
            return conn.send(iq_error(iq, dial_bad_request(dial.error())));
        }
        // §1.1 ALLOWED_JID: only the brewery (Jicofo through it) may make us call out.
        if (!opts_.allowed_jid.empty()) {
            auto allowed = jid::parse(opts_.allowed_jid);
            if (!allowed || !dial_sender_allowed(dial->from, *allowed)) {
                log_.notice("Rayo dial from ", dial->from.to_string(), " refused: not ", opts_.allowed_jid);
                return conn.send(iq_error(iq, dial_forbidden()));
            }
        }
        log_.info("Rayo dial to ", dial->destination, " for ", dial->room.to_string(), " from ", dial->from.to_string());
        if (!dial_) {
            return conn.send(iq_error(iq, {error_type::cancel, "service-unavailable",
                                           "jigasi-ng: this build does not place calls from conferences yet"}));
        }
        auto weak = conn.weak_from_this();
        auto ex = conn.executor();
        dial_(*dial, iq, [weak, ex](element reply) {
            asio::post(ex, [weak, reply = std::move(reply)] {
                if (auto c = weak.lock()) c->send(reply);
            });
        });
        return;
    }
    if (type == "set" && iq.child("hangup", ns::rayo))
        return conn.send(iq_error(iq, {error_type::cancel, "item-not-found", "no such call"}));
    // RFC 6120 §8.4: an IQ nobody handles gets service-unavailable, never silence.
    conn.send(iq_error(iq, {error_type::cancel, "service-unavailable", {}}));
}

}  // namespace jigasi::xmpp
