#include "sip_fixture.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <future>

namespace asio = boost::asio;

namespace jigasi::test {

sip_fixture::sip_fixture()
    : strand(asio::make_strand(asio::any_io_executor(ioc.get_executor()))),
      bridge(std::make_unique<sip::libre_bridge>(strand, core::log_channel(logger, "sip"))),
      work_(asio::make_work_guard(ioc)) {
    for (int i = 0; i < 2; ++i) pool_.emplace_back([this] { ioc.run(); });
}

sip_fixture::~sip_fixture() {
    // stop() on the strand while the pool still runs, then let the pool drain and exit.
    on_strand([this] { bridge->stop(); });
    work_.reset();
    ioc.stop();
    for (auto& t : pool_) t.join();
    bridge.reset();
}

void sip_fixture::run(std::function<asio::awaitable<void>()> task, std::chrono::milliseconds timeout) {
    auto done = asio::co_spawn(ioc.get_executor(), task(), asio::use_future);
    REQUIRE(done.wait_for(timeout) == std::future_status::ready);
    done.get();  // rethrows what the coroutine threw
}

void sip_fixture::on_strand(std::function<void()> fn) {
    std::promise<void> p;
    asio::dispatch(strand, [&] {
        try {
            fn();
            p.set_value();
        } catch (...) {
            p.set_exception(std::current_exception());
        }
    });
    auto f = p.get_future();
    REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    f.get();
}

}  // namespace jigasi::test
