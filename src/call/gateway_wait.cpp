// Waiting, with prompts, while the phone is not bridged (issue 8 items 2 and 6): in a Jitsi lobby
// until a moderator admits or refuses the caller (jitsi-protocol.md §3.5), and alone in the room
// until the conference starts (Jicofo starts no session for a lone participant). Jigasi drops such
// a caller after 30 s; we answer, say so, and wait.
#include "call/gateway_call.hpp"
#include "call/idle_clock.hpp"

namespace asio = boost::asio;
using jigasi::media::prompts::prompt_id;

namespace jigasi::call {

std::optional<std::string> gateway_call::answer_early() {
    if (!phone_) {
        if (!phone_media_) return std::string("the phone's media is not known yet (late offer)");
        if (auto err = make_phone()) return err;
        if (hooks_.answer) hooks_.answer();  // no-op for a call the IVR answered
    }
    if (!player_) return std::string("no prompts at this phone's rate (or none loaded)");
    return std::nullopt;
}

asio::awaitable<void> gateway_call::say_all(prompt_id id) {
    if (!player_ || !phone_ || phone_gone_) co_return;
    say(id);
    co_await ivr_drain();
}

bool gateway_call::hold_over(hold_for why) {
    if (hung_up_) return true;
    if (why == hold_for::start) return offer_.has_value() || in_lobby_;
    if (!in_lobby_) return true;
    if (std::chrono::steady_clock::now() < lobby_deadline_) return false;
    // Nobody let the caller in: we leave (the leaver leaves the lobby room too).
    hung_up_ = "nobody admitted the caller from the lobby within " + std::to_string(ctx_.ivr->lobby_wait.count()) + " s";
    hung_up_reason_ = "lobby_timeout";
    log_.info(*hung_up_);
    hangup_timer_->cancel();
    return true;
}

void gateway_call::on_lobby(xmpp::room_session&, bool in, const std::string& admitted_by) {
    if (in) {
        if (auto err = answer_early()) {
            // Without prompts the caller would wait in silence: leave instead.
            log_.notice("the room has a lobby, but the caller cannot wait in it: ", *err);
            hung_up_ = "the room has a lobby and the caller cannot be told to wait (" + *err + ")";
            hung_up_reason_ = "lobby";
            hangup_timer_->cancel();
            return;
        }
        in_lobby_ = true;
        lobby_deadline_ = std::chrono::steady_clock::now() + ctx_.ivr->lobby_wait;
        log_.info("in the lobby: waiting for a moderator (at most ", ctx_.ivr->lobby_wait.count(), " s)");
        if (ctx_.registry) ctx_.registry->update(id_, [](call_info& c) { c.state = "lobby"; });
        send_info("{\"i\":" + std::to_string(++info_seq_) + ",\"t\":3}");  // §5.7: in the lobby
        if (wake_) wake_->cancel();
        return;
    }
    in_lobby_ = false;
    if (ctx_.registry) ctx_.registry->update(id_, [](call_info& c) { c.state = "connecting"; });
    if (!admitted_by.empty()) {
        log_.info("admitted from the lobby by ", admitted_by);
        send_info("{\"i\":" + std::to_string(++info_seq_) + ",\"t\":6}");  // §5.7: admitted
        say(prompt_id::admitted);  // heard as soon as the phone is bridged
    } else {
        log_.info("the lobby was turned off: joining the room");
    }
    send_info("{\"i\":" + std::to_string(++info_seq_) + ",\"t\":5}");  // left the lobby
}

asio::awaitable<void> gateway_call::hold(prompt_id repeat, hold_for why) {
    idle_clock clock(strand_, *phone_);
    const auto every = ctx_.ivr ? ctx_.ivr->wait_prompt : std::chrono::seconds(0);
    std::optional<std::chrono::steady_clock::time_point> next_prompt = std::chrono::steady_clock::now();
    while (!hold_over(why)) {
        const auto now = std::chrono::steady_clock::now();
        if (next_prompt && now >= *next_prompt && !player_->playing()) {
            player_->play(repeat);
            next_prompt.reset();
            if (every.count() > 0) next_prompt = now + every;
        }
        co_await clock.tick(true);  // the keypad works while waiting (mute, hand)
    }
}

}  // namespace jigasi::call
