// Loading a language's prompts from folders in order, the errors that name what is wrong, the
// resampled forms made once per rate, and a library of languages.

#include <catch2/catch.hpp>
#include <thread>

#include "media/codecs/signal.hpp"
#include "media/prompts/error.hpp"
#include "media/prompts/folders.hpp"
#include "media/prompts/prompt_library.hpp"
#include "media/prompts/prompt_set.hpp"
#include "prompt_files.hpp"

using namespace jigasi::media::prompts;
using jigasi::test::temp_folder;
namespace fs = std::filesystem;

namespace {

// Prompt i is 50 ms of the constant 100 * (i + 1): which file a prompt came from is plain.
std::vector<std::int16_t> level(std::size_t i) {
    return std::vector<std::int16_t>(800, static_cast<std::int16_t>(100 * (i + 1)));
}

fs::path wav_of(const fs::path& folder, prompt_id id) {
    return folder / "en" / (std::string(name(id)) + ".wav");
}

}  // namespace

TEST_CASE("prompt ids and names", "[prompts][set]") {
    CHECK(name(prompt_id::enter_meeting_id) == "enter_meeting_id");
    CHECK(name(prompt_id::cue_unmute) == "cue_unmute");
    for (std::size_t i = 0; i < prompt_count; ++i)
        CHECK(prompt_from_name(prompt_names[i]) == static_cast<prompt_id>(i));
    CHECK_FALSE(prompt_from_name("mute"));
}

TEST_CASE("prompt set: the user's file wins, the rest falls back", "[prompts][set]") {
    temp_folder builtin, user;
    jigasi::test::write_prompt_set(builtin.path, "en", 16000, level);
    jigasi::test::write_file(wav_of(user.path, prompt_id::muted),
                             jigasi::test::make_wav(std::vector<std::int16_t>(400, 7777), [] {
                                 jigasi::test::wav_spec s;
                                 s.rate = 8000;
                                 return s;
                             }()));
    const std::vector<fs::path> folders{user.path, builtin.path};
    auto set = prompt_set::load("en", folders);
    REQUIRE(set);
    const auto& s = **set;
    CHECK(s.language() == "en");
    CHECK(s.source(prompt_id::muted) == wav_of(user.path, prompt_id::muted));
    CHECK(s.file_rate(prompt_id::muted) == 8000);
    CHECK(s.samples(prompt_id::muted, 8000).size() == 400);
    CHECK(s.samples(prompt_id::muted, 8000)[0] == 7777);
    CHECK(s.source(prompt_id::unmuted) == wav_of(builtin.path, prompt_id::unmuted));
    const auto unmuted = s.samples(prompt_id::unmuted, 16000);
    REQUIRE(unmuted.size() == 800);
    CHECK(unmuted[0] == 100 * (static_cast<int>(prompt_id::unmuted) + 1));

    // The other order: the built-in folder has everything, so nothing is taken from the user's.
    const std::vector<fs::path> reversed{builtin.path, user.path};
    auto set2 = prompt_set::load("en", reversed);
    REQUIRE(set2);
    CHECK((*set2)->source(prompt_id::muted) == wav_of(builtin.path, prompt_id::muted));
}

TEST_CASE("prompt set: errors name the prompt, the folders or the file", "[prompts][set]") {
    temp_folder builtin, user;
    jigasi::test::write_prompt_set(builtin.path, "en", 16000, level);
    fs::remove(wav_of(builtin.path, prompt_id::alone));
    const std::vector<fs::path> folders{user.path, builtin.path};

    auto r = prompt_set::load("en", folders);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::not_found);
    const std::string& d = r.error().diagnostic;
    CHECK(d.find("'alone'") != std::string::npos);
    CHECK(d.find((user.path / "en").string()) != std::string::npos);
    CHECK(d.find((builtin.path / "en").string()) != std::string::npos);

    r = prompt_set::load("en", {});
    REQUIRE_FALSE(r);
    CHECK(r.error().diagnostic.find("(no folders)") != std::string::npos);

    r = prompt_set::load("de", std::vector<fs::path>{builtin.path});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::not_found);

    // A broken user file is reported, not skipped in favour of the built-in one.
    jigasi::test::write_prompt_set(builtin.path, "en", 16000, level);
    jigasi::test::write_file(wav_of(user.path, prompt_id::hand_raised), {'n', 'o', 'p', 'e'});
    r = prompt_set::load("en", folders);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::not_wav);
    CHECK(r.error().diagnostic.find(wav_of(user.path, prompt_id::hand_raised).string() + ": ") ==
          0);

    // A folder where a file should be is not a prompt: the next folder is searched.
    fs::remove(wav_of(user.path, prompt_id::hand_raised));
    fs::create_directories(wav_of(user.path, prompt_id::hand_raised));
    CHECK(prompt_set::load("en", folders));

    for (const char* bad : {"", "../en", "en/x", ".", "a b", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}) {
        INFO(bad);
        r = prompt_set::load(bad, folders);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::bad_parameter);
    }
    CHECK(read_wav_file(user.path / "missing.wav").error().code == errc::read_failed);
    CHECK(read_wav_file(user.path).error().code == errc::read_failed);
}

TEST_CASE("prompt set: resampled once per rate, a tone kept clean", "[prompts][set]") {
    temp_folder user;
    // Every prompt a 1 kHz tone of one second at 44.1 kHz, as a user's editor might save it.
    jigasi::test::write_prompt_set(user.path, "en", 44100, [](std::size_t) {
        return jigasi::test::sine(1000, 44100, 44100, 8000);
    });
    auto set = prompt_set::load("en", std::vector<fs::path>{user.path});
    REQUIRE(set);
    const auto& s = **set;
    for (std::uint32_t rate : prompt_set::rates) {
        INFO(rate);
        const auto pcm = s.samples(prompt_id::error, rate);
        CHECK(pcm.size() == rate);  // one second, the filter delay removed and the tail flushed
        // Skip the fade-in the filter makes of the tone's abrupt start and end.
        const auto middle = pcm.subspan(rate / 10, rate * 8 / 10);
        const auto fit = jigasi::test::fit_tone(middle, 1000, rate);
        CHECK(fit.snr_db > 40);
        CHECK(fit.amplitude == Approx(8000).epsilon(0.02));
        CHECK(s.samples(prompt_id::error, rate).data() == pcm.data());  // cached
    }
    CHECK(s.samples(prompt_id::error, 11025).empty());
    CHECK_FALSE(prompt_set::supports(44100));
}

TEST_CASE("prompt set: one set shared by threads resamples each prompt once", "[prompts][set]") {
    temp_folder user;
    jigasi::test::write_prompt_set(user.path, "en", 16000, level);
    auto set = prompt_set::load("en", std::vector<fs::path>{user.path});
    REQUIRE(set);
    std::shared_ptr<const prompt_set> shared = *set;
    std::vector<std::vector<const std::int16_t*>> seen(4);
    std::vector<std::thread> threads;
    for (auto& mine : seen)
        threads.emplace_back([&shared, &mine] {
            for (std::size_t i = 0; i < prompt_count; ++i)
                mine.push_back(shared->samples(static_cast<prompt_id>(i), 48000).data());
        });
    for (auto& t : threads) t.join();
    for (const auto& mine : seen) CHECK(mine == seen[0]);
    CHECK(shared->samples(prompt_id::muted, 48000).size() == 2400);
}

TEST_CASE("prompt folders: the user's first, the installed data dir last", "[prompts][set]") {
    const auto builtin = builtin_folders();
    REQUIRE_FALSE(builtin.empty());
    CHECK(builtin.back().filename() == "prompts");
    CHECK(builtin.back().parent_path().filename() == "jigasi-ng");
    // Run from a build tree (this binary copied next to <build>/prompts), that folder comes first.
    const fs::path beside = fs::read_symlink("/proc/self/exe").parent_path() / "prompts";
    CHECK((builtin.front() == beside) == fs::is_directory(beside));
    const auto all = search_folders("/etc/jigasi-ng/prompts");
    REQUIRE(all.size() == builtin.size() + 1);
    CHECK(all.front() == "/etc/jigasi-ng/prompts");
    CHECK(search_folders().size() == builtin.size());
}

TEST_CASE("prompt library: a set per language, the main one for the rest", "[prompts][set]") {
    temp_folder folder;
    jigasi::test::write_prompt_set(folder.path, "en", 16000, level);
    jigasi::test::write_prompt_set(folder.path, "de", 8000, level);
    const std::vector<fs::path> folders{folder.path};
    auto en = prompt_set::load("en", folders);
    auto de = prompt_set::load("de", folders);
    REQUIRE(en);
    REQUIRE(de);
    prompt_library lib(*en);
    lib.add(*de);
    lib.add(*prompt_set::load("de", folders));  // a second "de" is not taken
    CHECK(lib.of("de") == *de);
    CHECK(lib.of("de")->file_rate(prompt_id::muted) == 8000);
    CHECK(lib.of("en") == *en);
    CHECK(lib.of("") == *en);    // no language asked for
    CHECK(lib.of("fr") == *en);  // not loaded
    CHECK(lib.has("de"));
    CHECK(lib.has("en"));
    CHECK_FALSE(lib.has("fr"));
    CHECK(&lib.main() == en->get());
}

TEST_CASE("prompt library: a caller's language ranges looked up (RFC 4647 §3.4)", "[prompts][set]") {
    temp_folder folder;
    jigasi::test::write_prompt_set(folder.path, "en", 8000, level);
    jigasi::test::write_prompt_set(folder.path, "de", 8000, level);
    jigasi::test::write_prompt_set(folder.path, "pt_BR", 8000, level);
    const std::vector<fs::path> folders{folder.path};
    prompt_library lib(*prompt_set::load("en", folders));
    lib.add(*prompt_set::load("de", folders));
    lib.add(*prompt_set::load("pt_BR", folders));
    using v = std::vector<std::string>;
    CHECK(lib.lookup(v{"de"}) == "de");
    CHECK(lib.lookup(v{"de-ch"}) == "de");          // the range without its last subtag
    CHECK(lib.lookup(v{"de-latn-ch"}) == "de");     // ... down to its first
    CHECK(lib.lookup(v{"fr", "de-at", "en"}) == "de");  // the first range one set answers
    CHECK(lib.lookup(v{"EN-gb"}) == "en");          // case-insensitive; the main set counts too
    CHECK(lib.lookup(v{"pt-br"}) == "pt_BR");       // a folder's "_" for the tag's "-"
    CHECK(lib.lookup(v{"pt"}).empty());             // a shorter range does not pick a longer set
    CHECK(lib.lookup(v{"fr", "tlh"}).empty());
    CHECK(lib.lookup(v{}).empty());
}
