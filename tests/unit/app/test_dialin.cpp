// The conference mapper's promises: one stable, unguessable ID per conference, kept across
// restarts, never overwritten when unreadable; query strings decoded as browsers encode them.
#include "app/conference_mapper.hpp"
#include "app/dialin_routes.hpp"
#include "http/types.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace jigasi;
namespace fs = std::filesystem;

namespace {
struct temp_dir {
    fs::path path = fs::temp_directory_path() / ("jigasi-dialin-" + std::to_string(::getpid()));
    temp_dir() { fs::create_directories(path); }
    ~temp_dir() { fs::remove_all(path); }
};
core::logger quiet() { return core::logger([](std::string_view) {}); }
}  // namespace

TEST_CASE("mapper: one ID per conference, of the asked length, the same after a restart", "[dialin]") {
    temp_dir dir;
    const auto file = (dir.path / "ids.json").string();
    auto logger = quiet();
    std::uint64_t a = 0, b = 0;
    {
        app::conference_mapper m(file, logger);
        REQUIRE(m.load());
        a = *m.id_for("room1@conference.meet.test", 10);
        b = *m.id_for("room2@conference.meet.test", 10);
        CHECK(*m.id_for("room1@conference.meet.test", 6) == a);  // stable, whatever the length now
        CHECK(a >= 1000000000ULL);
        CHECK(a <= 9999999999ULL);
        CHECK(a != b);
        CHECK(m.conference_of(b) == "room2@conference.meet.test");
        CHECK_FALSE(m.conference_of(12345));
        CHECK(*m.id_for("room3@conference.meet.test", 6) < 1000000);
    }
    app::conference_mapper again(file, logger);
    REQUIRE(again.load());
    CHECK(again.size() == 3);
    CHECK(again.conference_of(a) == "room1@conference.meet.test");
    CHECK(*again.id_for("room2@conference.meet.test", 10) == b);
    CHECK_FALSE(fs::exists(file + ".tmp"));
}

TEST_CASE("mapper: an unreadable file is kept aside, never overwritten", "[dialin]") {
    temp_dir dir;
    const auto file = (dir.path / "ids.json").string();
    std::ofstream(file) << "{\"conferences\": [not json";
    auto logger = quiet();
    app::conference_mapper m(file, logger);
    CHECK_FALSE(m.load());
    CHECK(fs::exists(file + ".bad"));
    CHECK(m.size() == 0);
    // Entries that are not IDs are skipped, the rest kept.
    std::ofstream(file) << R"({"version": 1, "conferences": {"a@c": 1234567890, "b@c": "x", "c@c": 1234567890, "d@c": -5}})";
    app::conference_mapper m2(file, logger);
    CHECK(m2.load());
    CHECK(m2.size() == 1);
    CHECK(m2.conference_of(1234567890) == "a@c");
}

TEST_CASE("mapper: without a file IDs live in memory; a file that cannot be written keeps them", "[dialin]") {
    auto logger = quiet();
    app::conference_mapper mem("", logger);
    CHECK(mem.load());
    const auto id = *mem.id_for("x@c", 8);
    CHECK(mem.conference_of(id) == "x@c");
    app::conference_mapper ro("/nonexistent-dir/ids.json", logger);
    CHECK(ro.load());
    const auto id2 = *ro.id_for("y@c", 8);
    CHECK(ro.conference_of(id2) == "y@c");
}

TEST_CASE("failed lookups: a burst, then two a second", "[dialin]") {
    app::failure_budget b;
    const auto t0 = std::chrono::steady_clock::now();
    int allowed = 0;
    for (int i = 0; i < 100; ++i) allowed += b.take(t0);
    CHECK(allowed == 20);
    CHECK_FALSE(b.take(t0 + std::chrono::milliseconds(100)));
    CHECK(b.take(t0 + std::chrono::seconds(1)));
}

TEST_CASE("query_param decodes as browsers encode", "[dialin]") {
    using http::query_param;
    CHECK(query_param("/m?conference=room1%40conference.meet.test&url=x", "conference") == "room1@conference.meet.test");
    CHECK(query_param("/m?url=x&conference=a+b", "conference") == "a b");
    CHECK(query_param("/m?id=", "id") == "");
    CHECK(query_param("/m?id", "id") == "");
    CHECK_FALSE(query_param("/m?ids=1", "id"));
    CHECK_FALSE(query_param("/m", "id"));
    CHECK_FALSE(query_param("/m?id=%4", "id"));   // truncated escape
    CHECK_FALSE(query_param("/m?id=%zz", "id"));
    CHECK(query_param("/m?id=1&id=2", "id") == "1");
}
