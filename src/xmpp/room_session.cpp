#include "xmpp/room_session.hpp"

#include "core/backoff.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <random>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;

namespace jigasi::xmpp {

namespace {
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view caps_node = "https://github.com/jigasi-ng/jigasi-ng";

std::uint32_t draw() {
    std::random_device rd;
    return rd();
}

jid focus_occupant(const jid& room) {
    auto f = room.with_resource("focus");
    return f ? *f : room;
}
}  // namespace

std::string_view to_string(room_end e) {
    switch (e) {
    case room_end::left: return "left";
    case room_end::connect_failed: return "connect-failed";
    case room_end::focus_refused: return "focus-refused";
    case room_end::join_refused: return "join-refused";
    case room_end::join_timeout: return "join-timeout";
    case room_end::invite_timeout: return "invite-timeout";
    case room_end::kicked: return "kicked";
    case room_end::destroyed: return "destroyed";
    case room_end::stream_lost: return "stream-lost";
    case room_end::cancelled: return "cancelled";
    case room_end::lobby_rejected: return "lobby-rejected";
    case room_end::lobby_closed: return "lobby-closed";
    }
    return "unknown";
}

room_session::room_session(room_session_options opts, core::log_channel log)
    : opts_(std::move(opts)), log_(std::move(log)), disco_(jigasi_disco_info(opts_.audio_mute_feature)),
      gate_(focus_occupant(opts_.room)) {
    opts_.conference.room = opts_.room;
    auto& p = opts_.presence;
    p.caps_node = std::string(caps_node);
    p.caps_ver = caps_ver(disco_);
    if (p.features.empty()) p.features = presence_features(opts_.audio_mute_feature);
    if (!p.audio_muted) p.audio_muted = false;  // Jicofo reads <audiomuted> for jigasi (§3.3)
}

room_session::~room_session() = default;

jid room_session::occupant() const { return muc_ ? muc_->occupant_jid() : jid{}; }
const std::string& room_session::own_jid() const {
    static const std::string none;
    return conn_ ? conn_->jid() : none;
}

void room_session::wake() {
    if (wake_) wake_->cancel();
}

asio::awaitable<void> room_session::sleep(std::chrono::steady_clock::duration d) {
    wake_->expires_after(d);
    co_await wake_->async_wait(tuple_awaitable);
}

void room_session::finish(room_end why, std::string detail) {
    if (outcome_) return;
    outcome_ = room_outcome{why, std::move(detail), {}, {}, {}};
    if (conn_) conn_->close();
    wake();
}

asio::awaitable<room_outcome> room_session::run(room_observer& observer) {
    const auto ex = co_await asio::this_coro::executor;
    observer_ = &observer;
    wake_ = std::make_unique<asio::steady_timer>(ex);
    conn_ = std::make_shared<connection>(ex, opts_.connection, log_);
    if (auto ec = co_await conn_->open()) {
        const std::string why = conn_->diagnostic().empty() ? ec.message() : conn_->diagnostic();
        co_return room_outcome{room_end::connect_failed, why, {}, {}, {}};
    }
    auto result = co_await (conn_->run([this](const element& s) { on_stanza(s); }) || flow());
    if (!outcome_) {
        const auto ec = result.index() == 0 ? std::get<0>(result) : std::error_code{};
        const auto cancelled = (co_await asio::this_coro::cancellation_state).cancelled();
        if (cancelled != asio::cancellation_type::none) outcome_ = room_outcome{room_end::cancelled, "cancelled", {}, {}, {}};
        else outcome_ = room_outcome{room_end::stream_lost,
                                     conn_->diagnostic().empty() ? (ec ? ec.message() : "the stream ended") : conn_->diagnostic(),
                                     {}, {}, {}};
    }
    observer_ = nullptr;
    co_return *outcome_;
}

/// The steps after the stream is up; the stanza handler moves it on through wake().
asio::awaitable<void> room_session::flow() {
    bool in_room = co_await ask_focus();
    if (in_room) in_room = co_await join();
    if (in_room) {
        joined_ = true;
        observer_->on_joined(*this);
        if (opts_.invite_timeout.count() > 0 && !outcome_) {
            const auto deadline = std::chrono::steady_clock::now() + opts_.invite_timeout;
            while (!offered_ && !outcome_ && std::chrono::steady_clock::now() < deadline)
                co_await sleep(deadline - std::chrono::steady_clock::now());
            if (!offered_ && !outcome_)
                finish(room_end::invite_timeout, "no session-initiate from the focus within " +
                                                     std::to_string(opts_.invite_timeout.count()) + " s");
        }
    }
    // Park: run() ends when the connection does (after finish() closed it, or on its own).
    for (;;) co_await sleep(24h);
}

/// §3.2: ask the focus until the conference is ready, within the join timeout.
asio::awaitable<bool> room_session::ask_focus() {
    const auto deadline = std::chrono::steady_clock::now() + opts_.join_timeout;
    core::backoff retry(500ms, 4000ms, draw());
    for (unsigned attempt = 1;; ++attempt) {
        auto iq = build_conference_iq(opts_.focus, conn_->next_id(), opts_.conference);
        const auto answer = co_await conn_->request(std::move(iq), opts_.focus_timeout);
        if (outcome_) co_return false;
        std::string why;
        conference_next next = conference_next::retry;
        if (!answer.reply) {
            why = "no answer from " + opts_.focus + " (" + answer.ec.message() + ")";
        } else if (auto reply = parse_conference_reply(*answer.reply); !reply) {
            why = "unreadable answer from " + opts_.focus + ": " + reply.error().diagnostic;
            next = conference_next::fail;
        } else {
            next = next_step(*reply, opts_.conference.visitors_enabled);
            why = reply->accepted ? "conference not ready"
                                  : "focus refused: " + reply->error.condition +
                                        (reply->error.text.empty() ? "" : " (" + reply->error.text + ")");
            if (next == conference_next::visitor_redirect) why = "the focus redirects to visitor node " + reply->answer.vnode;
            if (next == conference_next::wait_live) why = "the meeting is not live yet (visitor queue)";
        }
        if (next == conference_next::join) {
            log_.debug("conference ", opts_.room.to_string(), " ready after ", attempt, " request(s)");
            co_return true;
        }
        if (next != conference_next::retry) {
            finish(room_end::focus_refused, why);
            co_return false;
        }
        const auto backoff = retry.next();
        if (std::chrono::steady_clock::now() + backoff > deadline) {
            finish(room_end::join_timeout, why + "; gave up after " + std::to_string(attempt) + " request(s)");
            co_return false;
        }
        log_.debug(why, "; asking again in ", backoff.count(), " ms");
        co_await sleep(backoff);
        if (outcome_) co_return false;
    }
}

/// §3.3 join; a nick conflict draws a new nick, any other refusal ends the session.
asio::awaitable<bool> room_session::join() {
    auto deadline = std::chrono::steady_clock::now() + opts_.join_timeout;
    muc_.emplace(opts_.room, opts_.nick.empty() ? random_nick(draw()) : opts_.nick);
    for (unsigned conflicts = 0;;) {
        auto& p = opts_.presence;
        p.occupant = muc_->occupant_jid();
        p.join = true;
        p.password = opts_.password;
        gate_ = jingle_gate(focus_occupant(opts_.room));
        conn_->send(build_presence(p));
        p.join = false;
        p.password.reset();
        log_.info("joining ", opts_.room.to_string(), " as ", muc_->nick());
        while (muc_->current() == muc_room::state::joining && !refused_ && !outcome_ &&
               std::chrono::steady_clock::now() < deadline)
            co_await sleep(deadline - std::chrono::steady_clock::now());
        if (outcome_) co_return false;
        if (muc_->current() == muc_room::state::joined) co_return true;
        if (!refused_) {
            finish(room_end::join_timeout, "no answer to the join of " + opts_.room.to_string() + " within " +
                                               std::to_string(opts_.join_timeout.count()) + " s");
            co_return false;
        }
        const muc_event ev = std::move(*refused_);
        refused_.reset();
        if (ev.refusal == join_refusal::nick_conflict && ++conflicts <= opts_.max_nick_retries) {
            const std::string nick = random_nick(draw());
            log_.info("nick ", muc_->nick(), " in use in ", opts_.room.to_string(), "; trying ", nick);
            muc_->rejoin(nick);
            continue;
        }
        // §3.5: knock in the lobby; once let in, join again (the wait is not the join's).
        if (ev.refusal == join_refusal::members_only && opts_.wait_in_lobby && !ev.lobby_room.empty()) {
            const std::string lobby_room = ev.lobby_room;
            const bool admitted = co_await wait_in_lobby(lobby_room);
            if (!admitted) co_return false;
            muc_->rejoin(muc_->nick());
            deadline = std::chrono::steady_clock::now() + opts_.join_timeout;
            continue;
        }
        std::string detail(describe(ev.refusal));
        if (!ev.error.text.empty()) detail += " (" + ev.error.text + ")";
        finish(room_end::join_refused, detail);
        outcome_->refusal = ev.refusal;
        outcome_->lobby_room = ev.lobby_room;
        co_return false;
    }
}

void room_session::on_stanza(const element& s) {
    if (s.name() == "iq") return on_iq(s);
    if (lobby_ && on_lobby_stanza(s)) return;
    if (s.name() == "presence") return on_presence(s);
    if (s.name() == "message" && observer_) {
        // §3.6: AV moderation comes from a component (a JID without a local part), never a user.
        auto from = attr_jid(s, "from");
        if (!from || !from->local().empty() || !s.child("json-message", ns_jitmeet)) return;
        if (auto av = parse_av_moderation(s)) observer_->on_av_moderation(*this, *av);
        else log_.notice("unreadable AV moderation message from ", from->to_string(), ": ", av.error().diagnostic);
    }
}

void room_session::on_iq(const element& iq) {
    const auto type = iq.attr_or("type");
    if (type == "result" || type == "error") return;  // answers to nobody's request (RFC 6120 §8.2.3)
    if (type == "get" && is_disco_info_get(iq)) return conn_->send(build_disco_info_result(iq, disco_));
    if (type == "get" && iq.child("ping", ns::ping)) return conn_->send(iq_result(iq));
    if (type == "set" && iq.child("jingle", ns::jingle)) {
        auto verdict = gate_.on_iq(iq);
        conn_->send(verdict.reply);
        if (!verdict.message) {
            log_.notice("Jingle refused: ", verdict.refused);
            return;
        }
        if (verdict.message->act == jingle::action::session_initiate) {
            offered_ = true;
            wake();
        }
        log_.debug("Jingle ", verdict.message->action_name, " sid ", verdict.message->sid);
        if (observer_) observer_->on_jingle(*this, *verdict.message);
        return;
    }
    const element* first = iq.first_element();
    if (type == "set" && first && first->name() == "mute") {
        auto req = parse_mute(iq);
        if (!req) return conn_->send(iq_error(iq, {error_type::modify, "bad-request", req.error().diagnostic}));
        if (!mute_from_focus(*req, opts_.room)) {
            log_.notice("mute IQ from ", req->from.to_string(), " refused: not the focus");
            return conn_->send(iq_error(iq, mute_not_from_focus()));
        }
        if (req->media != mute_media::audio) return conn_->send(iq_error(iq, mute_unsupported()));
        conn_->send(build_mute_result(iq));
        log_.info("the focus asks to ", req->mute ? "mute" : "unmute", " audio",
                  req->actor ? " (moderator " + req->actor->to_string() + ")" : std::string());
        if (observer_) observer_->on_mute(*this, *req);
        return;
    }
    // §2.3: the web client sends Rayo hangup to our occupant; only the room's occupants may.
    if (type == "set" && first && first->name() == "hangup" && first->ns() == ns::rayo) {
        auto from = jid::parse(iq.attr_or("from"));
        if (!from || from->bare().to_string() != opts_.room.bare().to_string()) {
            log_.notice("Rayo hangup from ", iq.attr_or("from"), " refused: not an occupant of the room");
            return conn_->send(iq_error(iq, {error_type::auth, "forbidden", "only the room's occupants may hang up"}));
        }
        conn_->send(iq_result(iq));
        log_.info("Rayo hangup from ", from->to_string());
        if (observer_) observer_->on_hangup(*this, *from);
        return;
    }
    // RFC 6120 §8.4: an IQ nobody handles gets service-unavailable, never silence.
    if (type == "get" || type == "set") conn_->send(iq_error(iq, {error_type::cancel, "service-unavailable", {}}));
}

void room_session::on_presence(const element& p) {
    if (!muc_) return;
    auto ev = muc_->on_presence(p);
    if (!ev) return;
    switch (ev->kind) {
    case muc_event_kind::self_joined:
        log_.info("joined ", opts_.room.to_string(), " as ", muc_->nick(), " (", muc_->occupants().size(),
                  " other occupant(s))");
        wake();
        break;
    case muc_event_kind::join_refused:
        refused_ = std::move(*ev);
        wake();
        return;
    case muc_event_kind::kicked:
        finish(room_end::kicked, "removed from the room" + (ev->reason.empty() ? "" : ": " + ev->reason) +
                                     (ev->actor.empty() ? "" : " by " + ev->actor));
        break;
    case muc_event_kind::room_destroyed:
        finish(room_end::destroyed, "the room was destroyed" + (ev->reason.empty() ? "" : ": " + ev->reason));
        outcome_->alternate_room = ev->alternate_room;
        break;
    case muc_event_kind::self_left:
        finish(room_end::left, "left the room");
        break;
    default: break;
    }
    if (observer_ && joined_) observer_->on_room_event(*this, *ev);
}

asio::awaitable<iq_outcome> room_session::send_jingle(element jingle, std::chrono::milliseconds timeout) {
    element iq = make_iq("set", gate_.focus().to_string(), conn_->next_id());
    iq.add(std::move(jingle));
    co_return co_await conn_->request(std::move(iq), timeout);
}

void room_session::terminate_jingle(const jingle::reason& why) {
    if (gate_.sid().empty() || !conn_) return;
    element iq = make_iq("set", gate_.focus().to_string(), conn_->next_id());
    iq.add(jingle::build_session_terminate(gate_.sid(), why));
    conn_->send(iq);
    gate_.ended();
}

void room_session::report_ice_failed(const std::string& bridge_session_id) {
    if (gate_.sid().empty() || !conn_) return;
    element iq = make_iq("set", gate_.focus().to_string(), conn_->next_id());
    iq.add(jingle::build_ice_failed(gate_.sid(), bridge_session_id));
    conn_->send(iq);
}

void room_session::publish() {
    if (!conn_ || !muc_ || !joined_) return;
    opts_.presence.occupant = muc_->occupant_jid();
    opts_.presence.join = false;
    conn_->send(build_presence(opts_.presence));
}

void room_session::leave(std::string_view status) {
    if (outcome_) return;
    if (conn_ && muc_ && muc_->current() != muc_room::state::left) conn_->send(build_leave(muc_->occupant_jid(), status));
    if (conn_ && lobby_ && lobby_->current() == muc_room::state::joined) conn_->send(build_leave(lobby_->occupant_jid(), status));
    finish(room_end::left, status.empty() ? "left" : std::string(status));
}

}  // namespace jigasi::xmpp
