#include "call/gateway_call.hpp"

#include "media/codecs/factory.hpp"
#include "media/dtls/certificate.hpp"
#include "xmpp/jingle.hpp"
#include "xmpp/rayo.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/rand.h>

#include <algorithm>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace jigasi::call {

namespace {
std::uint32_t random32() {
    std::uint32_t v = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) v = std::random_device{}();
    return v ? v : 1;
}

bool cancelled(asio::cancellation_state st) { return st.cancelled() != asio::cancellation_type::none; }
}  // namespace

gateway_call::gateway_call(std::string id, asio::strand<asio::any_io_executor> strand, xmpp::room_session_options room,
                           config::media_config media, std::optional<phone_media> phone, asio::ip::udp::socket phone_socket, hooks h,
                           gateway_call_context ctx, core::log_channel log)
    : id_(std::move(id)), strand_(std::move(strand)), room_(std::move(room)), media_(std::move(media)),
      phone_media_(std::move(phone)), phone_socket_(std::move(phone_socket)), hooks_(std::move(h)), ctx_(std::move(ctx)),
      log_(std::move(log)), keypad_(ctx_.keypad_mute, ctx_.keypad_hand) {}

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
    const auto out = std::get<0>(r);
    if (hung_up_) {
        record_media();
        // Alone for calls.when_alone's grace: the caller hears why before the BYE.
        if (hung_up_reason_ == "alone") co_await say_all(media::prompts::prompt_id::conference_ended);
        if (hung_up_reason_ == "lobby_timeout") co_await say_all(media::prompts::prompt_id::error);
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
    log_.info("call over: ", why);
    if (hooks_.ended) hooks_.ended(status, std::move(reason), std::move(why));
}

void gateway_call::hang_up(std::string why) {
    asio::post(strand_, [self = shared_from_this(), why = std::move(why)]() mutable {
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

void gateway_call::set_held(bool held) {
    asio::post(strand_, [self = shared_from_this(), held] {
        self->held_ = held;
        if (self->phone_) self->phone_->set_muted(self->muted_ || held);
    });
}

void gateway_call::set_muted(bool muted) {
    asio::post(strand_, [self = shared_from_this(), muted] { self->apply_mute(muted); });
}

// The uplink really stops, and the presence says so (jitsi-protocol.md §3.6).
void gateway_call::apply_mute(bool muted) {
    muted_ = muted;
    if (phone_) phone_->set_muted(muted_ || held_);
    if (ctx_.registry) ctx_.registry->update(id_, [muted](call_info& c) { c.muted = muted; });
    if (session_ && session_->presence().audio_muted != muted) {
        session_->presence().audio_muted = muted;
        if (session_->muc()) session_->publish();
    }
}

void gateway_call::send_dtmf(std::string keys) {
    asio::post(strand_, [self = shared_from_this(), keys = std::move(keys)] {
        if (!self->phone_) {
            self->pending_dtmf_ += keys;
            return;
        }
        for (char k : keys) self->phone_->on_dtmf(k);
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
            // conference has not started and waits (answered now if it was not).
            if (!offer_ && !hung_up_ && !answered_ && joined_at_ && ctx_.ivr && ctx_.prompts && phone_media_ &&
                std::chrono::steady_clock::now() >= *joined_at_ + std::chrono::seconds(2)) {
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
            if (joined_at_ && !answered_ && ctx_.ivr) until = std::min(until, *joined_at_ + std::chrono::seconds(2));
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

// The phone's port and pipeline, once its media is known (SDP answer or offer); nullopt when
// ready, else why not.
std::optional<std::string> gateway_call::make_phone() {
    if (phone_) return std::nullopt;
    const auto& pm = *phone_media_;
    auto fmt = media::codecs::describe(pm.codec);
    if (!fmt) return "phone codec unusable: " + fmt.error().diagnostic;
    media::pipeline::phone_config pc;
    pc.format = *fmt;
    pc.dtmf_pt = pm.telephone_event ? pm.telephone_event->pt : 0;
    if (pm.telephone_event) pc.dtmf_clock_rate = pm.telephone_event->clock_rate;
    pc.local_ssrc = random32();
    pc.first_sequence = static_cast<std::uint16_t>(random32());
    pc.first_timestamp = random32();
    pc.rtcp.seed = random32();
    pc.rtcp.anchor = {std::chrono::steady_clock::now(), std::chrono::system_clock::now()};
    if (fmt->id == media::codecs::codec_id::opus) pc.opus = media::codecs::opus_settings_from_fmtp(pm.codec.fmtp, pc.opus);
    // Prompts play at the phone's rate.
    if (ctx_.prompts && !player_ && media::prompts::prompt_set::supports(fmt->pcm_rate))
        player_ = std::make_unique<media::prompts::prompt_player>(ctx_.prompts, fmt->pcm_rate);
    auto audio = media::pipeline::phone_audio::create(pc);
    if (!audio) return "phone pipeline: " + audio.error().diagnostic;
    phone_ = std::make_unique<phone_port>(std::move(*phone_socket_), std::move(*audio), pm.remote, log_);
    phone_->set_dtmf(ctx_.dtmf, pm.telephone_event.has_value(), [info = hooks_.info_dtmf](char k) {
        if (info) info(k);
    });
    for (char k : std::exchange(pending_dtmf_, {})) phone_->on_dtmf(k);
    phone_->set_key_handler([this](char k) { on_phone_key(k); });
    phone_socket_.reset();
    phone_->set_muted(muted_ || held_);
    if (player_) phone_->set_prompts(player_.get());
    return std::nullopt;
}

asio::awaitable<void> gateway_call::answer_offer(xmpp::room_session& s, const xmpp::jingle::message& m) {
    auto fail = [&](std::string why) {
        log_.error(why);
        s.terminate_jingle({"failed-application", why});
        hung_up_ = why;  // leaves the room; the phone gets BYE or a 503
        hangup_timer_->cancel();
    };
    const auto& pm = *phone_media_;
    auto fmt = media::codecs::describe(pm.codec);
    if (!fmt) {
        fail("phone codec unusable: " + fmt.error().diagnostic);
        co_return;
    }
    if (auto err = make_phone()) {
        fail(*err);
        co_return;
    }
    auto cert = media::dtls::process_certificate();
    if (!cert) {
        fail("no DTLS certificate: " + cert.error().diagnostic);
        co_return;
    }
    bridge_leg_options lo;
    lo.media = media_;
    lo.pcm_rate = fmt->pcm_rate;
    lo.endpoint_id = s.muc() ? s.muc()->nick() : std::string();
    lo.cert = *cert;
    const bool replace = m.act == xmpp::jingle::action::transport_replace;
    if (replace) {
        lo.ssrc = local_ssrc_;
        lo.cname = local_cname_;
    }
    auto leg = bridge_leg::create(strand_, lo, m.desc, log_);
    if (!leg) {
        fail("cannot answer the bridge's offer: " + leg.error().diagnostic);
        co_return;
    }
    leg_ = std::move(*leg);
    bridge_seen_ = {};
    local_ssrc_ = leg_->ssrc();
    local_cname_ = leg_->cname();
    if (!replace) last_offer_ = m;
    leg_->on_second([this] { each_second(); });
    leg_->on_flowing([this] {
        log_.info("audio flowing both ways");
        if (ctx_.registry) ctx_.registry->flowing(id_);
    });
    leg_->on_secured([this, &s] {
        if (answered_) return;
        answered_ = true;
        report_size(s);
        log_.info("media up both ways: answering the phone");
        if (hooks_.answer) hooks_.answer();
    });
    // A named element, not a ?: temporary in the co_await: GCC 12 destroyed that one twice.
    xmpp::element answer = replace ? xmpp::jingle::build_transport_accept(leg_->answer(), m.sid, s.own_jid())
                                   : xmpp::jingle::build_session_accept(leg_->answer(), m.sid, s.own_jid());
    auto accepted = co_await s.send_jingle(std::move(answer), std::chrono::seconds(10));
    if (accepted.is_error()) {
        leg_.reset();
        fail(std::string("the focus refused our ") + (replace ? "transport-accept: " : "session-accept: ") + (accepted.reply ? accepted.condition() : accepted.ec.message()));
        co_return;
    }
    auto r = co_await (leg_->run(*phone_) || phone_->receive());
    leg_end end = r.index() == 0 ? std::get<0>(r) : leg_end{"closed", "phone socket closed"};
    publish_rtp(leg_->stats(), phone_->stats());
    const bool was_secured = leg_->secured();
    last_bridge_report_ = leg_->report();
    if (ctx_.stats) ctx_.stats->jitter(core::media_leg::bridge, leg_->stats().rx.jitter_ms / 1000.0);
    leg_.reset();
    if (end.stage == "closed") {
        log_.info("bridge media ended (", end.reason, "); waiting for a new offer");  // §4.3
        co_return;
    }
    if (end.stage == "phone media timeout") {
        s.terminate_jingle({"success", end.reason});
        if (!hung_up_) {
            hung_up_ = end.reason;
            hung_up_reason_ = "phone_media_timeout";
            hangup_timer_->cancel();
        }
        co_return;
    }
    // A connection that worked and then broke (the bridge died or closed it) is not the end: as a
    // web client does, we report ICE failed and wait media.timeout_s for Jicofo to move us to
    // another bridge (new session or transport-replace). The phone stays connected meanwhile.
    const bool transport = end.stage == "ice" || end.stage == "dtls" || end.stage == "consent";
    if (transport && was_secured && !hung_up_) {
        log_.notice("bridge connection lost (", end.stage, "): ", end.reason, "; asking the focus for a new one, waiting ",
                    media_.timeout_s, " s");
        s.report_ice_failed(m.bridge_session_id);
        restart_stage_ = end.stage;
        restart_deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(media_.timeout_s);
        co_return;
    }
    s.terminate_jingle({end.stage == "media timeout" ? "timeout" : "connectivity-error", end.reason});
    if (hooks_.media_failed) hooks_.media_failed(end.stage);
    if (end.stage == "media timeout" && ctx_.stats) ctx_.stats->media_timeout(core::media_leg::bridge);
    if (!hung_up_) {
        hung_up_ = "bridge media failed (" + end.stage + "): " + end.reason;
        hung_up_reason_ = end.stage == "media timeout" ? "bridge_media_timeout" : "bridge_" + end.stage;
        hangup_timer_->cancel();
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

void gateway_call::on_jingle(xmpp::room_session&, const xmpp::jingle::message& m) {
    using a = xmpp::jingle::action;
    if (m.act == a::session_initiate) {
        if (leg_) leg_->close();  // a new session replaces the old one
        offer_ = m;
        wake_->cancel();
    }
    // Bridge migration (§4.3): a new transport in place, answered with transport-accept; the
    // room, the phone and our source stay. A replace that names no codecs keeps the last offer's.
    if (m.act == a::transport_replace) {
        if (!last_offer_) {
            log_.notice("transport-replace before any session: ignored");
            return;
        }
        auto merged = m;
        if (!merged.desc.media.empty() && merged.desc.media.front().payload_types.empty()) {
            auto desc = last_offer_->desc;
            for (std::size_t i = 0; i < desc.media.size() && i < merged.desc.media.size(); ++i) {
                desc.media[i].ice = merged.desc.media[i].ice;
                desc.media[i].dtls = merged.desc.media[i].dtls;
            }
            merged.desc = std::move(desc);
        }
        merged.sid = last_offer_->sid;
        log_.info("transport-replace: moving to a new bridge transport");
        if (migrations_++ == 0 && ctx_.calls_migrated) ++*ctx_.calls_migrated;  // Jigasi counts calls, not moves
        if (leg_) leg_->close();
        offer_ = std::move(merged);
        wake_->cancel();
    }
    if (m.act == a::session_terminate && leg_) leg_->close();
    if ((m.act == a::source_add || m.act == a::source_remove) && leg_)
        for (const auto& sec : m.desc.media)
            m.act == a::source_add ? leg_->add_sources(sec.sources) : leg_->remove_sources(sec.sources);
}

void gateway_call::on_mute(xmpp::room_session& s, const xmpp::mute_request& r) {
    // §3.6: the uplink really stops (Jigasi only asked the bridge), and the presence says so.
    (void)s;
    apply_mute(r.mute);
    // §5.7: Jigasi tells an IVR in front of it with a typed muteRequest.
    if (ctx_.info_json) {
        unsigned char raw[16];
        if (RAND_bytes(raw, sizeof raw) != 1) std::fill(std::begin(raw), std::end(raw), 0);
        std::string id;
        for (unsigned char b : raw) id += "0123456789abcdef"[b >> 4], id += "0123456789abcdef"[b & 15];
        send_info("{\"type\":\"muteRequest\",\"id\":\"" + id + "\",\"data\":{\"audio\":" + (r.mute ? "true" : "false") + "}}");
    }
    log_.info(r.mute ? "muted" : "unmuted", " by ", r.actor ? r.actor->to_string() : std::string("the focus"));
}

void gateway_call::on_hangup(xmpp::room_session&, const xmpp::jid& from) {
    if (hung_up_) return;
    hung_up_ = "Rayo hangup from " + from.to_string();
    hung_up_reason_ = "rayo_hangup";
    hangup_timer_->cancel();
}

void gateway_call::phone_key(char key) {
    asio::post(strand_, [self = shared_from_this(), key] { self->on_phone_key(key); });
}

void gateway_call::on_phone_key(char key) {
    if (ivr_active_) {
        ivr_keys_ += key;
        return;
    }
    apply_keypad(keypad_.on_key(key, std::chrono::steady_clock::now()));
}

// Keypad controls (issue 8 item 4), acting straight on the conference: we are the participant.
void gateway_call::apply_keypad(const std::vector<keypad_action>& actions) {
    for (const auto& a : actions) {
        switch (a.what) {
        case keypad_action::kind::relay:
            if (phone_) phone_->relay(a.key);
            break;
        case keypad_action::kind::toggle_mute:
            // §3.6: with AV moderation on and no approval, unmuting is not ours to do; as Jigasi
            // does, the hand goes up to ask for it instead.
            if (muted_ && av_moderated_ && !av_approved_) {
                log_.info("keypad: unmute refused (AV moderation); raising the hand instead");
                set_hand(true);
                say(media::prompts::prompt_id::unmute_not_allowed);
                break;
            }
            log_.info("keypad: ", muted_ ? "unmute" : "mute");
            apply_mute(!muted_);
            say(muted_ ? media::prompts::prompt_id::cue_mute : media::prompts::prompt_id::cue_unmute);
            say(muted_ ? media::prompts::prompt_id::muted : media::prompts::prompt_id::unmuted);
            break;
        case keypad_action::kind::toggle_hand:
            log_.info("keypad: hand ", hand_raised_ ? "lowered" : "raised");
            set_hand(!hand_raised_);
            say(hand_raised_ ? media::prompts::prompt_id::hand_raised : media::prompts::prompt_id::hand_lowered);
            break;
        }
    }
}

void gateway_call::set_hand(bool raised) {
    hand_raised_ = raised;
    if (!session_) return;
    auto& p = session_->presence();
    p.hand = raised ? xmpp::hand_state::raised : xmpp::hand_state::lowered;
    p.hand_raised_ms = raised ? static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                               std::chrono::system_clock::now().time_since_epoch())
                                                               .count())
                              : 0;
    if (session_->muc()) session_->publish();
}

void gateway_call::on_av_moderation(xmpp::room_session&, const xmpp::av_moderation& m) {
    if (m.media != "audio") return;
    if (m.enabled) av_moderated_ = *m.enabled;
    if (m.enabled && !*m.enabled) av_approved_ = false;
    if (m.approved) av_approved_ = true;
    if (m.removed) av_approved_ = false;
    // §5.7 numbered notifications: 8 moderation on/off, 9 approved, 10 approval removed.
    if (m.enabled) send_info("{\"i\":" + std::to_string(++info_seq_) + ",\"t\":8,\"d\":" + (*m.enabled ? "true" : "false") + "}");
    if (m.approved) send_info("{\"i\":" + std::to_string(++info_seq_) + ",\"t\":9}");
    if (m.removed) send_info("{\"i\":" + std::to_string(++info_seq_) + ",\"t\":10}");
    log_.info("AV moderation of audio: ", av_moderated_ ? "on" : "off", av_approved_ ? ", we may unmute" : "");
}

void gateway_call::send_info(std::string body) {
    if (ctx_.info_json && hooks_.info_json) hooks_.info_json(std::move(body));
}

void gateway_call::heartbeat_answered() {
    asio::post(strand_, [self = shared_from_this()] { self->heartbeats_unanswered_ = 0; });
}

}  // namespace jigasi::call
