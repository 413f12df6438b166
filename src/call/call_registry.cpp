#include "call/call_registry.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>

namespace json = boost::json;

namespace jigasi::call {

namespace {

/// RFC 3339 UTC with milliseconds.
std::string rfc3339(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
    return buf;
}

}  // namespace

json::object call_registry::to_json(const call_info& c) {
    json::object o{{"id", c.id},
                   {"direction", core::to_string(c.direction)},
                   {"origin", c.origin},
                   {"room", c.room},
                   {"from", c.from},
                   {"to", c.to},
                   {"display_name", c.display_name},
                   {"state", c.state},
                   {"muted", c.muted},
                   {"started", rfc3339(c.started)}};
    if (!c.codec.empty()) o["codec"] = c.codec;
    if (!c.occupant.empty()) o["occupant"] = c.occupant;
    if (c.answered) o["answered"] = rfc3339(*c.answered);
    if (c.setup_s) o["setup_ms"] = static_cast<std::int64_t>(*c.setup_s * 1000);
    if (c.ended) {
        o["ended"] = rfc3339(*c.ended);
        o["duration_s"] = std::chrono::duration<double>(*c.ended - c.started).count();
        o["result"] = c.result;
        o["reason"] = c.reason;
        o["detail"] = c.detail;
        o["side"] = c.side;
        if (c.sip_status) o["sip_status"] = c.sip_status;
    }
    if (!c.media.empty()) o["media"] = c.media;
    return o;
}

void call_registry::begin(call_info c) {
    stats_.active(c.direction, 1);
    std::lock_guard lock(mu_);
    auto id = c.id;
    live_.emplace(std::move(id), std::move(c));
}

void call_registry::update(const std::string& id, const std::function<void(call_info&)>& change) {
    std::lock_guard lock(mu_);
    if (auto it = live_.find(id); it != live_.end()) change(it->second);
}

void call_registry::flowing(const std::string& id) {
    std::lock_guard lock(mu_);
    auto it = live_.find(id);
    if (it == live_.end() || it->second.setup_s) return;
    auto& c = it->second;
    c.setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - c.started_steady).count();
    c.state = "answered";
    if (!c.answered) c.answered = std::chrono::system_clock::now();
    stats_.setup(c.direction, *c.setup_s);
}

void call_registry::finish(const std::string& id, const config::calls_config& cfg,
                           const std::function<void(call_info&)>& change) {
    call_info c;
    {
        std::lock_guard lock(mu_);
        auto it = live_.find(id);
        if (it == live_.end()) return;
        c = std::move(it->second);
        live_.erase(it);
    }
    change(c);
    c.state = "ended";
    c.ended = std::chrono::system_clock::now();
    if (c.result.empty()) c.result = c.setup_s ? result::answered : result::failed;
    if (c.reason.empty()) c.reason = c.result == result::answered ? "ok" : "unknown";
    stats_.active(c.direction, -1);
    stats_.attempt(c.direction, c.result, c.reason);
    if (!cfg.records_file.empty()) append_record(cfg.records_file, c);
    std::lock_guard lock(mu_);
    finished_.push_front(std::move(c));
    while (finished_.size() > cfg.records_kept) finished_.pop_back();
}

void call_registry::append_record(const std::string& path, const call_info& c) {
    // One write(2) of a whole line on an O_APPEND descriptor: lines never interleave, and a
    // rotated file (logrotate's move) is picked up at the next call.
    std::string line = json::serialize(to_json(c));
    line += '\n';
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    ssize_t n = -1;
    int err = 0;
    if (fd >= 0) {
        n = ::write(fd, line.data(), line.size());
        if (n < 0) err = errno;
        ::close(fd);
    } else {
        err = errno;
    }
    std::lock_guard lock(mu_);
    if (n == static_cast<ssize_t>(line.size())) {
        failed_path_.clear();
        return;
    }
    if (failed_path_ == path) return;  // logged once until it works again
    failed_path_ = path;
    log_.error("cannot append the record of call ", c.id, " to ", path, ": ",
               err ? std::strerror(err) : "short write");
}

std::optional<json::object> call_registry::get(const std::string& id) const {
    std::lock_guard lock(mu_);
    if (auto it = live_.find(id); it != live_.end()) return to_json(it->second);
    for (const auto& c : finished_)
        if (c.id == id) return to_json(c);
    return std::nullopt;
}

std::optional<call_info> call_registry::live(const std::string& id) const {
    std::lock_guard lock(mu_);
    if (auto it = live_.find(id); it != live_.end()) return it->second;
    return std::nullopt;
}

json::array call_registry::list() const {
    std::lock_guard lock(mu_);
    std::vector<const call_info*> live;
    for (const auto& [id, c] : live_) live.push_back(&c);
    std::sort(live.begin(), live.end(), [](auto* a, auto* b) { return a->started < b->started; });
    json::array out;
    for (const auto* c : live) out.push_back(to_json(*c));
    for (const auto& c : finished_) out.push_back(to_json(c));
    return out;
}

}  // namespace jigasi::call
