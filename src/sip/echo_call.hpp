#pragma once
// The echo extension: a call to sip:<echo_extension>@<us> is answered and hears itself, so a user
// can test the audio path of a fresh install from a softphone, as PBXes offer. Until the media
// pipeline exists the RTP is reflected as it comes (SSRC rewritten to ours, symmetric latching:
// sent back to where it came from, which also crosses NATs); plain RTP only, an SRTP offer gets 488.
//
// Signalling on the signalling strand (libre), the RTP relay of each call on its own strand.

#include "config/config.hpp"
#include "core/log.hpp"
#include "core/stats.hpp"
#include "sip/dial.hpp"
#include "sip/libre_bridge.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

struct sip;
struct sip_msg;
struct sipsess_sock;

namespace jigasi::sip {

/// How an outgoing echo call went, reported once: when it is answered or when it fails.
struct dial_outcome {
    bool answered = false;
    std::uint16_t status = 0;   ///< final SIP status; 0 when none came (timeout, transport error)
    std::string reason;         ///< reason phrase or local cause
    std::string codec;          ///< negotiated, when answered
    long ringing_ms = -1;       ///< INVITE to first 18x, -1 if none
    long answer_ms = -1;        ///< INVITE to 200
    std::string id;             ///< "echo-N", as in the logs
    dial_failure failure = dial_failure::none;  ///< the request could not be routed (no INVITE sent)
};

struct dial_options {
    std::chrono::seconds ring_timeout{30};  ///< CANCEL when not answered by then
    std::chrono::seconds max_duration{60};  ///< BYE after this long once answered
};

class echo_calls {
public:
    echo_calls(libre_bridge& bridge, core::log_channel log, config::sip_config sip, config::media_config media,
               core::gateway_stats::sip_counters& counters);
    ~echo_calls();
    echo_calls(const echo_calls&) = delete;
    echo_calls& operator=(const echo_calls&) = delete;

    /// Answers the INVITE (or refuses it with 488/500 and a reason). Strand only.
    void accept(const sip_msg* msg, sipsess_sock* sock, struct ::sip* stack);

    /// Calls `target` and, once answered, echoes what it sends; `done` gets the outcome (on the
    /// strand) exactly once. Strand only.
    void dial(const dial_target& target, const dial_options& opts, sipsess_sock* sock,
              std::function<void(const dial_outcome&)> done);

    /// Hangs up every echo call (BYE). Strand only.
    void close_all();

    std::size_t active() const { return calls_.size(); }
    void reconfigure(const config::sip_config& sip) { sip_ = sip; }

    struct call;
    /// From a call: it ended (libre close handler or relay timeout). Strand only.
    void finished(call* c, const char* why);

private:
    libre_bridge& bridge_;
    core::log_channel log_;
    config::sip_config sip_;
    config::media_config media_;
    core::gateway_stats::sip_counters& counters_;
    std::map<call*, std::shared_ptr<call>> calls_;
    unsigned next_id_ = 1;
};

}  // namespace jigasi::sip
