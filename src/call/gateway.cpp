// Dial-in (jitsi-protocol.md §5.2): the INVITE routed to a room or the IVR and handed to its
// gateway_call; and for every call, how it ends (result, record) and the gateway's counts.
// Split off: the libre handlers and the gateway_call hooks (gateway_hooks.cpp), dial-out
// (gateway_dial.cpp), the API's controls (gateway_control.cpp), the IVR's setup
// (gateway_ivr_setup.cpp).
#include "call/gateway.hpp"

#include "call/gateway_detail.hpp"
#include "call/display_name.hpp"
#include "call/prompt_language.hpp"
#include "call/room_options.hpp"
#include "media/net/udp_socket.hpp"
#include "media/prompts/prompt_set.hpp"
#include "sip/echo_call_detail.hpp"
#include "sip/libre_bridge.hpp"
#include "sip/msg.hpp"
#include "sip/user_agent.hpp"
#include "sip/sdp.hpp"
#include "xmpp/rayo.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <cstring>

namespace asio = boost::asio;

namespace jigasi::call {

namespace gateway_detail {

// A late-offer dial-in (INVITE without SDP): our offer went in the 200, the phone's answer comes
// in the ACK; its codec now lets the bridge's offer be answered.
int on_answer(const sip_msg* msg, void* arg) {
    auto* c = static_cast<gateway::sip_call*>(arg);
    if (!c->late_offer || c->answered) return 0;
    auto answer = sip::sdp::parse(sip::body_of(msg));
    if (!answer) return EPROTO;
    auto m = sip::sdp::apply_answer(c->offer, *answer);
    if (!m) {
        c->log.notice("the phone's answer in the ACK is unusable: ", m.error().diagnostic);
        return EPROTO;
    }
    c->answered = true;
    if (c->limit) c->limit->cancel();
    c->log.info("late offer answered in the ACK: ", m->codec.encoding, "/", m->codec.clock_rate, ", phone RTP ",
                m->remote_address, ":", m->remote_port);
    boost::system::error_code ec;
    phone_media pm;
    pm.codec = m->codec;
    pm.telephone_event = m->telephone_event;
    pm.remote = {asio::ip::make_address(m->remote_address, ec), m->remote_port};
    if (auto g = c->owner_alive.lock())
        g->registry()->update(c->id, [codec = m->codec.encoding + "/" + std::to_string(m->codec.clock_rate)](call_info& ci) {
            ci.codec = codec;
            ci.answered = std::chrono::system_clock::now();
        });
    if (c->call) {
        c->call->phone_answered(std::move(pm));
        c->call->set_status(std::string(xmpp::call_status::connected));
    }
    return 0;
}

}  // namespace gateway_detail

using namespace gateway_detail;

gateway::gateway(asio::io_context& ioc, sip::libre_bridge& bridge, sip::user_agent& ua, const config::store& cfg,
                 const core::logger& logger, core::task_group& tasks, core::gateway_stats& stats,
                 std::shared_ptr<call_registry> registry)
    : ioc_(ioc), bridge_(bridge), ua_(ua), stack_(ua.stack()), cfg_(cfg), logger_(logger), tasks_(tasks), stats_(stats),
      log_(logger, "call", "gateway"), registry_(std::move(registry)) {}

void gateway::publish_stats() {
    // Per room, the largest size any of its calls saw (they all see the same room).
    std::map<std::string, std::size_t> rooms;
    for (const auto& [p, c] : calls_)
        if (!c->room.empty()) rooms[c->room] = std::max(rooms[c->room], c->room_size);  // not in the IVR
    std::uint64_t participants = 0;
    std::array<std::uint64_t, core::conference_size_buckets> sizes{};
    for (const auto& [room, n] : rooms) {
        participants += n;
        ++sizes[std::min(n, core::conference_size_buckets - 1)];
    }
    stats_.active_calls.store(calls_.size());
    stats_.conferences.store(rooms.size());
    stats_.participants.store(participants);
    for (std::size_t i = 0; i < sizes.size(); ++i) stats_.conference_sizes[i].store(sizes[i]);
}

gateway::~gateway() {
    // Calls whose conference side never reported back (shutdown): their records, without media.
    for (auto& [id, record] : std::exchange(pending_records_, {})) record();
}

void gateway::refused(core::call_direction d, std::string_view reason) {
    stats_.calls.attempt(d, result::refused, reason);
}

bool gateway::on_invite(const sip_msg* msg, sipsess_sock* sock, const std::string& user) {
    // Draining (SIGTERM, POST /about/shutdown): calls in progress finish, no new ones start.
    if (closed_ || stats_.graceful_shutdown.load()) {
        log_.info("INVITE from ", sip::source_of(msg), " refused: shutting down");
        sip_treply(nullptr, stack_, msg, 503, "Shutting Down");
        refused(core::call_direction::in, "shutting_down");
        return true;
    }
    const auto c = cfg_.get();
    // Routing (calls.routing, jitsi-protocol.md §5.2): room header, dialled number, request-URI
    // user, default room.
    dialled d;
    for (const auto& h : c->sip.headers.room)
        if (auto v = sip::header(msg, h); v && !v->empty()) {
            d.header = *v;
            break;
        }
    // tel: URIs (RFC 3966) carry the number where sip: has the user.
    auto user_of = [](const uri& u) { return sip::str(u.scheme) == "tel" ? sip::str(u.host) : sip::str(u.user); };
    d.uri_user = user_of(msg->uri);
    // To's number counts only for a call sent to a Contact we registered (a trunk keeps the DID
    // in To), never over a request-URI that names something (a proxy's rewrite to a room).
    bool to_our_contact = d.uri_user.empty();
    for (const auto& a : c->sip.accounts) to_our_contact = to_our_contact || a.user == d.uri_user;
    if (to_our_contact) d.to_user = user_of(msg->to.uri);
    d.domain_base = sip::header(msg, c->sip.headers.domain_base).value_or(std::string());
    // The IVR (issue 8): its extension and the dial-in numbers Jitsi Meet shows, unless a room
    // header names the room; and, with ivr.unrouted, any call no routing step places. Not when a
    // room header named a room we cannot reach (the caller chose it: 404), nor without a
    // deployment to look IDs up in.
    const bool ivr_on = c->ivr.enabled && d.header.empty() && !c->xmpp.servers.empty();
    const auto* ivr_number = ivr_on ? find_number(c->dialin.numbers, d, c->calls) : nullptr;
    bool to_ivr = ivr_on && ((!c->ivr.extension.empty() && d.uri_user == c->ivr.extension) || ivr_number);
    std::optional<room_route> route;
    if (!to_ivr) {
        route = route_dial_in(*c, d);
        to_ivr = !route && ivr_on && c->ivr.unrouted;
    }
    if (!route && !to_ivr) {
        refused(core::call_direction::in, "no_room");
        return false;  // 404: not a room we can name
    }
    const std::string id = "in-" + std::to_string(next_++);
    auto sc = std::make_shared<sip_call>(log_.scoped("call " + id + " side=sip"));
    sc->owner = this;
    sc->owner_alive = weak_from_this();
    sc->id = id;
    if (route) sc->room = route->room.to_string();
    const std::string from_user = sip::str(msg->from.uri.user), from_name = sip::str(msg->from.dname);
    sc->log.info("INVITE from ", sip::source_of(msg), " (", from_user, user.empty() ? "" : ", user " + user, ") for ",
                 route ? "room " + sc->room + " (by " + route->step + ")"
                       : "the IVR (dialled " + (d.to_user.empty() ? d.uri_user : (d.uri_user.empty() ? "" : d.uri_user + ", ") + "To " + d.to_user) + ")");
    if (to_ivr && !prompts_) {
        sc->log.notice("refused with 503: the IVR has no prompts (see the start-up log)");
        sip_treplyf(nullptr, nullptr, stack_, msg, false, 503, "Service Unavailable",
                    "Warning: 399 jigasi-ng \"the IVR is not available\"\r\nContent-Length: 0\r\n\r\n");
        refused(core::call_direction::in, "ivr_unavailable");
        return true;
    }

    auto refuse = [&](uint16_t status, const char* phrase, std::string_view reason, const std::string& why) {
        sc->log.notice("refused with ", status, ": ", why);
        sip_treplyf(nullptr, nullptr, stack_, msg, false, status, phrase,
                    "Warning: 399 jigasi-ng \"%s\"\r\nContent-Length: 0\r\n\r\n", why.c_str());
        refused(core::call_direction::in, reason);
        return true;
    };
    auto offer_text = sip::body_of(msg);
    auto strand = asio::make_strand(ioc_.get_executor());
    auto sock_r = media::net::bind_media_port(strand, c->media.min_port, c->media.max_port);
    if (!sock_r) return refuse(503, "Service Unavailable", "no_port", sock_r.error().diagnostic);
    char peer[64] = {0};
    sa_ntop(&msg->src, peer, sizeof peer);
    boost::system::error_code ec;
    // Plain RTP: SDES on the phone leg is not wired yet.
    sc->local = sip::echo_detail::plain_rtp_capabilities(c->sip, peer, sock_r->local_endpoint(ec).port(), strand);
    std::optional<phone_media> pm;
    std::string codec;
    if (offer_text.empty()) {
        // Late offer (RFC 3261 §13.2.1): our offer goes in the 200 once we are in the room, the
        // phone answers in the ACK (on_answer); the bridge's offer waits for that codec.
        auto offer = sip::sdp::build_offer(sc->local);
        if (!offer) return refuse(500, "Internal Server Error", "bad_offer", offer.error().diagnostic);
        sc->offer = *offer;
        sc->late_offer = true;
        sc->log.info("late offer: our offer goes in the 200 once we are in the room");
    } else {
        auto offer = sip::sdp::parse(offer_text);
        auto ans = offer ? sip::sdp::negotiate_answer(*offer, sc->local) : sip::sdp::result<sip::sdp::answer>(offer.error());
        if (!ans) {
            const int status = sip::sdp::sip_status(ans.error().code);
            return refuse(static_cast<uint16_t>(status), status == 488 ? "Not Acceptable Here" : "Bad Request", "bad_offer",
                          ans.error().diagnostic);
        }
        sc->answer_sdp = sip::sdp::serialize(ans->sdp);
        sc->log.info("offer answered: ", ans->media.codec.encoding, "/", ans->media.codec.clock_rate, " pt ",
                     int(ans->media.codec.pt), ", phone RTP ", ans->media.remote_address, ":", ans->media.remote_port);
        pm = phone_media{ans->media.codec, ans->media.telephone_event,
                         {asio::ip::make_address(ans->media.remote_address, ec), ans->media.remote_port}};
        codec = ans->media.codec.encoding + "/" + std::to_string(ans->media.codec.clock_rate);
    }
    const std::string shown = display_name(c->calls, from_name, from_user);
    // The IVR's call names its room later (gateway_call::ivr_choose_room).
    xmpp::room_session_options ropts;
    if (route) ropts = session_options(*c, *route->server, route->room, shown);
    ropts.presence.display_name = shown;
    ropts.password = sip::header(msg, c->sip.headers.room_password);
    ropts.presence.status = std::string(xmpp::call_status::initializing);
    const auto [language, why] =
        choose_language(c->ivr.accept_language, prompts_.get(), sip::header_values(msg, SIP_HDR_ACCEPT_LANGUAGE),
                        to_ivr ? (ivr_number ? ivr_number->language : std::string()) : route->language);
    auto ctx = call_context(*c, language);
    if (!why.empty() && ctx.prompts)
        sc->log.info("prompts in ", ctx.prompts->language(), why,
                     language.empty() || ctx.prompts->language() == language ? "" : " (" + language + " is not loaded)");
    add_ivr(ctx, *c, to_ivr, !to_ivr && ropts.password.has_value());

    const std::string cuser = sip::contact_user(route ? route->room.local() : d.uri_user, c->sip.public_address,
                                                sa_port(&msg->dst), msg->tp);
    int err = sipsess_accept(&sc->sess, sock, msg, 180, "Ringing", cuser.c_str(), "application/sdp", nullptr, nullptr,
                             nullptr, false, on_offer, on_answer, on_established, on_info, nullptr, on_close, sc.get(),
                             "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE\r\n");
    if (err) return refuse(500, "Internal Server Error", "sip_stack", std::string("sipsess_accept: ") + std::strerror(err));
    gateway_call::hooks h = hooks_for(sc);
    std::weak_ptr<gateway> self = weak_from_this();
    h.answer = [self, wsc = std::weak_ptr<sip_call>(sc), sig = bridge_.strand()] {
        asio::post(sig, [self, wsc] {
            auto g = self.lock();
            auto sc = wsc.lock();
            if (!g || !sc || !sc->sess) return;
            if (sc->answered) {  // the IVR answered early; now the media is up
                if (sc->call) sc->call->set_status(std::string(xmpp::call_status::connected));
                return;
            }
            mbuf* desc = to_mbuf(sc->answer_sdp);
            // libre writes the Content-Type given to sipsess_accept; naming it again here gave the 200
            // two Content-Type headers, and SIPp then ignored its SDP.
            const int e = sipsess_answer(sc->sess, 200, "OK", desc, "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE\r\n");
            mem_deref(desc);
            if (e) {
                sc->log.error("sending the 200 failed: ", std::strerror(e));
                return;
            }
            sc->answered = true;
            if (sc->limit) sc->limit->cancel();
            sc->log.info("answered 200");
            g->registry_->update(sc->id, [](call_info& ci) {
                if (!ci.answered) ci.answered = std::chrono::system_clock::now();
            });
            if (sc->call) sc->call->set_status(std::string(xmpp::call_status::connected));
        });
    };
    call_info info;
    info.id = id;
    info.direction = core::call_direction::in;
    info.origin = "sip";
    info.room = sc->room;
    info.from = from_name.empty() ? from_user : "\"" + from_name + "\" " + from_user;
    info.to = sip::str(msg->uri.user);
    info.display_name = shown;
    info.codec = codec;
    registry_->begin(std::move(info));
    if (sc->late_offer) {
        h.joined = [self, wsc = std::weak_ptr<sip_call>(sc), sig = bridge_.strand()](std::string) {
            asio::post(sig, [self, wsc] {
                auto g = self.lock();
                auto sc = wsc.lock();
                if (!g || !sc || !sc->sess || sc->offer_sent) return;
                mbuf* desc = to_mbuf(sip::sdp::serialize(sc->offer));
                const int e = sipsess_answer(sc->sess, 200, "OK", desc, "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE\r\n");
                mem_deref(desc);
                if (e) return sc->log.error("sending the 200 with our offer failed: ", std::strerror(e));
                sc->offer_sent = true;
                sc->log.info("answered 200 with our offer (late offer)");
            });
        };
    }
    // The IVR answers at once: the caller has keys to type (a late offer's answer comes in the ACK).
    std::function<void()> answer_now;
    if (to_ivr) answer_now = sc->late_offer ? std::function<void()>([j = h.joined] { j({}); }) : h.answer;
    sc->call = std::make_shared<gateway_call>(sc->id, strand, std::move(ropts), c->media, std::move(pm), std::move(*sock_r),
                                              std::move(h), std::move(ctx),
                                              log_.scoped("call " + sc->id + " side=jitsi"), sc->log);
    calls_.emplace(sc.get(), sc);
    if (!to_ivr) ++stats_.total_participants;  // an IVR caller counts once the IVR found the room
    publish_stats();
    // The caller waits at most calls.max_wait_s for the conference (then 480).
    arm_limit(sc, std::chrono::seconds(c->calls.max_wait_s),
              {480, "wait_limit", "not connected within calls.max_wait_s (" + std::to_string(c->calls.max_wait_s) + " s)",
               "gateway"});
    sc->call_started = true;
    tasks_.spawn(strand, [](std::shared_ptr<gateway_call> call) -> asio::awaitable<void> { co_await call->run(); }(sc->call),
                 "call " + sc->id);
    if (answer_now) answer_now();
    return true;
}

void gateway::arm_limit(const std::shared_ptr<sip_call>& sc, std::chrono::seconds limit, end_info e) {
    sc->limit = std::make_unique<asio::steady_timer>(bridge_.strand());
    sc->limit->expires_after(limit);
    sc->limit->async_wait([self = weak_from_this(), wsc = std::weak_ptr<sip_call>(sc), e](boost::system::error_code ec) {
        auto g = self.lock();
        auto sc = wsc.lock();
        if (ec || !g || !sc || sc->answered || !g->calls_.contains(sc.get())) return;
        sc->log.notice(e.why);
        g->ended(sc.get(), e);
    });
}

void gateway::ended(sip_call* c, end_info e) {
    auto it = calls_.find(c);
    if (it == calls_.end()) return;
    auto keep = it->second;
    calls_.erase(it);
    if (keep->limit) keep->limit->cancel();
    // What happened first wins: the SIP side records its end before it tells the conference side.
    const end_info fin = keep->end ? *keep->end : e;
    // The last of our calls in its room: that conference is completed for us (an IVR call that
    // never found a room had none).
    if (!keep->room.empty() && std::none_of(calls_.begin(), calls_.end(), [&](const auto& x) { return x.second->room == keep->room; }))
        ++stats_.total_conferences_completed;
    publish_stats();
    if (auto reply = std::exchange(keep->rayo_reply, nullptr); reply && keep->rayo_iq)
        reply(xmpp::iq_error(*keep->rayo_iq, xmpp::dial_failed("jigasi-ng: " + fin.why)));
    if (keep->answered)
        stats_.total_conference_seconds += static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - keep->started).count());
    int sent_status = 0;
    if (keep->sess) {
        if (!keep->answered && !keep->offer_sent && !keep->outgoing && e.status >= 300) {
            keep->log.info("refusing the call with ", e.status, ": ", e.why);
            sent_status = e.status;
            sipsess_reject(keep->sess, static_cast<uint16_t>(e.status),
                           e.status == 403   ? "Forbidden"
                           : e.status == 503 ? "Service Unavailable"
                                             : "Temporarily Unavailable",
                           "Warning: 399 jigasi-ng \"%s\"\r\nContent-Length: 0\r\n\r\n", e.why.c_str());
        } else {
            keep->log.info(keep->answered ? "hanging up (BYE): " : keep->outgoing ? "cancelling: " : "ending: ", e.why);
        }
        keep->sess = static_cast<struct sipsess*>(mem_deref(keep->sess));  // BYE if established, CANCEL if ringing
    }
    if (keep->call) keep->call->hang_up(e.why);
    keep->call.reset();

    const auto live = registry_->live(keep->id);
    const bool flowed = live && live->setup_s;
    std::string_view res = result::failed;
    if (flowed || keep->answered) res = result::answered;  // the 200 went out (in) or came (out)
    else if (fin.side == "phone") res = keep->outgoing ? result::unanswered : result::cancelled;
    else if (fin.side == "api") res = result::cancelled;
    else if (fin.reason == "no_answer") res = result::unanswered;
    else if (fin.reason == "shutting_down") res = result::refused;
    keep->log.info("call ", res, " (", fin.side, ": ", fin.reason.empty() ? "-" : fin.reason, ")");
    auto record = [registry = registry_, cfg = cfg_.get()->calls, id = keep->id, res = std::string(res), fin, flowed,
                   status = sent_status ? sent_status : (fin.side == "phone" && fin.status >= 300 ? fin.status : 0)] {
        registry->finish(id, cfg, [&](call_info& ci) {
            ci.result = res;
            ci.reason = fin.reason.empty() ? (flowed ? "ok" : "unknown") : fin.reason;
            ci.detail = fin.why;
            ci.side = fin.side;
            ci.sip_status = status;
        });
    };
    // Ended from here while its conference side still runs: the record waits for that side's
    // media statistics (flush_record, from the hooks' ended).
    if (keep->call_started && !keep->conference_over) {
        registry_->update(keep->id, [](call_info& ci) { ci.state = "ending"; });
        pending_records_[keep->id] = std::move(record);
    } else {
        record();
    }
}

void gateway::flush_record(const std::string& id) {
    auto it = pending_records_.find(id);
    if (it == pending_records_.end()) return;
    auto record = std::move(it->second);
    pending_records_.erase(it);
    record();
}

void gateway::close_all() {
    closed_ = true;
    while (!calls_.empty()) ended(calls_.begin()->first, {503, "shutting_down", "shutting down", "gateway"});
}

}  // namespace jigasi::call
