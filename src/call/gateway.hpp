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

#include <functional>
#include <map>
#include <memory>
#include <string>

struct sip;
struct sip_msg;
struct sipsess_sock;

namespace jigasi::sip {
class libre_bridge;
class user_agent;
}
namespace jigasi::xmpp {
struct dial_request;
class element;
}

namespace jigasi::call {

struct gateway_call_hooks;

class gateway : public std::enable_shared_from_this<gateway> {
public:
    gateway(boost::asio::io_context& ioc, sip::libre_bridge& bridge, sip::user_agent& ua, const config::store& cfg,
            const core::logger& logger, core::task_group& tasks, core::gateway_stats& stats);
    ~gateway();

    /// The user agent's invite handler (signalling strand): true when the INVITE was taken
    /// (answered 180, or refused here with a reason); false to let the user agent answer 404.
    bool on_invite(const sip_msg* msg, sipsess_sock* sock, const std::string& user);
    /// Dial-out (issue 7 item 2a): a Rayo dial from the conference (jitsi-protocol.md §2). We join
    /// the room, answer the dial with our occupant URI once in (§2.2), then call the destination —
    /// a sip:/sips: URI directly, a user registered on our registrar, else through the first
    /// enabled upstream account — and bridge it once it answers. `reply` gets the Rayo answer
    /// (result or error) exactly once, on any thread. Signalling strand.
    void dial_out(const xmpp::dial_request& d, const xmpp::element& iq, std::function<void(xmpp::element)> reply);
    /// Hangs every call up (BYE / 503) and takes no new ones (signalling strand).
    void close_all();
    std::size_t active() const { return calls_.size(); }

    struct sip_call;
    /// From a call's libre handlers or its conference side (signalling strand).
    void ended(sip_call* c, int status, const std::string& why);
    /// Recomputes the calls, conferences and participants of /about/stats (signalling strand).
    void publish_stats();

private:
    /// ended, room_size and media_failed, posted back to the signalling strand.
    gateway_call_hooks hooks_for(const std::shared_ptr<sip_call>& sc);
    /// Sends an outgoing call's INVITE (we are in its room).
    void invite(const std::shared_ptr<sip_call>& sc);

    boost::asio::io_context& ioc_;
    sip::libre_bridge& bridge_;
    sip::user_agent& ua_;
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
