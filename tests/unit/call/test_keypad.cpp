// Keypad controls: codes act, everything else reaches the conference in order.
#include "call/keypad.hpp"

#include <catch2/catch.hpp>

using jigasi::call::keypad;
using jigasi::call::keypad_action;
using kind = keypad_action::kind;

namespace {
std::string relayed(const std::vector<keypad_action>& a) {
    std::string s;
    for (const auto& x : a) s += x.what == kind::relay ? std::string(1, x.key) : x.what == kind::toggle_mute ? "[M]" : "[H]";
    return s;
}
std::string feed(keypad& k, const std::string& keys, keypad::clock::time_point t) {
    std::string s;
    for (char c : keys) s += relayed(k.on_key(c, t));
    return s;
}
}  // namespace

TEST_CASE("keypad: codes toggle, other keys are relayed in order", "[call]") {
    const auto t = keypad::clock::now();
    keypad k("*6", "*9");
    CHECK(feed(k, "*6", t) == "[M]");
    CHECK(feed(k, "*9", t) == "[H]");
    CHECK(feed(k, "123#", t) == "123#");
    CHECK(feed(k, "*1", t) == "*1");        // not a code: both go on, in order
    CHECK(feed(k, "**6", t) == "*[M]");     // the second * may start the code
    CHECK(feed(k, "6*", t) == "6");         // the * is held ...
    CHECK(relayed(k.on_tick(t + std::chrono::milliseconds(1999))) == "");
    CHECK(relayed(k.on_tick(t + std::chrono::seconds(2))) == "*");  // ... and let go after the hold
    CHECK(relayed(k.on_tick(t + std::chrono::seconds(3))) == "");
}

TEST_CASE("keypad: longer codes, and codes switched off", "[call]") {
    const auto t = keypad::clock::now();
    keypad k("#*1", "");
    CHECK(feed(k, "#*1", t) == "[M]");
    CHECK(feed(k, "#*2", t) == "#*2");
    CHECK(feed(k, "*9", t) == "*9");        // the hand code is off
    keypad off("", "");
    CHECK(feed(off, "*6*9", t) == "*6*9");
}

TEST_CASE("digit_entry: digits then #, * starts over, too short, full without #, timeout", "[call]") {
    using jigasi::call::digit_entry;
    using k = digit_entry::outcome::kind;
    const auto t = digit_entry::clock::now();
    digit_entry e(4, 10, std::chrono::seconds(10));
    e.start(t);
    for (char c : std::string("12345")) CHECK(e.on_key(c, t).what == k::typing);
    auto done = e.on_key('#', t);
    CHECK(done.what == k::done);
    CHECK(done.digits == "12345");
    for (char c : std::string("99*1234")) e.on_key(c, t);
    CHECK(e.on_key('#', t).digits == "1234");
    e.on_key('1', t);
    CHECK(e.on_key('#', t).what == k::too_short);
    for (char c : std::string("123456789")) CHECK(e.on_key(c, t).what == k::typing);
    auto full = e.on_key('0', t);
    CHECK(full.what == k::done);
    CHECK(full.digits == "1234567890");
    e.start(t);
    CHECK(e.on_tick(t + std::chrono::seconds(9)).what == k::typing);
    e.on_key('5', t + std::chrono::seconds(9));
    CHECK(e.on_tick(t + std::chrono::seconds(18)).what == k::typing);
    CHECK(e.on_tick(t + std::chrono::seconds(19)).what == k::timed_out);
}
