// The built-in IVR (issue 8 item 2), on the call's strand before and between conference stays:
// the caller, answered at once, types the meeting ID (the conference mapper's) and #, and the PIN
// of a locked room when the conference refuses us without it (jitsi-protocol.md §3.5). Prompts
// come from media::prompts; keys come as RFC 4733 or SIP INFO, both through on_phone_key.
#include "call/gateway_call.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using jigasi::media::prompts::prompt_id;

namespace jigasi::call {

namespace {
constexpr auto frame = std::chrono::milliseconds(20);
}

void gateway_call::say(prompt_id id) {
    if (!player_) return;
    player_->clear();  // the newest state is the one to hear
    player_->play(id);
}

asio::awaitable<void> gateway_call::ivr_drain() {
    asio::steady_timer tick(strand_);
    std::vector<std::int16_t> in(phone_->frame_samples()), silence(phone_->frame_samples());
    auto next = std::chrono::steady_clock::now();
    while (player_->playing() && !hung_up_) {
        next += frame;
        tick.expires_at(next);
        co_await tick.async_wait(asio::as_tuple(asio::use_awaitable));
        phone_->capture(in);
        phone_->play(silence);
    }
}

asio::awaitable<std::optional<std::string>> gateway_call::ivr_ask(prompt_id ask, prompt_id wrong,
                                                                  std::function<bool(const std::string&)> accept) {
    const auto& c = ctx_.ivr->cfg;
    digit_entry entry(c.min_digits, c.max_digits, std::chrono::seconds(c.digit_timeout_s));
    asio::steady_timer tick(strand_);
    std::vector<std::int16_t> in(phone_->frame_samples()), silence(phone_->frame_samples());
    ivr_active_ = true;
    ivr_keys_.clear();
    for (unsigned attempt = 0; attempt < c.tries && !hung_up_; ++attempt) {
        player_->play(ask);
        bool listening = false;  // from the end of the prompt, or a key that cuts it short
        std::optional<std::string> got;
        bool failed = false;
        auto next = std::chrono::steady_clock::now();
        while (!got && !failed && !hung_up_) {
            next += frame;
            tick.expires_at(next);
            co_await tick.async_wait(asio::as_tuple(asio::use_awaitable));
            const auto now = std::chrono::steady_clock::now();
            phone_->capture(in);
            (void)phone_->poll_key();  // RFC 4733 keys reach on_phone_key from here
            phone_->play(silence);     // carries the prompt
            if (!listening && !player_->playing()) {
                listening = true;
                entry.start(now);
            }
            for (char k : std::exchange(ivr_keys_, {})) {
                if (!listening) {
                    player_->clear();
                    listening = true;
                    entry.start(now);
                }
                auto o = entry.on_key(k, now);
                if (o.what == digit_entry::outcome::kind::done) {
                    if (accept(o.digits)) got = o.digits;
                    else failed = true;
                    break;
                }
                if (o.what == digit_entry::outcome::kind::too_short) {
                    failed = true;
                    break;
                }
            }
            if (listening && !got && !failed && entry.on_tick(now).what == digit_entry::outcome::kind::timed_out) failed = true;
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

asio::awaitable<bool> gateway_call::ivr_choose_room() {
    if (auto err = make_phone(); err || !player_) {
        finish(503, "ivr", err ? *err : std::string("no prompts at this phone's rate"));
        co_return false;
    }
    log_.info("IVR: asking for the meeting ID");
    std::optional<xmpp::room_session_options> chosen;
    std::function<bool(const std::string&)> accept = [this, &chosen](const std::string& digits) {
        chosen = ctx_.ivr->lookup(digits);
        log_.info("IVR: meeting ID ", digits, chosen ? " is " + chosen->room.to_string() : std::string(" is unknown"));
        return chosen.has_value();
    };
    auto r = co_await (phone_->receive() || ivr_ask(prompt_id::enter_meeting_id, prompt_id::unknown_meeting_id, std::move(accept)));
    if (hung_up_) {
        finish(0, hung_up_reason_.empty() ? "caller_cancelled" : hung_up_reason_, *hung_up_);
        co_return false;
    }
    if (r.index() != 1 || !std::get<1>(r) || !chosen) {
        finish(0, "ivr_no_room", "IVR: no known meeting ID after " + std::to_string(ctx_.ivr->cfg.tries) + " tries");
        co_return false;
    }
    chosen->presence.display_name = room_.presence.display_name;
    chosen->presence.status = room_.presence.status;
    room_ = std::move(*chosen);
    if (ctx_.registry) ctx_.registry->update(id_, [room = room_.room.to_string()](call_info& c) { c.room = room; });
    if (hooks_.room_chosen) hooks_.room_chosen(room_.room.to_string());
    co_return true;
}

asio::awaitable<bool> gateway_call::ivr_pin() {
    if (!player_ || hung_up_) co_return false;
    if (pin_attempts_ >= ctx_.ivr->cfg.tries) co_return false;
    const bool again = pin_attempts_++ > 0;
    log_.info("IVR: the room is locked; asking for its PIN", again ? " again" : "");
    if (again) player_->play(prompt_id::wrong_pin);
    std::optional<std::string> pin;
    std::function<bool(const std::string&)> accept = [](const std::string&) { return true; };  // the room judges it
    auto r = co_await (phone_->receive() || ivr_ask(prompt_id::enter_pin, prompt_id::wrong_pin, std::move(accept)));
    if (r.index() != 1 || !std::get<1>(r) || hung_up_) co_return false;
    room_.password = *std::get<1>(r);
    co_return true;
}

}  // namespace jigasi::call
