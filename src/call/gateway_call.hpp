#pragma once
// One dial-in call on its own strand: the conference side (room_session: join, Jingle, mute) and
// the media (bridge_leg toward the bridge, phone_port toward the phone). The SIP dialog lives on
// the signalling strand (gateway.cpp); the two talk only through the posted callbacks below.
//
//   INVITE -> 180 (gateway) -> join the room -> session-initiate -> session-accept, ICE + DTLS ->
//   secured: `answer` (the 200 goes out) -> audio both ways until either side hangs up.
#include "call/bridge_leg.hpp"
#include "call/call_registry.hpp"
#include "call/keypad.hpp"
#include "call/phone_port.hpp"
#include "media/prompts/prompt_player.hpp"
#include "config/config.hpp"
#include "core/log.hpp"
#include "media/description.hpp"
#include "xmpp/room_session.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace jigasi::call {

/// What the SIP offer/answer gave for the phone's media.
struct phone_media {
    media::payload_type codec;
    std::optional<media::payload_type> telephone_event;
    boost::asio::ip::udp::endpoint remote;  ///< from the SDP; RTP latching corrects it
};

/// What a call tells the SIP side (each posted by the receiver to its own strand).
struct gateway_call_hooks {
    std::function<void()> answer;                  ///< media is up: send the 200 (posted by the caller)
    /// The call is over from the conference side: BYE once answered, else a final response
    /// with `status` (403 wrong room password, 480 room or media not reachable, 503 our fault);
    /// `reason` is a short word for the records and metrics (room_password, kicked, media, ...).
    std::function<void(int status, std::string reason, std::string why)> ended;
    /// The conference's size changed (occupants other than the focus, us included).
    std::function<void(std::size_t members)> room_size;
    /// We are in the room (outgoing calls answer the Rayo dial with this occupant URI, §2.2).
    std::function<void(std::string occupant_uri)> joined;
    /// The bridge media failed: "ice"/"dtls"/"consent" (connection failed) or "media timeout".
    std::function<void(std::string stage)> media_failed;
    /// The IVR found the caller's room (room@muc): the SIP side updates its conference count.
    std::function<void(std::string room)> room_chosen;
    /// A key for the phone to send as SIP INFO (calls.dtmf, jitsi-protocol.md §5.4).
    std::function<void(char key)> info_dtmf;
    /// A JSON body for the phone side as SIP INFO application/json (calls.info_json, §5.7).
    std::function<void(std::string body)> info_json;
};

/// What a call needs besides its room and media settings.
struct gateway_call_context {
    std::shared_ptr<call_registry> registry;
    core::call_stats* stats = nullptr;
    std::atomic<std::uint64_t>* calls_migrated = nullptr;  ///< total_calls_with_jvb_migrate
    std::atomic<std::uint64_t>* no_heartbeat = nullptr;    ///< total_calls_no_heartbeat_response
    config::dtmf_method dtmf = config::dtmf_method::automatic;
    /// calls.when_alone "hang_up": the grace before an answered call left alone ends; nullopt: stay.
    std::optional<std::chrono::seconds> alone_grace;
    std::string keypad_mute = "*6", keypad_hand = "*9";  ///< calls.keypad_*
    /// Spoken prompts (IVR, keypad confirmations); null: none were loaded.
    std::shared_ptr<const media::prompts::prompt_set> prompts;
    /// Set for dial-in calls while ivr.enabled. `choose_room`: the call starts in the IVR, the
    /// caller types the meeting ID and `lookup` turns it into the room to join (nullopt: unknown
    /// ID). Else the IVR only asks for the PIN of a locked room the caller named no password for.
    struct ivr_context {
        config::ivr_config cfg;
        bool choose_room = false;
        bool has_password = false;  ///< the INVITE carried one: a refusal is final (403)
        std::chrono::seconds lobby_wait{900};    ///< ivr.lobby_wait_s
        std::chrono::seconds wait_prompt{30};    ///< ivr.wait_prompt_s (0: once)
        std::chrono::seconds start_wait{600};    ///< ivr.start_wait_s
        std::function<boost::asio::awaitable<std::optional<xmpp::room_session_options>>(std::string digits)> lookup;
    };
    std::optional<ivr_context> ivr;
    bool info_json = false;                              ///< calls.info_json
    std::chrono::seconds info_heartbeat{0};              ///< calls.info_heartbeat_s
};

/// calls.when_alone as gateway_call_context::alone_grace.
inline std::optional<std::chrono::seconds> alone_grace(const config::calls_config& c) {
    if (c.when_alone != "hang_up") return std::nullopt;
    return std::chrono::seconds(c.alone_grace_s);
}

class gateway_call : public xmpp::room_observer, public std::enable_shared_from_this<gateway_call> {
public:
    using hooks = gateway_call_hooks;
    gateway_call(std::string id, boost::asio::strand<boost::asio::any_io_executor> strand,
                 xmpp::room_session_options room, config::media_config media, std::optional<phone_media> phone,
                 boost::asio::ip::udp::socket phone_socket, hooks h, gateway_call_context ctx, core::log_channel log,
                 core::log_channel phone_log);

    /// The whole call on the strand; ends when either side hangs up or the room or media fail.
    boost::asio::awaitable<void> run();
    /// The phone hung up (BYE or CANCEL); any thread.
    void hang_up(std::string why);
    /// The phone put the call on hold (re-INVITE sendonly/inactive) or took it off; any thread.
    /// Nothing goes to the conference while held, and the phone's media timeout is off.
    void set_held(bool held);
    /// Mute the phone's uplink (API, keypad); the presence says so too. Any thread.
    void set_muted(bool muted);
    /// Keys for the phone (API, dial-out's DTMF after answer); any thread.
    void send_dtmf(std::string keys);
    /// A key the phone pressed, sent as SIP INFO (RFC 4733 keys come through the phone port);
    /// any thread.
    void phone_key(char key);
    /// The phone side echoed our heartbeat (numbered INFO t=11); any thread.
    void heartbeat_answered();
    /// An IVR in front of us gives the room's password (INFO t=4, §3.5): knocking in the lobby or
    /// still waiting for the conference, we leave and join again with it; any thread.
    void use_password(std::string password);
    /// Outgoing calls: the phone answered with this media; the bridge's offer is answered now.
    void phone_answered(phone_media m);
    /// The call state shown on the participant's tile (presence status, §2.5); any thread.
    void set_status(std::string status);

    const std::string& id() const { return id_; }

private:
    /// One stay in the conference; true: join again (the IVR got a PIN for a locked room).
    boost::asio::awaitable<bool> conference();
    boost::asio::awaitable<void> media_loop(xmpp::room_session& s);
    std::optional<std::string> make_phone();
    // The IVR (gateway_ivr.cpp).
    boost::asio::awaitable<bool> ivr_choose_room();
    boost::asio::awaitable<bool> ivr_pin();
    /// Asks with `ask` until an entry is taken or the tries run out (nullopt). `find_room`: an
    /// entry is taken when ctx_.ivr->lookup knows it (the room lands in ivr_room_); else any is.
    boost::asio::awaitable<std::optional<std::string>> ivr_ask(media::prompts::prompt_id ask, media::prompts::prompt_id wrong,
                                                               bool find_room);
    /// Waits (at most 10 s) for a late-offer phone's answer in the ACK; false: none came.
    boost::asio::awaitable<bool> ivr_phone_ready();
    /// Plays what is queued to the end (or until the caller hangs up).
    boost::asio::awaitable<void> ivr_drain();
    void say(media::prompts::prompt_id id);
    // Waiting with prompts while not bridged (gateway_wait.cpp): the lobby, the start.
    enum class hold_for : std::uint8_t { start, lobby };
    /// Plays `repeat` (again every wait_prompt) to the phone, every 20 ms until hold_over().
    boost::asio::awaitable<void> hold(media::prompts::prompt_id repeat, hold_for why);
    bool hold_over(hold_for why);
    /// §3.5: the session knocks in the lobby (in) or is let in (out).
    void on_lobby(xmpp::room_session& s, bool in, const std::string& admitted_by) override;
    /// The phone's port and prompts now, answering the call if it was not (a routed call the
    /// conference keeps waiting); why not, when impossible.
    std::optional<std::string> answer_early();
    /// Says `id` to the end (the phone is not bridged).
    boost::asio::awaitable<void> say_all(media::prompts::prompt_id id);
    boost::asio::awaitable<void> answer_offer(xmpp::room_session& s, const xmpp::jingle::message& m);
    void on_joined(xmpp::room_session&) override;
    void on_room_event(xmpp::room_session& s, const xmpp::muc_event&) override;
    void report_size(xmpp::room_session& s);
    void on_jingle(xmpp::room_session&, const xmpp::jingle::message& m) override;
    void on_mute(xmpp::room_session& s, const xmpp::mute_request& r) override;
    void on_hangup(xmpp::room_session& s, const xmpp::jid& from) override;
    void on_av_moderation(xmpp::room_session& s, const xmpp::av_moderation& m) override;
    /// The caller's keypad (strand): codes act, the rest goes to the conference.
    void on_phone_key(char key);
    void apply_keypad(const std::vector<keypad_action>& actions);
    void set_hand(bool raised);
    void finish(int status, std::string reason, std::string why);
    void apply_mute(bool muted);
    /// Once a second: RTP counters to the metrics, the phone's media timeout.
    void each_second();
    /// The media counters since the last call of this (bridge leg `b`, phone), into the metrics.
    void publish_rtp(const media::pipeline::leg_stats& b, const media::pipeline::leg_stats& p);
    void record_media();

    std::string id_;
    boost::asio::strand<boost::asio::any_io_executor> strand_;
    xmpp::room_session_options room_;
    config::media_config media_;
    std::optional<phone_media> phone_media_;  ///< outgoing calls: set once the phone answers
    std::optional<boost::asio::ip::udp::socket> phone_socket_;
    hooks hooks_;
    gateway_call_context ctx_;
    core::log_channel log_;
    core::log_channel phone_log_;  ///< the SIP side's scope, for what concerns the phone leg
    // On the strand:
    std::optional<xmpp::jingle::message> offer_;
    xmpp::room_session* session_ = nullptr;  ///< while run() runs
    std::unique_ptr<boost::asio::steady_timer> wake_, hangup_timer_;
    std::unique_ptr<bridge_leg> leg_;
    std::unique_ptr<phone_port> phone_;
    std::optional<std::string> hung_up_;
    bool phone_gone_ = false;     ///< the phone hung up (hung_up_ is also set when we end the call)
    std::string hung_up_reason_;  ///< the word for the records when we end it ourselves
    bool answered_ = false, muted_ = false, held_ = false, finished_ = false;
    std::string pending_dtmf_;    ///< keys asked for before the phone leg exists
    struct rtp_seen {
        std::uint64_t rx = 0, tx = 0;
        std::int64_t lost = 0;
    } bridge_seen_, phone_seen_;  ///< what publish_rtp() already counted
    boost::json::object last_bridge_report_;
    std::optional<media::pipeline::clock::time_point> phone_silent_since_;
    std::optional<xmpp::jingle::message> last_offer_;  ///< the session a transport-replace changes
    std::uint32_t local_ssrc_ = 0;
    std::string local_cname_;
    unsigned migrations_ = 0;
    std::optional<std::chrono::steady_clock::time_point> restart_deadline_;  ///< waiting for a new session
    std::string restart_stage_;
    std::optional<std::chrono::steady_clock::time_point> alone_deadline_;  ///< calls.when_alone hang_up
    keypad keypad_;
    std::unique_ptr<media::prompts::prompt_player> player_;
    bool ivr_active_ = false;   ///< keys go to the IVR's entry, not the keypad
    std::string ivr_keys_;
    unsigned pin_attempts_ = 0;
    std::optional<xmpp::room_session_options> ivr_room_;  ///< what the last meeting ID named
    bool in_lobby_ = false;
    bool rejoin_ = false;  ///< the session was left to join again (use_password)
    std::chrono::steady_clock::time_point lobby_deadline_{};
    std::optional<std::chrono::steady_clock::time_point> joined_at_;  ///< in the main room since
    std::size_t last_size_ = 0;
    bool hand_raised_ = false;
    bool av_moderated_ = false, av_approved_ = false;  ///< §3.6 AV moderation of audio
    void send_info(std::string body);
    unsigned heartbeats_unanswered_ = 0, info_seq_ = 0;
    std::chrono::steady_clock::time_point next_heartbeat_{};
    void check_alone();
};

}  // namespace jigasi::call
