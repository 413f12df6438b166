// libre's timer list served by the bridge's one steady_timer.

#include "sip/libre.hpp"
#include "sip_fixture.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

namespace asio = boost::asio;
using namespace jigasi;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

// Timers that record when they fired and complete an awaited operation after the last one.
struct timer_set {
    struct entry {
        timer_set* owner = nullptr;
        tmr t{};
        std::uint64_t delay_ms = 0;
        clock_type::time_point started{}, fired{};
        int count = 0;
    };
    test::sip_fixture* f = nullptr;
    std::vector<entry> entries;  // never resized after timers start: libre holds pointers
    std::vector<std::size_t> order;
    std::optional<sip::completion> done;
    std::size_t remaining = 0;

    void start(std::size_t i, std::uint64_t delay) {
        auto& e = entries[i];
        e.owner = this;
        e.delay_ms = delay;
        e.started = clock_type::now();
        tmr_start(&e.t, delay, &on_fire, &e);
    }
    static void on_fire(void* arg) {
        auto* e = static_cast<entry*>(arg);
        auto* self = e->owner;
        self->f->note_callback();
        e->fired = clock_type::now();
        ++e->count;
        self->order.push_back(static_cast<std::size_t>(e - self->entries.data()));
        if (--self->remaining == 0 && self->done) {
            auto done = std::move(*self->done);
            self->done.reset();
            done.complete({});
        }
    }
    // Not early (libre counts whole ms, so up to 1 ms of the delay can vanish), not much late.
    static bool on_time(const entry& e) {
        const auto took = e.fired - e.started;
        return took >= std::chrono::milliseconds(e.delay_ms) - 1ms &&
               took < std::chrono::milliseconds(e.delay_ms) + 400ms;
    }
};

}  // namespace

TEST_CASE("libre timers fire on the strand, on time, in deadline order", "[sip]") {
    test::sip_fixture f;
    timer_set ts;
    ts.f = &f;
    ts.entries.resize(3);
    f.run([&]() -> asio::awaitable<void> {
        auto r = co_await sip::async_on_strand(f.strand, [&](sip::completion done) {
            ts.done = done;
            ts.remaining = 3;
            ts.start(0, 120);
            ts.start(1, 30);
            ts.start(2, 60);
        });
        CHECK_FALSE(r.ec);
    });
    CHECK(ts.order == std::vector<std::size_t>{1, 2, 0});
    for (const auto& e : ts.entries) {
        CHECK(e.count == 1);
        CHECK(timer_set::on_time(e));
    }
    f.on_strand([&] {
        CHECK(sip::libre_bridge::libre_timer_count() == 0);
        CHECK_FALSE(f.bridge->timer_pending());  // nothing left: the steady_timer is idle
        CHECK(f.bridge->off_strand_calls() == 0);
    });
    CHECK(f.off_strand_callbacks == 0);
}

TEST_CASE("tmr_cancel stops a libre timer; restarting moves it both ways", "[sip]") {
    test::sip_fixture f;
    timer_set ts;
    ts.f = &f;
    ts.entries.resize(4);
    const auto t0 = clock_type::now();
    f.run([&]() -> asio::awaitable<void> {
        co_await sip::async_on_strand(f.strand, [&](sip::completion done) {
            ts.done = done;
            ts.remaining = 3;
            ts.start(0, 40);
            tmr_cancel(&ts.entries[0].t);  // never fires
            ts.start(1, 2000);
            ts.start(1, 50);   // restarted earlier: the bridge must move its timer forward
            ts.start(2, 20);
            ts.start(2, 150);  // restarted later: an early wake-up is fine, an early fire is not
            ts.start(3, 100);
        });
    });
    const auto total = clock_type::now() - t0;
    CHECK(ts.entries[0].count == 0);
    CHECK(ts.order == std::vector<std::size_t>{1, 3, 2});
    for (std::size_t i = 1; i < 4; ++i) CHECK(timer_set::on_time(ts.entries[i]));
    CHECK(total < 1500ms);  // the 2 s start was superseded

    // The cancelled timer stays silent afterwards too.
    f.run([&]() -> asio::awaitable<void> {
        asio::steady_timer wait(co_await asio::this_coro::executor, 100ms);
        co_await wait.async_wait(asio::use_awaitable);
    });
    CHECK(ts.entries[0].count == 0);
    f.on_strand([&] { CHECK(sip::libre_bridge::libre_timer_count() == 0); });
    CHECK(f.off_strand_callbacks == 0);
}

TEST_CASE("many libre timers all fire once, in order", "[sip]") {
    test::sip_fixture f;
    timer_set ts;
    ts.f = &f;
    constexpr std::size_t n = 300;
    ts.entries.resize(n);
    f.run([&]() -> asio::awaitable<void> {
        co_await sip::async_on_strand(f.strand, [&](sip::completion done) {
            ts.done = done;
            ts.remaining = n;
            for (std::size_t i = 0; i < n; ++i) ts.start(i, (i * 37) % 120);  // includes 0 ms
        });
    });
    REQUIRE(ts.order.size() == n);
    std::size_t late = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const auto& e = ts.entries[ts.order[k]];
        CHECK(e.count == 1);
        CHECK(e.fired - e.started >= std::chrono::milliseconds(e.delay_ms) - 1ms);
        if (k > 0) {  // deadlines, not delays: the 300 starts span a few ms of libre's clock
            const auto& p = ts.entries[ts.order[k - 1]];
            CHECK(p.started + std::chrono::milliseconds(p.delay_ms) <=
                  e.started + std::chrono::milliseconds(e.delay_ms) + 1ms);
        }
        if (e.fired - e.started > std::chrono::milliseconds(e.delay_ms) + 400ms) ++late;
    }
    CHECK(late == 0);
    f.on_strand([&] {
        CHECK(sip::libre_bridge::libre_timer_count() == 0);
        CHECK_FALSE(f.bridge->timer_pending());
    });
    CHECK(f.off_strand_callbacks == 0);
}
