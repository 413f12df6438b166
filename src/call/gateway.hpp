#pragma once
// Dial-in (issue 7 item 1): an INVITE that is not for the echo extension is routed to a room —
// by the room header (sip.headers.room, with the password and domain-base headers), else by the
// request-URI user (sip:<room>@host) — answered 180 at once and 200 once the bridge's audio is
// up (jitsi-protocol.md §5.2). The SIP dialog lives here, on the signalling strand; each call's
// conference and media side is a gateway_call on its own strand.
#include "config/store.hpp"
#include "core/log.hpp"
#include "core/stats.hpp"
#include "core/task_group.hpp"

#include <boost/asio/io_context.hpp>

#include <map>
#include <memory>
#include <string>

struct sip;
struct sip_msg;
struct sipsess_sock;

namespace jigasi::sip {
class libre_bridge;
}

namespace jigasi::call {

class gateway : public std::enable_shared_from_this<gateway> {
public:
    gateway(boost::asio::io_context& ioc, sip::libre_bridge& bridge, struct ::sip* stack, const config::store& cfg,
            const core::logger& logger, core::task_group& tasks, core::gateway_stats& stats);
    ~gateway();

    /// The user agent's invite handler (signalling strand): true when the INVITE was taken
    /// (answered 180, or refused here with a reason); false to let the user agent answer 404.
    bool on_invite(const sip_msg* msg, sipsess_sock* sock, const std::string& user);
    /// Hangs every call up (BYE / 503) and takes no new ones (signalling strand).
    void close_all();
    std::size_t active() const { return calls_.size(); }

    struct sip_call;
    /// From a call's libre handlers or its conference side (signalling strand).
    void ended(sip_call* c, int status, const std::string& why);
    /// Recomputes the calls, conferences and participants of /about/stats (signalling strand).
    void publish_stats();

private:
    boost::asio::io_context& ioc_;
    sip::libre_bridge& bridge_;
    struct ::sip* stack_;
    const config::store& cfg_;
    const core::logger& logger_;
    core::task_group& tasks_;
    core::gateway_stats& stats_;
    core::log_channel log_;
    std::map<sip_call*, std::shared_ptr<sip_call>> calls_;
    unsigned next_ = 1;
    bool closed_ = false;
};

}  // namespace jigasi::call
