#pragma once
// Logging to stderr in the form journald understands: "<N>" syslog severity prefix (sd-daemon(3)),
// then the subsystem, an optional scope (which call, which side), and the message. Levels are set per
// subsystem and can change while running (SIGHUP reload). No global logger: the app owns one and
// hands out channels.

#include "config/config.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>

namespace jigasi::core {

using log_level = config::log_level;

class logger {
public:
    /// Receives each complete line (with its trailing newline).
    using sink = std::function<void(std::string_view line)>;

    /// Default sink: one write(2) per line to stderr, so lines from threads never interleave.
    static sink stderr_sink();

    explicit logger(sink s = stderr_sink());

    void configure(const config::log_config& cfg);
    bool enabled(std::string_view subsystem, log_level level) const;
    void write(log_level level, std::string_view subsystem, std::string_view scope,
               std::string_view message) const;

private:
    struct levels;
    sink sink_;
    mutable std::mutex mutex_;   // guards levels_ swap only; writes go straight to the sink
    std::shared_ptr<const levels> levels_;
    std::shared_ptr<const levels> current() const;
};

/// A subsystem's (and optionally a call's) handle on the logger; cheap to copy.
class log_channel {
public:
    log_channel(const logger& l, std::string subsystem, std::string scope = {})
        : logger_(&l), subsystem_(std::move(subsystem)), scope_(std::move(scope)) {}

    /// A channel for the same subsystem with a scope such as "call 1f2e side=sip".
    log_channel scoped(std::string scope) const { return {*logger_, subsystem_, std::move(scope)}; }

    template <class... Args> void log(log_level lvl, const Args&... args) const {
        if (!logger_->enabled(subsystem_, lvl)) return;
        std::ostringstream os;
        (os << ... << args);
        logger_->write(lvl, subsystem_, scope_, os.str());
    }
    template <class... Args> void crit(const Args&... a) const { log(log_level::crit, a...); }
    template <class... Args> void error(const Args&... a) const { log(log_level::error, a...); }
    template <class... Args> void warning(const Args&... a) const { log(log_level::warning, a...); }
    template <class... Args> void notice(const Args&... a) const { log(log_level::notice, a...); }
    template <class... Args> void info(const Args&... a) const { log(log_level::info, a...); }
    template <class... Args> void debug(const Args&... a) const { log(log_level::debug, a...); }

    const std::string& subsystem() const { return subsystem_; }

private:
    const logger* logger_;
    std::string subsystem_;
    std::string scope_;
};

}  // namespace jigasi::core
