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
#include "sip/libre_bridge.hpp"

#include <cstddef>
#include <map>
#include <memory>

struct sip;
struct sip_msg;
struct sipsess_sock;

namespace jigasi::sip {

class echo_calls {
public:
    echo_calls(libre_bridge& bridge, core::log_channel log, config::sip_config sip, config::media_config media,
               core::gateway_stats::sip_counters& counters);
    ~echo_calls();
    echo_calls(const echo_calls&) = delete;
    echo_calls& operator=(const echo_calls&) = delete;

    /// Answers the INVITE (or refuses it with 488/500 and a reason). Strand only.
    void accept(const sip_msg* msg, sipsess_sock* sock, struct ::sip* stack);

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
