#include "http/endpoints.hpp"

#include "core/version.hpp"
#include "http/assets.hpp"
#include "metrics/process_collector.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <ctime>

namespace json = boost::json;

namespace jigasi::http {
namespace {

std::string iso8601(std::chrono::system_clock::time_point tp) {
    const auto t = std::chrono::system_clock::to_time_t(tp);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/// Jigasi's current_timestamp: "yyyy-MM-dd HH:mm:ss.SSS" in UTC.
std::string jigasi_timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    return buf;
}

/// True when at least one subsystem has the prefix and all of those are up.
bool all_up(const std::map<std::string, core::health_entry>& snap, std::string_view prefix) {
    bool any = false;
    for (const auto& [name, e] : snap) {
        if (!name.starts_with(prefix)) continue;
        any = true;
        if (e.state != core::health_state::up) return false;
    }
    return any;
}

}  // namespace

std::string health_json(const core::health_registry& h, bool draining, bool& healthy) {
    healthy = h.healthy() && !draining;
    json::object subsystems;
    json::array reasons;
    for (const auto& [name, e] : h.snapshot()) {
        subsystems[name] = json::object{{"state", core::to_string(e.state)}, {"detail", e.detail},
                                        {"since", iso8601(e.since)}, {"critical", e.critical}};
        if (e.critical && e.state == core::health_state::down)
            reasons.push_back(json::string(name + " is down: " + e.detail));
    }
    if (draining) reasons.push_back("draining for shutdown");
    json::object o{{"status", healthy ? "healthy" : "unhealthy"},
                   {"version", std::string(core::version())},
                   {"draining", draining},
                   {"subsystems", std::move(subsystems)}};
    if (!reasons.empty()) o["reasons"] = std::move(reasons);
    return json::serialize(o);
}

std::string jigasi_stats_json(const core::stats_snapshot& s, unsigned threshold) {
    json::array sizes;
    for (auto v : s.conference_sizes) sizes.push_back(v);
    json::object o{
        {"conferences", s.conferences},
        {"participants", s.participants},
        {"stress_level", threshold ? static_cast<double>(s.conferences) / threshold : 0.0},
        {"conference_sizes", std::move(sizes)},
        {"threads", static_cast<std::uint64_t>(metrics::sample_process().threads)},
        {"current_timestamp", jigasi_timestamp()},
        {"graceful_shutdown", s.graceful_shutdown},
        {"total_conferences_completed", s.total_conferences_completed},
        {"total_participants", s.total_participants},
        {"total_conference_seconds", s.total_conference_seconds},
        {"total_calls_with_dropped_media", s.total_calls_with_dropped_media},
        {"total_count_dropped_media", s.total_count_dropped_media},
        {"total_calls_with_connection_failed", s.total_calls_with_connection_failed},
        {"total_calls_with_sip_call_waiting", s.total_calls_with_sip_call_waiting},
        {"total_calls_with_sip_call_reconnected", s.total_calls_with_sip_call_reconnected},
        {"total_calls_with_jvb_migrate", s.total_calls_with_jvb_migrate},
        {"total_calls_jvb_no_media", s.total_calls_jvb_no_media},
        {"total_calls_no_heartbeat_response", s.total_calls_no_heartbeat_response},
    };
    return json::serialize(o);
}

std::string jigate_stats_json(const core::stats_snapshot& s, const core::health_registry& h) {
    // Jigate's FreeSWITCH "internal" profile faced Jigasi (our Jitsi/XMPP side), the "external"
    // one faced phones (our SIP side). Live values, not polled every 60 s as in Jigate.
    const auto snap = h.snapshot();
    json::object o{{"activeCalls", s.active_calls},
                   {"registrations", s.registrations},
                   {"internalProfileRunning", all_up(snap, "xmpp.")},
                   {"externalProfileRunning", all_up(snap, "sip.")}};
    return json::serialize(o);
}

void add_gateway_routes(router& r, const gateway_context& ctx) {
    using boost::asio::awaitable;
    r.add(verb::get, "/about/health", [ctx](const request&) -> awaitable<response> {
        bool healthy = false;
        auto body = health_json(ctx.health, ctx.stats.graceful_shutdown.load(), healthy);
        co_return make_json(healthy ? status::ok : status::service_unavailable, std::move(body));
    });
    r.add(verb::get, "/about/stats", [ctx](const request&) -> awaitable<response> {
        co_return make_json(status::ok, jigasi_stats_json(ctx.stats.snapshot(),
                                                          ctx.cfg.get()->server.conferences_threshold));
    });
    r.add(verb::get, "/about/version", [](const request&) -> awaitable<response> {
        json::object o{{"name", "jigasi-ng"}, {"version", std::string(core::version())}, {"os", "Linux"}};
        co_return make_json(status::ok, json::serialize(o));
    });
    r.add(verb::post, "/about/shutdown", [ctx](const request&) -> awaitable<response> {
        if (!ctx.cfg.get()->http.shutdown_enabled)
            co_return make_error(status::forbidden, "shutdown over HTTP is disabled (http.shutdown_enabled)");
        const bool started = ctx.request_shutdown();
        json::object o{{"status", "draining"}, {"already", !started}};
        co_return make_json(status::ok, json::serialize(o));
    });
    r.add(verb::get, "/stats", [ctx](const request&) -> awaitable<response> {
        co_return make_json(status::ok, jigate_stats_json(ctx.stats.snapshot(), ctx.health));
    });
    r.add(verb::get, "/metrics", [ctx](const request&) -> awaitable<response> {
        co_return make_response(status::ok, "text/plain; version=0.0.4; charset=utf-8",
                                ctx.metrics.serialize());
    });
    auto serve_asset = [](std::string_view path) -> response {
        for (const auto& a : embedded_assets())
            if (a.path == path) return make_response(status::ok, a.content_type, std::string(a.body));
        return make_error(status::not_found, "no such resource: /webui" + std::string(path));
    };
    r.add(verb::get, "/", [serve_asset](const request&) -> awaitable<response> {
        co_return serve_asset("/index.html");
    });
    r.add_prefix(verb::get, "/webui/", [serve_asset](const request& req) -> awaitable<response> {
        co_return serve_asset(path_of(req.target()).substr(6));
    });
}

}  // namespace jigasi::http
