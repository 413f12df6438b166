// One call's life on its strand: joining the conference (again after the IVR or a PIN), waiting
// for the focus' session, the per-second checks, the room's size, and how the call ends. Split
// off: the media (gateway_media.cpp), the in-call controls (gateway_controls.cpp), the IVR
// (gateway_ivr.cpp), the waiting (gateway_wait.cpp).
#include "call/gateway_call.hpp"

#include "xmpp/jingle.hpp"
#include "xmpp/rayo.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace jigasi::call {

namespace {
bool cancelled(asio::cancellation_state st) { return st.cancelled() != asio::cancellation_type::none; }
}  // namespace

gateway_call::gateway_call(std::string id, asio::strand<asio::any_io_executor> strand, xmpp::room_session_options room,
                           config::media_config media, std::optional<phone_media> phone, asio::ip::udp::socket phone_socket, hooks h,
                           gateway_call_context ctx, core::log_channel log, core::log_channel phone_log)
    : id_(std::move(id)), strand_(std::move(strand)), room_(std::move(room)), media_(std::move(media)),
      phone_media_(std::move(phone)), phone_socket_(std::move(phone_socket)), hooks_(std::move(h)), ctx_(std::move(ctx)),
      log_(std::move(log)), phone_log_(std::move(phone_log)), keypad_(ctx_.keypad_mute, ctx_.keypad_hand) {}

asio::awaitable<void> gateway_call::run() {
    auto self = shared_from_this();
    wake_ = std::make_unique<asio::steady_timer>(strand_);
    hangup_timer_ = std::make_unique<asio::steady_timer>(strand_);
    // The IVR first (gateway_ivr.cpp): the caller names the room; a locked room asks for its PIN
    // and the conference is joined again with it.
    if (ctx_.ivr && ctx_.ivr->choose_room) {
        const bool chosen = co_await ivr_choose_room();
        if (!chosen) co_return;
    }
    while (co_await conference()) {
    }
    if (phone_) phone_->close();
}

asio::awaitable<bool> gateway_call::conference() {
    // A caller who can hear the waiting prompt waits for the conference to start this long
    // (Jigasi: 30 s, then the call drops).
    // The same caller can wait in a lobby (§3.5).
    if (ctx_.ivr && ctx_.prompts && phone_media_) {
        room_.invite_timeout = ctx_.ivr->start_wait;
        room_.wait_in_lobby = true;
    }
    in_lobby_ = false;
    joined_at_.reset();
    xmpp::room_session s(room_, log_);
    session_ = &s;
    log_.info("joining ", room_.room.to_string(), " as \"", room_.presence.display_name, "\"");
    // Waits for hang_up(), then leaves; s.run() returns once the stream has closed.
    auto leaver = [this, &s]() -> asio::awaitable<void> {
        while (!hung_up_) {
            hangup_timer_->expires_after(std::chrono::hours(1));
            co_await hangup_timer_->async_wait(asio::as_tuple(asio::use_awaitable));
            if (cancelled(co_await asio::this_coro::cancellation_state)) co_return;
        }
        log_.info("leaving the conference: ", *hung_up_);
        if (leg_) leg_->close();
        s.terminate_jingle({"success", "hung up"});
        s.leave("hung up");
        for (;;) {  // run() returns once the stream has closed
            hangup_timer_->expires_after(std::chrono::hours(1));
            co_await hangup_timer_->async_wait(asio::as_tuple(asio::use_awaitable));
            if (cancelled(co_await asio::this_coro::cancellation_state)) co_return;
        }
    };
    // A lambda, not a member coroutine: GCC 12.2 built a member version of this (taking `s` by
    // reference, third operand of ||) whose first resume read a null timer and crashed.
    auto r = co_await (s.run(*this) || media_loop(s) || leaver());
    session_ = nullptr;
    if (leg_) leg_->close();
    if (r.index() != 0) {
        record_media();
        finish(503, "cancelled", "cancelled");
        co_return false;
    }
    if (std::exchange(rejoin_, false) && !hung_up_) co_return true;  // use_password()
    const auto out = std::get<0>(r);
    if (hung_up_) {
        record_media();
        // Alone for calls.when_alone's grace: the caller hears why before the BYE.
        if (hung_up_reason_ == "alone") co_await say_all(media::prompts::prompt_id::conference_ended);
        if (hung_up_reason_ == "lobby_timeout") {
            send_info("{\"i\":" + std::to_string(++info_seq_) + ",\"t\":5}");  // §5.7: left the lobby
            co_await say_all(media::prompts::prompt_id::error);
        }
        finish(0, hung_up_reason_, *hung_up_);
        co_return false;
    }
    using e = xmpp::room_end;
    const bool password = out.why == e::join_refused && out.refusal && *out.refusal == xmpp::join_refusal::password_required;
    // The caller types the PIN and we join again (§3.5), unless the INVITE named a password.
    if (password && ctx_.ivr) {
        const bool again = co_await ivr_pin();
        if (again) co_return true;
    }
    // §3.5: turned away in the lobby; the lobby, or the conference, ended under the caller.
    if (out.why == e::lobby_rejected) {
        send_info("{\"i\":" + std::to_string(++info_seq_) + ",\"t\":7}");
        co_await say_all(media::prompts::prompt_id::rejected);
    }
    if (out.why == e::lobby_closed) send_info("{\"i\":" + std::to_string(++info_seq_) + ",\"t\":5}");
    if (out.why == e::destroyed || out.why == e::lobby_closed) co_await say_all(media::prompts::prompt_id::conference_ended);
    record_media();
    const int status = password ? 403 : out.why == e::connect_failed || out.why == e::cancelled ? 503 : 480;
    std::string word = password ? "room_password" : std::string(xmpp::to_string(out.why));
    std::replace(word.begin(), word.end(), '-', '_');
    finish(status, word, "conference: " + std::string(xmpp::to_string(out.why)) + (out.detail.empty() ? "" : ": " + out.detail));
    co_return false;
}

void gateway_call::finish(int status, std::string reason, std::string why) {
    if (finished_) return;
    finished_ = true;
    if (phone_) phone_log_.info("phone media: ", media::pipeline::summary(phone_->stats()));
    log_.info("call over: ", why);
    if (hooks_.ended) hooks_.ended(status, std::move(reason), std::move(why));
}

void gateway_call::hang_up(std::string why) {
    asio::post(strand_, [self = shared_from_this(), why = std::move(why)]() mutable {
        self->phone_gone_ = true;  // no prompt can reach it any more
        if (self->hung_up_) return;
        self->hung_up_ = std::move(why);
        if (self->hangup_timer_) self->hangup_timer_->cancel();
    });
}

void gateway_call::phone_answered(phone_media m) {
    asio::post(strand_, [self = shared_from_this(), m = std::move(m)]() mutable {
        self->phone_media_ = std::move(m);
        if (self->wake_) self->wake_->cancel();
    });
}

void gateway_call::set_status(std::string status) {
    asio::post(strand_, [self = shared_from_this(), status = std::move(status)]() mutable {
        if (!self->session_) return;
        self->session_->presence().status = std::move(status);
        if (self->session_->muc()) self->session_->publish();
    });
}

asio::awaitable<void> gateway_call::media_loop(xmpp::room_session& s) {
    for (;;) {
        if (!offer_ || !phone_media_ || hung_up_) {
            // A lost bridge connection waits this long for the focus' new session (see answer_offer).
            if (restart_deadline_ && !offer_ && !hung_up_ && std::chrono::steady_clock::now() >= *restart_deadline_) {
                log_.notice("no new session from the focus after the bridge connection was lost: hanging up");
                if (hooks_.media_failed) hooks_.media_failed(restart_stage_);
                hung_up_ = "bridge media failed (" + restart_stage_ + ") and no new session followed";
                hung_up_reason_ = "bridge_" + restart_stage_;
                restart_deadline_.reset();
                hangup_timer_->cancel();
            }
            check_alone();
            // §3.5: knocking in the lobby (on_lobby answered the phone).
            if (in_lobby_ && !hung_up_ && phone_ && player_) {
                co_await (phone_->receive() || hold(media::prompts::prompt_id::in_lobby, hold_for::lobby));
                if (player_ && in_lobby_) player_->clear();
                continue;
            }
            // In the room, no session yet: after a moment, the caller hears that the
            // conference has not started and waits (answered now if it was not). The same
            // condition arms the wake-up below, or the loop would spin.
            const bool may_hold = !offer_ && !hung_up_ && !answered_ && joined_at_ && ctx_.ivr && ctx_.prompts && phone_media_;
            if (may_hold && std::chrono::steady_clock::now() >= *joined_at_ + std::chrono::seconds(2)) {
                if (auto err = answer_early()) {
                    log_.notice("cannot play the waiting prompt: ", *err);
                    joined_at_.reset();
                } else {
                    log_.info("no session from the focus yet: the caller hears the waiting prompt");
                    co_await (phone_->receive() || hold(media::prompts::prompt_id::wait_for_start, hold_for::start));
                    if (player_) player_->clear();
                    continue;
                }
            }
            auto until = std::chrono::steady_clock::now() + std::chrono::hours(1);
            if (may_hold) until = std::min(until, *joined_at_ + std::chrono::seconds(2));
            if (restart_deadline_) until = std::min(until, *restart_deadline_);
            if (alone_deadline_) until = std::min(until, *alone_deadline_);
            wake_->expires_at(until);
            co_await wake_->async_wait(asio::as_tuple(asio::use_awaitable));
            if (cancelled(co_await asio::this_coro::cancellation_state)) co_return;
            continue;
        }
        auto m = std::move(*offer_);
        offer_.reset();
        restart_deadline_.reset();
        co_await answer_offer(s, m);
    }
}

void gateway_call::each_second() {
    check_alone();
    // §5.7 heartbeat (t=11): two without an echo from the phone side end the call.
    if (ctx_.info_json && ctx_.info_heartbeat.count() > 0 && answered_ && !hung_up_) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= next_heartbeat_) {
            if (heartbeats_unanswered_ >= 2) {
                log_.notice("two SIP INFO heartbeats unanswered: hanging up");
                if (ctx_.no_heartbeat) ++*ctx_.no_heartbeat;
                hung_up_ = "no answer to the SIP INFO heartbeat";
                hung_up_reason_ = "no_heartbeat";
                if (session_) session_->terminate_jingle({"success", "no heartbeat"});
                hangup_timer_->cancel();
                return;
            }
            ++heartbeats_unanswered_;
            next_heartbeat_ = now + ctx_.info_heartbeat;
            send_info("{\"i\":" + std::to_string(++info_seq_) + ",\"t\":11}");
        }
    }
    apply_keypad(keypad_.on_tick(std::chrono::steady_clock::now()));
    if (!leg_ || !phone_) return;
    publish_rtp(leg_->stats(), phone_->stats());
    // The phone's media timeout: nothing from it for media.timeout_s, unless it holds the call.
    const auto last = phone_->last_rx();
    const auto now = media::pipeline::clock::now();
    if (held_ || !answered_) return;
    if (!last) {
        if (!phone_silent_since_) phone_silent_since_ = now;
    } else {
        phone_silent_since_.reset();
    }
    const auto since = last ? *last : *phone_silent_since_;
    if (now - since > std::chrono::seconds(media_.timeout_s)) {
        log_.notice("no RTP or RTCP from the phone for ", media_.timeout_s, " s: hanging up");
        if (ctx_.stats) ctx_.stats->media_timeout(core::media_leg::phone);
        leg_->end_with({"phone media timeout", "no media from the phone for " + std::to_string(media_.timeout_s) + " s"});
    }
}

void gateway_call::publish_rtp(const media::pipeline::leg_stats& b, const media::pipeline::leg_stats& p) {
    if (!ctx_.stats) return;
    auto delta = [](rtp_seen& seen, const media::pipeline::leg_stats& now, core::call_stats& out, core::media_leg leg) {
        const auto lost = static_cast<std::uint64_t>(std::max<std::int64_t>(0, now.rx.lost - seen.lost));
        out.rtp(leg, now.rx.packets - std::min(seen.rx, now.rx.packets), now.tx.packets - std::min(seen.tx, now.tx.packets), lost);
        seen = {now.rx.packets, now.tx.packets, std::max(seen.lost, now.rx.lost)};
    };
    delta(bridge_seen_, b, *ctx_.stats, core::media_leg::bridge);
    delta(phone_seen_, p, *ctx_.stats, core::media_leg::phone);
}

// The call's media statistics into its record (at the end).
void gateway_call::record_media() {
    if (!ctx_.registry) return;
    boost::json::object m;
    if (!last_bridge_report_.empty()) m["bridge"] = last_bridge_report_;
    if (phone_) {
        const auto p = phone_->stats();
        if (ctx_.stats) ctx_.stats->jitter(core::media_leg::phone, p.rx.jitter_ms / 1000.0);
        m["phone"] = boost::json::object{
            {"rx", boost::json::object{{"packets", p.rx.packets}, {"lost", p.rx.lost}, {"loss_percent", p.rx.loss_percent},
                                       {"jitter_ms", p.rx.jitter_ms}, {"mos", p.rx_quality.mos}}},
            {"tx", boost::json::object{{"packets", p.tx.packets}, {"lost", p.tx.lost}, {"jitter_ms", p.tx.jitter_ms}}},
            {"rtt_ms", p.rtt ? static_cast<double>(p.rtt->count()) / 1000.0 : -1.0},
            {"dtmf_sent", p.dtmf_sent},
            {"dtmf_received", p.dtmf_received}};
    }
    if (m.empty()) return;
    ctx_.registry->update(id_, [&m](call_info& c) { c.media = std::move(m); });
}

void gateway_call::on_joined(xmpp::room_session& s) {
    log_.info("in the conference as ", s.muc() ? s.muc()->nick() : std::string("?"));
    joined_at_ = std::chrono::steady_clock::now();
    if (wake_) wake_->cancel();
    if (ctx_.registry)
        ctx_.registry->update(id_, [occupant = s.occupant().to_string()](call_info& c) {
            c.occupant = occupant;
            if (c.state == "joining") c.state = c.direction == core::call_direction::in ? "connecting" : "calling";
        });
    report_size(s);
    if (hooks_.joined) hooks_.joined(xmpp::occupant_uri(s.occupant()));
}

void gateway_call::on_room_event(xmpp::room_session& s, const xmpp::muc_event&) { report_size(s); }

// Jigasi's conference size (jitsi-protocol.md §6.1): the members but the focus.
void gateway_call::report_size(xmpp::room_session& s) {
    if (!s.muc()) return;
    std::size_t n = 1;  // us
    for (const auto& [nick, o] : s.muc()->occupants())
        if (nick != "focus") ++n;
    if (hooks_.room_size) hooks_.room_size(n);
    // The others left a call in progress: the caller hears that they are alone now.
    if (answered_ && n == 1 && last_size_ > 1) say(media::prompts::prompt_id::alone);
    last_size_ = n;
    // calls.when_alone "hang_up": an answered call alone in the room ends after the grace.
    if (!ctx_.alone_grace || !answered_) return;
    if (n > 1) {
        if (alone_deadline_) log_.info("no longer alone in the conference");
        alone_deadline_.reset();
    } else if (!alone_deadline_) {
        log_.info("alone in the conference: hanging up in ", ctx_.alone_grace->count(), " s unless someone comes");
        alone_deadline_ = std::chrono::steady_clock::now() + *ctx_.alone_grace;
        if (wake_) wake_->cancel();
    }
}

void gateway_call::check_alone() {
    if (!alone_deadline_ || hung_up_ || std::chrono::steady_clock::now() < *alone_deadline_) return;
    alone_deadline_.reset();
    hung_up_ = "alone in the conference for " + std::to_string(ctx_.alone_grace->count()) + " s (calls.when_alone)";
    hung_up_reason_ = "alone";
    log_.info(*hung_up_);
    if (session_) session_->terminate_jingle({"success", "alone"});
    hangup_timer_->cancel();
}

void gateway_call::on_hangup(xmpp::room_session&, const xmpp::jid& from) {
    if (hung_up_) return;
    hung_up_ = "Rayo hangup from " + from.to_string();
    hung_up_reason_ = "rayo_hangup";
    hangup_timer_->cancel();
}

}  // namespace jigasi::call
