#include "media/net/secure_transport.hpp"

#include "media/ice/demux.hpp"

#include <system_error>

namespace jigasi::media::net {

std::string_view to_string(transport_state s) {
    switch (s) {
    case transport_state::idle: return "idle";
    case transport_state::connecting: return "connecting";
    case transport_state::securing: return "securing";
    case transport_state::secured: return "secured";
    case transport_state::failed: return "failed";
    }
    return "?";
}

core::result<std::unique_ptr<secure_transport>> secure_transport::create(transport_config cfg,
                                                                         std::span<const ice::endpoint> hosts) {
    if (!cfg.cert) return core::error{std::make_error_code(std::errc::invalid_argument), "no DTLS certificate"};
    if (hosts.empty()) return core::error{std::make_error_code(std::errc::invalid_argument), "no host address"};
    auto creds = ice::make_credentials(cfg.ice.random);
    if (creds.ufrag.empty())
        return core::error{std::make_error_code(std::errc::io_error), "no random bytes for ICE credentials"};
    std::unique_ptr<secure_transport> t(new secure_transport(std::move(cfg), std::move(creds)));
    for (const auto& h : hosts) t->agent_.add_host_candidate(h);
    return t;
}

secure_transport::secure_transport(transport_config cfg, ice::credentials creds)
    : cfg_(std::move(cfg)), agent_(cfg_.ice, std::move(creds)), local_fp_(cfg_.cert->sha256()) {}

secure_transport::~secure_transport() = default;

media::ice_params secure_transport::local_ice() const {
    media::ice_params p;
    p.ufrag = agent_.local_credentials().ufrag;
    p.pwd = agent_.local_credentials().pwd;
    for (const auto& c : agent_.local_candidates())
        if (c.type != ice::candidate_type::prflx) p.candidates.push_back(ice::to_description(c));
    return p;
}

media::dtls_params secure_transport::local_dtls() const {
    // RFC 5763 §5: the answerer's a=setup fixes the roles; active = we are the DTLS client.
    return dtls::to_dtls_params(local_fp_, cfg_.dtls_role == dtls::role::client ? media::setup_role::active
                                                                                 : media::setup_role::passive);
}

std::optional<core::error> secure_transport::set_remote(const remote_transport& r) {
    auto fp = dtls::parse_fingerprint(r.dtls);
    if (!fp) return fp.error();
    if (auto e = agent_.set_remote_credentials(r.ufrag, r.pwd)) return e;
    dtls::config dc;
    dc.role = cfg_.dtls_role;
    dc.cert = cfg_.cert;
    dc.remote_fingerprint = std::move(*fp);
    dc.handshake_timeout = cfg_.dtls_timeout;
    auto s = dtls::session::create(std::move(dc));
    if (!s) return s.error();
    dtls_.emplace(std::move(*s));
    for (const auto& c : r.candidates) add_remote_candidate(c);
    return std::nullopt;
}

void secure_transport::add_remote_candidate(const media::ice_candidate& c) {
    // Unusable ones (TCP, RTCP component, mDNS) are skipped: the others may still connect.
    (void)agent_.add_remote_candidate(c);
}

void secure_transport::start(time_point now) {
    if (state_ != transport_state::idle) return;
    started_ = now;
    state_ = transport_state::connecting;
    agent_.start(now);
    // The DTLS server must listen from the start: the controlling peer may finish ICE and send its
    // ClientHello before our side has seen the nomination.
    if (dtls_ && cfg_.dtls_role == dtls::role::server) start_dtls(now);
    drain(now);
}

void secure_transport::start_dtls(time_point now) {
    if (!dtls_ || dtls_->current_state() != dtls::state::idle) return;
    dtls_->start(now);
}

inbound secure_transport::on_datagram(time_point now, const ice::endpoint& from, std::span<std::uint8_t> data) {
    inbound out;
    const auto kind = ice::classify(data);
    switch (kind) {
    case ice::packet_kind::stun:
        agent_.on_datagram(now, from, data);
        out.kind = inbound_kind::consumed;
        break;
    case ice::packet_kind::dtls:
        if (dtls_ && state_ != transport_state::failed) {
            if (!remote_) dtls_peer_ = from;
            dtls_->feed(data, now);
            out.kind = inbound_kind::consumed;
        }
        break;
    case ice::packet_kind::rtp:
    case ice::packet_kind::rtcp: {
        const bool rtcp = kind == ice::packet_kind::rtcp;
        // Media only from the selected pair's address, and only once keyed (RFC 8445 §11.2 and
        // RFC 7675: nothing from an address without consent).
        if (state_ != transport_state::secured || !srtp_ || !remote_ || from != *remote_) {
            ++counters_.dropped_before_secured;
            break;
        }
        auto n = rtcp ? srtp_->unprotect_rtcp(data) : srtp_->unprotect_rtp(data);
        if (!n) {
            ++counters_.undecryptable;
            break;
        }
        out.kind = rtcp ? inbound_kind::rtcp : inbound_kind::rtp;
        out.size = *n;
        break;
    }
    case ice::packet_kind::drop: break;
    }
    drain(now);
    return out;
}

void secure_transport::on_timer(time_point now) {
    if (auto d = agent_.next_deadline(); d && *d <= now) agent_.on_timer(now);
    if (dtls_)
        if (auto d = dtls_->next_deadline(); d && *d <= now) dtls_->on_timer(now);
    drain(now);
}

std::optional<time_point> secure_transport::next_deadline() const {
    if (state_ == transport_state::failed) return std::nullopt;
    auto a = agent_.next_deadline();
    auto b = dtls_ ? dtls_->next_deadline() : std::nullopt;
    if (a && b) return std::min(*a, *b);
    return a ? a : b;
}

std::optional<transport_action> secure_transport::poll() {
    if (actions_.empty()) return std::nullopt;
    auto a = std::move(actions_.front());
    actions_.pop_front();
    return a;
}

void secure_transport::fail(std::string stage, std::string reason) {
    if (state_ == transport_state::failed) return;
    state_ = transport_state::failed;
    remote_.reset();
    actions_.push_back(transport_failed{std::move(stage), std::move(reason)});
}

// Moves what the agent and the DTLS session want done into actions_, and advances the state.
void secure_transport::drain(time_point now) {
    while (auto a = agent_.poll()) {
        if (auto* s = std::get_if<ice::send_datagram>(&*a)) {
            auto b = s->bytes();
            actions_.push_back(send_to{s->to, {b.begin(), b.end()}});
        } else if (auto* c = std::get_if<ice::selected_pair_changed>(&*a)) {
            remote_ = c->remote.address;
        } else if (std::holds_alternative<ice::connected>(*a)) {
            if (!ice_connected_ && state_ == transport_state::connecting) {
                ice_connected_ = true;
                state_ = transport_state::securing;
                start_dtls(now);
            }
        } else if (auto* f = std::get_if<ice::failed>(&*a)) {
            fail("ice", f->reason);
        } else if (std::holds_alternative<ice::consent_lost>(*a)) {
            fail("consent", "no STUN answer from the peer for the consent timeout (RFC 7675)");
        } else if (auto* g = std::get_if<ice::local_candidate_added>(&*a)) {
            actions_.push_back(candidate_gathered{g->c});
        }
    }
    if (!dtls_) return;
    while (auto d = dtls_->pop_datagram()) {
        const auto to = remote_ ? remote_ : dtls_peer_;
        if (to && state_ != transport_state::failed) actions_.push_back(send_to{*to, std::move(*d)});
    }
    while (auto e = dtls_->pop_event()) {
        if (auto* c = std::get_if<dtls::connected>(&*e)) {
            auto s = srtp::session::create(c->keys(), cfg_.srtp);
            if (!s) {
                fail("dtls", "SRTP keys refused: " + s.error().diagnostic);
                continue;
            }
            srtp_.emplace(std::move(*s));
            if (!remote_) remote_ = dtls_peer_;
            state_ = transport_state::secured;
            counters_.connect_time = std::chrono::duration_cast<std::chrono::milliseconds>(now - started_);
            actions_.push_back(secured{c->profile, remote_.value_or(ice::endpoint{})});
        } else if (auto* f = std::get_if<dtls::failed>(&*e)) {
            fail("dtls", f->reason);
        } else if (std::holds_alternative<dtls::closed>(*e)) {
            fail("dtls", "the peer closed the DTLS association (close_notify)");
        }
    }
}

core::result<std::size_t> secure_transport::protect_rtp(std::span<std::uint8_t> buffer, std::size_t length) {
    if (state_ != transport_state::secured || !srtp_)
        return core::error{std::make_error_code(std::errc::not_connected), "transport not secured"};
    return srtp_->protect_rtp(buffer, length);
}

core::result<std::size_t> secure_transport::protect_rtcp(std::span<std::uint8_t> buffer, std::size_t length) {
    if (state_ != transport_state::secured || !srtp_)
        return core::error{std::make_error_code(std::errc::not_connected), "transport not secured"};
    return srtp_->protect_rtcp(buffer, length);
}

std::optional<ice::endpoint> secure_transport::remote() const {
    return state_ == transport_state::failed ? std::nullopt : remote_;
}

transport_stats secure_transport::stats() const {
    auto s = counters_;
    s.state = state_;
    s.ice = agent_.stats();
    if (dtls_) s.dtls_retransmissions = dtls_->retransmissions();
    if (srtp_) s.srtp = srtp_->stats();
    return s;
}

void secure_transport::close() {
    if (dtls_) {
        dtls_->close();
        while (auto d = dtls_->pop_datagram())
            if (remote_) actions_.push_back(send_to{*remote_, std::move(*d)});
    }
    agent_.close();
    if (state_ != transport_state::failed) state_ = transport_state::failed;
}

}  // namespace jigasi::media::net
