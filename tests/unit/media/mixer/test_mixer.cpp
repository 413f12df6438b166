// The tick mixer: sums, saturation, mix-minus, decode requests and click-free transitions.

#include "media/mixer/mixer.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <vector>

using namespace jigasi::media::mixer;

namespace {

constexpr std::size_t n = 960;

mixer::config small(std::size_t k = 3) {
    mixer::config c;
    c.max_participants = 8;
    c.frame_samples = n;
    c.max_speakers = k;
    return c;
}

/// One tick: decode what is asked from the given sources (a source is a function of the absolute
/// sample index), skip the slots in `no_frame`, and return the phone's mix and the full mix.
struct tick_result {
    std::vector<slot> decoded;
    std::vector<std::int16_t> out;
};

template <class Source>
tick_result run_tick(mixer& m, std::uint64_t tick, slot listener, Source source,
                     std::vector<slot> no_frame = {}) {
    tick_result r;
    for (const slot s : m.begin_tick()) {
        r.decoded.push_back(s);
        if (std::find(no_frame.begin(), no_frame.end(), s) != no_frame.end()) continue;
        auto f = m.frame(s);
        for (std::size_t i = 0; i < n; ++i) f[i] = source(s, tick * n + i);
        m.frame_ready(s);
    }
    r.out.resize(n);
    m.mix_minus(listener, r.out);
    return r;
}

std::int16_t dc(std::int16_t v) { return v; }

int max_step(const std::vector<std::int16_t>& v) {
    int worst = 0;
    for (std::size_t i = 1; i < v.size(); ++i) worst = std::max(worst, std::abs(v[i] - v[i - 1]));
    return worst;
}

}  // namespace

TEST_CASE("mixer: sums with 32-bit accumulation, mix-minus per listener", "[mixer]") {
    mixer m(small());
    const slot phone = *m.add(1000, true);
    const slot a = *m.add(1);
    const slot b = *m.add(2);
    const std::map<slot, std::int16_t> value{{phone, 500}, {a, 1000}, {b, 2000}};
    auto src = [&](slot s, std::uint64_t) { return dc(value.at(s)); };
    for (std::uint64_t t = 0; t < 3; ++t) {
        m.set_level(a, 30);
        m.set_level(b, 40);
        run_tick(m, t, phone, src);
    }
    std::vector<std::int16_t> out(n);
    m.mix_minus(phone, out);
    CHECK(std::all_of(out.begin(), out.end(), [](auto x) { return x == 3000; }));  // the web speakers
    m.mix_minus(a, out);
    CHECK(std::all_of(out.begin(), out.end(), [](auto x) { return x == 2500; }));  // all but a
    m.mix_all(out);
    CHECK(std::all_of(out.begin(), out.end(), [](auto x) { return x == 3500; }));
    // A listener that does not contribute hears everything.
    const slot c = *m.add(3);
    m.mix_minus(c, out);
    CHECK(out[0] == 3500);
    // A longer output buffer is zero-filled past the frame, a shorter one takes a prefix.
    std::vector<std::int16_t> longer(n + 10, 7);
    m.mix_all(longer);
    CHECK(longer[n] == 0);
    std::vector<std::int16_t> shorter(10);
    m.mix_all(shorter);
    CHECK(shorter[9] == 3500);
}

TEST_CASE("mixer: saturates at +-32767", "[mixer]") {
    mixer m(small());
    const slot phone = *m.add(1000, true);
    const slot a = *m.add(1);
    const slot b = *m.add(2);
    const slot c = *m.add(3);
    std::int16_t sign = 1;
    auto src = [&](slot s, std::uint64_t) -> std::int16_t {
        if (s == phone) return 0;
        return static_cast<std::int16_t>(sign * (s == c ? 32767 : 30000));
    };
    for (std::uint64_t t = 0; t < 2; ++t) {
        for (slot s : {a, b, c}) m.set_level(s, 10);
        run_tick(m, t, phone, src);
    }
    std::vector<std::int16_t> out(n);
    m.mix_minus(phone, out);
    CHECK(std::all_of(out.begin(), out.end(), [](auto x) { return x == 32767; }));
    sign = -1;
    for (slot s : {a, b, c}) m.set_level(s, 10);
    run_tick(m, 2, phone, src);
    m.mix_minus(phone, out);
    CHECK(std::all_of(out.begin(), out.end(), [](auto x) { return x == -32767; }));
    // c hears the total minus its own part (-60000), not the saturated total minus it.
    m.mix_minus(c, out);
    CHECK(out[0] == -32767);
}

TEST_CASE("mixer: only selected, sounding streams are decoded", "[mixer]") {
    mixer::config cfg = small(2);
    cfg.level_timeout_ticks = 5;
    mixer m(cfg);
    const slot phone = *m.add(1000, true);
    const slot loud = *m.add(1), mid = *m.add(2), quiet = *m.add(3), silent = *m.add(4), mute = *m.add(5);
    CHECK(m.find(3) == quiet);
    CHECK(m.find(99) == std::nullopt);
    CHECK(m.ssrc(mid) == 2);
    auto levels = [&] {
        m.set_level(loud, 20);
        m.set_level(mid, 40);
        m.set_level(quiet, 60);
        m.set_level(silent, 127);  // digital silence (RFC 6464)
        // `mute` never sends: no level at all
    };
    levels();
    const auto first = m.begin_tick();
    auto decoded = std::vector<slot>(first.begin(), first.end());
    std::sort(decoded.begin(), decoded.end());
    CHECK(decoded == std::vector<slot>{phone, loud, mid});
    CHECK_FALSE(m.contributing(quiet));
    CHECK_FALSE(m.contributing(silent));
    CHECK_FALSE(m.contributing(mute));
    CHECK(m.contributing(phone));

    // The loud one goes quiet on the bridge (no more packets): after the timeout it leaves, is
    // decoded once more to fade out, and `quiet` takes its place.
    std::vector<std::vector<slot>> per_tick;
    for (int t = 0; t < 8; ++t) {
        m.set_level(mid, 40);
        m.set_level(quiet, 60);
        auto d = m.begin_tick();
        per_tick.emplace_back(d.begin(), d.end());
        std::sort(per_tick.back().begin(), per_tick.back().end());
        for (slot s : d) m.frame_ready(s);
    }
    // Level set before tick 1, timeout 5: fresh through tick 5 (ticks 2..5 here), gone at tick 6.
    CHECK(per_tick[3] == std::vector<slot>{phone, loud, mid});
    CHECK(per_tick[4] == std::vector<slot>{phone, loud, mid, quiet});  // loud fading out
    CHECK(per_tick[5] == std::vector<slot>{phone, mid, quiet});
    CHECK(std::find(per_tick[7].begin(), per_tick[7].end(), silent) == per_tick[7].end());
}

TEST_CASE("mixer: a stream entering and leaving fades, no click", "[mixer]") {
    mixer m(small(1));
    const slot phone = *m.add(1000, true);
    const slot a = *m.add(1);
    // A 440 Hz sine at 20000: its own largest step is 2 pi 440 / 48000 * 20000 = 1152.
    auto src = [&](slot s, std::uint64_t i) -> std::int16_t {
        if (s == phone) return 0;
        return static_cast<std::int16_t>(std::lround(20000 * std::sin(2 * M_PI * 440 * i / 48000.0 + 1)));
    };
    std::vector<std::int16_t> heard;
    for (std::uint64_t t = 0; t < 10; ++t) {
        if (t >= 2 && t < 6) m.set_level(a, 20);  // talks during ticks 3..6 (levels go stale after)
        if (t == 6) m.set_level(a, 127);          // then digital silence
        const auto r = run_tick(m, t, phone, src);
        heard.insert(heard.end(), r.out.begin(), r.out.end());
    }
    CHECK(max_step(heard) <= 1152 + 20000 / static_cast<int>(n) + 2);
    // Silence before, the fade in reaches full level within its frame, silence after the fade out.
    CHECK(heard[2 * n - 1] == 0);
    CHECK(std::abs(heard[2 * n]) <= 20000 / static_cast<int>(n) + 1);
    const auto peak = [&](std::size_t tick) {
        int p = 0;
        for (std::size_t i = tick * n; i < (tick + 1) * n; ++i) p = std::max(p, std::abs(int{heard[i]}));
        return p;
    };
    CHECK(peak(3) >= 19900);
    CHECK(peak(6) > 0);      // fading out
    CHECK(heard[7 * n - 1] == 0);
    CHECK(peak(7) == 0);
    CHECK(peak(9) == 0);
}

TEST_CASE("mixer: a speaker change cross-fades", "[mixer]") {
    mixer m(small(1));
    const slot phone = *m.add(1000, true);
    const slot a = *m.add(1), b = *m.add(2);
    auto src = [&](slot s, std::uint64_t) -> std::int16_t { return s == a ? 20000 : s == b ? -20000 : 0; };
    std::vector<std::int16_t> heard;
    std::vector<std::vector<slot>> decoded;
    for (std::uint64_t t = 0; t < 6; ++t) {
        m.set_level(a, t < 3 ? 20 : 40);
        m.set_level(b, t < 3 ? 40 : 20);  // b clearly louder from tick 3
        const auto r = run_tick(m, t, phone, src);
        heard.insert(heard.end(), r.out.begin(), r.out.end());
        decoded.push_back(r.decoded);
    }
    CHECK(std::vector<std::uint16_t>(m.speakers().begin(), m.speakers().end()) == std::vector<std::uint16_t>{b});
    CHECK(decoded[3].size() == 3);  // phone, a (fading out), b (fading in)
    CHECK(heard[3 * n - 1] == 20000);
    CHECK(heard[4 * n] == -20000);
    // 40000 over one frame: about 42 per sample, never a jump.
    CHECK(max_step(heard) <= 2 * 20000 / static_cast<int>(n) + 2);
}

TEST_CASE("mixer: a missing frame decays instead of stopping dead", "[mixer]") {
    mixer m(small());
    const slot phone = *m.add(1000, true);
    const slot a = *m.add(1);
    auto src = [&](slot s, std::uint64_t) -> std::int16_t { return s == a ? 16000 : 0; };
    std::vector<std::int16_t> heard;
    for (std::uint64_t t = 0; t < 5; ++t) {
        m.set_level(a, 20);
        std::vector<slot> skip;
        if (t == 2) skip.push_back(a);  // lost packet, no concealment
        const auto r = run_tick(m, t, phone, src, skip);
        heard.insert(heard.end(), r.out.begin(), r.out.end());
    }
    CHECK(heard[2 * n - 1] == 16000);
    CHECK(heard[3 * n - 1] == 0);       // decayed to zero by the end of the lost frame
    CHECK(heard[4 * n - 1] == 16000);   // and faded in again
    CHECK(max_step(heard) <= 16000 / static_cast<int>(n) + 2);
}

TEST_CASE("mixer: removal fades out, then frees the slot", "[mixer]") {
    mixer::config cfg = small();
    cfg.max_participants = 2;
    mixer m(cfg);
    const slot phone = *m.add(1000, true);
    const slot a = *m.add(1);
    CHECK_FALSE(m.add(2));  // full
    auto src = [&](slot s, std::uint64_t) -> std::int16_t { return s == a ? 10000 : 0; };
    std::vector<std::int16_t> heard;
    for (std::uint64_t t = 0; t < 4; ++t) {
        m.set_level(a, 20);
        if (t == 2) m.remove(a);
        const auto r = run_tick(m, t, phone, src);
        heard.insert(heard.end(), r.out.begin(), r.out.end());
        if (t == 2) {
            CHECK(m.find(1) == std::nullopt);
            CHECK(std::find(r.decoded.begin(), r.decoded.end(), a) == r.decoded.end());
        }
    }
    CHECK(heard[2 * n - 1] == 10000);
    CHECK(heard[3 * n - 1] == 0);
    CHECK(max_step(heard) <= 10000 / static_cast<int>(n) + 2);
    CHECK(m.add(3) == a);  // free again
    // A silent participant is freed at once.
    m.remove(a);
    CHECK(m.add(4) == a);
}

TEST_CASE("mixer: N-way mix-minus with pinned participants", "[mixer]") {
    mixer m(small());
    const slot x = *m.add(1, true), y = *m.add(2, true), z = *m.add(3, true);
    const std::map<slot, std::int16_t> v{{x, 100}, {y, 200}, {z, 400}};
    for (std::uint64_t t = 0; t < 2; ++t) run_tick(m, t, x, [&](slot s, std::uint64_t) { return v.at(s); });
    std::vector<std::int16_t> out(n);
    m.mix_minus(x, out);
    CHECK(out[5] == 600);
    m.mix_minus(y, out);
    CHECK(out[5] == 500);
    m.mix_minus(z, out);
    CHECK(out[5] == 300);
    CHECK(m.speakers().empty());  // pinned participants are not in the contest
}
