#pragma once
// The XMPP side of one call (jitsi-protocol.md §3): its own connection (anonymous or an account),
// the `conference` IQ to the focus until the conference is ready (§3.2), the MUC join with the
// §3.3 presence (a new nick on a conflict), disco#info and caps answers, then Jingle from the focus
// (through jingle_gate), the focus' mute IQ (§3.6) and AV moderation messages, handed to the call
// layer through room_observer; leave() ends it (§3.8).
//
// Everything runs on the executor given to run(), which must be a strand; the observer is called
// there, and the public members must be called there too.

#include "core/log.hpp"
#include "xmpp/connection.hpp"
#include "xmpp/focus.hpp"
#include "xmpp/jingle_gate.hpp"
#include "xmpp/muc.hpp"
#include "xmpp/muc_invite.hpp"
#include "xmpp/mute.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace jigasi::xmpp {

struct room_session_options {
    connection_options connection;   ///< stream.sasl.username empty: SASL ANONYMOUS (§3.1)
    jid room;                        ///< room@muc-domain
    std::string focus;               ///< where the conference IQ goes: focus.<domain> (§3.2)
    conference_request conference;   ///< its room is filled in from `room`
    participant_presence presence;   ///< occupant, join, password, caps, features filled in
    std::optional<std::string> password;
    std::string nick;                ///< first nick (e.g. sip_user_nick()); empty or taken: random_nick()
    bool audio_mute_feature = true;  ///< advertise audio-mute (§3.3): Jicofo then force-mutes us
    std::chrono::seconds join_timeout{30};    ///< conference ready + MUC join (Jigasi: 30 s)
    std::chrono::seconds invite_timeout{30};  ///< joined → session-initiate (JVB_INVITE_TIMEOUT); 0 = none
    std::chrono::seconds focus_timeout{10};   ///< one conference IQ
    unsigned max_nick_retries = 3;
    /// §3.5: a refusal naming a lobby room makes us knock there, on the same connection (the
    /// admission is for our JID), and wait for a moderator; else the refusal ends the session.
    bool wait_in_lobby = false;
};

/// Why run() ended.
enum class room_end : std::uint8_t {
    left,            ///< leave() was called
    connect_failed,  ///< TCP/TLS/login failed (detail says why)
    focus_refused,   ///< the conference IQ was refused, or never ready
    join_refused,    ///< the MUC refused us (refusal says why)
    join_timeout,    ///< no conference and join within join_timeout
    invite_timeout,  ///< joined, but no session-initiate within invite_timeout
    kicked,          ///< removed by the room (kick, ban, members-only)
    destroyed,       ///< the room was destroyed
    stream_lost,     ///< the connection ended under us
    cancelled,       ///< the task was cancelled (shutdown)
    lobby_rejected,  ///< a moderator turned us away in the lobby (kicked from it)
    lobby_closed,    ///< the lobby went away without letting us in (the meeting ended)
};
std::string_view to_string(room_end e);

struct room_outcome {
    room_end why = room_end::left;
    std::string detail;
    std::optional<join_refusal> refusal;  ///< join_refused
    std::string lobby_room;               ///< join_refused members_only, when the room names one
    std::string alternate_room;           ///< destroyed: the venue the room named (<destroy jid>)
};

class room_session;

/// The call layer's side. Every call comes on the session's strand; an IQ is answered before
/// its content is handed on.
class room_observer {
public:
    virtual ~room_observer() = default;
    virtual void on_joined(room_session&) {}
    /// Another occupant joined, changed or left; our own presence changed.
    virtual void on_room_event(room_session&, const muc_event&) {}
    /// A Jingle request accepted by the gate (the result is already sent).
    virtual void on_jingle(room_session&, const jingle::message&) = 0;
    /// The focus asks us to mute (or unmute) audio (§3.6); the result is already sent.
    virtual void on_mute(room_session&, const mute_request&) {}
    virtual void on_av_moderation(room_session&, const av_moderation&) {}
    /// A Rayo hangup from an occupant of the room (§2.3); the result is already sent.
    virtual void on_hangup(room_session&, const jid& /*from*/) {}
    /// §3.5 lobby (wait_in_lobby): we are in the lobby room (`in` true), or out of it again
    /// because a moderator let us in or the lobby was turned off (`in` false, `admitted_by` the
    /// inviter, empty when the lobby went away). The join of the room follows by itself.
    virtual void on_lobby(room_session&, bool /*in*/, const std::string& /*admitted_by*/) {}
};

class room_session {
public:
    room_session(room_session_options opts, core::log_channel log);
    ~room_session();
    room_session(const room_session&) = delete;
    room_session& operator=(const room_session&) = delete;

    /// Connect, ask the focus, join, then serve until leave(), removal or loss of the stream.
    boost::asio::awaitable<room_outcome> run(room_observer& observer);

    /// Sends a Jingle element (session-accept, transport-info, ...) to the focus occupant as an
    /// <iq type='set'> and waits for its answer.
    boost::asio::awaitable<iq_outcome> send_jingle(element jingle, std::chrono::milliseconds timeout);
    /// Sends session-terminate for the current session (if any) without waiting for the answer.
/// Tells the focus the bridge connection was lost (jingle::build_ice_failed); the session stays.
    void report_ice_failed(const std::string& bridge_session_id);
        void terminate_jingle(const jingle::reason& why);
    /// Our presence; publish() sends it again (full state, XEP-0045 §7.7) after changing it.
    participant_presence& presence() { return opts_.presence; }
    void publish();
    /// Leaves the room (unavailable presence with `status`) and closes the stream; run() returns `left`.
    void leave(std::string_view status = {});

    const jid& room() const { return opts_.room; }
    jid occupant() const;
    const muc_room* muc() const { return muc_ ? &*muc_ : nullptr; }
    const std::string& own_jid() const;
    const std::string& jingle_sid() const { return gate_.sid(); }

private:
    boost::asio::awaitable<void> flow();
    boost::asio::awaitable<bool> ask_focus();
    boost::asio::awaitable<bool> join();
    /// §3.5 (room_session_lobby.cpp): knock in `lobby_room` until admitted (true: join again).
    boost::asio::awaitable<bool> wait_in_lobby(const std::string& lobby_room);
    /// A presence or message for the lobby room; true when it was one.
    bool on_lobby_stanza(const element& s);
    void on_stanza(const element& s);
    void on_iq(const element& iq);
    void on_presence(const element& p);
    void finish(room_end why, std::string detail);
    void wake();
    boost::asio::awaitable<void> sleep(std::chrono::steady_clock::duration d);

    room_session_options opts_;
    core::log_channel log_;
    disco_info disco_;
    std::shared_ptr<connection> conn_;
    std::optional<muc_room> muc_;
    jingle_gate gate_;
    room_observer* observer_ = nullptr;
    std::unique_ptr<boost::asio::steady_timer> wake_;
    std::optional<room_outcome> outcome_;
    bool joined_ = false, offered_ = false;
    std::optional<muc_event> refused_;
    std::optional<muc_room> lobby_;               ///< while knocking
    std::optional<muc_invitation> invitation_;    ///< the lobby's admission
    std::optional<muc_event> lobby_end_;          ///< kicked from the lobby, or it was destroyed
};

}  // namespace jigasi::xmpp
