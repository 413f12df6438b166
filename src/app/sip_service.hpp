#pragma once
// The SIP side of the process: the signalling strand, the libre bridge on it, the user agent
// (listeners, registrar, echo extension) and its housekeeping. app.cpp starts and stops it.

#include "call/gateway.hpp"
#include "config/store.hpp"
#include "core/health.hpp"
#include "core/log.hpp"
#include "core/stats.hpp"
#include "core/task_group.hpp"
#include "sip/echo_call.hpp"
#include "xmpp/element.hpp"
#include "xmpp/rayo.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <system_error>

namespace jigasi::app {

class sip_service {
public:
    /// Conference calls (dial-in) run in `tasks`, so that shutdown drains them.
    sip_service(boost::asio::io_context& ioc, config::store& cfg, core::health_registry& health,
                core::gateway_stats& stats, const core::logger& logger, core::task_group& tasks);
    ~sip_service();

    /// Opens the listeners; an error if no listener could be opened.
    boost::asio::awaitable<std::error_code> start();

    /// Hangs up the SIP side's own calls, closes listeners, frees libre's objects.
    boost::asio::awaitable<void> stop();

    /// An outgoing echo test call: completes when it is answered or has failed (the call itself
    /// goes on, echoing, until either side hangs up or opts.max_duration).
    boost::asio::awaitable<sip::dial_outcome> dial_echo(sip::dial_request req, sip::dial_options opts);

    /// A Rayo dial from a conference (call/gateway.hpp dial_out); `reply` gets the answer once.
    void dial_out(const xmpp::dial_request& d, const xmpp::element& iq, std::function<void(xmpp::element)> reply);
    /// Dial-out by the REST API; the call's id, or why there is none.
    boost::asio::awaitable<call::place_result> place_call(call::call_request r);
    /// The API's actions on a call in progress.
    boost::asio::awaitable<call::control_result> hang_up(std::string id);
    boost::asio::awaitable<call::control_result> send_dtmf(std::string id, std::string keys);
    boost::asio::awaitable<call::control_result> set_muted(std::string id, bool muted);
    /// Live and recent calls (thread-safe; exists before start() and after stop()).
    const call::call_registry& calls() const;
    /// The IVR's prompts and meeting-ID lookup (call/gateway.hpp set_ivr); any time, any thread.
    void set_ivr(std::shared_ptr<const media::prompts::prompt_library> prompts, call::gateway::meeting_lookup lookup);
    /// Live settings (registrar users, policies, echo extension, codecs, headers).
    void reconfigure(const config::config& after);

    struct impl;  ///< opaque (sip_service.cpp)

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace jigasi::app
