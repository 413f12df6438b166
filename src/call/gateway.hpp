#pragma once
// Conference calls (issue 7). Dial-in: an INVITE that is not for the echo extension is routed to a
// room by calls.routing — the room header (sip.headers.room, with the password and domain-base
// headers), the request-URI user (sip:<room>@host), calls.default_room — answered 180 at once and
// 200 once the bridge's audio is up (jitsi-protocol.md §5.2). Dial-out: a Rayo dial or a REST
// request joins the room and calls the phone (gateway_dial.cpp). The SIP dialogs live here, on
// the signalling strand; each call's conference and media side is a gateway_call on its own
// strand; call_registry holds what the API and the records show.
#include "call/call_registry.hpp"
#include "config/store.hpp"
#include "core/log.hpp"
#include "core/stats.hpp"
#include "core/task_group.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <optional>
#include <vector>

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
namespace jigasi::media::prompts {
class prompt_library;
}
namespace jigasi::xmpp {
struct dial_request;
class element;
class jid;
}

namespace jigasi::call {

struct gateway_call_hooks;
struct gateway_call_context;

/// An outgoing conference call: who to call, for which room (REST, or a Rayo dial).
struct call_request {
    std::string to;                    ///< a number or user (via an account or the registrar), or a sip: URI
    std::string via;                   ///< "" = by the rules (URI direct, registered user, first account)
    std::string room;                  ///< room name or room@muc
    std::string server;                ///< xmpp.servers id; "" = the one whose muc_domain matches, else the first
    std::optional<std::string> room_password;
    std::string display_name;          ///< in the conference; "" = `to` through calls.display_name
    std::string caller_id;             ///< From user toward the phone; "" = the account's
    std::string caller_name;           ///< From display name; "" = the account's
    std::vector<std::pair<std::string, std::string>> headers;  ///< extra SIP headers (also shown as initiator)
    std::string dtmf;                  ///< keys to send once the phone answered (0-9 * # A-D, ',' = 500 ms pause)
    std::string language;              ///< the call's prompts; "" = ivr.language; else a loaded one
    std::string origin = "rest";       ///< "rest" or "rayo"
};

/// What place() did: the call's id, or why there is no call (HTTP-style status and a message).
struct place_result {
    std::string id;
    int status = 201;
    std::string error;
};

/// An API action on a call.
enum class control_result : std::uint8_t { ok, not_found, not_ready, bad_request };
class gateway : public std::enable_shared_from_this<gateway> {
public:
    gateway(boost::asio::io_context& ioc, sip::libre_bridge& bridge, sip::user_agent& ua, const config::store& cfg,
            const core::logger& logger, core::task_group& tasks, core::gateway_stats& stats,
            std::shared_ptr<call_registry> registry);
    ~gateway();

    /// A meeting ID typed in the IVR -> its conference ("room@muc"); nullopt: unknown.
    using meeting_lookup = std::function<boost::asio::awaitable<std::optional<std::string>>(std::string digits)>;
    /// The IVR's prompts by language (null: ivr.language's did not load; the IVR then refuses
    /// calls) and mapper (app.cpp).
    void set_ivr(std::shared_ptr<const media::prompts::prompt_library> prompts, meeting_lookup lookup);

    /// The user agent's invite handler (signalling strand): true when the INVITE was taken
    /// (answered 180, or refused here with a reason); false to let the user agent answer 404.
    bool on_invite(const sip_msg* msg, sipsess_sock* sock, const std::string& user);
    /// Dial-out (issue 7 item 2a): a Rayo dial from the conference (jitsi-protocol.md §2). We join
    /// the room, answer the dial with our occupant URI once in (§2.2), then call the destination —
    /// a sip:/sips: URI directly, a user registered on our registrar, else through the first
    /// enabled upstream account — and bridge it once it answers. `reply` gets the Rayo answer
    /// (result or error) exactly once, on any thread. Signalling strand.
    void dial_out(const xmpp::dial_request& d, const xmpp::element& iq, std::function<void(xmpp::element)> reply);
    /// Dial-out by the REST API (issue 7 item 2c); signalling strand.
    place_result place(call_request r);
    /// The API's actions (signalling strand): hang up (BYE, or CANCEL while ringing), keys for the
    /// phone, mute the phone's uplink.
    control_result hang_up(const std::string& id, const std::string& why);
    control_result send_dtmf(const std::string& id, const std::string& keys);
    control_result set_muted(const std::string& id, bool muted);
    const std::shared_ptr<call_registry>& registry() const { return registry_; }
    /// Hangs every call up (BYE / 503) and takes no new ones (signalling strand).
    void close_all();
    std::size_t active() const { return calls_.size(); }

    struct sip_call;
    /// How a call ends, for the SIP side, the records and the metrics.
    struct end_info {
        int status = 0;          ///< a final response to send if the call was not answered yet
        std::string reason;      ///< short word (metric label)
        std::string why;         ///< for people
        std::string side;        ///< phone, conference, gateway, api
    };
    /// From a call's libre handlers or its conference side (signalling strand).
    void ended(sip_call* c, end_info e);
    /// Recomputes the calls, conferences and participants of /about/stats (signalling strand).
    void publish_stats();

private:
    /// ended, room_size and media_failed, posted back to the signalling strand.
    gateway_call_hooks hooks_for(const std::shared_ptr<sip_call>& sc);
    /// What a new call takes from the configuration and the gateway; its prompts in `language`
    /// (empty: ivr.language).
    gateway_call_context call_context(const config::config& c, std::string_view language = {});
    /// A dial-in call's IVR part (gateway_ivr_setup.cpp): `choose_room` when it starts there.
    void add_ivr(gateway_call_context& x, const config::config& c, bool choose_room, bool has_password);
    /// Sends an outgoing call's INVITE (we are in its room).
    void invite(const std::shared_ptr<sip_call>& sc);
    /// Common to Rayo and REST dial-out: route, join, then invite (gateway_dial.cpp).
    place_result start_outgoing(call_request r, std::shared_ptr<sip_call> sc);
    /// Ends the call if it is not answered within `limit` (the caller's wait, or the ringing).
    void arm_limit(const std::shared_ptr<sip_call>& sc, std::chrono::seconds limit, end_info e);
    sip_call* find(const std::string& id);
    /// A refusal before any call existed: counted and logged.
    void refused(core::call_direction d, std::string_view reason);

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
    std::shared_ptr<call_registry> registry_;
    /// Records of calls ended from the SIP side or the API, waiting for their conference side.
    std::map<std::string, std::function<void()>> pending_records_;
    void flush_record(const std::string& id);
    std::shared_ptr<const media::prompts::prompt_library> prompts_;
    meeting_lookup meeting_lookup_;
    unsigned next_ = 1;
    bool closed_ = false;
};

}  // namespace jigasi::call
