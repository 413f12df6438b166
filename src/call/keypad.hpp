#pragma once
// Keypad controls during a call (issue 8 item 4): the phone's keys (RFC 4733 or SIP INFO) either
// form a control code (calls.keypad_mute "*6", calls.keypad_hand "*9") or go to the conference
// as telephone-events. Sans-io: keys and the clock go in, actions come out.
//
// A code's first key is held back until the code is complete or cannot be any more; then the
// held keys are relayed in order, so "*1" still reaches the conference as * then 1. A held
// prefix is let go after `hold` without a further key.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace jigasi::call {

struct keypad_action {
    enum class kind { relay, toggle_mute, toggle_hand } what = kind::relay;
    char key = 0;  ///< relay: the key for the conference
    friend bool operator==(const keypad_action&, const keypad_action&) = default;
};

class keypad {
public:
    using clock = std::chrono::steady_clock;
    /// Empty codes are off.
    keypad(std::string mute_code, std::string hand_code, std::chrono::milliseconds hold = std::chrono::milliseconds(2000))
        : mute_(std::move(mute_code)), hand_(std::move(hand_code)), hold_(hold) {}

    std::vector<keypad_action> on_key(char key, clock::time_point now);
    /// Held keys whose time is up (call about every second).
    std::vector<keypad_action> on_tick(clock::time_point now);

private:
    bool prefix_of_a_code(const std::string& s) const;
    void flush(std::vector<keypad_action>& out);

    std::string mute_, hand_;
    std::chrono::milliseconds hold_;
    std::string held_;
    clock::time_point held_at_{};
};

/// An IVR entry (issue 8 item 2): digits ended by '#', as callers type a meeting ID or PIN.
/// '*' starts the entry over. Sans-io.
class digit_entry {
public:
    using clock = std::chrono::steady_clock;
    struct outcome {
        enum class kind { typing, done, too_short, timed_out } what = kind::typing;
        std::string digits;  ///< done: what was typed
    };
    digit_entry(unsigned min_digits, unsigned max_digits, std::chrono::seconds timeout)
        : min_(min_digits), max_(max_digits), timeout_(timeout) {}

    /// Starts listening (after the prompt): the timeout runs from here.
    void start(clock::time_point now) {
        typed_.clear();
        last_ = now;
    }
    outcome on_key(char key, clock::time_point now);
    /// timed_out once `timeout` passes without a key.
    outcome on_tick(clock::time_point now) const;

private:
    unsigned min_, max_;
    std::chrono::seconds timeout_;
    std::string typed_;
    clock::time_point last_{};
};

}  // namespace jigasi::call
