// diff() and store.

#include "config/diff.hpp"
#include "config/load.hpp"
#include "config/store.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace jigasi::config;

namespace {

std::vector<std::string> paths(const std::vector<change>& changes, bool live) {
    std::vector<std::string> out;
    for (const auto& c : changes)
        if (c.live == live) out.push_back(c.path);
    return out;
}

}  // namespace

TEST_CASE("diff of equal models is empty", "[config]") {
    CHECK(diff(defaults(), defaults()).empty());
}

TEST_CASE("diff classifies live and restart keys", "[config]") {
    config a = defaults();
    config b = a;
    b.log.level = log_level::debug;
    b.log.subsystems["http"] = log_level::debug;
    b.log.timestamps = true;
    b.server.threads = 2;
    b.server.drain_timeout_s = 1;
    b.server.region = "eu";
    b.server.conferences_threshold = 5;
    b.http.address = "0.0.0.0";
    b.http.port = 1;
    b.http.max_header_bytes = 1;
    b.http.max_body_bytes = 1;
    b.http.read_timeout_s = 1;
    b.http.idle_timeout_s = 1;
    b.http.max_connections = 1;
    b.http.shutdown_enabled = false;
    b.http.api_token = "0123456789abcdef";
    b.xmpp.reconnect_min_s = 2;
    b.xmpp.reconnect_max_s = 3;
    b.xmpp.connect_timeout_s = 4;
    b.xmpp.servers[0].host = "h";
    b.xmpp.servers[0].control.password = "p";
    b.xmpp.component.enabled = true;
    b.sip.listen[1].port = 5070;
    b.sip.public_address = "1.2.3.4";
    b.media.max_port = 30000;
    auto changes = diff(a, b);
    CHECK(paths(changes, true) ==
          std::vector<std::string>{"server.drain_timeout_s", "server.region", "server.conferences_threshold",
                                   "log.level", "log.subsystems", "log.timestamps", "http.max_header_bytes",
                                   "http.max_body_bytes", "http.read_timeout_s", "http.idle_timeout_s",
                                   "http.max_connections", "http.shutdown_enabled", "http.api_token", "xmpp.reconnect_min_s",
                                   "xmpp.reconnect_max_s", "xmpp.connect_timeout_s"});
    CHECK(paths(changes, false) ==
          std::vector<std::string>{"server.threads", "http.address", "http.port", "xmpp.servers[0].host",
                                   "xmpp.servers[0].control.password", "xmpp.component.enabled",
                                   "sip.listen[1].port", "sip.public_address", "media.max_port"});
}

TEST_CASE("diff: the external mapper's URL and the IVR's waiting times apply live", "[config]") {
    config a = defaults();
    config b = a;
    b.dialin.mapper_url = "https://mapper.example.com/m";
    b.ivr.lobby_wait_s = 60;
    b.ivr.wait_prompt_s = 0;
    CHECK(paths(diff(a, b), true) == std::vector<std::string>{"dialin.mapper_url", "ivr.lobby_wait_s", "ivr.wait_prompt_s"});
    CHECK(paths(diff(a, b), false).empty());
}

TEST_CASE("diff reports a list length change once, at the list", "[config]") {
    config a = defaults();
    config b = a;
    b.xmpp.servers.push_back(b.xmpp.servers[0]);
    b.sip.listen.clear();
    b.sip.accounts.resize(1);
    auto changes = diff(a, b);
    CHECK(paths(changes, false) == std::vector<std::string>{"xmpp.servers", "sip.listen"});
    CHECK(paths(changes, true) == std::vector<std::string>{"sip.accounts"});
}

TEST_CASE("store swaps snapshots and notifies outside its lock", "[config]") {
    store s(defaults());
    auto first = s.get();
    int calls = 0;
    s.subscribe([&](const store::snapshot& before, const store::snapshot& after, const std::vector<change>& changes) {
        ++calls;
        CHECK(before == first);
        CHECK(after->http.port == 9000);
        CHECK(s.get() == after);  // would deadlock if called under the lock
        REQUIRE(changes.size() == 1);
        CHECK(changes[0].path == "http.port");
        CHECK_FALSE(changes[0].live);
    });
    config next = *first;
    next.http.port = 9000;
    auto changes = s.replace(next);
    CHECK(changes.size() == 1);
    CHECK(calls == 1);
    CHECK(first->http.port == 8788);  // old snapshot untouched for whoever still holds it
    CHECK(s.get()->http.port == 9000);

    // Same model again: nothing changed, nobody is told.
    CHECK(s.replace(next).empty());
    CHECK(calls == 1);
}

TEST_CASE("store is safe under concurrent readers and writers", "[config]") {
    store s(defaults());
    std::atomic<int> notified{0};
    std::atomic<unsigned> last_seen{0};
    std::atomic<bool> ordered{true};
    s.subscribe([&](const store::snapshot& before, const store::snapshot& after, const std::vector<change>&) {
        // Listeners see each replacement in order: the new "before" is the previous "after".
        if (last_seen != 0 && before->server.drain_timeout_s != last_seen) ordered = false;
        last_seen = after->server.drain_timeout_s;
        ++notified;
    });
    std::atomic<bool> stop{false};
    std::thread reader([&] {
        while (!stop) {
            auto snap = s.get();
            if (snap->http.port != 8788) ordered = false;
        }
    });
    std::vector<std::thread> writers;
    std::atomic<unsigned> next_value{1000};
    for (int w = 0; w < 4; ++w)
        writers.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                config c = defaults();
                c.server.drain_timeout_s = next_value++;
                s.replace(c);
            }
        });
    for (auto& t : writers) t.join();
    stop = true;
    reader.join();
    CHECK(notified == 800);
    CHECK(ordered);
}
