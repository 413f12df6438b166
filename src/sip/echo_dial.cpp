// Outgoing echo calls: INVITE a destination with our offer and, once answered, echo what it sends,
// so an operator can check a trunk, a registered phone or a URI end to end (signalling and audio)
// from the REST API, as `originate ... &echo` does on FreeSWITCH.

#include "sip/echo_call_detail.hpp"
#include "sip/msg.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <cerrno>
#include <cstring>

namespace jigasi::sip {

using namespace echo_detail;

namespace {

int on_auth(char** username, char** password, const char* realm, void* arg) {
    auto* c = static_cast<echo_calls::call*>(arg);
    return answer_challenge(c->target, c->log, username, password, realm);
}

void on_progress(const sip_msg* msg, void* arg) {
    auto* c = static_cast<echo_calls::call*>(arg);
    if (msg->scode < 180 || c->outcome.ringing_ms >= 0) return;
    c->outcome.ringing_ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::steady_clock::now() - c->dialled_at).count());
    c->log.info(msg->scode, " ", str(msg->reason), " after ", c->outcome.ringing_ms, " ms");
}

}  // namespace

namespace echo_detail {

int answer_challenge(const dial_target& t, const core::log_channel& log, char** username, char** password,
                     const char* realm) {
    if (t.auth_user.empty()) {
        log.notice("challenged by realm ", realm ? realm : "?", " but no credentials are configured");
        return EAUTH;
    }
    log.debug("answering the challenge of realm ", realm ? realm : "?", " as ", t.auth_user);
    int err = str_dup(username, t.auth_user.c_str());
    if (!err) err = str_dup(password, t.password.c_str());
    return err;
}

/// "host" of the first hop: the Route when there is one, else the Request-URI.
std::string first_hop_host(const dial_target& t) {
    const std::string& uri = t.route.empty() ? t.request_uri : t.route;
    auto start = uri.find('@');
    start = start == std::string::npos ? uri.find(':') + 1 : start + 1;
    if (uri.compare(start, 1, "[") == 0) return uri.substr(start + 1, uri.find(']', start) - start - 1);
    return uri.substr(start, uri.find_first_of(":;>", start) - start);
}

/// The transport libre takes for the first hop (RFC 3263 4.1: the transport parameter, TLS for sips).
sip_transp first_hop_transport(const dial_target& t) {
    const std::string& uri = t.route.empty() ? t.request_uri : t.route;
    if (uri.starts_with("sips:") || uri.find("transport=tls") != std::string::npos) return SIP_TRANSP_TLS;
    if (uri.find("transport=tcp") != std::string::npos) return SIP_TRANSP_TCP;
    return SIP_TRANSP_UDP;
}

/// Our Contact: with a public address, the port of our listener on that transport.
std::string contact_for(const dial_target& t, const config::sip_config& sip) {
    const sip_transp tp = first_hop_transport(t);
    const auto want = tp == SIP_TRANSP_TLS ? config::sip_transport::tls
                      : tp == SIP_TRANSP_TCP ? config::sip_transport::tcp : config::sip_transport::udp;
    std::uint16_t port = tp == SIP_TRANSP_TLS ? 5061 : 5060;
    for (const auto& l : sip.listen)
        if (l.transport == want) { port = l.port; break; }
    return contact_user(t.contact_user, sip.public_address, port, tp);
}

}  // namespace echo_detail

void echo_calls::dial(const dial_target& target, const dial_options& opts, sipsess_sock* sock,
                      std::function<void(const dial_outcome&)> done) {
    const std::string id = "echo-" + std::to_string(next_id_++);
    auto c = std::make_shared<call>(this, log_.scoped("call " + id + " side=sip dir=out"), bridge_.strand().get_inner_executor());
    c->target = target;
    c->on_outcome = std::move(done);
    c->outcome.id = id;
    c->limit = opts.max_duration;
    c->log.info("dialling ", target.request_uri, " (", target.description, target.route.empty() ? "" : ", via " + target.route, ")");
    if (target.srtp) {
        c->outcome.reason = target.description + " wants SRTP, which the echo test cannot do until the media pipeline exists";
        c->log.notice(c->outcome.reason);
        c->report();
        return;
    }
    if (!c->bind(media_)) {
        c->outcome.reason = "no free RTP port pair in " + std::to_string(media_.min_port) + "-" + std::to_string(media_.max_port);
        c->log.error(c->outcome.reason);
        c->report();
        return;
    }
    c->local = plain_rtp_capabilities(sip_, first_hop_host(target), c->rtp.local_endpoint().port(), c->relay_strand);
    c->ssrc = std::random_device{}();
    auto offer = sdp::build_offer(c->local);
    if (!offer) {
        c->outcome.reason = "cannot build an SDP offer: " + offer.error().diagnostic;
        c->log.error(c->outcome.reason);
        c->report();
        return;
    }
    c->offer = *offer;
    const std::string text = sdp::serialize(c->offer);
    mbuf* desc = mbuf_alloc(text.size());
    if (!desc) {
        c->outcome.reason = "out of memory";
        c->report();
        return;
    }
    mbuf_write_mem(desc, reinterpret_cast<const uint8_t*>(text.data()), text.size());
    mbuf_set_pos(desc, 0);
    const char* routev[] = {target.route.c_str()};
    const std::string cuser = contact_for(target, sip_);
    c->dialled_at = std::chrono::steady_clock::now();
    const int err = sipsess_connect(
        &c->sess, sock, target.request_uri.c_str(), target.from_name.empty() ? nullptr : target.from_name.c_str(),
        target.from_uri.c_str(), cuser.c_str(), target.route.empty() ? nullptr : routev,
        target.route.empty() ? 0 : 1, "application/sdp", desc, on_auth, c.get(), false, on_offer, on_answer,
        on_progress, on_established, on_info, nullptr, on_close, c.get(),
        "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE\r\n");
    mem_deref(desc);
    if (err) {
        c->outcome.reason = std::string("cannot send the INVITE: ") + std::strerror(err);
        c->log.notice(c->outcome.reason);
        c->report();
        return;
    }
    calls_.emplace(c.get(), c);
    ++counters_.echo_calls;
    counters_.echo_calls_active = calls_.size();
    // RFC 3261 9.1: a call nobody answers is CANCELled; libre sends the CANCEL when the session
    // is released before it was established.
    c->ring_timer.emplace(bridge_.strand());
    c->ring_timer->expires_after(opts.ring_timeout);
    c->ring_timer->async_wait([this, c, secs = opts.ring_timeout.count()](boost::system::error_code ec) {
        if (ec || c->ended || c->outcome.answered) return;
        c->outcome.reason = "no answer within " + std::to_string(secs) + " s (CANCEL sent)";
        finished(c.get(), c->outcome.reason.c_str());
    });
    // The relay starts once answered (on_established): its no-RTP timeout must not run while
    // the phone rings.
}

}  // namespace jigasi::sip
