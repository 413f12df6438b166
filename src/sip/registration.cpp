#include "sip/registration.hpp"

#include "sip/libre.hpp"
#include "sip/msg.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

namespace jigasi::sip {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

int send_trampoline(enum sip_transp tp, const struct sa* src, const struct sa*, struct mbuf* mb, void* arg) {
    return static_cast<registration*>(arg)->on_send(static_cast<int>(tp), src, mb);
}
void register_trampoline(int err, const sip_msg* msg, void* arg) {
    static_cast<registration*>(arg)->on_register_response(err, msg);
}
void options_trampoline(int err, const sip_msg* msg, void* arg) {
    static_cast<registration*>(arg)->on_options_response(err, msg);
}

/// The Request-URI: the configured registrar, with the account's transport unless it names one
/// (libre picks the transport from the URI's transport parameter, RFC 3263 4.1).
std::string request_uri(const config::sip_account_config& a) {
    std::string uri = a.registrar.empty() ? "sip:" + a.domain : a.registrar;
    if (a.transport != config::sip_transport::udp && uri.find("transport=") == std::string::npos)
        uri += a.transport == config::sip_transport::tcp ? ";transport=tcp" : ";transport=tls";
    return uri;
}

std::string cause_of(int err) {
    if (err == ETIMEDOUT) return "no answer (timeout)";
    return std::strerror(err);
}

long seconds_until(clock_type::time_point t, clock_type::time_point now) {
    return std::max(0L, static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(t - now + 500ms).count()));
}

}  // namespace

registration::registration(libre_bridge& bridge, struct ::sip* stack, config::sip_account_config account,
                           registration_options options, core::health_registry& health,
                           core::registration_stats& stats, const core::logger& logger)
    : stack_(stack), configured_(account), account_([&] {
          account.registrar = request_uri(account);  // the digest uri must be the Request-URI
          return std::move(account);
      }()),
      options_(std::move(options)), health_(health), stats_(stats),
      log_(logger, "sip", "account " + account_.id), health_name_("sip.account." + account_.id),
      fsm_(account_, options_.retry_min, options_.retry_max, std::random_device{}()),
      timer_(bridge.strand()), ka_timer_(bridge.strand()) {}

registration::~registration() {
    free_libre();
    if (!stopped_) health_.remove(health_name_);
}

void registration::free_libre() {
    // A stateful request dereferenced before its final answer keeps its transaction alive inside
    // libre but calls nobody back (strand_op.hpp's rule: free, then no callback).
    req_ = static_cast<struct ::sip_request*>(mem_deref(req_));
    ka_req_ = static_cast<struct ::sip_request*>(mem_deref(ka_req_));
    dlg_ = static_cast<struct ::sip_dialog*>(mem_deref(dlg_));
    ka_dlg_ = static_cast<struct ::sip_dialog*>(mem_deref(ka_dlg_));
    ++timer_gen_;
    ++ka_gen_;
    timer_.cancel();
    ka_timer_.cancel();
}

std::error_code registration::start() {
    // To = From = the address of record (RFC 3261 10.2: To names the AOR whose bindings change).
    const std::string aor = "sip:" + account_.user + "@" + account_.domain;
    std::string route = account_.outbound_proxy;
    if (!route.empty() && !route.starts_with("sip:") && !route.starts_with("sips:")) route = "sip:" + route;
    if (!route.empty() && route.find(";lr") == std::string::npos) route += ";lr";  // RFC 3261 16.12.1.1
    const char* routev[] = {route.c_str()};
    const char* name = account_.display_name.empty() ? nullptr : account_.display_name.c_str();
    for (auto* dlg : {&dlg_, &ka_dlg_}) {
        if (int err = sip_dialog_alloc(dlg, account_.registrar.c_str(), aor.c_str(), name, aor.c_str(),
                                       route.empty() ? nullptr : routev, route.empty() ? 0 : 1)) {
            free_libre();
            log_.error("cannot register at ", account_.registrar, ": ", std::strerror(err));
            health_.report(health_name_, core::health_state::down, "bad registrar or proxy URI", false);
            return {err, std::generic_category()};
        }
    }
    log_.info("registering at ", account_.registrar, " as ", aor);
    perform(fsm_.start());
    return {};
}

void registration::stop(std::chrono::milliseconds wait, std::function<void()> done) {
    if (stopped_ || stopping_) {
        if (done) done();
        return;
    }
    stopping_ = true;
    stop_done_ = std::move(done);
    ++ka_gen_;
    ka_timer_.cancel();
    ka_req_ = static_cast<struct ::sip_request*>(mem_deref(ka_req_));
    perform(fsm_.stop());  // an un-REGISTER if registered (RFC 3261 10.2.2), else idle at once
    if (stopped_) return;
    log_.info("un-registering from ", account_.registrar);
    arm_timer(wait);  // bounded: a registrar that is gone must not hold up shutdown
}

void registration::finish_stop(bool timed_out) {
    stopped_ = true;
    free_libre();
    health_.remove(health_name_);
    stats_.set_up(account_.id, false);
    if (timed_out) log_.notice("stopped; the un-REGISTER went unanswered (the binding expires by itself)");
    else log_.notice(fsm_.last_status() == "unregistered" ? "unregistered" : "stopped");
    if (auto done = std::move(stop_done_)) done();
}

void registration::perform(registration_actions a) {
    if (a.cancel_timer) {
        ++timer_gen_;
        timer_.cancel();
    }
    if (a.arm_timer) arm_timer(*a.arm_timer);
    if (a.send) send_register(*a.send);  // last: a synchronous failure re-enters perform()
    if (stopped_) return;
    if (stopping_ && fsm_.state() == registration_state::idle) return finish_stop();
    publish();
}

void registration::send_register(const registration_actions::send_register& s) {
    // A REGISTER still out (a refresh when stop() un-registers) is superseded: drop its answer.
    req_ = static_cast<struct ::sip_request*>(mem_deref(req_));
    sent_credentials_ = s.authorization.has_value();
    const std::string auth = s.authorization ? *s.authorization + "\r\n" : std::string();
    // CSeq 0: the dialog takes its next local sequence number, so every refresh and every answer
    // to a challenge carries a higher CSeq under the same Call-ID (RFC 3261 10.2.4, 22.2).
    const int err = sip_drequestf(&req_, stack_, true, "REGISTER", dlg_, 0, nullptr, send_trampoline,
                                  register_trampoline, this, "Expires: %u\r\n%sContent-Length: 0\r\n\r\n",
                                  s.expires, auth.c_str());
    if (err) {
        req_ = nullptr;
        log_.debug("REGISTER not sent: ", std::strerror(err));
        perform(fsm_.on_failure(cause_of(err), clock_type::now()));
        return;
    }
    stats_.add_sent(account_.id);
    log_.debug("REGISTER sent (Expires: ", s.expires, ", Contact: <sip:", account_.user, "@", contact_,
               s.authorization ? ">, with credentials)" : ">)");
}

int registration::on_send(int tp, const ::sa* src, ::mbuf* mb) {
    // Our Contact is the address libre sends from, as libre's own sipreg.c does, so the registrar
    // routes calls to the listener that registered; behind 1:1 NAT the configured public address.
    char host[64] = {0};
    const bool v6 = sa_af(src) == AF_INET6;
    sa_ntop(src, host, sizeof host);
    std::string h = options_.public_address.empty() ? std::string(host) : options_.public_address;
    if ((v6 || h.find(':') != std::string::npos) && !h.starts_with("[")) h = "[" + h + "]";
    contact_ = h + ":" + std::to_string(sa_port(src));
    contact_tp_ = tp;
    return mbuf_printf(mb, "Contact: <sip:%s@%s%s>\r\n", account_.user.c_str(), contact_.c_str(),
                       sip_transp_param(static_cast<enum sip_transp>(tp)));
}

void registration::on_register_response(int err, const sip_msg* msg) {
    if (msg && msg->scode < 200) return;  // provisional: the transaction goes on
    const auto now = clock_type::now();
    if (err || !msg) return perform(fsm_.on_failure(cause_of(err ? err : EPROTO), now));

    register_response r;
    r.status = msg->scode;
    r.reason = str(msg->reason);
    if (r.status == 403 && sent_credentials_) r.reason += " (credentials refused)";
    r.www_authenticate = header_values(msg, SIP_HDR_WWW_AUTHENTICATE);
    r.proxy_authenticate = header_values(msg, SIP_HDR_PROXY_AUTHENTICATE);
    if (const sip_hdr* h = sip_msg_hdr(msg, SIP_HDR_MIN_EXPIRES)) r.min_expires = pl_u32(&h->val);
    // The time granted is our Contact's expires parameter in the 200 (the registrar lists every
    // binding of the AOR, RFC 3261 10.2.4), else the Expires header.
    for (const auto& value : header_values(msg, SIP_HDR_CONTACT)) {
        sip_addr addr{};
        pl pv, expires;
        pl_set_str(&pv, value.c_str());
        if (sip_addr_decode(&addr, &pv) || str(addr.uri.user) != account_.user) continue;
        const bool v6 = str(addr.uri.host).find(':') != std::string::npos;
        const std::string hp = (v6 ? "[" : "") + str(addr.uri.host) + (v6 ? "]" : "") + ":" +
                               std::to_string(addr.uri.port ? addr.uri.port : 5060);
        if (hp == contact_ && msg_param_decode(&addr.params, "expires", &expires) == 0) r.granted_expires = pl_u32(&expires);
    }
    if (!r.granted_expires && pl_isset(&msg->expires)) r.granted_expires = pl_u32(&msg->expires);

    auto a = fsm_.on_response(r, now);
    if (fsm_.state() == registration_state::registered && r.status >= 200 && r.status < 300) {
        keepalive_down_ = false;
        // A 2xx proves the registrar is there: the next OPTIONS is due a full interval from now.
        ka_req_ = static_cast<struct ::sip_request*>(mem_deref(ka_req_));
        if (account_.keepalive_s > 0 && !stopping_) arm_keepalive(std::chrono::seconds(account_.keepalive_s), false);
    }
    perform(std::move(a));
}

void registration::arm_timer(std::chrono::milliseconds d) {
    if (fsm_.state() == registration_state::failing) retry_at_ = clock_type::now() + d;
    timer_.expires_after(d);
    timer_.async_wait([w = weak_from_this(), gen = ++timer_gen_](const boost::system::error_code& ec) {
        auto self = w.lock();
        if (ec || !self || gen != self->timer_gen_) return;
        self->on_timer();
    });
}

void registration::on_timer() {
    if (stopped_) return;
    if (stopping_) return finish_stop(true);  // the un-REGISTER went unanswered within the wait
    perform(fsm_.on_timer(clock_type::now()));
}

// OPTIONS keepalive (RFC 3261 11): a registrar that went away is noticed within one interval
// plus the answer deadline instead of at the next refresh, which may be an hour off.
void registration::arm_keepalive(std::chrono::milliseconds d, bool deadline) {
    ka_timer_.expires_after(d);
    ka_timer_.async_wait([w = weak_from_this(), gen = ++ka_gen_, deadline](const boost::system::error_code& ec) {
        auto self = w.lock();
        if (ec || !self || gen != self->ka_gen_) return;
        self->on_keepalive_timer(deadline);
    });
}

void registration::on_keepalive_timer(bool deadline) {
    if (stopped_ || stopping_) return;
    const auto interval = std::chrono::seconds(account_.keepalive_s);
    if (deadline) {
        // libre would wait for Timer F (64*T1 = 32 s); an answer on a working path takes
        // milliseconds, so give up after the interval (2..10 s) and let the REGISTER decide.
        ka_req_ = static_cast<struct ::sip_request*>(mem_deref(ka_req_));
        return keepalive_failed("no answer to OPTIONS");
    }
    // Only while registered and no REGISTER is out (that is its own liveness probe); the next 2xx
    // re-arms the keepalive.
    if (fsm_.state() != registration_state::registered || req_) return;
    const int err = sip_drequestf(&ka_req_, stack_, true, "OPTIONS", ka_dlg_, 0, nullptr, nullptr,
                                  options_trampoline, this, "Accept: application/sdp\r\nContent-Length: 0\r\n\r\n");
    if (err) {
        ka_req_ = nullptr;
        return keepalive_failed(std::string("OPTIONS not sent: ") + std::strerror(err));
    }
    arm_keepalive(std::clamp<std::chrono::milliseconds>(interval, 2s, 10s), true);
}

void registration::on_options_response(int err, const sip_msg* msg) {
    if (msg && msg->scode < 200) return;
    if (stopped_ || stopping_) return;
    // Any final answer proves the path and the registrar (even 404/405/501), except a 408 or 503
    // that a proxy in front generates for a registrar behind it that is gone (RFC 3261 16.7, 21.5.4).
    if (err || !msg) return keepalive_failed("OPTIONS: " + cause_of(err ? err : EPROTO));
    if (msg->scode == 408 || msg->scode == 503)
        return keepalive_failed("OPTIONS answered " + std::to_string(msg->scode) + " " + str(msg->reason));
    arm_keepalive(std::chrono::seconds(account_.keepalive_s), false);
}

void registration::keepalive_failed(const std::string& cause) {
    stats_.add_keepalive_failure(account_.id);
    ++ka_gen_;
    ka_timer_.cancel();
    if (fsm_.state() != registration_state::registered) return;  // already failing: keep its backoff
    keepalive_down_ = true;
    keepalive_cause_ = cause;
    // Re-REGISTER at once: if the registrar restarted it lost our binding; if it is gone, the
    // REGISTER's failure moves the FSM to failing and its backoff.
    perform(fsm_.on_timer(clock_type::now()));
}

void registration::publish() {
    const auto now = clock_type::now();
    if (fsm_.failures() > counted_failures_) {
        for (auto n = counted_failures_; n < fsm_.failures(); ++n) stats_.add_failure(account_.id);
    }
    counted_failures_ = fsm_.failures();

    // Not critical: an upstream trunk that is down is the provider's outage, not ours. Taking the
    // whole gateway out of a load balancer would also end the calls that do not use this trunk
    // (Jitsi dial-out via other accounts, inbound via the registrar, the echo test); /about/health
    // shows the account down and jigasi_ng_sip_registration_up alerts on it.
    core::health_state state = core::health_state::down;
    std::string detail, key;
    switch (fsm_.state()) {
    case registration_state::registered:
        if (keepalive_down_) {
            detail = "registrar stopped answering (" + keepalive_cause_ + "); re-registering";
            key = "down " + keepalive_cause_;
        } else {
            state = core::health_state::up;
            detail = "registered at " + account_.registrar + ", expires in " +
                     std::to_string(fsm_.granted_expires()) + " s";
            key = "up";
        }
        break;
    case registration_state::failing:
        detail = fsm_.last_status() + "; retry in " + std::to_string(seconds_until(retry_at_, now)) +
                 " s (failure " + std::to_string(fsm_.failures()) + " in a row)";
        key = "down " + fsm_.last_status();
        log_.debug("registration failed: ", detail);
        break;
    case registration_state::registering:
        if (fsm_.failures() > 0) return;  // a retry: keep showing why the last attempt failed
        detail = "registering at " + account_.registrar;
        key = "registering";
        break;
    case registration_state::idle:
    case registration_state::unregistering: return;
    }
    health_.report(health_name_, state, detail, false);
    stats_.set_up(account_.id, state == core::health_state::up);
    if (key == published_) return;
    published_ = key;
    if (state == core::health_state::up) log_.notice(detail, " (", fsm_.last_status(), ")");
    else if (key != "registering") log_.warning("registration down: ", detail);
}

}  // namespace jigasi::sip
