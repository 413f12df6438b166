#include "call/gateway.hpp"

#include "call/gateway_detail.hpp"
#include "call/room_options.hpp"
#include "media/net/udp_socket.hpp"
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

mbuf* to_mbuf(const std::string& s) {
    mbuf* m = mbuf_alloc(s.size());
    if (!m) return nullptr;
    mbuf_write_mem(m, reinterpret_cast<const uint8_t*>(s.data()), s.size());
    mbuf_set_pos(m, 0);
    return m;
}

// libre handlers (signalling strand).
int on_offer(mbuf** descp, const sip_msg* msg, void* arg) {
    auto* c = static_cast<gateway::sip_call*>(arg);
    auto offer = sip::sdp::parse(sip::body_of(msg));
    if (!offer) return EPROTO;
    auto ans = sip::sdp::negotiate_answer(*offer, c->local);
    if (!ans) return EPROTO;
    *descp = to_mbuf(sip::sdp::serialize(ans->sdp));
    if (!*descp) return ENOMEM;
    // Hold (RFC 3264 §8.4: the phone sends sendonly or inactive): nothing goes to the conference.
    const bool held = ans->media.dir != media::direction::sendrecv && ans->media.dir != media::direction::recvonly;
    c->log.info("re-INVITE: ", held ? "on hold" : "active");
    if (c->call) c->call->set_muted(held);
    return 0;
}

int on_answer(const sip_msg*, void*) { return 0; }

void on_established(const sip_msg*, void* arg) { static_cast<gateway::sip_call*>(arg)->log.info("established"); }

void on_info(struct ::sip* stack, const sip_msg* msg, void* arg) {
    auto* c = static_cast<gateway::sip_call*>(arg);
    c->log.info("INFO ", sip::str(msg->ctyp.type), "/", sip::str(msg->ctyp.subtype), " answered 200");
    sip_treply(nullptr, stack, msg, 200, "OK");
}

void on_close(int err, const sip_msg* msg, void* arg) {
    auto* c = static_cast<gateway::sip_call*>(arg);
    // libre reports the caller's BYE (and a CANCEL) as ECONNRESET without a message.
    const std::string why = msg ? std::to_string(msg->scode) + " " + sip::str(msg->reason)
                            : err == ECONNRESET ? "the phone hung up"
                            : err               ? std::strerror(err)
                                                : "closed";
    c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));
    if (c->call) c->call->hang_up(why);
    else if (auto o = c->owner_alive.lock()) o->ended(c, 0, why);
}

}  // namespace gateway_detail

using namespace gateway_detail;

gateway::gateway(asio::io_context& ioc, sip::libre_bridge& bridge, sip::user_agent& ua, const config::store& cfg,
                 const core::logger& logger, core::task_group& tasks, core::gateway_stats& stats)
    : ioc_(ioc), bridge_(bridge), ua_(ua), stack_(ua.stack()), cfg_(cfg), logger_(logger), tasks_(tasks), stats_(stats),
      log_(logger, "call", "gateway") {}

void gateway::publish_stats() {
    // Per room, the largest size any of its calls saw (they all see the same room).
    std::map<std::string, std::size_t> rooms;
    for (const auto& [p, c] : calls_) rooms[c->room] = std::max(rooms[c->room], c->room_size);
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

gateway::~gateway() = default;

bool gateway::on_invite(const sip_msg* msg, sipsess_sock* sock, const std::string& user) {
    // Draining (SIGTERM, POST /about/shutdown): calls in progress finish, no new ones start.
    if (closed_ || stats_.graceful_shutdown.load()) {
        log_.info("INVITE from ", sip::source_of(msg), " refused: shutting down");
        sip_treply(nullptr, stack_, msg, 503, "Shutting Down");
        return true;
    }
    const auto c = cfg_.get();
    // Routing (jitsi-protocol.md §5.2): the room header, else the request-URI user.
    std::string room_name;
    for (const auto& h : c->sip.headers.room)
        if (auto v = sip::header(msg, h); v && !v->empty()) {
            room_name = *v;
            break;
        }
    if (room_name.empty()) room_name = sip::str(msg->uri.user);
    if (room_name.empty()) return false;
    const config::xmpp_server_config* server = nullptr;
    if (auto base = sip::header(msg, c->sip.headers.domain_base); base && !base->empty())
        for (const auto& s : c->xmpp.servers)
            if (s.domain == *base) server = &s;
    if (!server) server = find_server(*c, {});
    auto room = server ? room_jid(*server, room_name) : std::nullopt;
    if (!room) return false;  // 404: not a room we can name

    const std::string id = "in-" + std::to_string(next_++);
    auto sc = std::make_shared<sip_call>(log_.scoped("call " + id + " side=sip"));
    sc->owner = this;
    sc->owner_alive = weak_from_this();
    sc->id = id;
    sc->room = room->to_string();
    const std::string from_user = sip::str(msg->from.uri.user), from_name = sip::str(msg->from.dname);
    sc->log.info("INVITE from ", sip::source_of(msg), " (", from_user, user.empty() ? "" : ", user " + user, ") for room ",
                 room->to_string());

    auto offer_text = sip::body_of(msg);
    if (offer_text.empty()) {
        sc->log.notice("no SDP offer: late-offer INVITEs are not supported for conference calls yet");
        sip_treplyf(nullptr, nullptr, stack_, msg, false, 488, "Not Acceptable Here",
                    "Warning: 399 jigasi-ng \"an SDP offer is required\"\r\nContent-Length: 0\r\n\r\n");
        return true;
    }
    auto strand = asio::make_strand(ioc_.get_executor());
    auto sock_r = media::net::bind_media_port(strand, c->media.min_port, c->media.max_port);
    if (!sock_r) {
        sc->log.error(sock_r.error().diagnostic);
        sip_treply(nullptr, stack_, msg, 503, "No Media Port");
        return true;
    }
    char peer[64] = {0};
    sa_ntop(&msg->src, peer, sizeof peer);
    boost::system::error_code ec;
    // Plain RTP: SDES on the phone leg is not wired yet.
    sc->local = sip::echo_detail::plain_rtp_capabilities(c->sip, peer, sock_r->local_endpoint(ec).port(), strand);
    auto offer = sip::sdp::parse(offer_text);
    auto ans = offer ? sip::sdp::negotiate_answer(*offer, sc->local) : sip::sdp::result<sip::sdp::answer>(offer.error());
    if (!ans) {
        const int status = sip::sdp::sip_status(ans.error().code);
        sc->log.notice("offer refused with ", status, ": ", ans.error().diagnostic);
        sip_treplyf(nullptr, nullptr, stack_, msg, false, static_cast<uint16_t>(status),
                    status == 488 ? "Not Acceptable Here" : "Bad Request",
                    "Warning: 399 jigasi-ng \"%s\"\r\nContent-Length: 0\r\n\r\n", ans.error().diagnostic.c_str());
        return true;
    }
    sc->answer_sdp = sip::sdp::serialize(ans->sdp);
    sc->log.info("offer answered: ", ans->media.codec.encoding, "/", ans->media.codec.clock_rate, " pt ",
                 int(ans->media.codec.pt), ", phone RTP ", ans->media.remote_address, ":", ans->media.remote_port);

    phone_media pm;
    pm.codec = ans->media.codec;
    pm.telephone_event = ans->media.telephone_event;
    pm.remote = {asio::ip::make_address(ans->media.remote_address, ec), ans->media.remote_port};
    auto ropts = session_options(*c, *server, *room, from_name.empty() ? from_user : from_name);
    ropts.password = sip::header(msg, c->sip.headers.room_password);
    ropts.presence.status = std::string(xmpp::call_status::initializing);

    const std::string cuser = sip::contact_user(room->local(), c->sip.public_address, sa_port(&msg->dst), msg->tp);
    int err = sipsess_accept(&sc->sess, sock, msg, 180, "Ringing", cuser.c_str(), "application/sdp", nullptr, nullptr,
                             nullptr, false, on_offer, on_answer, on_established, on_info, nullptr, on_close, sc.get(),
                             "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE\r\n");
    if (err) {
        sc->log.error("sipsess_accept failed: ", std::strerror(err));
        sip_treply(nullptr, stack_, msg, 500, "Internal Server Error");
        return true;
    }
    gateway_call::hooks h = hooks_for(sc);
    std::weak_ptr<gateway> self = weak_from_this();
    h.answer = [self, wsc = std::weak_ptr<sip_call>(sc), sig = bridge_.strand()] {
        asio::post(sig, [self, wsc] {
            auto g = self.lock();
            auto sc = wsc.lock();
            if (!g || !sc || !sc->sess || sc->answered) return;
            mbuf* desc = to_mbuf(sc->answer_sdp);
            const int e = sipsess_answer(sc->sess, 200, "OK", desc, "Content-Type: application/sdp\r\n");
            mem_deref(desc);
            if (e) {
                sc->log.error("sending the 200 failed: ", std::strerror(e));
                return;
            }
            sc->answered = true;
            sc->log.info("answered 200");
            if (sc->call) sc->call->set_status(std::string(xmpp::call_status::connected));
        });
    };
    sc->call = std::make_shared<gateway_call>(sc->id, strand, std::move(ropts), c->media, std::move(pm),
                                              std::move(*sock_r), std::move(h), log_.scoped("call " + sc->id + " side=jitsi"));
    calls_.emplace(sc.get(), sc);
    ++stats_.total_participants;
    publish_stats();
    tasks_.spawn(strand, [](std::shared_ptr<gateway_call> call) -> asio::awaitable<void> { co_await call->run(); }(sc->call),
                 "call " + sc->id);
    return true;
}

gateway_call_hooks gateway::hooks_for(const std::shared_ptr<sip_call>& sc) {
    // The conference side reports back on the signalling strand.
    std::weak_ptr<gateway> self = weak_from_this();
    const auto sig = bridge_.strand();
    gateway_call::hooks h;
    // Weak: the call holds these hooks and the SIP side holds the call; a strong reference back
    // would keep both alive forever.
    std::weak_ptr<sip_call> wsc = sc;
    h.ended = [self, wsc, sig](int status, std::string why) {
        asio::post(sig, [self, wsc, status, why] {
            auto g = self.lock();
            auto sc = wsc.lock();
            if (g && sc) g->ended(sc.get(), status, why);
        });
    };
    h.room_size = [self, wsc, sig](std::size_t n) {
        asio::post(sig, [self, wsc, n] {
            auto g = self.lock();
            auto sc = wsc.lock();
            if (!g || !sc || !g->calls_.contains(sc.get())) return;
            sc->room_size = n;
            g->publish_stats();
        });
    };
    h.media_failed = [self, sig](std::string stage) {
        asio::post(sig, [self, stage] {
            auto g = self.lock();
            if (!g) return;
            if (stage == "media timeout") ++g->stats_.total_calls_jvb_no_media;
            else ++g->stats_.total_calls_with_connection_failed;
        });
    };
    return h;
}

void gateway::ended(sip_call* c, int status, const std::string& why) {
    auto it = calls_.find(c);
    if (it == calls_.end()) return;
    auto keep = it->second;
    calls_.erase(it);
    // The last of our calls in its room: that conference is completed for us.
    if (std::none_of(calls_.begin(), calls_.end(), [&](const auto& e) { return e.second->room == keep->room; }))
        ++stats_.total_conferences_completed;
    publish_stats();
    if (auto reply = std::exchange(keep->rayo_reply, nullptr); reply && keep->rayo_iq)
        reply(xmpp::iq_error(*keep->rayo_iq, xmpp::dial_failed("jigasi-ng: " + why)));
    if (keep->answered)
        stats_.total_conference_seconds += static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - keep->started).count());
    if (keep->sess) {
        if (!keep->answered && !keep->outgoing && status >= 300) {
            keep->log.info("refusing the call with ", status, ": ", why);
            sipsess_reject(keep->sess, static_cast<uint16_t>(status),
                           status == 403 ? "Forbidden" : status == 503 ? "Service Unavailable" : "Temporarily Unavailable",
                           "Warning: 399 jigasi-ng \"%s\"\r\n", why.c_str());
        } else {
            keep->log.info("hanging up: ", why);
        }
        keep->sess = static_cast<struct sipsess*>(mem_deref(keep->sess));  // BYE if established
    }
    if (keep->call) keep->call->hang_up(why);
    keep->call.reset();
}

void gateway::close_all() {
    closed_ = true;
    while (!calls_.empty()) ended(calls_.begin()->first, 503, "shutting down");
}

}  // namespace jigasi::call
