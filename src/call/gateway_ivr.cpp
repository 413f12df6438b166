// The built-in IVR (issue 8 item 2), on the call's strand before and between conference stays:
// the caller, answered at once, types the meeting ID (the conference mapper's) and #, and the PIN
// of a locked room when the conference refuses us without it (jitsi-protocol.md §3.5). Prompts
// come from media::prompts; keys come as RFC 4733 or SIP INFO, both through on_phone_key.
#include "call/gateway_call.hpp"
#include "call/idle_clock.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using jigasi::media::prompts::prompt_id;

namespace jigasi::call {

void gateway_call::say(prompt_id id) {
    if (!player_) return;
    player_->clear();  // the newest state is the one to hear
    player_->play(id);
}

asio::awaitable<void> gateway_call::ivr_drain() {
    idle_clock clock(strand_, *phone_);
    while (player_->playing() && !phone_gone_) co_await clock.tick(false);
}

asio::awaitable<std::optional<std::string>> gateway_call::ivr_ask(prompt_id ask, prompt_id wrong, bool find_room) {
    const auto& c = ctx_.ivr->cfg;
    digit_entry entry(c.min_digits, c.max_digits, std::chrono::seconds(c.digit_timeout_s));
    idle_clock clock(strand_, *phone_);
    ivr_active_ = true;
    ivr_keys_.clear();
    for (unsigned attempt = 0; attempt < c.tries && !hung_up_; ++attempt) {
        player_->play(ask);
        bool listening = false;  // from the end of the prompt, or a key that cuts it short
        std::optional<std::string> got;
        bool failed = false;
        while (!got && !failed && !hung_up_) {
            co_await clock.tick(true);  // RFC 4733 keys reach on_phone_key from here
            auto now = std::chrono::steady_clock::now();
            if (!listening && !player_->playing()) {
                listening = true;
                entry.start(now);
            }
            std::optional<std::string> done;
            const std::string keys = std::exchange(ivr_keys_, {});
            for (char k : keys) {
                if (!listening) {
                    player_->clear();
                    listening = true;
                    entry.start(now);
                }
                auto o = entry.on_key(k, now);
                if (o.what == digit_entry::outcome::kind::done) {
                    done = o.digits;
                    break;
                }
                if (o.what == digit_entry::outcome::kind::too_short) {
                    failed = true;
                    break;
                }
            }
            if (done && !find_room) got = done;
            if (done && find_room) {
                // The lookup may ask an external mapper: the prompt clock pauses meanwhile (the clock
                // then starts from now, without a burst of frames to catch up).
                std::string digits = *done;
                auto op = ctx_.ivr->lookup(digits);  // named: see GCC 12 in sip/strand_op.hpp
                ivr_room_ = co_await std::move(op);
                log_.info("IVR: meeting ID ", digits, ivr_room_ ? " is " + ivr_room_->room.to_string() : std::string(" is unknown"));
                if (ivr_room_) got = digits;
                else failed = true;
                clock.resync();
                now = std::chrono::steady_clock::now();
            }
            if (listening && !got && !failed && entry.on_tick(now).what == digit_entry::outcome::kind::timed_out) {
                log_.info("IVR: no key for ", c.digit_timeout_s, " s");
                failed = true;
            }
        }
        if (got) {
            ivr_active_ = false;
            co_return got;
        }
        if (failed && attempt + 1 < c.tries) player_->play(wrong);
    }
    ivr_active_ = false;
    if (!hung_up_) {
        player_->clear();
        player_->play(prompt_id::error);
        co_await ivr_drain();
    }
    co_return std::nullopt;
}

asio::awaitable<bool> gateway_call::ivr_phone_ready() {
    for (int i = 0; i < 100 && !phone_media_ && !hung_up_; ++i) {
        wake_->expires_after(std::chrono::milliseconds(100));
        co_await wake_->async_wait(asio::as_tuple(asio::use_awaitable));  // phone_answered() cancels it
    }
    co_return phone_media_.has_value();
}

asio::awaitable<bool> gateway_call::ivr_choose_room() {
    const bool ready = co_await ivr_phone_ready();
    std::optional<std::string> err;
    if (!ready) err = hung_up_ ? std::string("hung up before the ACK") : std::string("no SDP answer in the ACK within 10 s");
    else err = make_phone();
    if (!err && !player_) err = "no prompts at this phone's rate (or none loaded)";
    if (err) {
        if (hung_up_) finish(0, hung_up_reason_.empty() ? "caller_cancelled" : hung_up_reason_, *hung_up_);
        else finish(503, "ivr", "IVR: " + *err);
        co_return false;
    }
    log_.info("IVR: asking for the meeting ID");
    auto r = co_await (phone_->receive() || ivr_ask(prompt_id::enter_meeting_id, prompt_id::unknown_meeting_id, true));
    record_media();  // what the phone sent and got while in the IVR
    if (hung_up_) {
        finish(0, hung_up_reason_.empty() ? "phone_hung_up" : hung_up_reason_, *hung_up_);
        co_return false;
    }
    if (r.index() != 1 || !std::get<1>(r) || !ivr_room_) {
        finish(0, "ivr_no_room", "IVR: no known meeting ID after " + std::to_string(ctx_.ivr->cfg.tries) + " tries");
        co_return false;
    }
    ivr_room_->password = room_.password;  // a password header still applies (a wrong one: PIN asked)
    ivr_room_->presence.display_name = room_.presence.display_name;
    ivr_room_->presence.status = room_.presence.status;
    room_ = std::move(*ivr_room_);
    ivr_room_.reset();
    if (ctx_.registry) ctx_.registry->update(id_, [room = room_.room.to_string()](call_info& c) { c.room = room; });
    if (hooks_.room_chosen) hooks_.room_chosen(room_.room.to_string());
    co_return true;
}

asio::awaitable<bool> gateway_call::ivr_pin() {
    if (hung_up_ || ctx_.ivr->has_password) co_return false;
    if (pin_attempts_ >= ctx_.ivr->cfg.tries) {
        if (player_) {
            log_.info("IVR: wrong PIN ", pin_attempts_, " times; giving up");
            say(prompt_id::wrong_pin);
            player_->play(prompt_id::error);
            co_await ivr_drain();
        }
        co_return false;
    }
    if (!phone_) {
        // A call routed to a locked room: answered now, so that the caller can type the PIN.
        if (!phone_media_) co_return false;  // late offer: our offer goes out only once in the room
        if (make_phone() || !player_) co_return false;
        if (hooks_.answer) hooks_.answer();
    }
    if (!player_) co_return false;
    const bool again = pin_attempts_++ > 0;
    log_.info("IVR: the room is locked; asking for its PIN", again ? " again" : "");
    if (again) player_->play(prompt_id::wrong_pin);
    auto r = co_await (phone_->receive() || ivr_ask(prompt_id::enter_pin, prompt_id::wrong_pin, false));
    if (r.index() != 1 || !std::get<1>(r) || hung_up_) co_return false;
    room_.password = *std::get<1>(r);
    co_return true;
}

}  // namespace jigasi::call
