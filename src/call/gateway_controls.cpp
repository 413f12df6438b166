// In-call controls (issue 8 item 4, jitsi-protocol.md §3.6, §5.7): mute from the focus, the API or
// an IVR's muteRequest, hold, keys both ways, the keypad (mute, hand), AV moderation, and the SIP
// INFO notifications and heartbeat toward an IVR in front of us. On the call's strand.
#include "call/gateway_call.hpp"

#include <boost/asio/post.hpp>

#include <openssl/rand.h>

#include <algorithm>

namespace asio = boost::asio;

namespace jigasi::call {

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
            if (player_) player_->play(muted_ ? media::prompts::prompt_id::muted : media::prompts::prompt_id::unmuted);  // after the cue
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

void gateway_call::use_password(std::string password) {
    asio::post(strand_, [self = shared_from_this(), password = std::move(password)]() mutable {
        self->room_.password = std::move(password);
        // In the room and bridged already: the password is kept for a rejoin, nothing else.
        if (!self->session_ || self->answered_ || self->hung_up_ || self->rejoin_) return;
        self->log_.info("a password from the phone side (INFO t=4): joining again with it");
        self->rejoin_ = true;
        self->session_->leave("joining with a password");
    });
}

void gateway_call::heartbeat_answered() {
    asio::post(strand_, [self = shared_from_this()] { self->heartbeats_unanswered_ = 0; });
}

}  // namespace jigasi::call
