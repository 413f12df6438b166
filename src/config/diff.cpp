// Reload diff: walk both models with detail::fields() and report every leaf that differs.

#include "config/diff.hpp"

#include "config/detail.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace jigasi::config {

namespace {

// Keep in step with the subsystems: a key belongs here only once its owner re-reads it from the
// store on change. log.* is a prefix because the logger re-reads its whole section.
constexpr std::array<std::string_view, 13> live_keys = {
    "server.drain_timeout_s",  "server.region",          "server.conferences_threshold",
    "http.max_header_bytes",   "http.max_body_bytes",    "http.read_timeout_s",
    "http.idle_timeout_s",     "http.max_connections",   "http.shutdown_enabled",
    "http.api_token",
    "xmpp.reconnect_min_s",    "xmpp.reconnect_max_s",   "xmpp.connect_timeout_s",
};

bool is_live(std::string_view path) {
    if (path == "log" || path.starts_with("log.")) return true;
    // Conference calls read their section at each new call (call/gateway.cpp).
    if (path == "calls" || path.starts_with("calls.")) return true;
    // The IVR reads its section per call; a new language or folder reloads the prompts (app.cpp).
    if (path.starts_with("ivr.")) return true;
    // The mapper reads the numbers and the ID length per request; ids_file is read at start.
    // The external mapper's URL is read at each lookup (app/mapper_client.cpp).
    if (path.starts_with("dialin.numbers") || path == "dialin.id_digits" || path == "dialin.enabled" ||
        path == "dialin.mapper_url")
        return true;
    // Upstream registrations: sip_service adds, removes and restarts changed accounts.
    if (path == "sip.accounts" || path.starts_with("sip.accounts[")) return true;
    return std::find(live_keys.begin(), live_keys.end(), path) != live_keys.end();
}

class differ {
public:
    std::vector<change> out;

    template <detail::section T>
    void compare(const std::string& path, const T& a, const T& b) {
        detail::fields([&](detail::field f, const auto& x, const auto& y) { compare(detail::join(path, f.name), x, y); },
                       a, b);
    }

    /// Lists compare by index; a length change is one change of the whole list, since entries
    /// after an insertion would otherwise all show up as changed.
    template <class T>
    void compare(const std::string& path, const std::vector<T>& a, const std::vector<T>& b) {
        if (a.size() != b.size()) return add(path);
        for (std::size_t i = 0; i < a.size(); ++i) compare(detail::index(path, i), a[i], b[i]);
    }

    /// Scalars, enums and log.subsystems (a map is one setting: the per-subsystem levels).
    template <class T>
    void compare(const std::string& path, const T& a, const T& b) {
        if (!(a == b)) add(path);
    }

private:
    void add(const std::string& path) { out.push_back(change{path, is_live(path)}); }
};

}  // namespace

std::vector<change> diff(const config& before, const config& after) {
    differ d;
    d.compare(std::string(), before, after);
    return std::move(d.out);
}

}  // namespace jigasi::config
