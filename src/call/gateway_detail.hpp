#pragma once
// Internals shared by the incoming (gateway.cpp) and outgoing (gateway_dial.cpp) sides of the
// gateway: one call's SIP dialog, and the libre handlers both register. Signalling strand only.
#include "call/gateway.hpp"
#include "call/gateway_call.hpp"
#include "sip/dial.hpp"
#include "sip/libre.hpp"
#include "sip/sdp.hpp"
#include "xmpp/element.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace jigasi::call {

/// The SIP dialog of one call (signalling strand only).
struct gateway::sip_call {
    explicit sip_call(core::log_channel l) : log(std::move(l)) {}
    gateway* owner = nullptr;
    std::weak_ptr<gateway> owner_alive;
    std::string id;
    core::log_channel log;
    struct sipsess* sess = nullptr;
    sip::sdp::local_capabilities local;
    std::string answer_sdp;
    std::shared_ptr<gateway_call> call;
    std::string room;             ///< room@muc, for the conference count
    std::size_t room_size = 0;    ///< members but the focus, as the call last saw them
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    bool answered = false;
    // Outgoing calls (gateway_dial.cpp):
    bool outgoing = false;
    media::description offer;                           ///< ours, in the INVITE
    std::function<void(xmpp::element)> rayo_reply;      ///< answers the Rayo dial once (empty after)
    std::optional<xmpp::element> rayo_iq;
    sip::dial_target target;
    std::string extra_headers;                          ///< header lines for the INVITE
    std::string dtmf_after;                             ///< keys once the phone answered
    // Both:
    core::call_direction direction = core::call_direction::in;
    std::optional<gateway::end_info> end;               ///< how it ended, when the SIP side knew first
    std::unique_ptr<boost::asio::steady_timer> limit;   ///< the caller's wait / the ringing limit
    bool late_offer = false;                            ///< dial-in INVITE without SDP: `offer` goes in the 200
    bool offer_sent = false;                            ///< that 200 went out
    bool call_started = false;                          ///< its gateway_call runs (records wait for it)
    bool conference_over = false;                       ///< the gateway_call has reported its end
};

namespace gateway_detail {
mbuf* to_mbuf(const std::string& s);
int on_offer(mbuf** descp, const sip_msg* msg, void* arg);
void on_established(const sip_msg* msg, void* arg);
void on_info(struct ::sip* stack, const sip_msg* msg, void* arg);
void on_close(int err, const sip_msg* msg, void* arg);
}  // namespace gateway_detail

}  // namespace jigasi::call
