#pragma once
// The SIP user agent: one libre stack with the configured listeners, answering OPTIONS, serving
// REGISTER through the built-in registrar, and taking INVITEs (policy: trusted sources, digest for
// registrar users) which it routes to the echo extension or to the call layer's handler.
//
// Every member function runs on the signalling strand (libre_bridge.hpp).

#include "config/config.hpp"
#include "core/health.hpp"
#include "core/log.hpp"
#include "core/stats.hpp"
#include "sip/echo_call.hpp"
#include "sip/libre_bridge.hpp"
#include "sip/registrar.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <system_error>

struct sip;
struct sip_msg;
struct sip_lsnr;
struct sipsess_sock;

namespace jigasi::sip {

class echo_calls;

class user_agent {
public:
    /// Takes an INVITE that is not for the echo extension; returns false to have it refused
    /// (404). `user` is the authenticated registrar user, empty if the source is trusted/anyone.
    using invite_handler = std::function<bool(const sip_msg* msg, sipsess_sock* sock, const std::string& user)>;

    user_agent(libre_bridge& bridge, core::health_registry& health, core::gateway_stats& stats,
               const core::logger& logger, config::sip_config sip, config::media_config media);
    ~user_agent();
    user_agent(const user_agent&) = delete;
    user_agent& operator=(const user_agent&) = delete;

    /// Allocates the stack and opens every listener. A listener that cannot bind is reported in
    /// health (sip.listen.<transport>:<addr>:<port> down) and logged; the others still run.
    /// An error only if nothing could be opened at all.
    std::error_code start();

    /// Ends calls (BYE), closes listeners and frees the stack. Idempotent.
    void stop();

    void set_invite_handler(invite_handler h) { invite_handler_ = std::move(h); }

    /// An outgoing echo test call (echo_call.hpp): routes `req` (dial.hpp) and calls; `done`
    /// runs on the strand once, with the outcome.
    void dial_echo(const dial_request& req, const dial_options& opts, std::function<void(const dial_outcome&)> done);

    /// Called with the registrar's binding count whenever it may have changed.
    void set_bindings_observer(std::function<void(std::size_t)> f) { bindings_observer_ = std::move(f); }

    /// Drops expired registrar bindings; call about once a second.
    void housekeeping();

    struct ::sip* stack() const { return stack_; }
    sipsess_sock* sessions() const { return sessions_; }
    registrar& reg() { return registrar_; }
    std::size_t listeners_up() const { return listeners_up_; }
    std::size_t echo_calls_active() const;

    /// Logs malformed input once per source and interval (sip.bad_input_log_interval_s).
    void bad_input(const std::string& source, const std::string& what);

    /// A new configuration that can apply without reopening sockets (registrar users, policy,
    /// echo extension, codecs, headers).
    void reconfigure(const config::sip_config& sip);

    // libre callbacks (C linkage trampolines call these).
    bool on_request(const sip_msg* msg);
    void on_invite(const sip_msg* msg);

private:
    bool trusted(const sip_msg* msg) const;
    int add_transport(const config::sip_listen_config& l, const std::string& address, std::string& problem);
    void on_register(const sip_msg* msg);
    void on_options(const sip_msg* msg);
    void reply(const sip_msg* msg, std::uint16_t status, const std::string& reason,
               const std::vector<std::string>& headers = {});

    libre_bridge& bridge_;
    core::health_registry& health_;
    core::log_channel log_;
    config::sip_config cfg_;
    config::media_config media_;
    registrar registrar_;
    struct ::sip* stack_ = nullptr;
    ::sip_lsnr* lsnr_ = nullptr;
    sipsess_sock* sessions_ = nullptr;
    std::unique_ptr<echo_calls> echo_;
    invite_handler invite_handler_;
    std::function<void(std::size_t)> bindings_observer_;
    core::gateway_stats::sip_counters& counters_;
    std::size_t listeners_up_ = 0;
    std::map<std::string, std::chrono::steady_clock::time_point> bad_input_logged_;
};

}  // namespace jigasi::sip
