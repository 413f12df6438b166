// The mixer's tick allocates nothing once the mixer exists.

#include "media/mixer/mixer.hpp"
#include "support/count_new.hpp"

#include <catch2/catch.hpp>

#include <array>

using namespace jigasi::media::mixer;
namespace alloc = jigasi::test;

TEST_CASE("mixer: a tick does not allocate", "[mixer]") {
    if (!alloc::allocation_counting_works()) {
        WARN("another operator new replacement is linked in; allocation not counted here");
        return;
    }
    mixer m({});  // 64 participants, 960 samples, K = 3
    const slot phone = *m.add(1, true);
    std::array<std::int16_t, 960> out{};
    const auto before = alloc::allocations();
    for (int t = 0; t < 300; ++t) {
        // Participants come and go, levels change, the set of speakers changes.
        if (t % 40 == 0) {
            for (std::uint32_t ssrc = 100; ssrc < 160; ++ssrc)
                if (!m.find(ssrc)) (void)m.add(ssrc);
        }
        if (t % 40 == 20) {
            for (std::uint32_t ssrc = 100; ssrc < 160; ssrc += 3)
                if (auto s = m.find(ssrc)) m.remove(*s);
        }
        for (std::uint32_t ssrc = 100; ssrc < 160; ++ssrc)
            if (auto s = m.find(ssrc)) m.set_level(*s, static_cast<std::uint8_t>((ssrc * 7 + t) % 128));
        for (const slot s : m.begin_tick()) {
            auto f = m.frame(s);
            for (std::size_t i = 0; i < f.size(); ++i) f[i] = static_cast<std::int16_t>(i * s);
            if (t % 7 != 0) m.frame_ready(s);
        }
        m.mix_minus(phone, out);
        m.mix_all(out);
    }
    CHECK(alloc::allocations() == before);
}
