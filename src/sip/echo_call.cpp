#include "sip/echo_call_detail.hpp"

#include "sip/info.hpp"
#include "sip/libre.hpp"
#include "sip/msg.hpp"
#include "sip/sdp.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

namespace jigasi::sip {

namespace asio = boost::asio;
using asio::ip::udp;
using namespace std::chrono_literals;

namespace {
constexpr auto media_timeout = 30s;      // no RTP for this long: the caller is gone, send BYE
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
}  // namespace

namespace echo_detail {

std::string local_address_toward(const std::string& host, const asio::any_io_executor& ex) {
    boost::system::error_code ec;
    auto target = asio::ip::make_address(host, ec);
    // A name: the address of the default route (TEST-NET-1 is never answered; connecting a UDP
    // socket sends nothing).
    if (ec) target = asio::ip::make_address("192.0.2.1");
    udp::socket probe(ex);
    probe.connect({target, 9}, ec);
    if (ec) return "127.0.0.1";
    return probe.local_endpoint(ec).address().to_string();
}

sdp::local_capabilities plain_rtp_capabilities(const config::sip_config& sip, const std::string& peer_host,
                                               std::uint16_t port, const asio::any_io_executor& ex) {
    sdp::local_capabilities local;
    local.address = sip.public_address.empty() ? local_address_toward(peer_host, ex) : sip.public_address;
    local.port = port;
    local.codecs.clear();
    for (const auto& name : sip.codecs) local.codecs.push_back(codec_named(name));
    local.ptime = sip.ptime_ms;
    local.srtp = sdp::srtp_policy::off;
    return local;
}

sdp::codec codec_named(const std::string& name) {
    if (name == "opus") return sdp::opus();
    if (name == "g722") return sdp::g722();
    if (name == "pcma") return sdp::pcma();
    return sdp::pcmu();
}

/// libre: set *descp to the answer for a re-INVITE's offer (hold, codec change).
int on_offer(mbuf** descp, const sip_msg* msg, void* arg) {
    auto* c = static_cast<echo_calls::call*>(arg);
    auto offer = sdp::parse(body_of(msg));
    if (!offer) return EPROTO;
    auto ans = sdp::negotiate_answer(*offer, c->local);
    if (!ans) return EPROTO;
    const std::string text = sdp::serialize(ans->sdp);
    *descp = mbuf_alloc(text.size());
    if (!*descp) return ENOMEM;
    mbuf_write_mem(*descp, reinterpret_cast<const uint8_t*>(text.data()), text.size());
    mbuf_set_pos(*descp, 0);
    c->log.info("re-INVITE: ", ans->media.codec.encoding, ", ", ans->media.dir == media::direction::sendrecv ? "active" : "on hold");
    return 0;
}

/// libre: the SDP answer of a late-offer call arrived in the ACK.
int on_answer(const sip_msg* msg, void* arg) {
    auto* c = static_cast<echo_calls::call*>(arg);
    auto answer = sdp::parse(body_of(msg));
    if (!answer) return EPROTO;
    auto media = sdp::apply_answer(c->offer, *answer);
    if (!media) return EPROTO;
    // Our offer went in the 200 (late offer, answer in the ACK) or in our INVITE (outgoing call).
    c->log.info(c->on_outcome ? "answer in the 200: " : "late offer answered in ACK: ", media->codec.encoding);
    c->outcome.codec = media->codec.encoding;
    return 0;
}

void on_established(const sip_msg*, void* arg) {
    auto* c = static_cast<echo_calls::call*>(arg);
    c->log.info("established");
    if (!c->on_outcome) return;
    c->outcome.answered = true;
    c->outcome.status = 200;
    c->outcome.reason = "OK";
    c->outcome.answer_ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::steady_clock::now() - c->dialled_at).count());
    if (c->ring_timer) c->ring_timer->cancel();
    c->report();
    asio::co_spawn(c->relay_strand, [self = c->shared_from_this()]() { return self->relay(); }, asio::detached);
}

void on_info(struct ::sip* stack, const sip_msg* msg, void* arg) {
    auto* c = static_cast<echo_calls::call*>(arg);
    const std::string type = str(msg->ctyp.type) + "/" + str(msg->ctyp.subtype);
    const auto r = info::parse(type, body_of(msg));
    if (!r.value) {
        c->log.notice("INFO not understood: ", r.error);
        sip_treply(nullptr, stack, msg, 415, "Unsupported Media Type");
        return;
    }
    if (const auto* d = std::get_if<info::dtmf>(&*r.value)) c->log.info("INFO DTMF key ", d->key);
    else c->log.info("INFO JSON message (no conference on an echo call)");
    sip_treply(nullptr, stack, msg, 200, "OK");
}

void on_close(int err, const sip_msg* msg, void* arg) {
    auto* c = static_cast<echo_calls::call*>(arg);
    static thread_local std::string why;
    if (msg && c->on_outcome) {  // an outgoing call refused (486, 404, 487 ...)
        c->outcome.status = msg->scode;
        c->outcome.reason = str(msg->reason);
    }
    // libre reports the caller's BYE as ECONNRESET without a message.
    why = msg                  ? std::to_string(msg->scode) + " " + str(msg->reason)
          : err == ECONNRESET  ? "BYE from the other side"
          : err                ? std::strerror(err)
                               : "closed";
    c->owner->finished(c, why.c_str());
}

}  // namespace echo_detail

using namespace echo_detail;

asio::awaitable<void> echo_calls::call::relay() {
    auto self = shared_from_this();
    std::array<std::uint8_t, 2048> buf{};
    udp::endpoint from, latched;
    asio::steady_timer idle(relay_strand);
    const auto until = std::chrono::steady_clock::now() + limit;
    const char* why = "max duration reached";
    std::uint64_t packets = 0;
    unsigned moves = 0;
    using namespace asio::experimental::awaitable_operators;
    while (!ended && std::chrono::steady_clock::now() < until) {
        idle.expires_after(media_timeout);
        auto result = co_await (rtp.async_receive_from(asio::buffer(buf), from, tuple_awaitable) ||
                                idle.async_wait(tuple_awaitable));
        if (result.index() == 1) {
            why = packets ? "no RTP for 30 s" : "no RTP at all within 30 s";
            break;
        }
        auto [ec, n] = std::get<0>(result);
        if (ec) {
            why = ec == asio::error::operation_aborted ? nullptr : "socket error";
            break;
        }
        // RFC 3550 5.1: version 2 and at least a fixed header; anything else is not ours to echo.
        if (n < 12 || (buf[0] >> 6) != 2) continue;
        if (latched != from) {
            // A source that keeps changing (two senders, a NAT rebinding each packet) is logged
            // at info the first times only: the log must not grow with the packet rate.
            ++moves;
            log.log(moves <= 3 ? core::log_level::info : core::log_level::debug, "RTP from ",
                    from.address().to_string(), ":", from.port(), packets ? " (moved)" : "", ", echoing it back",
                    moves == 3 ? "; further moves are logged at debug level" : "");
            latched = from;  // symmetric RTP: answer where it comes from, not where SDP said
        }
        ++packets;
        for (int i = 0; i < 4; ++i) buf[8 + i] = static_cast<std::uint8_t>(ssrc >> (24 - 8 * i));
        co_await rtp.async_send_to(asio::buffer(buf.data(), n), latched, tuple_awaitable);
    }
    if (ended) why = nullptr;  // hung up by signalling (BYE, shutdown): said there already
    log.info("echo relay ends after ", packets, " packets", why ? std::string(": ") + why : std::string());
    if (why && !ended) {
        // Hang up from the signalling side.
        asio::post(owner->bridge_.strand(), [self, why] {
            if (!self->ended) self->owner->finished(self.get(), why);
        });
    }
}

echo_calls::echo_calls(libre_bridge& bridge, core::log_channel log, config::sip_config sip, config::media_config media,
                       core::gateway_stats::sip_counters& counters)
    : bridge_(bridge), log_(std::move(log)), sip_(std::move(sip)), media_(media), counters_(counters) {}

echo_calls::~echo_calls() { close_all(); }

void echo_calls::accept(const sip_msg* msg, sipsess_sock* sock, struct ::sip* stack) {
    auto c = std::make_shared<call>(this, log_.scoped("call echo-" + std::to_string(next_id_++) + " side=sip"),
                                    bridge_.strand().get_inner_executor());
    c->log.info("INVITE from ", source_of(msg), " (", str(msg->from.auri), ")");
    if (!c->bind(media_)) {
        c->log.error("no free RTP port pair in ", media_.min_port, "-", media_.max_port);
        sip_treply(nullptr, stack, msg, 503, "No Media Port");
        return;
    }
    // The address the caller can reach: the configured public one, else the local address the
    // kernel uses toward the caller (a socket bound to 0.0.0.0 has no address to state).
    char peer[64] = {0};
    sa_ntop(&msg->src, peer, sizeof peer);
    // Plain RTP: reflecting SRTP needs the media pipeline.
    c->local = plain_rtp_capabilities(sip_, peer, c->rtp.local_endpoint().port(), c->relay_strand);
    c->ssrc = std::random_device{}();

    std::string sdp_text;
    const std::string body = body_of(msg);
    if (!body.empty()) {
        auto offer = sdp::parse(body);
        auto ans = offer ? sdp::negotiate_answer(*offer, c->local) : sdp::result<sdp::answer>(offer.error());
        if (!ans) {
            const int status = sdp::sip_status(ans.error().code);
            c->log.notice("offer refused with ", status, ": ", ans.error().diagnostic);
            sip_treplyf(nullptr, nullptr, stack, msg, false, static_cast<uint16_t>(status),
                        status == 488 ? "Not Acceptable Here" : "Bad Request",
                        "Warning: 399 jigasi-ng \"%s\"\r\nContent-Length: 0\r\n\r\n", ans.error().diagnostic.c_str());
            return;
        }
        c->log.info("offer answered: ", ans->media.codec.encoding, "/", ans->media.codec.clock_rate,
                    " pt ", int(ans->media.codec.pt), ", caller RTP ", ans->media.remote_address, ":", ans->media.remote_port);
        sdp_text = sdp::serialize(ans->sdp);
    } else {
        auto offer = sdp::build_offer(c->local);
        if (!offer) {
            sip_treply(nullptr, stack, msg, 500, "Internal Server Error");
            return;
        }
        c->offer = *offer;
        sdp_text = sdp::serialize(c->offer);
        c->log.info("late offer: our offer goes in the 200");
    }
    mbuf* desc = mbuf_alloc(sdp_text.size());
    mbuf_write_mem(desc, reinterpret_cast<const uint8_t*>(sdp_text.data()), sdp_text.size());
    mbuf_set_pos(desc, 0);
    const std::string cuser = contact_user(sip_.echo_extension, sip_.public_address, sa_port(&msg->dst), msg->tp);
    const int err = sipsess_accept(&c->sess, sock, msg, 200, "OK", cuser.c_str(), "application/sdp",
                                   desc, nullptr, nullptr, false, on_offer, on_answer, on_established, on_info,
                                   nullptr, on_close, c.get(), "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE\r\n");
    mem_deref(desc);
    if (err) {
        c->log.error("sipsess_accept failed: ", std::strerror(err));
        sip_treply(nullptr, stack, msg, 500, "Internal Server Error");
        return;
    }
    calls_.emplace(c.get(), c);
    ++counters_.echo_calls;
    counters_.echo_calls_active = calls_.size();
    asio::co_spawn(c->relay_strand, [c]() { return c->relay(); }, asio::detached);
}

void echo_calls::finished(call* c, const char* why) {
    auto it = calls_.find(c);
    if (it == calls_.end()) return;
    auto keep = it->second;
    calls_.erase(it);
    counters_.echo_calls_active = calls_.size();
    keep->ended = true;
    keep->log.info("ended: ", why);
    if (keep->ring_timer) keep->ring_timer->cancel();
    if (keep->on_outcome) {  // an outgoing call that ends before it was answered
        if (keep->outcome.reason.empty()) keep->outcome.reason = why;
        keep->report();
    }
    keep->sess = static_cast<struct sipsess*>(mem_deref(keep->sess));  // sends BYE if still up
    keep->stop_media();
}

void echo_calls::close_all() {
    while (!calls_.empty()) finished(calls_.begin()->first, "shutting down");
}

}  // namespace jigasi::sip
