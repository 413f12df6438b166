#pragma once
// One upstream registration (SIP provider, PBX, trunk): the glue that performs what
// registration_fsm decides with libre, plus the OPTIONS keepalive that notices an outage between
// refreshes, and the account's health entry, log lines and metrics.
//
// Every member function and every libre callback runs on the signalling strand
// (libre_bridge.hpp). Owned through a shared_ptr: timer handlers hold a weak_ptr, so one that
// completes after the object is gone does nothing.

#include "config/config.hpp"
#include "core/health.hpp"
#include "core/log.hpp"
#include "core/registration_stats.hpp"
#include "sip/libre_bridge.hpp"
#include "sip/registration_fsm.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

struct sip;
struct sip_msg;
struct sip_request;
struct sip_dialog;
struct sa;
struct mbuf;

namespace jigasi::sip {

struct registration_options {
    /// Retry after a failure: 2 s, doubling (with jitter) up to 5 min, forever. Short enough that a
    /// restarted registrar sees us again within seconds; capped so that a wrong password does not
    /// hammer a provider into banning our address.
    std::chrono::milliseconds retry_min{2000};
    std::chrono::milliseconds retry_max{300000};
    std::string public_address;  ///< sip.public_address: host of our Contact behind 1:1 NAT
};

class registration : public std::enable_shared_from_this<registration> {
public:
    registration(libre_bridge& bridge, struct ::sip* stack, config::sip_account_config account,
                 registration_options options, core::health_registry& health,
                 core::registration_stats& stats, const core::logger& logger);
    /// Frees every libre object without an un-REGISTER (use stop() for a clean end).
    ~registration();
    registration(const registration&) = delete;
    registration& operator=(const registration&) = delete;

    /// Sends the first REGISTER. An error if the dialog cannot be set up (bad registrar URI).
    std::error_code start();

    /// Un-REGISTERs (Expires: 0) if registered, then frees the libre objects and the health entry;
    /// `done` runs on the strand once the registrar answered, the request failed or `wait` passed.
    /// No libre callback reaches this object afterwards.
    void stop(std::chrono::milliseconds wait, std::function<void()> done);

    /// The account as configured (to compare with a reloaded configuration).
    const config::sip_account_config& account() const { return configured_; }
    registration_state state() const { return fsm_.state(); }

    // libre callbacks (C trampolines in the .cpp).
    int on_send(int tp, const ::sa* src, ::mbuf* mb);
    void on_register_response(int err, const sip_msg* msg);
    void on_options_response(int err, const sip_msg* msg);

private:
    void perform(registration_actions a);
    void send_register(const registration_actions::send_register& s);
    void arm_timer(std::chrono::milliseconds d);
    void on_timer();
    void arm_keepalive(std::chrono::milliseconds d, bool deadline);
    void on_keepalive_timer(bool deadline);
    void keepalive_failed(const std::string& cause);
    void publish();
    void finish_stop(bool timed_out = false);
    void free_libre();

    struct ::sip* stack_;
    config::sip_account_config configured_;
    config::sip_account_config account_;  ///< registrar = the Request-URI we actually use
    registration_options options_;
    core::health_registry& health_;
    core::registration_stats& stats_;
    core::log_channel log_;
    std::string health_name_;
    registration_fsm fsm_;

    struct ::sip_dialog* dlg_ = nullptr;       ///< REGISTERs: one Call-ID, rising CSeq (RFC 3261 10.2.4)
    struct ::sip_dialog* ka_dlg_ = nullptr;    ///< OPTIONS keepalives
    struct ::sip_request* req_ = nullptr;      ///< the REGISTER out, if any (libre clears it when done)
    struct ::sip_request* ka_req_ = nullptr;   ///< the OPTIONS out, if any
    boost::asio::steady_timer timer_;   ///< the FSM's timer; during stop() the un-REGISTER deadline
    boost::asio::steady_timer ka_timer_;  ///< next OPTIONS, or the answer deadline of the one out
    std::uint64_t timer_gen_ = 0, ka_gen_ = 0;  ///< a completion from before a re-arm is stale

    std::string contact_;               ///< "host:port" of the Contact we sent, to find our binding
    int contact_tp_ = 0;
    bool sent_credentials_ = false;     ///< the REGISTER out carries Authorization
    bool keepalive_down_ = false;       ///< OPTIONS failed; a re-REGISTER is out
    std::string keepalive_cause_;
    std::chrono::steady_clock::time_point retry_at_;  ///< when a failing registration tries again
    unsigned counted_failures_ = 0;     ///< fsm_.failures() already added to the metric
    bool stopping_ = false, stopped_ = false;
    std::function<void()> stop_done_;
    std::string published_;             ///< last logged state line, to log each change once
};

}  // namespace jigasi::sip
