// Dial-out from a conference (issue 7 item 2a, jitsi-protocol.md §2, §5.3): the Rayo dial that
// Jicofo forwards through the brewery. We join the room first and answer the dial with our
// occupant URI (§2.2), then INVITE the destination; once it answers (200 with its SDP) the
// bridge's offer is answered and audio flows. Deviation from Jigasi, deliberate: the INVITE goes
// out as soon as we are in the room rather than after Jicofo's session-initiate, so the phone
// rings sooner; session-accept waits for the phone's answer, because the phone's codec fixes the
// rate the call's audio runs at.
#include "call/gateway_detail.hpp"
#include "call/display_name.hpp"
#include "call/room_options.hpp"
#include "media/rtp/telephone_event.hpp"
#include "media/net/udp_socket.hpp"
#include "media/prompts/prompt_library.hpp"
#include "sip/echo_call_detail.hpp"
#include "sip/libre_bridge.hpp"
#include "sip/msg.hpp"
#include "sip/user_agent.hpp"
#include "xmpp/rayo.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <cctype>
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
    if (msg->scode == 180 || msg->scode == 183) {
        if (c->call) c->call->set_status(std::string(xmpp::call_status::ringing));
        if (auto g = c->owner_alive.lock()) g->registry()->update(c->id, [](call_info& ci) { ci.state = "ringing"; });
    }
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
    if (!c->dtmf_after.empty()) c->call->send_dtmf(c->dtmf_after);
    if (c->limit) c->limit->cancel();
    if (auto g = c->owner_alive.lock())
        g->registry()->update(c->id, [](call_info& ci) { ci.answered = std::chrono::system_clock::now(); });
    return 0;
}

}  // namespace

void gateway::dial_out(const xmpp::dial_request& d, const xmpp::element& iq, std::function<void(xmpp::element)> reply) {
    call_request r;
    r.to = d.destination;
    r.room = d.room.to_string();
    r.room_password = d.room_password;
    for (const auto& h : d.extra_headers) r.headers.emplace_back(h.name, h.value);
    r.origin = "rayo";
    r.display_name = d.destination;
    auto sc = std::make_shared<sip_call>(log_);
    sc->rayo_iq = iq;
    sc->rayo_reply = std::move(reply);
    log_.info("Rayo dial from ", d.from.to_string(), " to ", d.destination, " for ", r.room);
    auto placed = start_outgoing(std::move(r), sc);
    if (placed.id.empty()) {
        log_.notice("Rayo dial to ", d.destination, " refused: ", placed.error);
        if (auto f = std::exchange(sc->rayo_reply, nullptr)) f(xmpp::iq_error(iq, xmpp::dial_failed("jigasi-ng: " + placed.error)));
    }
}

place_result gateway::place(call_request r) {
    auto placed = start_outgoing(std::move(r), std::make_shared<sip_call>(log_));
    if (placed.id.empty()) log_.notice("call refused: ", placed.error);
    return placed;
}

namespace {
/// A header we may copy into the INVITE: a token name and a value without line breaks.
bool safe_header(const std::string& name, const std::string& value) {
    if (name.empty() || name.size() > 64 || value.size() > 512) return false;
    for (unsigned char ch : name)
        if (!std::isalnum(ch) && ch != '-' && ch != '_' && ch != '.') return false;
    for (unsigned char ch : value)
        if (ch < 0x20 || ch == 0x7f) return false;
    static constexpr std::string_view reserved[] = {"via", "from", "to", "call-id", "cseq", "contact", "content-length",
                                                    "content-type", "max-forwards", "route", "record-route"};
    std::string lower;
    for (unsigned char ch : name) lower += static_cast<char>(std::tolower(ch));
    return std::find(std::begin(reserved), std::end(reserved), lower) == std::end(reserved);
}
}  // namespace

place_result gateway::start_outgoing(call_request r, std::shared_ptr<sip_call> sc) {
    const auto dir = core::call_direction::out;
    auto refuse = [&](int status, std::string_view reason, std::string why) {
        refused(dir, reason);
        return place_result{{}, status, std::move(why)};
    };
    if (closed_ || stats_.graceful_shutdown.load()) return refuse(503, "shutting_down", "shutting down");
    const auto c = cfg_.get();
    const config::xmpp_server_config* server = r.server.empty() ? nullptr : find_server(*c, r.server);
    if (!r.server.empty() && !server) return refuse(400, "no_room", "no xmpp.servers entry \"" + r.server + "\"");
    if (!server) {
        const auto at = r.room.find('@');
        for (const auto& s : c->xmpp.servers)
            if (at != std::string::npos && s.muc_domain == r.room.substr(at + 1)) server = &s;
    }
    if (!server) server = find_server(*c, {});
    if (!server) return refuse(503, "no_room", "no xmpp.servers entry");
    auto room = room_jid(*server, r.room);
    if (!room) return refuse(400, "no_room", "not a room name: " + r.room);
    for (const auto& [name, value] : r.headers)
        if (!safe_header(name, value)) return refuse(400, "bad_request", "header not allowed: " + name);
    for (char k : r.dtmf)
        if (k != ',' && !media::rtp::event_from_char(k)) return refuse(400, "bad_request", std::string("not a DTMF key: ") + k);
    // Loaded are ivr.language's and the dial-in numbers' languages, unless one failed (health "ivr").
    if (!r.language.empty() && !(prompts_ && prompts_->has(r.language)))
        return refuse(400, "bad_request", "no prompts loaded for language \"" + r.language + "\"");

    // Routing: a URI as dialled, a registered user, else the first enabled upstream account.
    std::string host = c->sip.public_address;
    for (const auto& l : c->sip.listen)
        if (host.empty() && l.address != "0.0.0.0" && l.address != "::") host = l.address;
    if (host.empty()) host = "localhost";
    const auto now = std::chrono::steady_clock::now();
    sip::dial_resolution res;
    if (!r.via.empty() || r.to.starts_with("sip:") || r.to.starts_with("sips:")) {
        res = sip::resolve_dial(c->sip, ua_.reg(), now, host, {r.to, r.via});
    } else {
        res = sip::resolve_dial(c->sip, ua_.reg(), now, host, {r.to, "registrar"});
        if (!res.target)
            for (const auto& a : c->sip.accounts)
                if (a.enabled) {
                    res = sip::resolve_dial(c->sip, ua_.reg(), now, host, {r.to, a.id});
                    break;
                }
    }
    if (!res.target)
        return refuse(res.failure == sip::dial_failure::bad_request ? 400 : 404, "unroutable",
                      "cannot route " + r.to + ": " + res.error);
    if (!r.caller_id.empty()) {
        if (!sip::safe_user_part(r.caller_id)) return refuse(400, "bad_request", "caller_id: not a SIP user part");
        // From: <sip:caller_id@host> keeps the account's host (trunks check it).
        const auto& f = res.target->from_uri;
        const auto colon = f.find(':'), at = f.find('@');
        res.target->from_uri = f.substr(0, colon + 1) + r.caller_id + (at == std::string::npos ? "@" + host : f.substr(at));
    }
    if (!r.caller_name.empty()) {
        if (r.caller_name.find_first_of("\"\\\r\n") != std::string::npos) return refuse(400, "bad_request", "caller_name: no quotes or line breaks");
        res.target->from_name = r.caller_name;
    }

    const std::string id = "out-" + std::to_string(next_++);
    sc->log = log_.scoped("call " + id + " side=sip dir=out");
    sc->owner = this;
    sc->owner_alive = weak_from_this();
    sc->id = id;
    sc->room = room->to_string();
    sc->outgoing = true;
    sc->direction = dir;
    sc->target = *res.target;
    sc->dtmf_after = r.dtmf;
    for (const auto& [name, value] : r.headers) sc->extra_headers += name + ": " + value + "\r\n";
    sc->extra_headers += c->sip.headers.room.empty() ? "" : c->sip.headers.room.front() + ": " + sc->room + "\r\n";
    sc->extra_headers += std::string(xmpp::header_call_direction) + ": out\r\n";
    sc->log.info(r.origin, " call to ", r.to, " (", res.target->description, ") for ", sc->room);

    auto strand = asio::make_strand(ioc_.get_executor());
    auto sock = media::net::bind_media_port(strand, c->media.min_port, c->media.max_port);
    if (!sock) return refuse(503, "no_port", sock.error().diagnostic);
    boost::system::error_code ec;
    sc->local = sip::echo_detail::plain_rtp_capabilities(c->sip, sip::echo_detail::first_hop_host(*res.target),
                                                         sock->local_endpoint(ec).port(), strand);
    auto offer = sip::sdp::build_offer(sc->local);
    if (!offer) return refuse(500, "bad_offer", offer.error().diagnostic);
    sc->offer = *offer;

    const std::string shown = r.display_name.empty() ? display_name(c->calls, {}, r.to) : r.display_name;
    auto ropts = session_options(*c, *server, *room, shown);
    ropts.password = r.room_password;
    ropts.presence.status = std::string(xmpp::call_status::initializing);
    for (const auto& [name, value] : r.headers) ropts.presence.initiator.push_back({name, value});
    ropts.presence.initiator.push_back({std::string(xmpp::header_call_direction), "out"});

    gateway_call_hooks h = hooks_for(sc);
    std::weak_ptr<gateway> self = weak_from_this();
    h.joined = [self, wsc = std::weak_ptr<sip_call>(sc), sig = bridge_.strand()](std::string uri) {
        asio::post(sig, [self, wsc, uri] {
            auto g = self.lock();
            auto sc = wsc.lock();
            if (!g || !sc || !g->calls_.contains(sc.get()) || sc->sess) return;
            if (auto reply = std::exchange(sc->rayo_reply, nullptr)) reply(xmpp::build_dial_result(*sc->rayo_iq, uri));
            g->invite(sc);
        });
    };
    call_info info;
    info.id = id;
    info.direction = dir;
    info.origin = r.origin;
    info.room = sc->room;
    info.from = res.target->from_uri;
    info.to = res.target->request_uri;
    info.display_name = shown;
    registry_->begin(std::move(info));
    auto ctx = call_context(*c, r.language);
    if (!r.language.empty() && ctx.prompts) sc->log.info("prompts in ", ctx.prompts->language());
    sc->call = std::make_shared<gateway_call>(sc->id, strand, std::move(ropts), c->media, std::nullopt, std::move(*sock),
                                              std::move(h), std::move(ctx),
                                              log_.scoped("call " + sc->id + " side=jitsi"), sc->log);
    calls_.emplace(sc.get(), sc);
    ++stats_.total_participants;
    publish_stats();
    // Joining, then ringing: at most join + calls.ring_timeout_s in all before the call is given up.
    arm_limit(sc, std::chrono::seconds(c->calls.ring_timeout_s + c->xmpp.connect_timeout_s),
              {0, "no_answer", "not answered within calls.ring_timeout_s (" + std::to_string(c->calls.ring_timeout_s) + " s)",
               "gateway"});
    sc->call_started = true;
    tasks_.spawn(strand, [](std::shared_ptr<gateway_call> call) -> asio::awaitable<void> { co_await call->run(); }(sc->call),
                 "call " + sc->id);
    return {id, 201, {}};
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
                                    nullptr, on_close, sc.get(), "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE\r\n%s",
                                    sc->extra_headers.c_str());
    mem_deref(desc);
    if (err) {
        sc->log.notice("cannot send the INVITE: ", std::strerror(err));
        sc->end = end_info{0, "sip_transport", std::string("cannot send the INVITE: ") + std::strerror(err), "gateway"};
        if (sc->call) sc->call->hang_up(sc->end->why);
    }
}

}  // namespace jigasi::call
