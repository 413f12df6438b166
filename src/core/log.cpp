#include "core/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <unistd.h>

namespace jigasi::core {

struct logger::levels {
    log_level fallback = log_level::info;
    std::map<std::string, log_level, std::less<>> per_subsystem;
    bool timestamps = false;
};

logger::sink logger::stderr_sink() {
    return [](std::string_view line) {
        // A single write keeps each line whole under concurrent writers (stderr is unbuffered).
        while (!line.empty()) {
            const auto n = ::write(STDERR_FILENO, line.data(), line.size());
            if (n <= 0) return;
            line.remove_prefix(static_cast<std::size_t>(n));
        }
    };
}

logger::logger(sink s) : sink_(std::move(s)), levels_(std::make_shared<levels>()) {}

void logger::configure(const config::log_config& cfg) {
    auto next = std::make_shared<levels>();
    next->fallback = cfg.level;
    next->timestamps = cfg.timestamps;
    for (const auto& [name, lvl] : cfg.subsystems) next->per_subsystem.emplace(name, lvl);
    std::lock_guard lock(mutex_);
    levels_ = std::move(next);
}

std::shared_ptr<const logger::levels> logger::current() const {
    std::lock_guard lock(mutex_);
    return levels_;
}

bool logger::enabled(std::string_view subsystem, log_level level) const {
    const auto lv = current();
    auto it = lv->per_subsystem.find(subsystem);
    const auto limit = it != lv->per_subsystem.end() ? it->second : lv->fallback;
    return level <= limit;
}

void logger::write(log_level level, std::string_view subsystem, std::string_view scope,
                   std::string_view message) const {
    std::string line;
    line.reserve(32 + subsystem.size() + scope.size() + message.size());
    line += '<';
    line += static_cast<char>('0' + static_cast<int>(level));
    line += '>';
    if (current()->timestamps) {
        const auto now = std::chrono::system_clock::now();
        const auto t = std::chrono::system_clock::to_time_t(now);
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            now.time_since_epoch()).count() % 1000;
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[64];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                      static_cast<int>(ms));
        line += buf;
    }
    line += subsystem;
    if (!scope.empty()) {
        line += " [";
        line += scope;
        line += ']';
    }
    line += ": ";
    // A message must stay one journald record: fold embedded newlines.
    for (char c : message) line += (c == '\n' || c == '\r') ? ' ' : c;
    line += '\n';
    sink_(line);
}

}  // namespace jigasi::core
