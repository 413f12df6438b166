// The call's media (jitsi-protocol.md §4): the phone's port and pipeline, the bridge leg that
// answers the focus' offer (session-accept, or transport-accept on a bridge move, §4.3), and the
// Jingle actions that start, move, end or change that session. On the call's strand.
#include "call/gateway_call.hpp"

#include "media/codecs/factory.hpp"
#include "media/dtls/certificate.hpp"
#include "xmpp/jingle.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/rand.h>

#include <random>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace jigasi::call {

namespace {
std::uint32_t random32() {
    std::uint32_t v = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) v = std::random_device{}();
    return v ? v : 1;
}
}  // namespace

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
    if (was_secured) log_.info(leg_->summary());
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

}  // namespace jigasi::call
