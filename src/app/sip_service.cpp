#include "app/sip_service.hpp"

#include "call/gateway.hpp"
#include "xmpp/rayo.hpp"
#include "sip/libre_bridge.hpp"
#include "sip/registration.hpp"
#include "sip/strand_op.hpp"
#include "sip/user_agent.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <functional>
#include <map>

namespace asio = boost::asio;

namespace jigasi::app {

struct sip_service::impl : std::enable_shared_from_this<impl> {
    asio::io_context& ioc;
    config::store& cfg;
    core::health_registry& health;
    core::gateway_stats& stats;
    const core::logger& logger;
    core::task_group& tasks;
    std::shared_ptr<call::call_registry> calls;
    sip::signalling_strand strand;
    std::unique_ptr<sip::libre_bridge> bridge;
    std::unique_ptr<sip::user_agent> ua;
    std::shared_ptr<call::gateway> gateway;  ///< conference calls
    std::shared_ptr<const media::prompts::prompt_library> prompts;  ///< for the gateway (strand)
    call::gateway::meeting_lookup meeting_lookup;
    std::map<std::string, std::shared_ptr<sip::registration>> registrations;  ///< by account id
    std::map<std::string, std::shared_ptr<sip::registration>> retiring;  ///< un-REGISTERing after a reload
    asio::steady_timer tick;

    impl(asio::io_context& io, config::store& c, core::health_registry& h, core::gateway_stats& s,
         const core::logger& l, core::task_group& t)
        : ioc(io), cfg(c), health(h), stats(s), logger(l), tasks(t),
          calls(std::make_shared<call::call_registry>(s.calls, l)), strand(asio::make_strand(io.get_executor())),
          tick(strand) {}

    // Strand: registrar expiry once a second, so /stats "registrations" drops when phones vanish.
    asio::awaitable<void> housekeeping() {
        auto self = shared_from_this();
        for (;;) {
            tick.expires_after(std::chrono::seconds(1));
            auto [ec] = co_await tick.async_wait(asio::as_tuple(asio::use_awaitable));
            if (ec || !ua) co_return;
            ua->housekeeping();
        }
    }

    // Strand: one registration per enabled account (issue 4 item 3).
    void start_registration(const config::sip_account_config& a, const std::string& public_address) {
        if (!a.enabled || !ua || !ua->stack()) return;
        auto r = std::make_shared<sip::registration>(*bridge, ua->stack(), a,
                                                     sip::registration_options{.public_address = public_address},
                                                     health, stats.sip_accounts, logger);
        registrations[a.id] = r;
        (void)r->start();  // a bad URI is logged and shown in health; the entry stays until a reload
    }

    // Strand: un-REGISTER every account, then `done` (after at most `wait`).
    void stop_registrations(std::chrono::milliseconds wait, std::function<void()> done) {
        auto left = std::make_shared<std::size_t>(registrations.size() + 1);
        auto one_done = [left, done = std::move(done)] {
            if (--*left == 0) done();
        };
        for (auto& [id, r] : registrations) r->stop(wait, one_done);
        one_done();
    }

    // Strand: accounts added, removed or changed by a reload. A changed account starts again only
    // once its un-REGISTER is answered (`retiring`): the old and the new registration share the
    // Contact, and a late Expires: 0 would remove the fresh binding.
    void reconfigure_registrations(const config::sip_config& sip) {
        const auto before = registrations;
        for (const auto& [id, r] : before) {
            auto it = std::find_if(sip.accounts.begin(), sip.accounts.end(), [&](const auto& a) { return a.id == id; });
            if (it != sip.accounts.end() && *it == r->account() && it->enabled) continue;
            registrations.erase(id);
            retiring[id] = r;
            // Not capturing `r`: the callback runs inside r; destroying r there would pull the
            // object out from under its own call. The posted step drops it afterwards.
            r->stop(std::chrono::seconds(2), [w = weak_from_this(), id] {
                if (auto self = w.lock()) asio::post(self->strand, [self, id] { self->retired(id); });
            });
        }
        for (const auto& a : sip.accounts)
            if (!registrations.contains(a.id) && !retiring.contains(a.id)) start_registration(a, sip.public_address);
    }

    // Strand: an account's un-REGISTER finished; start it again if the current config has it,
    // else drop its metric series.
    void retired(const std::string& id) {
        retiring.erase(id);
        const auto c = cfg.get();
        auto it = std::find_if(c->sip.accounts.begin(), c->sip.accounts.end(), [&](const auto& a) { return a.id == id; });
        if (it == c->sip.accounts.end()) return stats.sip_accounts.remove(id);
        if (ua && !registrations.contains(id)) start_registration(*it, c->sip.public_address);
    }
};

sip_service::sip_service(asio::io_context& ioc, config::store& cfg, core::health_registry& health,
                         core::gateway_stats& stats, const core::logger& logger, core::task_group& tasks)
    : impl_(std::make_shared<impl>(ioc, cfg, health, stats, logger, tasks)) {}

sip_service::~sip_service() = default;

asio::awaitable<std::error_code> sip_service::start() {
    auto d = impl_;
    std::error_code ec;
    co_await sip::async_run_on_strand(d->strand, [&d, &ec] {
        const auto c = d->cfg.get();
        d->bridge = std::make_unique<sip::libre_bridge>(d->strand, core::log_channel(d->logger, "sip"));
        d->ua = std::make_unique<sip::user_agent>(*d->bridge, d->health, d->stats, d->logger, c->sip, c->media);
        auto* stats = &d->stats;
        d->ua->set_bindings_observer([stats](std::size_t n) { stats->registrations.store(n); });
        ec = d->ua->start();
        if (ec) return;
        d->gateway = std::make_shared<call::gateway>(d->ioc, *d->bridge, *d->ua, d->cfg, d->logger, d->tasks, d->stats,
                                                     d->calls);
        d->gateway->set_ivr(d->prompts, d->meeting_lookup);
        d->ua->set_invite_handler([g = d->gateway.get()](const sip_msg* msg, sipsess_sock* sock, const std::string& user) {
            return g->on_invite(msg, sock, user);
        });
        asio::co_spawn(d->strand, d->housekeeping(), asio::detached);
        for (const auto& a : c->sip.accounts) d->start_registration(a, c->sip.public_address);
    });
    co_return ec;
}

void sip_service::set_ivr(std::shared_ptr<const media::prompts::prompt_library> prompts, call::gateway::meeting_lookup lookup) {
    asio::post(impl_->strand, [d = impl_, prompts = std::move(prompts), lookup = std::move(lookup)]() mutable {
        d->prompts = std::move(prompts);
        d->meeting_lookup = std::move(lookup);
        if (d->gateway) d->gateway->set_ivr(d->prompts, d->meeting_lookup);
    });
}

void sip_service::dial_out(const xmpp::dial_request& d, const xmpp::element& iq,
                           std::function<void(xmpp::element)> reply) {
    asio::post(impl_->strand, [d = impl_, req = d, iq = iq, reply = std::move(reply)]() mutable {
        if (!d->gateway) {
            reply(xmpp::iq_error(iq, {xmpp::error_type::cancel, "service-unavailable", "jigasi-ng: the SIP side is not running"}));
            return;
        }
        d->gateway->dial_out(req, iq, std::move(reply));
    });
}

asio::awaitable<call::place_result> sip_service::place_call(call::call_request r) {
    auto d = impl_;
    call::place_result out{{}, 503, "the SIP side is not running"};
    // Named, capturing references only: see the GCC 12 caveat in sip/strand_op.hpp.
    std::function<void()> fn = [&d, &out, &r] {
        if (d->gateway) out = d->gateway->place(std::move(r));
    };
    co_await sip::async_run_on_strand(d->strand, std::move(fn));
    co_return out;
}

namespace {
asio::awaitable<call::control_result> on_gateway(const std::shared_ptr<sip_service::impl>& d,
                                                 std::function<call::control_result(call::gateway&)> f) {
    auto out = call::control_result::not_found;
    std::function<void()> fn = [&d, &out, &f] {
        if (d->gateway) out = f(*d->gateway);
    };
    co_await sip::async_run_on_strand(d->strand, std::move(fn));
    co_return out;
}
}  // namespace

// Each names its std::function before the co_await (GCC 12 caveat, sip/strand_op.hpp).
asio::awaitable<call::control_result> sip_service::hang_up(std::string id) {
    std::function<call::control_result(call::gateway&)> f = [&id](call::gateway& g) {
        return g.hang_up(id, "hung up by the API");
    };
    co_return co_await on_gateway(impl_, std::move(f));
}

asio::awaitable<call::control_result> sip_service::send_dtmf(std::string id, std::string keys) {
    std::function<call::control_result(call::gateway&)> f = [&id, &keys](call::gateway& g) { return g.send_dtmf(id, keys); };
    co_return co_await on_gateway(impl_, std::move(f));
}

asio::awaitable<call::control_result> sip_service::set_muted(std::string id, bool muted) {
    std::function<call::control_result(call::gateway&)> f = [&id, muted](call::gateway& g) { return g.set_muted(id, muted); };
    co_return co_await on_gateway(impl_, std::move(f));
}

const call::call_registry& sip_service::calls() const { return *impl_->calls; }

asio::awaitable<void> sip_service::stop() {
    auto d = impl_;
    // Un-REGISTER first, while the stack still runs; a registrar that does not answer within 2 s
    // does not hold up shutdown (the binding then expires on its own).
    std::function<void(sip::completion)> unregister = [d](sip::completion done) {
        d->tick.cancel();
        d->stop_registrations(std::chrono::seconds(2), [done] { done.complete({}); });
    };
    co_await sip::async_on_strand(d->strand, std::move(unregister));
    co_await sip::async_run_on_strand(d->strand, [&d] {
        d->registrations.clear();
        d->retiring.clear();  // frees without waiting: their un-REGISTER was sent already
        if (d->gateway) d->gateway->close_all();
        if (d->ua) d->ua->set_invite_handler(nullptr);
        if (d->ua) d->ua->stop();
        d->gateway.reset();
        d->ua.reset();
        if (d->bridge) d->bridge->stop();
        d->stats.registrations.store(0);
    });
}

asio::awaitable<sip::dial_outcome> sip_service::dial_echo(sip::dial_request req, sip::dial_options opts) {
    auto d = impl_;
    std::function<void(sip::completion)> place = [&d, &req, &opts](sip::completion done) {
        if (!d->ua) {
            sip::dial_outcome o;
            o.reason = "the SIP stack is not running";
            return done.complete({}, o);
        }
        d->ua->dial_echo(req, opts, [done](const sip::dial_outcome& o) { done.complete({}, o); });
    };
    auto r = co_await sip::async_on_strand(d->strand, std::move(place));
    if (const auto* o = std::any_cast<sip::dial_outcome>(&r.value)) co_return *o;
    sip::dial_outcome o;
    o.reason = r.ec ? r.ec.message() : "no outcome";
    co_return o;
}

void sip_service::reconfigure(const config::config& after) {
    asio::post(impl_->strand, [d = impl_, sip = after.sip] {
        if (!d->ua) return;
        d->ua->reconfigure(sip);
        d->reconfigure_registrations(sip);
    });
}

}  // namespace jigasi::app
