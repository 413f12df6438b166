#include "sip/user_agent.hpp"

#include "core/version.hpp"
#include "sip/echo_call.hpp"
#include "sip/libre.hpp"
#include "sip/msg.hpp"

#include <boost/asio/ip/address.hpp>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace jigasi::sip {

namespace {

constexpr const char* allow = "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REGISTER, UPDATE\r\n";

bool request_trampoline(const sip_msg* msg, void* arg) { return static_cast<user_agent*>(arg)->on_request(msg); }

void invite_trampoline(const sip_msg* msg, void* arg) { static_cast<user_agent*>(arg)->on_invite(msg); }

sip_transp to_libre(config::sip_transport t) {
    switch (t) {
    case config::sip_transport::udp: return SIP_TRANSP_UDP;
    case config::sip_transport::tcp: return SIP_TRANSP_TCP;
    case config::sip_transport::tls: return SIP_TRANSP_TLS;
    }
    return SIP_TRANSP_UDP;
}

std::string listener_name(const config::sip_listen_config& l) {
    static constexpr const char* names[] = {"udp", "tcp", "tls"};
    return std::string("sip.listen.") + names[static_cast<int>(l.transport)] + ":" + l.address + ":" +
           std::to_string(l.port);
}

/// "10.0.0.0/8" -> does `addr` fall in it? Entries were validated with the config.
bool in_prefix(const boost::asio::ip::address& addr, const std::string& prefix) {
    const auto slash = prefix.find('/');
    boost::system::error_code ec;
    const auto net = boost::asio::ip::make_address(prefix.substr(0, slash), ec);
    if (ec || net.is_v4() != addr.is_v4()) return false;
    const unsigned total = net.is_v4() ? 32 : 128;
    const unsigned bits = slash == std::string::npos ? total : static_cast<unsigned>(std::stoul(prefix.substr(slash + 1)));
    const auto a = addr.is_v4() ? std::vector<unsigned char>(addr.to_v4().to_bytes().begin(), addr.to_v4().to_bytes().end())
                                : std::vector<unsigned char>(addr.to_v6().to_bytes().begin(), addr.to_v6().to_bytes().end());
    const auto n = net.is_v4() ? std::vector<unsigned char>(net.to_v4().to_bytes().begin(), net.to_v4().to_bytes().end())
                               : std::vector<unsigned char>(net.to_v6().to_bytes().begin(), net.to_v6().to_bytes().end());
    for (unsigned i = 0; i < bits; ++i) {
        const unsigned mask = 0x80u >> (i % 8);
        if ((a[i / 8] & mask) != (n[i / 8] & mask)) return false;
    }
    return true;
}

/// libre's SIP transports need a concrete address (sa_isset(SA_ADDR)), so "0.0.0.0" and "::" mean
/// every address of that family on the machine's interfaces, loopback included.
std::vector<std::string> expand_any(const std::string& address) {
    const bool any4 = address == "0.0.0.0", any6 = address == "::";
    if (!any4 && !any6) return {address};
    std::vector<std::string> out;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return out;
    for (ifaddrs* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || !(i->ifa_flags & IFF_UP)) continue;
        const int family = i->ifa_addr->sa_family;
        if ((any4 && family != AF_INET) || (any6 && family != AF_INET6)) continue;
        sa a;
        sa_set_sa(&a, i->ifa_addr);
        if (family == AF_INET6 && sa_is_linklocal(&a)) continue;  // would need a scope id
        char text[64] = {0};
        sa_ntop(&a, text, sizeof text);
        if (std::find(out.begin(), out.end(), text) == out.end()) out.emplace_back(text);
    }
    freeifaddrs(list);
    return out;
}

}  // namespace

user_agent::user_agent(libre_bridge& bridge, core::health_registry& health, core::gateway_stats& stats,
                       const core::logger& logger, config::sip_config sip, config::media_config media)
    : bridge_(bridge), health_(health), log_(logger, "sip"), cfg_(std::move(sip)), media_(media),
      registrar_(cfg_.registrar, cfg_.unknown), counters_(stats.sip) {}

user_agent::~user_agent() { stop(); }

std::error_code user_agent::start() {
    const std::string software = cfg_.user_agent + "/" + std::string(core::version());
    if (int err = sip_alloc(&stack_, nullptr, 64, 64, 64, software.c_str(), nullptr, nullptr))
        return {err, std::generic_category()};
    for (const auto& l : cfg_.listen) {
        const std::string name = listener_name(l);
        std::string problem = "no usable address";
        std::vector<std::string> bound;
        for (const auto& address : expand_any(l.address)) {
            if (int err = add_transport(l, address, problem); err == 0) bound.push_back(address);
        }
        if (bound.empty()) {
            log_.error("listener ", name.substr(11), " failed: ", problem);
            health_.report(name, core::health_state::down, problem);
            continue;
        }
        ++listeners_up_;
        std::string where;
        for (const auto& b : bound) where += (where.empty() ? "" : ", ") + b;
        health_.report(name, core::health_state::up, "listening on " + where);
        log_.notice("listening on ", name.substr(11), " (", where, ")");
    }
    if (!cfg_.listen.empty() && listeners_up_ == 0) {
        stop();
        return {EADDRNOTAVAIL, std::generic_category()};
    }
    if (int err = sipsess_listen(&sessions_, stack_, 64, invite_trampoline, this)) return {err, std::generic_category()};
    if (int err = sip_listen(&lsnr_, stack_, true, request_trampoline, this)) return {err, std::generic_category()};
    echo_ = std::make_unique<echo_calls>(bridge_, log_, cfg_, media_, counters_);
    // libre drops an undecodable message with a line on stderr that names no source; count it
    // and log it under the same rate limit as our own bad-input findings.
    bridge_.set_stderr_hook([this](std::string_view line) {
        if (line.find("msg decode err") != std::string_view::npos) bad_input("an unknown source (libre)", std::string(line));
        else log_.info(line);
    });
    return {};
}

void user_agent::stop() {
    if (!stack_) return;
    bridge_.set_stderr_hook({});
    if (echo_) echo_->close_all();
    echo_.reset();
    if (sessions_) sipsess_close_all(sessions_);
    sessions_ = static_cast<sipsess_sock*>(mem_deref(sessions_));
    lsnr_ = static_cast<::sip_lsnr*>(mem_deref(lsnr_));
    sip_close(stack_, true);
    stack_ = static_cast<struct ::sip*>(mem_deref(stack_));
    for (const auto& l : cfg_.listen) health_.remove(listener_name(l));
    listeners_up_ = 0;
}

int user_agent::add_transport(const config::sip_listen_config& l, const std::string& address, std::string& problem) {
    sa laddr;
    int err = sa_set_str(&laddr, address.c_str(), l.port);
    if (err) {
        problem = "not an IP address: " + address;
        return err;
    }
    if (l.transport != config::sip_transport::tls) {
        err = sip_transp_add(stack_, to_libre(l.transport), &laddr);
        if (err) problem = address + ": " + std::strerror(err);
        return err;
    }
    struct tls* tls = nullptr;
    err = tls_alloc(&tls, TLS_METHOD_SSLV23, nullptr, nullptr);
    SSL_CTX* ctx = err ? nullptr : tls_openssl_context(tls);
    if (ctx && (SSL_CTX_use_certificate_chain_file(ctx, l.certificate.c_str()) != 1 ||
                SSL_CTX_use_PrivateKey_file(ctx, l.private_key.c_str(), SSL_FILETYPE_PEM) != 1)) {
        problem = "cannot load certificate " + l.certificate + " / key " + l.private_key;
        mem_deref(tls);
        return EINVAL;
    }
    if (!err) err = sip_transp_add(stack_, SIP_TRANSP_TLS, &laddr, tls);
    mem_deref(tls);  // the transport holds its own reference
    if (err) problem = address + ": " + std::strerror(err);
    return err;
}

void user_agent::dial_echo(const dial_request& req, const dial_options& opts,
                           std::function<void(const dial_outcome&)> done) {
    dial_outcome refused;
    if (!stack_ || !echo_) {
        refused.reason = "the SIP stack is not running";
        done(refused);
        return;
    }
    // From names us by the public address, else by a concrete listener address.
    std::string host = cfg_.public_address;
    for (const auto& l : cfg_.listen)
        if (host.empty() && l.address != "0.0.0.0" && l.address != "::") host = l.address;
    if (host.empty()) host = "localhost";
    auto r = resolve_dial(cfg_, registrar_, std::chrono::steady_clock::now(), host, req);
    if (!r.target) {
        log_.notice("echo call to ", req.to, " not placed: ", r.error);
        refused.failure = r.failure;
        refused.reason = r.error;
        done(refused);
        return;
    }
    echo_->dial(*r.target, opts, sessions_, std::move(done));
}

std::size_t user_agent::echo_calls_active() const { return echo_ ? echo_->active() : 0; }

void user_agent::reconfigure(const config::sip_config& sip) {
    registrar_.reconfigure(sip.registrar, sip.unknown);
    auto listen = std::move(cfg_.listen);
    cfg_ = sip;
    cfg_.listen = std::move(listen);  // sockets stay as opened; listener changes need a restart
    if (echo_) echo_->reconfigure(cfg_);
}

void user_agent::reply(const sip_msg* msg, std::uint16_t status, const std::string& reason,
                       const std::vector<std::string>& headers) {
    std::string extra;
    for (const auto& h : headers) extra += h + "\r\n";
    sip_replyf(stack_, msg, status, reason.c_str(), "%s%sContent-Length: 0\r\n\r\n",
               status == 405 || status == 200 ? allow : "", extra.c_str());
}

void user_agent::bad_input(const std::string& source, const std::string& what) {
    ++counters_.bad_input;
    const auto now = std::chrono::steady_clock::now();
    // Keyed by address without the port: each new TCP connection or random source port of one
    // sender must not earn it another log line.
    const auto colon = source.rfind(':');
    const auto first = source.find(':');
    const std::string key = colon != std::string::npos && colon != first ? source.substr(0, colon) : source;
    auto [it, fresh] = bad_input_logged_.try_emplace(key, now);
    if (!fresh && now - it->second < std::chrono::seconds(cfg_.bad_input_log_interval_s)) return;
    it->second = now;
    if (bad_input_logged_.size() > 4096) bad_input_logged_.clear();  // bounded under a flood of sources
    log_.warning("bad input from ", source, ": ", what, " (further ones from there are counted, logged again after ",
                 cfg_.bad_input_log_interval_s, " s)");
}

bool user_agent::trusted(const sip_msg* msg) const {
    if (cfg_.trusted.empty()) return false;
    char text[64] = {0};
    sa_ntop(&msg->src, text, sizeof text);
    boost::system::error_code ec;
    const auto addr = boost::asio::ip::make_address(text, ec);
    if (ec) return false;
    return std::any_of(cfg_.trusted.begin(), cfg_.trusted.end(), [&](const auto& p) { return in_prefix(addr, p); });
}

bool user_agent::on_request(const sip_msg* msg) {
    ++counters_.requests;
    if (pl_strcmp(&msg->met, "REGISTER") == 0) {
        on_register(msg);
        return true;
    }
    if (pl_strcmp(&msg->met, "OPTIONS") == 0) {
        on_options(msg);
        return true;
    }
    return false;  // INVITE and in-dialog requests belong to sipsess; libre answers the rest 501
}

void user_agent::on_options(const sip_msg* msg) {
    // RFC 3261 11.2: what we support, so a PBX's qualify/keepalive sees us up.
    reply(msg, 200, "OK", {"Accept: application/sdp", "Supported: replaces, timer"});
}

void user_agent::on_register(const sip_msg* msg) {
    const std::string from = source_of(msg);
    auto req = to_register_request(msg);
    if (!req) {
        bad_input(from, "REGISTER with an unreadable Contact or Expires");
        reply(msg, 400, "Bad Contact Or Expires");
        return;
    }
    const auto out = registrar_.handle(*req, std::chrono::steady_clock::now(), std::chrono::system_clock::now());
    if (out.status == 200) ++counters_.registers_accepted;
    else if (out.status != 401) ++counters_.registers_refused;
    const auto level = out.status == 200 || out.status == 401 ? core::log_level::debug : core::log_level::notice;
    log_.log(level, "REGISTER ", req->aor_user, " from ", from, ": ", out.silent ? "ignored" : std::to_string(out.status),
             " (", out.log, ")");
    if (!out.silent) reply(msg, out.status, out.reason, out.headers);
    if (out.status == 200 && bindings_observer_) bindings_observer_(registrar_.binding_count());
}

void user_agent::housekeeping() {
    if (registrar_.expire(std::chrono::steady_clock::now()) > 0 && bindings_observer_)
        bindings_observer_(registrar_.binding_count());
}

void user_agent::on_invite(const sip_msg* msg) {
    ++counters_.invites;
    const std::string from = source_of(msg);
    std::string user;
    if (!trusted(msg) && cfg_.inbound == config::sip_inbound_policy::authenticated) {
        bool stale = false;
        switch (registrar_.authenticate(header_values(msg, SIP_HDR_AUTHORIZATION), "INVITE",
                                        std::chrono::system_clock::now(), user, &stale)) {
        case auth_result::ok: break;
        case auth_result::challenge:
            ++counters_.invites_refused;
            if (cfg_.unknown == config::sip_unknown_policy::challenge || stale) {
                reply(msg, 401, "Unauthorized", registrar_.challenge_headers("WWW-Authenticate", std::chrono::system_clock::now(), stale));
            } else if (cfg_.unknown == config::sip_unknown_policy::reject) {
                reply(msg, 403, "Forbidden");
            }
            log_.debug("INVITE from ", from, " without usable credentials");
            return;
        case auth_result::refused:
            ++counters_.invites_refused;
            if (cfg_.unknown != config::sip_unknown_policy::silent) reply(msg, 403, "Forbidden");
            log_.notice("INVITE from ", from, " refused: wrong credentials or unknown user");
            return;
        }
    }
    const std::string callee = str(msg->uri.user);
    if (!cfg_.echo_extension.empty() && callee == cfg_.echo_extension) {
        echo_->accept(msg, sessions_, stack_);
        return;
    }
    if (invite_handler_ && invite_handler_(msg, sessions_, user)) return;
    ++counters_.invites_not_found;
    log_.info("INVITE for ", callee.empty() ? std::string("(no user)") : callee, " from ", from, ": 404");
    reply(msg, 404, "Not Found");
}

}  // namespace jigasi::sip
