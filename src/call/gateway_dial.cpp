// Dial-out from a conference (issue 7 item 2a, jitsi-protocol.md §2, §5.3): the Rayo dial that
// Jicofo forwards through the brewery. We join the room first and answer the dial with our
// occupant URI (§2.2), then INVITE the destination; once it answers (200 with its SDP) the
// bridge's offer is answered and audio flows. Deviation from Jigasi, deliberate: the INVITE goes
// out as soon as we are in the room rather than after Jicofo's session-initiate, so the phone
// rings sooner; session-accept waits for the phone's answer, because the phone's codec fixes the
// rate the call's audio runs at.
#include "call/gateway_detail.hpp"
#include "call/room_options.hpp"
#include "media/net/udp_socket.hpp"
#include "sip/echo_call_detail.hpp"
#include "sip/libre_bridge.hpp"
#include "sip/msg.hpp"
#include "sip/user_agent.hpp"
#include "xmpp/rayo.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <cstring>

namespace asio = boost::asio;

namespace jigasi::call {

using namespace gateway_detail;

namespace {

int on_auth(char** username, char** password, const char* realm, void* arg) {
    auto* c = static_cast<gateway::sip_call*>(arg);
    return sip::echo_detail::answer_challenge(c->target, c->log, username, password, realm);
}

void on_progress(const sip_msg* msg, void* arg) {
    auto* c = static_cast<gateway::sip_call*>(arg);
    c->log.info(msg->scode, " ", sip::str(msg->reason));
    // §2.5: jitsi-meet shows "ringing" on the tile.
    if (msg->scode == 180 || msg->scode == 183)
        if (c->call) c->call->set_status(std::string(xmpp::call_status::ringing));
}

// The phone's SDP answer (in the 200, or a 183's early media we do not use).
int on_answer(const sip_msg* msg, void* arg) {
    auto* c = static_cast<gateway::sip_call*>(arg);
    auto answer = sip::sdp::parse(sip::body_of(msg));
    if (!answer) return EPROTO;
    auto m = sip::sdp::apply_answer(c->offer, *answer);
    if (!m) {
        c->log.notice("the phone's answer is unusable: ", m.error().diagnostic);
        return EPROTO;
    }
    if (c->answered || !c->call) return 0;
    c->answered = true;
    c->log.info("answered: ", m->codec.encoding, "/", m->codec.clock_rate, ", phone RTP ", m->remote_address, ":",
                m->remote_port);
    boost::system::error_code ec;
    phone_media pm;
    pm.codec = m->codec;
    pm.telephone_event = m->telephone_event;
    pm.remote = {asio::ip::make_address(m->remote_address, ec), m->remote_port};
    c->call->phone_answered(std::move(pm));
    c->call->set_status(std::string(xmpp::call_status::connected));
    return 0;
}

}  // namespace

void gateway::dial_out(const xmpp::dial_request& d, const xmpp::element& iq, std::function<void(xmpp::element)> reply) {
    auto refuse = [&](std::string why) {
        log_.notice("Rayo dial to ", d.destination, " refused: ", why);
        reply(xmpp::iq_error(iq, xmpp::dial_failed("jigasi-ng: " + why)));
    };
    if (closed_ || stats_.graceful_shutdown.load()) return refuse("shutting down");
    const auto c = cfg_.get();
    const config::xmpp_server_config* server = nullptr;
    for (const auto& s : c->xmpp.servers)
        if (s.muc_domain == d.room.domain()) server = &s;
    if (!server) server = find_server(*c, {});
    if (!server) return refuse("no xmpp.servers entry");

    // Routing: a URI as dialled, a registered user, else the first enabled upstream account.
    std::string host = c->sip.public_address;
    for (const auto& l : c->sip.listen)
        if (host.empty() && l.address != "0.0.0.0" && l.address != "::") host = l.address;
    if (host.empty()) host = "localhost";
    const auto now = std::chrono::steady_clock::now();
    sip::dial_resolution r;
    if (d.destination.starts_with("sip:") || d.destination.starts_with("sips:")) {
        r = sip::resolve_dial(c->sip, ua_.reg(), now, host, {d.destination, ""});
    } else {
        r = sip::resolve_dial(c->sip, ua_.reg(), now, host, {d.destination, "registrar"});
        if (!r.target)
            for (const auto& a : c->sip.accounts)
                if (a.enabled) {
                    r = sip::resolve_dial(c->sip, ua_.reg(), now, host, {d.destination, a.id});
                    break;
                }
    }
    if (!r.target) return refuse("cannot route " + d.destination + ": " + r.error);

    const std::string id = "out-" + std::to_string(next_++);
    auto sc = std::make_shared<sip_call>(log_.scoped("call " + id + " side=sip dir=out"));
    sc->owner = this;
    sc->owner_alive = weak_from_this();
    sc->id = id;
    sc->room = d.room.to_string();
    sc->outgoing = true;
    sc->target = *r.target;
    sc->rayo_iq = iq;
    sc->rayo_reply = std::move(reply);
    sc->log.info("Rayo dial from ", d.from.to_string(), " to ", d.destination, " (", r.target->description, ") for ",
                 sc->room);

    auto strand = asio::make_strand(ioc_.get_executor());
    auto sock = media::net::bind_media_port(strand, c->media.min_port, c->media.max_port);
    if (!sock) {
        sc->log.error(sock.error().diagnostic);
        return std::exchange(sc->rayo_reply, nullptr)(xmpp::iq_error(iq, xmpp::dial_failed("jigasi-ng: no media port")));
    }
    boost::system::error_code ec;
    sc->local = sip::echo_detail::plain_rtp_capabilities(c->sip, sip::echo_detail::first_hop_host(*r.target),
                                                         sock->local_endpoint(ec).port(), strand);
    auto offer = sip::sdp::build_offer(sc->local);
    if (!offer)
        return std::exchange(sc->rayo_reply, nullptr)(xmpp::iq_error(iq, xmpp::dial_failed("jigasi-ng: " + offer.error().diagnostic)));
    sc->offer = *offer;

    auto ropts = session_options(*c, *server, d.room, d.destination);
    ropts.password = d.room_password;
    ropts.presence.status = std::string(xmpp::call_status::initializing);
    ropts.presence.initiator = d.extra_headers;
    ropts.presence.initiator.push_back({std::string(xmpp::header_call_direction), "out"});

    gateway_call_hooks h = hooks_for(sc);
    std::weak_ptr<gateway> self = weak_from_this();
    h.joined = [self, wsc = std::weak_ptr<sip_call>(sc), sig = bridge_.strand()](std::string uri) {
        asio::post(sig, [self, wsc, uri] {
            auto g = self.lock();
            auto sc = wsc.lock();
            if (!g || !sc || !g->calls_.contains(sc.get())) return;
            if (auto reply = std::exchange(sc->rayo_reply, nullptr)) reply(xmpp::build_dial_result(*sc->rayo_iq, uri));
            g->invite(sc);
        });
    };
    sc->call = std::make_shared<gateway_call>(sc->id, strand, std::move(ropts), c->media, std::nullopt, std::move(*sock),
                                              std::move(h), log_.scoped("call " + sc->id + " side=jitsi"));
    calls_.emplace(sc.get(), sc);
    ++stats_.total_participants;
    publish_stats();
    tasks_.spawn(strand, [](std::shared_ptr<gateway_call> call) -> asio::awaitable<void> { co_await call->run(); }(sc->call),
                 "call " + sc->id);
}

void gateway::invite(const std::shared_ptr<sip_call>& sc) {
    const auto c = cfg_.get();
    const auto& t = sc->target;
    const std::string text = sip::sdp::serialize(sc->offer);
    mbuf* desc = to_mbuf(text);
    const char* routev[] = {t.route.c_str()};
    const std::string cuser = sip::echo_detail::contact_for(t, c->sip);
    sc->log.info("INVITE ", t.request_uri);
    const int err = sipsess_connect(&sc->sess, ua_.sessions(), t.request_uri.c_str(),
                                    t.from_name.empty() ? nullptr : t.from_name.c_str(), t.from_uri.c_str(), cuser.c_str(),
                                    t.route.empty() ? nullptr : routev, t.route.empty() ? 0 : 1, "application/sdp", desc,
                                    on_auth, sc.get(), false, on_offer, on_answer, on_progress, on_established, on_info,
                                    nullptr, on_close, sc.get(), "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE\r\n");
    mem_deref(desc);
    if (err) {
        sc->log.notice("cannot send the INVITE: ", std::strerror(err));
        if (sc->call) sc->call->hang_up(std::string("cannot send the INVITE: ") + std::strerror(err));
    }
}

}  // namespace jigasi::call
