// The prompt player: frames in queue order, pauses, clearing, the full queue, idle frames, and
// no allocation on the frame path.

#include <catch2/catch.hpp>
#include <stdexcept>

#include "media/prompts/prompt_player.hpp"
#include "prompt_files.hpp"
#include "support/count_new.hpp"

using namespace jigasi::media::prompts;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// Prompt i: 100 * (i + 1) + 7 * i samples counting up from i * 1000 + 1, so every sample says
// which prompt and where in it (no zeros, which would look like silence).
std::vector<std::int16_t> counting(std::size_t i) {
    std::vector<std::int16_t> v(100 * (i + 1) + 7 * i);
    for (std::size_t k = 0; k < v.size(); ++k)
        v[k] = static_cast<std::int16_t>(i * 1000 + 1 + k % 1000);
    return v;
}

struct fixture {
    jigasi::test::temp_folder folder;
    std::shared_ptr<const prompt_set> set;
    fixture() {
        jigasi::test::write_prompt_set(folder.path, "en", 16000, counting);
        auto s = prompt_set::load("en", std::vector<fs::path>{folder.path});
        REQUIRE(s);
        set = *s;
    }
};

// Plays until idle, in frames of `frame` samples.
std::vector<std::int16_t> drain(prompt_player& p, std::size_t frame,
                                std::size_t* frames = nullptr) {
    std::vector<std::int16_t> all, out(frame);
    std::size_t n = 0;
    while (p.next_frame(out)) {
        all.insert(all.end(), out.begin(), out.end());
        ++n;
        REQUIRE(n < 10000);
    }
    if (frames) *frames = n;
    return all;
}

}  // namespace

TEST_CASE("player: idle until asked, then the queue in order with pauses", "[prompts][player]") {
    fixture f;
    prompt_player p(f.set, 16000);
    std::vector<std::int16_t> out(320, 42);
    CHECK_FALSE(p.playing());
    CHECK_FALSE(p.next_frame(out));
    CHECK(out[0] == 42);  // untouched when idle

    REQUIRE(p.play(prompt_id::muted));
    REQUIRE(p.silence(30ms));
    REQUIRE(p.play(prompt_id::enter_meeting_id));
    CHECK(p.playing());
    std::vector<std::int16_t> want = counting(static_cast<std::size_t>(prompt_id::muted));
    want.insert(want.end(), 480, 0);
    const auto first = counting(static_cast<std::size_t>(prompt_id::enter_meeting_id));
    want.insert(want.end(), first.begin(), first.end());
    const std::size_t frames_needed = (want.size() + 319) / 320;
    want.resize(frames_needed * 320, 0);  // the last frame padded with silence

    std::size_t frames = 0;
    CHECK(drain(p, 320, &frames) == want);
    CHECK(frames == frames_needed);
    CHECK_FALSE(p.playing());
}

TEST_CASE("player: the last frame ends playing; a zero pause queues nothing", "[prompts][player]") {
    fixture f;
    prompt_player p(f.set, 16000);
    CHECK(p.silence(0ms));
    CHECK(p.silence(-5ms));
    CHECK_FALSE(p.playing());
    REQUIRE(p.silence(40ms));  // exactly two 20 ms frames
    std::vector<std::int16_t> out(320, 1);
    CHECK(p.next_frame(out));
    CHECK(p.playing());
    CHECK(p.next_frame(out));
    CHECK_FALSE(p.playing());
    CHECK(out == std::vector<std::int16_t>(320, 0));
    CHECK_FALSE(p.next_frame(out));
}

TEST_CASE("player: clear stops at once and play starts afresh", "[prompts][player]") {
    fixture f;
    prompt_player p(f.set, 16000);
    std::vector<std::int16_t> out(320);
    p.play(prompt_id::rejected);
    p.play(prompt_id::conference_ended);
    REQUIRE(p.next_frame(out));
    p.clear();
    CHECK_FALSE(p.playing());
    CHECK_FALSE(p.next_frame(out));
    p.play(prompt_id::hand_raised);
    REQUIRE(p.next_frame(out));
    CHECK(out[0] == counting(static_cast<std::size_t>(prompt_id::hand_raised))[0]);
}

TEST_CASE("player: a full queue refuses more", "[prompts][player]") {
    fixture f;
    prompt_player p(f.set, 16000);
    for (std::size_t i = 0; i < prompt_player::max_queued; ++i) CHECK(p.play(prompt_id::alone));
    CHECK_FALSE(p.play(prompt_id::error));
    CHECK_FALSE(p.silence(100ms));
    const auto all = drain(p, 320);
    CHECK(all.size() >=
          prompt_player::max_queued * counting(static_cast<std::size_t>(prompt_id::alone)).size());
    CHECK(p.play(prompt_id::error));  // room again
}

TEST_CASE("player: other rates and frame sizes", "[prompts][player]") {
    fixture f;
    for (std::uint32_t rate : {8000u, 48000u}) {
        prompt_player p(f.set, rate);
        CHECK(p.rate() == rate);
        p.play(prompt_id::unmute_not_allowed);
        const auto all = drain(p, rate / 50);
        const std::size_t len = f.set->samples(prompt_id::unmute_not_allowed, rate).size();
        const std::size_t file_len =
            counting(static_cast<std::size_t>(prompt_id::unmute_not_allowed)).size();
        CHECK(len == (file_len * rate + 8000) / 16000);  // rounded to the nearest sample
        CHECK(all.size() == (len + rate / 50 - 1) / (rate / 50) * (rate / 50));
    }
    CHECK_THROWS_AS(prompt_player(f.set, 44100), std::invalid_argument);
    CHECK_THROWS_AS(prompt_player(nullptr, 8000), std::invalid_argument);
}

TEST_CASE("player: the frame path does not allocate", "[prompts][player]") {
    fixture f;
    f.set->prepare(8000);
    prompt_player p(f.set, 8000);
    std::vector<std::int16_t> out(160);
    const auto before = jigasi::test::allocations();
    std::size_t frames = 0;
    for (int round = 0; round < 20; ++round) {
        p.play(prompt_id::cue_mute);
        p.silence(20ms);
        p.play(prompt_id::muted);
        while (p.next_frame(out)) ++frames;
        p.play(prompt_id::error);
        p.next_frame(out);
        p.clear();
    }
    const auto after = jigasi::test::allocations();
    CHECK(frames > 20);
    if (jigasi::test::allocation_counting_works()) CHECK(after == before);
}
