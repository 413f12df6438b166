#include "metrics/metrics.hpp"

#include "core/version.hpp"
#include "metrics/process_collector.hpp"

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <limits>
#include <sstream>

namespace jigasi::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

ClientMetric value_metric(MetricType type, double v, std::vector<prometheus::ClientMetric::Label> labels = {}) {
    ClientMetric m;
    m.label = std::move(labels);
    if (type == MetricType::Counter) m.counter.value = v;
    else m.gauge.value = v;
    return m;
}

MetricFamily single(std::string name, std::string help, MetricType type, double v) {
    MetricFamily f{std::move(name), std::move(help), type, {}};
    f.metric.push_back(value_metric(type, v));
    return f;
}

MetricFamily histogram(std::string name, std::string help, const std::vector<std::pair<ClientMetric::Label,
                       core::seconds_histogram::snapshot_type>>& series) {
    MetricFamily f{std::move(name), std::move(help), MetricType::Histogram, {}};
    for (const auto& [label, h] : series) {
        ClientMetric m;
        m.label = {label};
        m.histogram.sample_count = h.count;
        m.histogram.sample_sum = h.sum;
        for (std::size_t i = 0; i < h.cumulative.size(); ++i)
            m.histogram.bucket.push_back({h.cumulative[i], core::seconds_histogram::bounds[i]});
        m.histogram.bucket.push_back({h.count, std::numeric_limits<double>::infinity()});
        f.metric.push_back(std::move(m));
    }
    return f;
}

// Conference calls (core/call_stats.hpp): attempts, setup latency, RTP per leg.
void append_call_families(const core::call_stats& c, std::vector<MetricFamily>& out) {
    using T = MetricType;
    using core::call_direction;
    using core::media_leg;
    MetricFamily active{"jigasi_ng_calls_active", "Conference calls in progress, by direction.", T::Gauge, {}};
    for (auto d : {call_direction::in, call_direction::out})
        active.metric.push_back(value_metric(T::Gauge, static_cast<double>(c.active(d)), {{"direction", core::to_string(d)}}));
    out.push_back(std::move(active));
    MetricFamily attempts{"jigasi_ng_call_attempts_total", "Finished conference calls, by direction, result and reason.", T::Counter, {}};
    for (const auto& [key, n] : c.attempts()) {
        const auto& [direction, result, reason] = key;
        attempts.metric.push_back(value_metric(T::Counter, static_cast<double>(n),
                                               {{"direction", direction}, {"result", result}, {"reason", reason}}));
    }
    out.push_back(std::move(attempts));
    out.push_back(histogram("jigasi_ng_call_setup_seconds", "INVITE or dial until audio flows both ways.",
                            {{{"direction", "in"}, c.setup(call_direction::in)}, {{"direction", "out"}, c.setup(call_direction::out)}}));
    out.push_back(histogram("jigasi_ng_call_jitter_seconds", "Worst receive jitter of a finished call's leg.",
                            {{{"leg", "bridge"}, c.jitter(media_leg::bridge)}, {{"leg", "phone"}, c.jitter(media_leg::phone)}}));
    MetricFamily rx{"jigasi_ng_rtp_packets_received_total", "RTP packets received, by leg.", T::Counter, {}};
    MetricFamily tx{"jigasi_ng_rtp_packets_sent_total", "RTP packets sent, by leg.", T::Counter, {}};
    MetricFamily lost{"jigasi_ng_rtp_packets_lost_total", "RTP packets lost on the way to us (RFC 3550 A.3), by leg.", T::Counter, {}};
    MetricFamily timeouts{"jigasi_ng_media_timeouts_total", "Calls ended because a leg sent no media for media.timeout_s.", T::Counter, {}};
    for (auto l : {media_leg::bridge, media_leg::phone}) {
        const auto r = c.rtp(l);
        const ClientMetric::Label leg{"leg", core::to_string(l)};
        rx.metric.push_back(value_metric(T::Counter, static_cast<double>(r.rx), {leg}));
        tx.metric.push_back(value_metric(T::Counter, static_cast<double>(r.tx), {leg}));
        lost.metric.push_back(value_metric(T::Counter, static_cast<double>(r.lost), {leg}));
        timeouts.metric.push_back(value_metric(T::Counter, static_cast<double>(r.timeouts), {leg}));
    }
    for (auto* f : {&rx, &tx, &lost, &timeouts}) out.push_back(std::move(*f));
}

// Values owned elsewhere (gateway_stats, health_registry), turned into families at scrape time.
class gateway_collector final : public prometheus::Collectable {
public:
    gateway_collector(const core::gateway_stats& s, const core::health_registry& h, unsigned t)
        : stats_(s), health_(h), threshold_(t) {}

    void set_threshold(unsigned t) { threshold_.store(t); }

    std::vector<MetricFamily> Collect() const override {
        using T = MetricType;
        const auto s = stats_.snapshot();
        const auto threshold = threshold_.load();
        const double stress = threshold ? static_cast<double>(s.conferences) / threshold : 0.0;
        std::vector<MetricFamily> out;

        // Jigasi-compatible names (jitsi-protocol.md §6.1, products.md §6.1): existing Jitsi
        // dashboards and alerts keep working. Counters carry the "_total" suffix that current
        // Prometheus clients (and promtool) require.
        out.push_back(single("jitsi_jigasi_conferences", "Conferences with at least one call.", T::Gauge, s.conferences));
        out.push_back(single("jitsi_jigasi_participants", "Conference members seen by our calls, focus excluded.", T::Gauge, s.participants));
        out.push_back(single("jitsi_jigasi_stress_level", "conferences / server.conferences_threshold.", T::Gauge, stress));
        out.push_back(single("jitsi_jigasi_threads", "OS threads of the process.", T::Gauge, sample_process().threads));
        out.push_back(single("jitsi_jigasi_graceful_shutdown", "1 while draining for shutdown.", T::Gauge, s.graceful_shutdown ? 1 : 0));
        const std::pair<const char*, std::uint64_t> totals[] = {
            {"conferences_completed", s.total_conferences_completed},
            {"participants", s.total_participants},
            {"conference_seconds", s.total_conference_seconds},
            {"calls_with_dropped_media", s.total_calls_with_dropped_media},
            {"count_dropped_media", s.total_count_dropped_media},
            {"calls_with_connection_failed", s.total_calls_with_connection_failed},
            {"calls_with_sip_call_waiting", s.total_calls_with_sip_call_waiting},
            {"calls_with_sip_call_reconnected", s.total_calls_with_sip_call_reconnected},
            {"calls_with_jvb_migrate", s.total_calls_with_jvb_migrate},
            {"calls_jvb_no_media", s.total_calls_jvb_no_media},
            {"calls_no_heartbeat_response", s.total_calls_no_heartbeat_response},
        };
        for (const auto& [name, v] : totals)
            out.push_back(single(std::string("jitsi_jigasi_total_") + name + "_total",
                                 std::string("Jigasi counter total_") + name + ".", T::Counter, v));

        // Our own names.
        append_call_families(stats_.calls, out);
        out.push_back(single("jigasi_ng_registrar_bindings", "Contacts registered on the built-in registrar.", T::Gauge, s.registrations));
        out.push_back(single("jigasi_ng_healthy", "1 when no critical subsystem is down.", T::Gauge, health_.healthy() ? 1 : 0));
        MetricFamily up{"jigasi_ng_subsystem_up", "1 when the subsystem is up, 0.5 degraded, 0 down.", T::Gauge, {}};
        for (const auto& [name, e] : health_.snapshot()) {
            const double v = e.state == core::health_state::up ? 1 : e.state == core::health_state::degraded ? 0.5 : 0;
            up.metric.push_back(value_metric(T::Gauge, v, {{"subsystem", name}}));
        }
        out.push_back(std::move(up));
        // Upstream registrations (sip/registration.cpp), one series per configured account.
        MetricFamily reg_up{"jigasi_ng_sip_registration_up", "1 while the account is registered upstream.", T::Gauge, {}};
        MetricFamily reg_sent{"jigasi_ng_sip_registrations_sent_total", "REGISTER requests sent, by account.", T::Counter, {}};
        MetricFamily reg_failed{"jigasi_ng_sip_registration_failures_total", "Registration attempts that failed, by account.", T::Counter, {}};
        MetricFamily ka_failed{"jigasi_ng_sip_keepalive_failures_total", "OPTIONS keepalives to the registrar that failed, by account.", T::Counter, {}};
        for (const auto& [account, a] : stats_.sip_accounts.snapshot()) {
            reg_up.metric.push_back(value_metric(T::Gauge, a.up ? 1 : 0, {{"account", account}}));
            reg_sent.metric.push_back(value_metric(T::Counter, static_cast<double>(a.sent), {{"account", account}}));
            reg_failed.metric.push_back(value_metric(T::Counter, static_cast<double>(a.failures), {{"account", account}}));
            ka_failed.metric.push_back(value_metric(T::Counter, static_cast<double>(a.keepalive_failures), {{"account", account}}));
        }
        for (auto* f : {&reg_up, &reg_sent, &reg_failed, &ka_failed}) out.push_back(std::move(*f));
        // SIP user agent (sip/user_agent.cpp, sip/echo_call.cpp).
        const auto& sc = stats_.sip;
        const std::pair<const char*, const std::atomic<std::uint64_t>*> sip_totals[] = {
            {"requests", &sc.requests}, {"invites", &sc.invites}, {"invites_refused", &sc.invites_refused},
            {"invites_not_found", &sc.invites_not_found}, {"registers_accepted", &sc.registers_accepted},
            {"registers_refused", &sc.registers_refused}, {"bad_input", &sc.bad_input}, {"echo_calls", &sc.echo_calls},
        };
        static constexpr const char* sip_help[] = {
            "SIP requests outside sessions (REGISTER, OPTIONS, ...) seen by the user agent.",
            "New INVITEs received (any outcome).",
            "INVITEs refused by the inbound policy (challenged, rejected or ignored).",
            "INVITEs for a user nobody serves (404).",
            "REGISTERs the built-in registrar accepted (200).",
            "REGISTERs the built-in registrar refused (403, 423, 400; challenges not counted).",
            "Malformed SIP input received (logged once per source and interval).",
            "Calls answered by the echo extension.",
        };
        for (std::size_t i = 0; i < std::size(sip_totals); ++i)
            out.push_back(single(std::string("jigasi_ng_sip_") + sip_totals[i].first + "_total", sip_help[i], T::Counter,
                                 static_cast<double>(sip_totals[i].second->load(std::memory_order_relaxed))));
        out.push_back(single("jigasi_ng_sip_echo_calls_active", "Echo-extension calls in progress.", T::Gauge,
                             static_cast<double>(sc.echo_calls_active.load(std::memory_order_relaxed))));
        MetricFamily build{"jigasi_ng_build_info", "Always 1; the labels describe the build.", T::Gauge, {}};
        build.metric.push_back(value_metric(T::Gauge, 1, {{"version", std::string(core::version())}}));
        out.push_back(std::move(build));
        return out;
    }

private:
    const core::gateway_stats& stats_;
    const core::health_registry& health_;
    std::atomic<unsigned> threshold_;
};

}  // namespace

metrics_registry::metrics_registry(const core::gateway_stats& stats,
                                   const core::health_registry& health,
                                   unsigned conferences_threshold)
    : registry_(std::make_shared<prometheus::Registry>()),
      gateway_(std::make_shared<gateway_collector>(stats, health, conferences_threshold)),
      process_(std::make_shared<process_collector>()) {}

metrics_registry::~metrics_registry() = default;

void metrics_registry::set_conferences_threshold(unsigned t) {
    static_cast<gateway_collector&>(*gateway_).set_threshold(t);
}

std::string metrics_registry::serialize() const {
    auto families = registry_->Collect();
    for (const auto* c : {gateway_.get(), process_.get()}) {
        auto more = c->Collect();
        families.insert(families.end(), std::make_move_iterator(more.begin()),
                        std::make_move_iterator(more.end()));
    }
    std::ostringstream out;
    prometheus::TextSerializer{}.Serialize(out, families);
    return out.str();
}

}  // namespace jigasi::metrics
