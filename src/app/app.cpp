#include "app/app.hpp"

#include "app/api_routes.hpp"
#include "app/dialin_routes.hpp"
#include "app/ivr_setup.hpp"
#include "media/prompts/prompt_library.hpp"
#include "app/shutdown.hpp"
#include "app/sip_service.hpp"
#include "core/task_group.hpp"
#include "core/version.hpp"
#include "http/endpoints.hpp"
#include "http/server.hpp"
#include "metrics/metrics.hpp"
#include "xmpp/control_link.hpp"
#include "xmpp/server_link.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <csignal>

namespace asio = boost::asio;

namespace jigasi::app {

struct app::impl {
    asio::io_context& ioc;
    config::store& cfg;
    core::logger& logger;
    std::optional<std::string> config_path;
    config::cli_options flags;
    core::log_channel log;
    core::health_registry health;
    core::gateway_stats stats;
    metrics::metrics_registry metrics;
    prometheus::Family<prometheus::Counter>& task_failures;
    core::task_group tasks;
    http::router routes;
    http::server http_server;
    std::vector<std::unique_ptr<xmpp::server_link>> links;
    std::vector<std::unique_ptr<xmpp::control_link>> controls;
    sip_service sip;
    room_probes probes;
    conference_mapper mapper;
    mapper_client external_mapper;  ///< dialin.mapper_url
    failure_budget mapper_failures;
    asio::strand<asio::io_context::executor_type> strand;
    asio::signal_set signals;
    shutdown_control shutdown;

    impl(asio::io_context& io, config::store& c, core::logger& l, std::optional<std::string> path,
         config::cli_options f)
        : ioc(io), cfg(c), logger(l), config_path(std::move(path)), flags(std::move(f)),
          log(l, "app"), metrics(stats, health, c.get()->server.conferences_threshold),
          task_failures(prometheus::BuildCounter()
                            .Name("jigasi_ng_task_failures_total")
                            .Help("Tasks (calls, connections) ended by an unexpected exception, by kind.")
                            .Register(metrics.registry())),
          tasks(core::log_channel(l, "app"),
                [this](const std::string& name) {
                    task_failures.Add({{"kind", name.substr(0, name.find(' '))}}).Increment();
                }),
          http_server(io, routes, c, core::log_channel(l, "http"), metrics.registry()),
          sip(io, c, health, stats, l, tasks), probes(io, c, l, tasks), mapper(c.get()->dialin.ids_file, l),
          external_mapper(c, l),
          strand(asio::make_strand(io)), signals(strand, SIGTERM, SIGINT, SIGHUP),
          shutdown(strand, stats) {}

    void arm_signals();
    void reload();
    void start_xmpp_links();
};

void app::impl::arm_signals() {
    signals.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec) return;  // cancelled at the end of run()
        if (signo == SIGHUP) {
            reload();
        } else {
            log.notice("received ", signo == SIGTERM ? "SIGTERM" : "SIGINT");
            shutdown.request(signo == SIGTERM ? "SIGTERM" : "SIGINT");
        }
        arm_signals();
    });
}

void app::impl::reload() {
    if (!config_path) {
        log.notice("reload: running on the embedded defaults (no --config); nothing to reread");
        return;
    }
    auto loaded = config::load_file(*config_path, [this](config::config& c) { config::apply_cli(c, flags); });
    if (!loaded.value) {
        log.error("reload of ", *config_path, " failed, keeping the running configuration:");
        for (const auto& p : loaded.errors) log.error("  ", p.to_string());
        return;
    }
    for (const auto& w : loaded.warnings) log.warning("config: ", w.to_string());
    const auto changes = cfg.replace(std::move(*loaded.value));
    if (changes.empty()) log.notice("reload of ", *config_path, ": nothing changed");
    for (const auto& c : changes)
        log.notice("reload: ", c.path, c.live ? " changed (applied now)" : " changed (takes effect after a restart)");
}

void app::impl::start_xmpp_links() {
    const auto c = cfg.get();
    // The brewery presence's numbers (jitsi-protocol.md §1.1), read about once a second.
    auto stats_of = [this]() {
        const auto snap = stats.snapshot();
        const auto now = cfg.get();
        xmpp::brewery_stats b;
        b.conferences = snap.conferences;
        b.participants = snap.participants;
        b.graceful_shutdown = shutdown.requested();
        b.stress_level = xmpp::brewery_stress_level(snap.conferences, now->server.conferences_threshold);
        b.region = now->server.region;
        b.version = std::string(core::version());
        return b;
    };
    for (const auto& s : c->xmpp.servers) {
        if (s.control.enabled) {
            xmpp::control_link_options o;
            o.health_name = "xmpp." + s.id;
            o.host = s.host;
            o.port = s.port;
            o.tls = s.tls;
            o.websocket = s.websocket;
            o.ca_file = s.ca_file;
            if (auto at = o.websocket.find("{domain}"); at != std::string::npos) o.websocket.replace(at, 8, s.domain);
            o.domain = s.control.auth_domain;
            o.username = s.control.username;
            o.password = s.control.password;
            o.brewery = s.control.brewery;
            o.allowed_jid = s.control.allowed_jid;
            o.muc_domain = s.muc_domain;
            controls.push_back(std::make_unique<xmpp::control_link>(std::move(o), cfg, health,
                                                                    core::log_channel(logger, "xmpp", s.id), stats_of));
            controls.back()->set_dial_handler([this](const xmpp::dial_request& d, const xmpp::element& iq,
                                                     std::function<void(xmpp::element)> reply) {
                sip.dial_out(d, iq, std::move(reply));
            });
            tasks.spawn(asio::make_strand(ioc), controls.back()->run(), "xmpp control " + s.id);
            continue;
        }
        // Without a control account, only reachability is watched until a call needs the server.
        links.push_back(std::make_unique<xmpp::server_link>("xmpp." + s.id, s.host, s.port, cfg, health,
                                                            core::log_channel(logger, "xmpp")));
        tasks.spawn(asio::make_strand(ioc), links.back()->run(), "xmpp link " + s.id);
    }
    if (c->xmpp.component.enabled) {
        const auto& comp = c->xmpp.component;
        xmpp::control_link_options o;
        o.component = true;
        o.health_name = "xmpp.component";
        o.host = comp.host;
        o.port = comp.port;
        o.domain = comp.subdomain + "." + comp.domain;
        o.secret = comp.secret;
        // A room named without its MUC domain in JvbRoomName is on the first deployment's.
        if (!c->xmpp.servers.empty()) o.muc_domain = c->xmpp.servers.front().muc_domain;
        controls.push_back(std::make_unique<xmpp::control_link>(std::move(o), cfg, health,
                                                                core::log_channel(logger, "xmpp", "component"), stats_of));
        // Legacy mode (jitsi-protocol.md §1.4): Rayo straight to the component. Deviation: the
        // result comes once we are in the room and carries our occupant URI, as in brewery mode,
        // so a hangup to it reaches the call through the room.
        controls.back()->set_dial_handler([this](const xmpp::dial_request& d, const xmpp::element& iq,
                                                 std::function<void(xmpp::element)> reply) {
            sip.dial_out(d, iq, std::move(reply));
        });
        tasks.spawn(asio::make_strand(ioc), controls.back()->run(), "xmpp component");
    }
}

app::app(asio::io_context& ioc, config::store& cfg, core::logger& logger,
         std::optional<std::string> config_path, config::cli_options flags)
    : impl_(std::make_unique<impl>(ioc, cfg, logger, std::move(config_path), std::move(flags))) {
    auto* m = &impl_->metrics;
    auto* lg = &logger;
    auto* sip = &impl_->sip;
    auto* d = impl_.get();
    cfg.subscribe([m, lg, sip, d](const config::store::snapshot& before, const config::store::snapshot& after, const auto&) {
        lg->configure(after->log);
        m->set_conferences_threshold(after->server.conferences_threshold);
        sip->reconfigure(*after);
        // Other prompts: calls from now on speak them (the numbers' order does not matter).
        auto languages = [](const config::config& c) {
            auto l = config::prompt_languages(c);
            std::sort(l.begin() + 1, l.end());
            return l;
        };
        if (languages(*before) != languages(*after) || before->ivr.prompts_folder != after->ivr.prompts_folder) {
            auto prompts = load_prompts(*after, d->health, d->log);
            if (prompts) asio::post(d->ioc, [prompts] { prompts->prepare(8000); });  // as at start-up
            sip->set_ivr(std::move(prompts),
                         make_meeting_lookup(d->mapper, d->external_mapper, d->mapper_failures, core::log_channel(*lg, "ivr")));
        }
    });
    http::add_gateway_routes(impl_->routes,
                             {impl_->health, impl_->stats, impl_->metrics, cfg,
                              [this] { return request_shutdown("POST /about/shutdown"); }});
    add_api_routes(impl_->routes, {cfg, impl_->sip, impl_->probes});
    impl_->mapper.load();
    auto prompts = load_prompts(*cfg.get(), impl_->health, impl_->log);
    // 8 kHz (PCMU/PCMA phones) resampled once the pool runs: about 80 ms of one thread, not the
    // start-up's; other rates on their first call (a few tens of ms on that call's strand).
    if (prompts) asio::post(ioc, [prompts] { prompts->prepare(8000); });
    impl_->sip.set_ivr(std::move(prompts),
                       make_meeting_lookup(impl_->mapper, impl_->external_mapper, impl_->mapper_failures, core::log_channel(logger, "ivr")));
    add_dialin_routes(impl_->routes, {cfg, impl_->mapper, impl_->mapper_failures});
}

app::~app() = default;

bool app::request_shutdown(std::string reason) { return impl_->shutdown.request(std::move(reason)); }

void app::request_reload() {
    asio::post(impl_->strand, [this] { impl_->reload(); });
}

const core::health_registry& app::health() const { return impl_->health; }
core::gateway_stats& app::stats() { return impl_->stats; }

asio::awaitable<int> app::run() {
    auto& d = *impl_;
    const auto c = d.cfg.get();
    d.log.notice("jigasi-ng ", core::version(), " starting (configuration: ",
                 d.config_path ? *d.config_path : std::string("embedded defaults"), ")");

    if (auto ec = d.http_server.listen(c->http.address, c->http.port)) {
        d.log.crit("cannot listen on ", c->http.address, ":", c->http.port, ": ", ec.message());
        co_return 1;
    }
    const auto ep = d.http_server.local_endpoint();
    d.health.report("http", core::health_state::up,
                    "listening on " + ep.address().to_string() + ":" + std::to_string(ep.port()));
    d.log.notice("admin, REST and metrics on http://", ep.address().to_string(), ":", ep.port(), "/");
    d.tasks.spawn(asio::make_strand(d.ioc), d.http_server.accept_loop(d.tasks), "http accept");
    d.start_xmpp_links();
    const bool sip_on = !c->sip.listen.empty();
    if (sip_on) {
        if (auto ec = co_await d.sip.start()) {
            d.log.crit("SIP: no listener could be opened (", ec.message(), "); see the sip.listen errors above");
            co_await d.sip.stop();
            co_return 1;
        }
    }
    d.arm_signals();

    co_await d.shutdown.wait_requested();
    co_await d.shutdown.drain(d.cfg.get()->server.drain_timeout_s, d.log);

    if (sip_on) co_await d.sip.stop();
    d.http_server.close();
    d.health.report("http", core::health_state::down, "stopped", false);
    co_await d.shutdown.stop_tasks(d.tasks, d.log);
    boost::system::error_code ignored;
    d.signals.cancel(ignored);
    d.log.notice("stopped");
    co_return 0;
}

}  // namespace jigasi::app
