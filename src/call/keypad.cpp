#include "call/keypad.hpp"

#include <utility>

namespace jigasi::call {

bool keypad::prefix_of_a_code(const std::string& s) const {
    auto prefix = [&](const std::string& code) { return !code.empty() && code.size() > s.size() && code.starts_with(s); };
    return prefix(mute_) || prefix(hand_);
}

void keypad::flush(std::vector<keypad_action>& out) {
    for (char k : held_) out.push_back({keypad_action::kind::relay, k});
    held_.clear();
}

std::vector<keypad_action> keypad::on_key(char key, clock::time_point now) {
    std::vector<keypad_action> out;
    std::string next = held_ + key;
    if (!mute_.empty() && next == mute_) {
        held_.clear();
        out.push_back({keypad_action::kind::toggle_mute, 0});
        return out;
    }
    if (!hand_.empty() && next == hand_) {
        held_.clear();
        out.push_back({keypad_action::kind::toggle_hand, 0});
        return out;
    }
    if (prefix_of_a_code(next)) {
        held_ = std::move(next);
        held_at_ = now;
        return out;
    }
    // Not a code: what was held goes on, then this key starts afresh (it may begin a code).
    flush(out);
    if (prefix_of_a_code(std::string(1, key))) {
        held_ = std::string(1, key);
        held_at_ = now;
    } else {
        out.push_back({keypad_action::kind::relay, key});
    }
    return out;
}

std::vector<keypad_action> keypad::on_tick(clock::time_point now) {
    std::vector<keypad_action> out;
    if (!held_.empty() && now - held_at_ >= hold_) flush(out);
    return out;
}

digit_entry::outcome digit_entry::on_key(char key, clock::time_point now) {
    last_ = now;
    if (key == '*') {
        typed_.clear();
        return {};
    }
    if (key == '#') {
        if (typed_.size() < min_) {
            typed_.clear();
            return {outcome::kind::too_short, {}};
        }
        return {outcome::kind::done, std::exchange(typed_, {})};
    }
    if (key >= '0' && key <= '9' && typed_.size() < max_) typed_ += key;
    // A full entry needs no '#': callers often forget it.
    if (typed_.size() == max_) return {outcome::kind::done, std::exchange(typed_, {})};
    return {};
}

digit_entry::outcome digit_entry::on_tick(clock::time_point now) const {
    if (now - last_ >= timeout_) return {outcome::kind::timed_out, typed_};
    return {};
}

}  // namespace jigasi::call
