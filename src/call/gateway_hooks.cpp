// Where the SIP dialog and the call's conference side meet: the libre handlers both directions
// register (re-INVITE hold, INFO mute, heartbeat and keys, the end of the dialog; jitsi-protocol.md
// §5.7), and the hooks and context each gateway_call gets to report back. Signalling strand.
#include "call/gateway_detail.hpp"
#include "media/prompts/prompt_library.hpp"
#include "sip/info.hpp"
#include "sip/msg.hpp"
#include "sip/libre_bridge.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/asio/post.hpp>

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
    if (c->call) c->call->set_held(held);
    return 0;
}

void on_established(const sip_msg*, void* arg) { static_cast<gateway::sip_call*>(arg)->log.info("established"); }

void on_info(struct ::sip* stack, const sip_msg* msg, void* arg) {
    auto* c = static_cast<gateway::sip_call*>(arg);
    const auto type = sip::str(msg->ctyp.type) + "/" + sip::str(msg->ctyp.subtype);
    // §5.7: an IVR asks to mute or unmute the caller with a typed muteRequest; we answer
    // muteResponse once the uplink follows.
    auto parsed = sip::info::parse(type, sip::body_of(msg));
    if (auto* t = parsed.value ? std::get_if<sip::info::typed>(&*parsed.value) : nullptr;
        t && t->type == "muteRequest" && t->audio && c->call) {
        c->log.info("INFO muteRequest: ", *t->audio ? "mute" : "unmute");
        c->call->set_muted(*t->audio);
        sip_treply(nullptr, stack, msg, 200, "OK");
        const boost::json::object reply{{"type", "muteResponse"}, {"id", t->id}, {"status", "OK"},
                                        {"data", boost::json::object{{"audio", *t->audio}}}};
        mbuf* body = to_mbuf(boost::json::serialize(reply));
        if (c->sess && body) sipsess_info(c->sess, "application/json", body, nullptr, nullptr);
        mem_deref(body);
        return;
    }
    // §5.7: the IVR echoes our heartbeat with {"t": 11}.
    if (auto* n = parsed.value ? std::get_if<sip::info::numbered>(&*parsed.value) : nullptr; n && n->type == 11 && c->call) {
        c->call->heartbeat_answered();
        sip_treply(nullptr, stack, msg, 200, "OK");
        return;
    }
    // §3.5/§5.7: an IVR in front of us collected the room's PIN: {"t": 4, "d": {"pwd": "1234"}}.
    if (auto* n = parsed.value ? std::get_if<sip::info::numbered>(&*parsed.value) : nullptr; n && n->type == 4 && c->call) {
        boost::system::error_code ec;
        const auto d = boost::json::parse(n->data_json, ec);
        const auto* pwd = !ec && d.is_object() ? d.as_object().if_contains("pwd") : nullptr;
        if (!pwd || !pwd->is_string() || pwd->as_string().size() > 256) {
            c->log.notice("INFO t=4 without a usable d.pwd: 400");
            sip_treply(nullptr, stack, msg, 400, "Bad Request");
            return;
        }
        c->call->use_password(std::string(pwd->as_string()));
        sip_treply(nullptr, stack, msg, 200, "OK");
        return;
    }
    if (auto* d = parsed.value ? std::get_if<sip::info::dtmf>(&*parsed.value) : nullptr; d && c->call) {
        c->log.info("INFO DTMF ", d->key, " from the phone");
        c->call->phone_key(d->key);
        sip_treply(nullptr, stack, msg, 200, "OK");
        return;
    }
    c->log.info("INFO ", type, " answered 200");
    sip_treply(nullptr, stack, msg, 200, "OK");
}

std::string sip_end_reason(const sip_msg* msg, int err, bool answered) {
    if (!msg) return err == ECONNRESET ? (answered ? "phone_hung_up" : "caller_cancelled") : "sip_transport";
    switch (msg->scode) {
    case 486: case 600: return "busy";
    case 603: return "declined";
    case 404: case 604: return "not_found";
    case 408: case 480: case 487: return "no_answer";
    default: return "sip_" + std::to_string(msg->scode / 100) + "xx";
    }
}

void on_close(int err, const sip_msg* msg, void* arg) {
    auto* c = static_cast<gateway::sip_call*>(arg);
    // libre reports the caller's BYE (and a CANCEL) as ECONNRESET without a message.
    const std::string why = msg ? std::to_string(msg->scode) + " " + sip::str(msg->reason)
                            : err == ECONNRESET ? "the phone hung up"
                            : err               ? std::strerror(err)
                                                : "closed";
    gateway::end_info e{msg ? static_cast<int>(msg->scode) : 0, sip_end_reason(msg, err, c->answered), why, "phone"};
    if (!c->end) c->end = e;
    c->sess = static_cast<struct sipsess*>(mem_deref(c->sess));
    if (c->call) c->call->hang_up(why);
    else if (auto o = c->owner_alive.lock()) o->ended(c, e);
}

}  // namespace gateway_detail

using namespace gateway_detail;

gateway_call_context gateway::call_context(const config::config& c, std::string_view language) {
    gateway_call_context x;
    x.registry = registry_;
    x.stats = &stats_.calls;
    x.calls_migrated = &stats_.total_calls_with_jvb_migrate;
    x.no_heartbeat = &stats_.total_calls_no_heartbeat_response;
    x.dtmf = c.calls.dtmf;
    x.alone_grace = alone_grace(c.calls);
    x.keypad_mute = c.calls.keypad_mute;
    x.keypad_hand = c.calls.keypad_hand;
    x.info_json = c.calls.info_json;
    x.info_heartbeat = std::chrono::seconds(c.calls.info_heartbeat_s);
    if (prompts_) x.prompts = prompts_->of(language);
    return x;
}

gateway_call_hooks gateway::hooks_for(const std::shared_ptr<sip_call>& sc) {
    // The conference side reports back on the signalling strand.
    std::weak_ptr<gateway> self = weak_from_this();
    const auto sig = bridge_.strand();
    gateway_call::hooks h;
    // Weak: the call holds these hooks and the SIP side holds the call; a strong reference back
    // would keep both alive forever.
    std::weak_ptr<sip_call> wsc = sc;
    // The conference side is over (its media statistics are in the registry now): the record
    // of a call that ended here first can be written.
    h.ended = [self, wsc, sig, id = sc->id](int status, std::string reason, std::string why) {
        asio::post(sig, [self, wsc, id, status, reason, why] {
            auto g = self.lock();
            if (!g) return;
            if (auto sc = wsc.lock()) {
                sc->conference_over = true;
                g->ended(sc.get(), {status, reason, why, "conference"});
            }
            g->flush_record(id);
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
    h.room_chosen = [self, wsc, sig](std::string room) {
        asio::post(sig, [self, wsc, room] {
            auto g = self.lock();
            auto sc = wsc.lock();
            if (!g || !sc || !g->calls_.contains(sc.get())) return;
            sc->room = room;
            ++g->stats_.total_participants;
            sc->log.info("the IVR chose room ", room);
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
    h.info_json = [wsc, sig](std::string body) {
        asio::post(sig, [wsc, body] {
            auto sc = wsc.lock();
            if (!sc || !sc->sess) return;
            mbuf* m = to_mbuf(body);
            const int err = m ? sipsess_info(sc->sess, "application/json", m, nullptr, nullptr) : ENOMEM;
            mem_deref(m);
            if (err) sc->log.notice("INFO ", body, " not sent: ", std::strerror(err));
            else sc->log.debug("INFO ", body, " sent");
        });
    };
    // §5.4: INFO application/dtmf-relay, the form SIP servers have long understood.
    h.info_dtmf = [wsc, sig](char key) {
        asio::post(sig, [wsc, key] {
            auto sc = wsc.lock();
            if (!sc || !sc->sess) return;
            mbuf* body = to_mbuf(std::string("Signal=") + key + "\r\nDuration=160\r\n");
            const int err = body ? sipsess_info(sc->sess, "application/dtmf-relay", body, nullptr, nullptr) : ENOMEM;
            mem_deref(body);
            if (err) sc->log.notice("INFO DTMF ", key, " not sent: ", std::strerror(err));
            else sc->log.info("INFO DTMF ", key, " sent");
        });
    };
    return h;
}

}  // namespace jigasi::call
