// The prompts' language of an incoming call: the caller's Accept-Language, the number's, none.

#include "call/prompt_language.hpp"
#include "media/prompts/prompt_set.hpp"
#include "media/prompts/prompt_files.hpp"

#include <catch2/catch.hpp>

using jigasi::call::choose_language;
using namespace jigasi::media::prompts;
using v = std::vector<std::string>;

TEST_CASE("prompts language: Accept-Language, then the number's", "[call]") {
    jigasi::test::temp_folder folder;
    auto quiet = [](std::size_t) { return std::vector<std::int16_t>(160, 0); };
    jigasi::test::write_prompt_set(folder.path, "en", 8000, quiet);
    jigasi::test::write_prompt_set(folder.path, "de", 8000, quiet);
    const std::vector<std::filesystem::path> folders{folder.path};
    prompt_library lib(*prompt_set::load("en", folders));
    lib.add(*prompt_set::load("de", folders));

    auto c = choose_language(true, &lib, v{"fr;q=0.9", "de-CH;q=0.8"}, "");
    CHECK(c.language == "de");
    CHECK(c.why == " (Accept-Language)");
    c = choose_language(true, &lib, v{"en"}, "de");  // the caller's choice comes first
    CHECK(c.language == "en");
    c = choose_language(false, &lib, v{"en"}, "de");  // ivr.accept_language off
    CHECK(c.language == "de");
    CHECK(c.why == " (the number's)");
    c = choose_language(true, &lib, v{"tlh"}, "de");  // none loaded: the number's, and both said
    CHECK(c.language == "de");
    CHECK(c.why == " (Accept-Language: tlh: none loaded) (the number's)");
    c = choose_language(true, &lib, v{"tlh"}, "");
    CHECK(c.language.empty());
    CHECK(c.why == " (Accept-Language: tlh: none loaded)");
    // An empty header, or "*" alone, names no language: nothing chosen, nothing to say.
    for (const auto& values : {v{""}, v{"*"}, v{}}) {
        c = choose_language(true, &lib, values, "");
        CHECK(c.language.empty());
        CHECK(c.why.empty());
    }
    c = choose_language(true, nullptr, v{"de"}, "");  // no prompts loaded at all
    CHECK(c.language.empty());
    // A long header is cut in the log.
    c = choose_language(true, &lib, v{std::string(100, 'x') + "-y"}, "");
    CHECK(c.why.size() < 100);
}
