#include "call/bridge_leg.hpp"

#include "media/codecs/factory.hpp"
#include "media/net/udp_socket.hpp"
#include "media/rtp/telephone_event.hpp"
#include "media/srtp/profile.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>

#include <openssl/rand.h>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace asio::experimental::awaitable_operators;

namespace jigasi::call {

namespace {
constexpr auto frame = std::chrono::milliseconds(20);
/// More than this behind the 20 ms schedule (a stalled thread): skip ahead instead of bursting.
constexpr auto max_lag = std::chrono::milliseconds(100);

template <class T>
T random_value() {
    T v{};
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) v = static_cast<T>(std::random_device{}());
    return v;
}

double ms(std::optional<std::chrono::microseconds> d) { return d ? d->count() / 1000.0 : -1; }
}  // namespace

core::result<std::unique_ptr<bridge_leg>> bridge_leg::create(const asio::any_io_executor& strand,
                                                              const bridge_leg_options& o,
                                                              const media::description& offer, core::log_channel log) {
    if (!o.cert) return core::error{std::make_error_code(std::errc::invalid_argument), "no DTLS certificate"};
    auto sock = media::net::bind_media_port(strand, o.media.min_port, o.media.max_port);
    if (!sock) return sock.error();
    boost::system::error_code ec;
    const auto port = sock->local_endpoint(ec).port();
    const auto hosts = media::net::host_addresses(o.media.addresses, port);
    if (hosts.empty())
        return core::error{std::make_error_code(std::errc::address_not_available),
                           "no IPv4 address to offer the bridge (media.addresses, or no interface is up)"};

    media::net::transport_config tc;
    tc.ice.initial_role = media::ice::role::controlled;  // §4.4: JVB is the controlling agent
    tc.dtls_role = media::dtls::role::client;            // §4.4: we answer setup=active
    tc.cert = o.cert;
    auto t = media::net::secure_transport::create(tc, hosts);
    if (!t) return t.error();

    bridge_answer_input in;
    in.ice = (*t)->local_ice();
    in.dtls = (*t)->local_dtls();
    in.ssrc = o.ssrc;
    while (in.ssrc == 0) in.ssrc = random_value<std::uint32_t>();
    in.endpoint_id = o.endpoint_id;
    in.cname = o.cname.empty() ? media::ice::random_ice_string(16) : o.cname;
    auto neg = answer_offer(offer, in);
    if (!neg) return neg.error();
    if (auto e = (*t)->set_remote(neg->remote)) return *e;

    media::pipeline::bridge_config pc;
    pc.opus_pt = neg->opus_pt;
    pc.dtmf_pt = neg->dtmf_pt;
    pc.dtmf_clock_rate = neg->dtmf_clock;
    pc.audio_level_id = neg->audio_level_id;
    pc.mid_id = neg->mid_id;
    if (neg->mid_id) pc.mid = neg->mid;
    pc.extmap_allow_mixed = offer.extmap_allow_mixed;
    pc.local_ssrc = in.ssrc;
    pc.first_sequence = random_value<std::uint16_t>();
    pc.first_timestamp = random_value<std::uint32_t>();
    pc.max_speakers = o.media.max_speakers;
    pc.opus = media::codecs::opus_settings_from_fmtp(neg->opus_fmtp, pc.opus);
    // RTCP: the CNAME we signalled, our own randomisation, and real wall-clock times in SRs.
    pc.rtcp.cname = in.cname;
    pc.rtcp.seed = random_value<std::uint64_t>();
    pc.rtcp.anchor = {std::chrono::steady_clock::now(), std::chrono::system_clock::now()};
    auto audio = media::pipeline::bridge_audio::create(pc, o.pcm_rate);
    if (!audio) return audio.error();

    auto runner = std::make_unique<media::net::transport_runner>(std::move(*sock), std::move(*t), log);
    std::unique_ptr<bridge_leg> leg(
        new bridge_leg(std::move(*neg), std::move(runner), std::move(*audio), o, std::move(log)));
    leg->add_sources(leg->neg_.remote_sources);
    leg->ssrc_ = in.ssrc;
    leg->cname_ = in.cname;
    return leg;
}

bridge_leg::bridge_leg(bridge_answer neg, std::unique_ptr<media::net::transport_runner> r,
                       std::unique_ptr<media::pipeline::bridge_audio> a, const bridge_leg_options& opts,
                       core::log_channel log)
    : neg_(std::move(neg)), runner_(std::move(r)), audio_(std::move(a)), opts_(opts), log_(std::move(log)) {
    in_.resize(audio_->phone_frame_samples());
    out_.resize(audio_->phone_frame_samples());
    packet_.resize(std::max<std::size_t>(audio_->max_packet_size(), 1500) + media::net::secure_transport::srtp_overhead);
}

bridge_leg::~bridge_leg() = default;

std::uint32_t bridge_leg::ssrc() const { return ssrc_; }
const std::string& bridge_leg::cname() const { return cname_; }

asio::awaitable<leg_end> bridge_leg::run(audio_port& port) {
    clock_ = std::make_unique<asio::steady_timer>(co_await asio::this_coro::executor);
    log_.info("bridge leg: port ", runner_->local_port(), ", opus/", int(neg_.opus_pt),
              neg_.dtmf_pt ? ", telephone-event/" + std::to_string(neg_.dtmf_pt) : std::string(), ", ",
              neg_.remote.candidates.size(), " remote candidates");
    runner_->transport().start(media::net::clock::now());
    runner_->kick();
    auto r = co_await (runner_->run(*this) || clock_loop(port));
    if (r.index() == 0) {
        if (auto& f = std::get<0>(r); f && !end_) end_ = leg_end{f->stage, f->reason};
    }
    if (!end_) end_ = leg_end{"closed", closed_ ? "hung up" : "cancelled"};
    co_return *end_;
}

asio::awaitable<void> bridge_leg::clock_loop(audio_port& port) {
    auto next = media::net::clock::now() + frame;
    const auto timeout = std::chrono::seconds(opts_.media.timeout_s);
    while (!closed_) {
        clock_->expires_at(next);
        auto [ec] = co_await clock_->async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec || closed_) co_return;
        const auto now = media::net::clock::now();
        if (now - next > max_lag) {
            ++late_ticks_;
            next = now;  // a stall: carry on from now rather than burst the missed ticks
        }
        next += frame;
        if (!secured_) continue;
        // Media timeout: neither RTP nor RTCP for timeout_s. The bridge stops forwarding silent
        // speakers (§4.5) but keeps sending RTCP about our stream, so a quiet room stays alive.
        if (now - std::max(last_rx_, secured_at_) > timeout) {
            end_ = leg_end{"media timeout", "no RTP or RTCP from the bridge for " +
                                                std::to_string(opts_.media.timeout_s) + " s"};
            co_return;
        }
        tick(port, now);
    }
}

void bridge_leg::tick(audio_port& port, media::net::clock::time_point now) {
    ++ticks_;
    if (flowing_cb_ && got_rtp_ && port.receiving()) std::exchange(flowing_cb_, nullptr)();
    if (ticks_ % 50 == 0 && second_cb_) second_cb_();
    if (auto r = audio_->tick(now, out_); r) port.play(out_);
    while (auto ev = audio_->poll_event())
        if (ev->report.what == media::rtp::event_report::kind::end)
            if (auto key = media::rtp::event_to_char(ev->report.event)) port.on_dtmf(*key);
    if (port.capture(in_)) {
        auto n = audio_->from_phone(in_, now, packet_);
        if (n && *n) runner_->send_rtp(packet_, *n);
    }
    // One key at a time: a key that finds the sender busy waits for the next tick.
    if (!pending_key_) pending_key_ = port.poll_key();
    if (pending_key_ && (send_dtmf(*pending_key_) || neg_.dtmf_pt == 0)) pending_key_.reset();
    while (auto n = audio_->poll_dtmf(now, packet_)) runner_->send_rtp(packet_, n);
    if (auto n = audio_->poll_rtcp(now, packet_)) runner_->send_rtcp(packet_, n);
}

void bridge_leg::close() {
    if (closed_) return;
    closed_ = true;
    if (secured_)
        if (auto n = audio_->write_bye(media::net::clock::now(), packet_)) runner_->send_rtcp(packet_, n);
    runner_->close();
    if (clock_) clock_->cancel();
}

void bridge_leg::add_sources(const std::vector<media::source>& s) {
    for (const auto& src : s)
        if (!audio_->add_source(src.ssrc)) log_.warning("bridge leg: no room to record source ", src.ssrc);
}

void bridge_leg::remove_sources(const std::vector<media::source>& s) {
    for (const auto& src : s) audio_->remove_source(src.ssrc);
}

bool bridge_leg::send_dtmf(char key) {
    auto ev = media::rtp::event_from_char(key);
    return ev && audio_->start_dtmf(*ev, std::chrono::milliseconds(160), media::net::clock::now());
}

void bridge_leg::on_secured(const media::net::secured&) {
    secured_ = true;
    secured_at_ = media::net::clock::now();
    if (auto f = std::exchange(secured_cb_, nullptr)) f();
}

void bridge_leg::on_rtp(std::span<const std::uint8_t> packet, media::net::time_point arrival) {
    last_rx_ = arrival;
    got_rtp_ = true;
    audio_->on_rtp(packet, arrival);
}

void bridge_leg::on_rtcp(std::span<const std::uint8_t> packet, media::net::time_point arrival) {
    last_rx_ = arrival;
    audio_->on_rtcp(packet, arrival);
}

std::string bridge_leg::summary() const {
    return "bridge media: " + media::pipeline::summary(audio_->stats()) + " (" + std::to_string(runner_->stats().send_errors) +
           " failed); " + std::to_string(ticks_) + " ticks, " + std::to_string(late_ticks_) + " late";
}

json::object bridge_leg::report() const {
    const auto t = runner_->transport().stats();
    const auto a = audio_->stats();
    const auto& n = runner_->stats();
    json::object o{{"port", runner_->local_port()},
                   // After close() the transport reads "failed"; say what happened instead.
                   {"transport", end_ ? end_->stage : closed_ ? std::string("closed") : std::string(media::net::to_string(t.state))},
                   {"connect_ms", t.connect_time ? t.connect_time->count() : -1},
                   {"ice_checks_sent", t.ice.checks_sent},
                   {"ice_rtt_ms", ms(t.ice.last_rtt)},
                   {"dtls_retransmissions", t.dtls_retransmissions},
                   {"srtp_auth_failures", t.srtp.auth_failures},
                   {"datagrams_in", n.datagrams_in},
                   {"datagrams_out", n.datagrams_out}};
    if (t.ice.selected) o["remote"] = t.ice.selected->remote.address.to_string();
    o["rx"] = json::object{{"packets", a.rx.packets}, {"bytes", a.rx.bytes}, {"lost", a.rx.lost},
                           {"loss_percent", a.rx.loss_percent}, {"jitter_ms", a.rx.jitter_ms},
                           {"mos", a.rx_quality.mos}};
    o["tx"] = json::object{{"packets", a.tx.packets}, {"bytes", a.tx.bytes}, {"lost", a.tx.lost},
                           {"loss_percent", a.tx.loss_percent}, {"jitter_ms", a.tx.jitter_ms}};
    o["rtt_ms"] = ms(a.rtt);
    o["streams"] = a.streams;
    o["frames_decoded"] = a.frames_decoded;
    o["frames_encoded"] = a.frames_encoded;
    o["concealed"] = a.playout.concealed;
    o["dtmf_received"] = a.dtmf_received;
    o["dtmf_sent"] = a.dtmf_sent;
    o["rtcp_received"] = a.rtcp_received;
    o["rtcp_sent"] = a.rtcp_sent;
    o["ticks"] = ticks_;
    o["late_ticks"] = late_ticks_;
    o["codec"] = "opus/" + std::to_string(neg_.opus_pt);
    return o;
}

}  // namespace jigasi::call
