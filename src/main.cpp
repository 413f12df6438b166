// jigasi-ng: flags, configuration, io_context thread pool -> app::run().

#include "app/app.hpp"
#include "config/cli.hpp"
#include "config/load.hpp"
#include "config/store.hpp"
#include "core/log.hpp"
#include "core/version.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace jigasi;

namespace {

/// Load the file (or the embedded defaults), apply the flags, validate. Prints problems to stderr.
std::optional<config::config> load(const config::cli_options& opts) {
    const auto flags = [&opts](config::config& c) { config::apply_cli(c, opts); };
    config::load_result r;
    if (opts.config_path) {
        r = config::load_file(*opts.config_path, flags);
    } else {
        r.value = config::defaults();
        flags(*r.value);
        r.errors = config::validate(*r.value);
        if (!r.errors.empty()) r.value.reset();
    }
    for (const auto& w : r.warnings) std::cerr << "<4>config: warning: " << w.to_string() << '\n';
    for (const auto& p : r.errors) std::cerr << "<3>config: " << p.to_string() << '\n';
    return r.value;
}

}  // namespace

int main(int argc, char** argv) {
    const auto opts = config::parse_cli(argc, argv);
    if (!opts.errors.empty()) {
        for (const auto& e : opts.errors) std::cerr << "jigasi-ng: " << e << '\n';
        std::cerr << "Try 'jigasi-ng --help'.\n";
        return 2;
    }
    if (opts.help) {
        std::cout << config::usage();
        return 0;
    }
    if (opts.version) {
        std::cout << "jigasi-ng " << core::version() << '\n';
        return 0;
    }
    auto loaded = load(opts);
    if (opts.check_config) {
        if (loaded) std::cout << (opts.config_path ? *opts.config_path : "embedded defaults") << ": ok\n";
        return loaded ? 0 : 1;
    }
    if (!loaded) return 1;

    // SIGTERM/SIGINT/SIGHUP go to the app's asio::signal_set, armed before any thread runs; a peer
    // closing a socket must not kill the process.
    std::signal(SIGPIPE, SIG_IGN);

    core::logger logger;
    logger.configure(loaded->log);
    unsigned threads = loaded->server.threads;
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());

    config::store store(std::move(*loaded));
    asio::io_context ioc(static_cast<int>(threads));
    app::app server(ioc, store, logger, opts.config_path, opts);

    int exit_code = 1;
    asio::co_spawn(asio::make_strand(ioc), server.run(), [&](std::exception_ptr e, int code) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                core::log_channel(logger, "app").crit("fatal: ", x.what());
            }
            ioc.stop();
            return;
        }
        exit_code = code;
        ioc.stop();  // nothing may outlive app::run(); stray work must not keep us up
    });

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
    return exit_code;
}
