// Knocking in a Jitsi lobby (jitsi-protocol.md §3.5), on the session's own connection: a
// moderator's admission is a mediated invitation (XEP-0045 §7.8.2) that makes our JID a member of
// the room, so the join that follows must come from the same JID (a new connection would knock
// again under another anonymous JID).
#include "xmpp/room_session.hpp"

namespace asio = boost::asio;

namespace jigasi::xmpp {

bool room_session::on_lobby_stanza(const element& s) {
    if (s.name() == "message") {
        auto inv = parse_invitation(s);
        if (!inv || inv->room.bare().to_string() != opts_.room.bare().to_string()) return false;
        log_.info("invited to ", inv->room.to_string(), inv->inviter.empty() ? "" : " by " + inv->inviter);
        invitation_ = std::move(*inv);
        wake();
        return true;
    }
    if (s.name() != "presence") return false;
    auto from = jid::parse(s.attr_or("from"));
    if (!from || from->bare().to_string() != lobby_->room().bare().to_string()) return false;
    auto ev = lobby_->on_presence(s);
    if (!ev) return true;
    switch (ev->kind) {
    case muc_event_kind::self_joined:
        log_.info("knocking in the lobby ", lobby_->room().to_string(), " as ", lobby_->nick());
        if (observer_) observer_->on_lobby(*this, true, {});
        break;
    case muc_event_kind::join_refused:
    case muc_event_kind::kicked:
    case muc_event_kind::room_destroyed:
    case muc_event_kind::self_left:
        lobby_end_ = std::move(*ev);
        wake();
        break;
    default: break;
    }
    return true;
}

asio::awaitable<bool> room_session::wait_in_lobby(const std::string& lobby_room) {
    auto where = jid::parse(lobby_room);
    if (!where || where->local().empty() || !where->resource().empty()) {
        finish(room_end::join_refused, "members only, and the lobby \"" + lobby_room + "\" is not a room");
        outcome_->refusal = join_refusal::members_only;
        co_return false;
    }
    lobby_.emplace(where->bare(), muc_->nick());
    invitation_.reset();
    lobby_end_.reset();
    auto p = opts_.presence;  // our display name shows the moderators who knocks
    p.occupant = lobby_->occupant_jid();
    p.join = true;
    p.password.reset();
    conn_->send(build_presence(p));
    log_.info("the room has a lobby; knocking in ", where->to_string());
    // The join of the lobby room is bounded like any join; the wait in it is the caller's to end.
    const auto deadline = std::chrono::steady_clock::now() + opts_.join_timeout;
    while (!invitation_ && !lobby_end_ && !outcome_) {
        const bool joined = lobby_->current() == muc_room::state::joined;
        const auto now = std::chrono::steady_clock::now();
        if (!joined && now >= deadline) {
            conn_->send(build_leave(lobby_->occupant_jid(), "no answer"));
            lobby_.reset();
            finish(room_end::lobby_closed, "no answer to the join of the lobby " + where->to_string() + " within " +
                                               std::to_string(opts_.join_timeout.count()) + " s");
            co_return false;
        }
        co_await sleep(joined ? std::chrono::steady_clock::duration(std::chrono::hours(24)) : deadline - now);
    }
    if (outcome_) co_return false;  // leave() (the caller gave up) or the stream ended
    if (invitation_) {
        // Also when the invitation beat our join's answer: no ghost knocker stays behind.
        conn_->send(build_leave(lobby_->occupant_jid(), "admitted"));
        if (invitation_->password) opts_.password = invitation_->password;
        lobby_.reset();
        if (observer_) observer_->on_lobby(*this, false, invitation_->inviter.empty() ? "a moderator" : invitation_->inviter);
        co_return true;
    }
    const muc_event ev = std::move(*lobby_end_);
    lobby_.reset();
    // The lobby turned off: its room is destroyed naming the room as the new venue (§3.5).
    if (ev.kind == muc_event_kind::room_destroyed) {
        auto alt = jid::parse(ev.alternate_room);
        if (alt && alt->bare().to_string() == opts_.room.bare().to_string()) {
            log_.info("the lobby was turned off");
            if (observer_) observer_->on_lobby(*this, false, {});
            co_return true;
        }
        finish(room_end::lobby_closed, "the lobby closed" + (ev.reason.empty() ? "" : ": " + ev.reason));
        co_return false;
    }
    if (ev.kind == muc_event_kind::kicked) {
        finish(room_end::lobby_rejected, "turned away in the lobby" + (ev.reason.empty() ? "" : ": " + ev.reason) +
                                             (ev.actor.empty() ? "" : " by " + ev.actor));
        co_return false;
    }
    finish(room_end::lobby_closed, ev.kind == muc_event_kind::join_refused
                                       ? "the lobby refused us: " + std::string(describe(ev.refusal))
                                       : std::string("we left the lobby"));
    co_return false;
}

}  // namespace jigasi::xmpp
