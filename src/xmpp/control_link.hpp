#pragma once
// The call-control side of one Jitsi deployment, kept up forever with backoff:
//  - brewery mode (jitsi-protocol.md §1.1): log in as the control account, join the brewery with
//    nick = our resource, publish colibri stats presence and re-send it when the numbers change,
//    accept Rayo dial/hangup only from the allowed JID;
//  - component mode (§1.4, XEP-0114): the legacy `callcontrol` component taking Rayo directly.
// Both answer disco#info and XEP-0199 pings, and report their state in health. Rayo dials go to
// the call layer through dial_handler; without one they are refused with an error stanza (§2.4).

#include "config/store.hpp"
#include "core/health.hpp"
#include "core/log.hpp"
#include "xmpp/brewery.hpp"
#include "xmpp/connection.hpp"
#include "xmpp/rayo.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <string>

namespace jigasi::xmpp {

struct control_link_options {
    bool component = false;
    std::string health_name;   ///< "xmpp.<id>" or "xmpp.component"
    std::string host;
    std::uint16_t port = 5222;
    config::xmpp_tls tls = config::xmpp_tls::starttls;
    std::string ca_file;       ///< extra trust anchors (PEM)
    std::string websocket;     ///< RFC 7395 URL instead of host:port (brewery mode), {domain} filled in
    std::string domain;        ///< brewery: the login (auth) domain; component: subdomain.domain
    std::string username, password;  ///< brewery mode
    std::string secret;              ///< component mode
    std::string brewery;             ///< bare room JID (brewery mode)
    std::string allowed_jid;         ///< bare JID allowed to send Rayo; empty = anyone
    std::string muc_domain;          ///< for a JvbRoomName without '@'
};

class control_link {
public:
    /// The numbers of the brewery presence, read whenever it may be re-sent (about once a second).
    using stats_provider = std::function<brewery_stats()>;
    /// A Rayo dial accepted from the allowed sender: answer with `reply` (result with <ref/>, or
    /// an error) exactly once, on any thread.
    using dial_handler = std::function<void(const dial_request&, const element& iq, std::function<void(element)> reply)>;

    control_link(control_link_options opts, const config::store& cfg, core::health_registry& health,
                 core::log_channel log, stats_provider stats);

    void set_dial_handler(dial_handler h) { dial_ = std::move(h); }

    /// Runs until terminal cancellation; never throws for network or protocol failures.
    boost::asio::awaitable<void> run();

private:
    /// One connected session: returns why it ended.
    boost::asio::awaitable<std::string> serve(std::shared_ptr<connection> conn);
    void on_stanza(connection& conn, const element& s);
    void on_iq(connection& conn, const element& iq);

    control_link_options opts_;
    const config::store& cfg_;
    core::health_registry& health_;
    core::log_channel log_;
    stats_provider stats_;
    dial_handler dial_;
    // Per session (serve), on the link's strand.
    std::optional<muc_room> room_;
    std::string ended_why_;
    bool in_brewery_ = false;
};

}  // namespace jigasi::xmpp
