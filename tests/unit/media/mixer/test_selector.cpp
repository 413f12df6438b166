// Loudest-K selection with hysteresis.

#include "media/mixer/selector.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using namespace jigasi::media::mixer;

namespace {

std::vector<int> sorted(std::span<const std::uint16_t> s) {
    std::vector<int> v(s.begin(), s.end());
    std::sort(v.begin(), v.end());
    return v;
}

}  // namespace

TEST_CASE("selector: the K loudest, deterministic on ties", "[mixer]") {
    loudest_selector s(8, {3, 6});
    std::vector<std::uint8_t> levels{40, 20, no_level, 30, 90, 20, 127, 60};
    s.select(levels);
    CHECK(sorted(s.members()) == std::vector<int>{1, 3, 5});
    CHECK(sorted(s.entered()) == std::vector<int>{1, 3, 5});
    CHECK(s.left().empty());
    CHECK(s.selected(1));
    CHECK_FALSE(s.selected(0));
    CHECK_FALSE(s.selected(100));

    // Ties: the lower slot wins a free place.
    loudest_selector t(4, {1, 6});
    t.select(std::vector<std::uint8_t>{50, 50, 50, 50});
    CHECK(sorted(t.members()) == std::vector<int>{0});
}

TEST_CASE("selector: hysteresis keeps the set when loudness is close", "[mixer]") {
    loudest_selector s(4, {2, 6});
    s.select(std::vector<std::uint8_t>{30, 40, 50, no_level});
    CHECK(sorted(s.members()) == std::vector<int>{0, 1});
    // Slot 2 gets 5 dB louder than slot 1: not enough.
    s.select(std::vector<std::uint8_t>{30, 40, 35, no_level});
    CHECK(sorted(s.members()) == std::vector<int>{0, 1});
    CHECK(s.entered().empty());
    CHECK(s.left().empty());
    // 6 dB louder than the quietest member: it takes that place.
    s.select(std::vector<std::uint8_t>{30, 40, 34, no_level});
    CHECK(sorted(s.members()) == std::vector<int>{0, 2});
    CHECK(sorted(s.entered()) == std::vector<int>{2});
    CHECK(sorted(s.left()) == std::vector<int>{1});
    // Two newcomers both clearly louder replace two members in one decision.
    s.select(std::vector<std::uint8_t>{30, 10, 34, 12});
    CHECK(sorted(s.members()) == std::vector<int>{1, 3});
}

TEST_CASE("selector: alternating loudness does not flap", "[mixer]") {
    loudest_selector s(2, {1, 6});
    int changes = 0;
    for (int tick = 0; tick < 100; ++tick) {
        const bool odd = tick % 2;
        s.select(std::vector<std::uint8_t>{static_cast<std::uint8_t>(odd ? 30 : 34),
                                           static_cast<std::uint8_t>(odd ? 34 : 30)});
        changes += static_cast<int>(s.entered().size());
    }
    CHECK(changes == 1);
    // With no hysteresis it would follow every change.
    loudest_selector z(2, {1, 0});
    changes = 0;
    for (int tick = 0; tick < 100; ++tick) {
        const bool odd = tick % 2;
        z.select(std::vector<std::uint8_t>{static_cast<std::uint8_t>(odd ? 30 : 34),
                                           static_cast<std::uint8_t>(odd ? 34 : 30)});
        changes += static_cast<int>(z.entered().size());
    }
    CHECK(changes == 100);
}

TEST_CASE("selector: a silent member leaves and its place is refilled at once", "[mixer]") {
    loudest_selector s(4, {2, 6});
    s.select(std::vector<std::uint8_t>{30, 40, 80, no_level});
    CHECK(sorted(s.members()) == std::vector<int>{0, 1});
    s.select(std::vector<std::uint8_t>{no_level, 40, 80, no_level});
    CHECK(sorted(s.members()) == std::vector<int>{1, 2});
    CHECK(sorted(s.left()) == std::vector<int>{0});
    CHECK(sorted(s.entered()) == std::vector<int>{2});
    s.select(std::vector<std::uint8_t>{no_level, no_level, no_level, no_level});
    CHECK(s.members().empty());
    // K larger than the slots: capped.
    loudest_selector big(2, {5, 6});
    CHECK(big.k() == 2);
}
