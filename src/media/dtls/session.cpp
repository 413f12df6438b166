#include "media/dtls/session.hpp"

#include "media/dtls/openssl.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/srtp.h>

#include <algorithm>
#include <array>
#include <deque>

namespace jigasi::media::dtls {

std::optional<role> role_for_setup(media::setup_role ours) {
    if (ours == media::setup_role::active) return role::client;
    if (ours == media::setup_role::passive) return role::server;
    return std::nullopt;
}

media::setup_role answer_setup(media::setup_role offered) {
    switch (offered) {
    case media::setup_role::actpass:
    case media::setup_role::passive: return media::setup_role::active;
    case media::setup_role::active: return media::setup_role::passive;
    default: return media::setup_role::none;
    }
}

bool is_dtls(std::span<const std::uint8_t> datagram) {
    return !datagram.empty() && datagram[0] >= 20 && datagram[0] <= 63;
}

srtp::session_keys connected::keys() const {
    return role == role::client ? srtp::session_keys{client_write, server_write}
                                : srtp::session_keys{server_write, client_write};
}

namespace {

// RFC 5764 §4.2: the exporter label for DTLS-SRTP keys.
constexpr std::string_view exporter_label = "EXTRACTOR-dtls_srtp";
constexpr unsigned max_timer_us = 60'000'000;  // RFC 6347 §4.2.4.1: at least 60 s allowed
constexpr std::size_t max_datagram = 65535;

core::error config_error(std::string diagnostic) {
    return core::error{make_error_code(errc::bad_config), std::move(diagnostic)};
}

}  // namespace

struct session::impl {
    config cfg;
    detail::ssl_ctx_ptr ctx;
    detail::ssl_ptr ssl;
    BIO* rbio = nullptr;  // owned by ssl
    detail::datagram_queue out;
    std::deque<event> events;
    dtls::state st = state::idle;
    time_point handshake_deadline{};
    std::optional<time_point> retransmit_at;
    unsigned retransmissions = 0;
    std::size_t datagrams_in = 0;
    std::string verify_failure;  // set by verify_peer, read when the handshake fails

    // RFC 5763 §5: self-signed certificates are expected; what authenticates the peer is its
    // certificate's fingerprint matching the signalled one. Only the end-entity certificate (depth
    // 0) is the one the fingerprint names (RFC 8122 §5); chain errors are irrelevant.
    static int verify_peer(int, X509_STORE_CTX* store) {
        if (X509_STORE_CTX_get_error_depth(store) != 0) {
            X509_STORE_CTX_set_error(store, X509_V_OK);
            return 1;
        }
        auto* ssl = static_cast<SSL*>(
            X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
        auto* self = static_cast<impl*>(SSL_get_app_data(ssl));
        if (self == nullptr) return 0;
        if (auto reason = self->check_fingerprint(X509_STORE_CTX_get_current_cert(store))) {
            self->verify_failure = std::move(*reason);
            // Fails the handshake; CERT_REJECTED makes the alert bad_certificate, not unknown_ca.
            X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
            return 0;
        }
        X509_STORE_CTX_set_error(store, X509_V_OK);
        return 1;
    }

    // OpenSSL asks for the next retransmission timeout: our initial value, doubled (RFC 6347
    // §4.2.4.1). Without it the first timeout is a fixed 1 s.
    static unsigned int next_timeout(SSL* ssl, unsigned int previous_us) {
        const auto* self = static_cast<const impl*>(SSL_get_app_data(ssl));
        if (previous_us == 0) {
            const auto us = std::chrono::microseconds(self->cfg.initial_retransmit).count();
            return static_cast<unsigned>(std::clamp<long long>(us, 1000, max_timer_us));
        }
        return std::min(previous_us * 2, max_timer_us);
    }

    /// nullopt if `cert` is the signalled one, else why not.
    std::optional<std::string> check_fingerprint(const X509* cert) const {
        const auto& expected = cfg.remote_fingerprint;
        auto got = fingerprint_of(cert, expected.hash);
        if (!got) return "cannot digest the peer certificate";
        if (*got == expected) return std::nullopt;
        return "fingerprint mismatch: expected " + describe(expected) + " got " + describe(*got);
    }

    void fail(errc e, std::string reason) {
        if (st == state::failed || st == state::closed) return;
        st = state::failed;
        retransmit_at.reset();
        events.push_back(failed{make_error_code(e), std::move(reason)});
    }

    void fail_handshake() {
        if (!verify_failure.empty()) {
            ERR_clear_error();
            fail(errc::fingerprint_mismatch, verify_failure);
        } else {
            fail(errc::handshake_failed, detail::openssl_error("DTLS handshake failed"));
        }
    }

    void update_timer(time_point now) {
        timeval tv{};
        if (ssl && DTLSv1_get_timeout(ssl.get(), &tv) == 1)
            retransmit_at =
                now + std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
        else
            retransmit_at.reset();
    }

    void drive(time_point now) {
        ERR_clear_error();
        const int r = SSL_do_handshake(ssl.get());
        if (r == 1) {
            handshake_done();
        } else {
            const int e = SSL_get_error(ssl.get(), r);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) return fail_handshake();
        }
        if (st == state::handshaking || st == state::connected) update_timer(now);
    }

    void handshake_done() {
        // Verified in verify_peer already; checked again here because a handshake without a
        // certificate never calls it (FAIL_IF_NO_PEER_CERT covers the server side only).
        const X509* peer = SSL_get0_peer_certificate(ssl.get());
        if (peer == nullptr) return fail(errc::no_peer_certificate, "peer sent no certificate");
        if (auto reason = check_fingerprint(peer)) return fail(errc::fingerprint_mismatch, *reason);

        const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl.get());
        const auto profile = selected ? srtp::from_dtls_id(static_cast<std::uint32_t>(selected->id))
                                      : std::nullopt;
        if (!profile)
            return fail(errc::no_srtp_profile, "no use_srtp profile in common (RFC 5764 §4.1.1)");

        // RFC 5764 §4.2: client key | server key | client salt | server salt.
        const auto k = srtp::key_length(*profile);
        const auto s = srtp::salt_length(*profile);
        std::array<std::uint8_t, 2 * srtp::max_master_length> block{};
        const auto n = 2 * (k + s);
        if (SSL_export_keying_material(ssl.get(), block.data(), n, exporter_label.data(),
                                       exporter_label.size(), nullptr, 0, 0) != 1)
            return fail(errc::key_export_failed,
                        detail::openssl_error("SSL_export_keying_material"));
        const std::span<const std::uint8_t> m(block.data(), n);

        connected c;
        c.profile = *profile;
        c.client_write = srtp::master_key(*profile, m.subspan(0, k), m.subspan(2 * k, s));
        c.server_write = srtp::master_key(*profile, m.subspan(k, k), m.subspan(2 * k + s, s));
        OPENSSL_cleanse(block.data(), block.size());
        c.role = cfg.role;
        c.peer = *fingerprint_of(peer, cfg.remote_fingerprint.hash);
        st = state::connected;
        events.emplace_back(std::move(c));
    }

    // After the handshake: alerts (close_notify, fatal ones) and the peer's retransmitted last
    // flight, to which OpenSSL answers with ours again. Application data is read and dropped.
    void read_records() {
        std::array<std::uint8_t, 2048> sink{};
        for (int i = 0; i < 64; ++i) {
            ERR_clear_error();
            const int r = SSL_read(ssl.get(), sink.data(), static_cast<int>(sink.size()));
            if (r > 0) continue;
            const int e = SSL_get_error(ssl.get(), r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
            if (e == SSL_ERROR_ZERO_RETURN) {
                SSL_shutdown(ssl.get());  // our close_notify in reply
                st = state::closed;
                retransmit_at.reset();
                events.emplace_back(closed{});
                return;
            }
            return fail(errc::connection_failed, detail::openssl_error("DTLS connection failed"));
        }
    }
};

core::result<session> session::create(config cfg) {
    if (!cfg.cert) return config_error("no certificate");
    if (cfg.profiles.empty()) return config_error("no SRTP profile");
    const auto& fp = cfg.remote_fingerprint;
    if (fp.digest.size() != digest_length(fp.hash))
        return config_error("remote fingerprint is not a " + std::string(hash_name(fp.hash)) +
                            " digest");
    if (cfg.mtu < 256 || cfg.mtu > max_datagram) return config_error("MTU out of 256..65535");

    auto p = std::make_unique<impl>();
    p->cfg = std::move(cfg);
    auto openssl_fail = [](std::string_view what) {
        return core::error{make_error_code(errc::handshake_failed), detail::openssl_error(what)};
    };
    ERR_clear_error();
    p->ctx.reset(SSL_CTX_new(DTLS_method()));
    if (!p->ctx) return openssl_fail("SSL_CTX_new");
    SSL_CTX* ctx = p->ctx.get();
    // RFC 8827 §6.5: DTLS 1.2 at least. No tickets, no session cache, no renegotiation: one
    // handshake per association, each verified against its own signalling.
    SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_QUERY_MTU);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (SSL_CTX_use_certificate(ctx, p->cfg.cert->x509()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, p->cfg.cert->private_key()) != 1)
        return openssl_fail("our certificate");
    // Both sides present certificates (RFC 5763 §5): the server asks and insists.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &impl::verify_peer);
    std::string profiles;
    for (auto prof : p->cfg.profiles) {
        if (!profiles.empty()) profiles += ':';
        profiles += srtp::dtls_name(prof);
    }
    if (SSL_CTX_set_tlsext_use_srtp(ctx, profiles.c_str()) != 0)  // 0 is success here
        return openssl_fail("use_srtp " + profiles);

    p->ssl.reset(SSL_new(ctx));
    if (!p->ssl) return openssl_fail("SSL_new");
    SSL* ssl = p->ssl.get();
    SSL_set_app_data(ssl, p.get());
    p->rbio = BIO_new(BIO_s_mem());
    BIO* wbio = detail::make_datagram_bio(&p->out);
    if (p->rbio == nullptr || wbio == nullptr) {
        BIO_free(p->rbio);
        BIO_free(wbio);
        return openssl_fail("BIO_new");
    }
    BIO_set_mem_eof_return(p->rbio, -1);  // empty means "wait for more", not end of stream
    SSL_set_bio(ssl, p->rbio, wbio);
    // A memory BIO cannot report a path MTU: fix it (NO_QUERY_MTU above keeps OpenSSL from
    // lowering it to the BIO's answer, 0, after two timeouts).
    SSL_set_mtu(ssl, static_cast<long>(p->cfg.mtu));
    DTLS_set_timer_cb(ssl, &impl::next_timeout);
    if (p->cfg.role == role::client)
        SSL_set_connect_state(ssl);
    else
        SSL_set_accept_state(ssl);
    return session(std::move(p));
}

session::session(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
session::session(session&&) noexcept = default;
session& session::operator=(session&&) noexcept = default;
session::~session() = default;

void session::start(time_point now) {
    auto& s = *impl_;
    if (s.st != state::idle) return;
    s.st = state::handshaking;
    s.handshake_deadline = now + s.cfg.handshake_timeout;
    s.drive(now);
}

void session::feed(std::span<const std::uint8_t> datagram, time_point now) {
    auto& s = *impl_;
    if (!is_dtls(datagram) || datagram.size() > max_datagram) return;
    if (s.st == state::handshaking && now >= s.handshake_deadline) return on_timer(now);
    if (s.st == state::handshaking && ++s.datagrams_in > s.cfg.max_handshake_datagrams)
        return s.fail(errc::too_many_datagrams,
                      "more than " + std::to_string(s.cfg.max_handshake_datagrams) +
                          " datagrams without completing the handshake");
    if (s.st != state::handshaking && s.st != state::connected) return;
    // One datagram at a time: whatever OpenSSL left of the previous one is stale.
    (void)BIO_reset(s.rbio);
    if (BIO_write(s.rbio, datagram.data(), static_cast<int>(datagram.size())) <= 0) return;
    if (s.st == state::handshaking)
        s.drive(now);
    else
        s.read_records();
}

void session::on_timer(time_point now) {
    auto& s = *impl_;
    if (s.st != state::handshaking && s.st != state::connected) return;
    if (s.st == state::handshaking && now >= s.handshake_deadline)
        return s.fail(errc::timeout,
                      "DTLS handshake not complete after " +
                          std::to_string(s.cfg.handshake_timeout.count()) + " ms");
    timeval tv{};
    const bool expired =
        DTLSv1_get_timeout(s.ssl.get(), &tv) == 1 && tv.tv_sec == 0 && tv.tv_usec == 0;
    if (expired) {
        if (s.retransmissions >= s.cfg.max_retransmissions)
            return s.fail(errc::too_many_retransmissions,
                          "no answer after " + std::to_string(s.retransmissions) +
                              " retransmissions");
        ERR_clear_error();
        const int r = DTLSv1_handle_timeout(s.ssl.get());
        if (r < 0) return s.fail_handshake();
        if (r > 0) ++s.retransmissions;
    }
    s.update_timer(now);
}

void session::close() {
    auto& s = *impl_;
    if (s.st == state::handshaking || s.st == state::connected) {
        ERR_clear_error();
        SSL_shutdown(s.ssl.get());
        ERR_clear_error();
    }
    if (s.st != state::failed) s.st = state::closed;
    s.retransmit_at.reset();
}

std::optional<time_point> session::next_deadline() const {
    const auto& s = *impl_;
    if (s.st == state::handshaking)
        return s.retransmit_at ? std::min(*s.retransmit_at, s.handshake_deadline)
                               : s.handshake_deadline;
    if (s.st == state::connected) return s.retransmit_at;
    return std::nullopt;
}

std::optional<std::vector<std::uint8_t>> session::pop_datagram() {
    auto& q = impl_->out.datagrams;
    if (q.empty()) return std::nullopt;
    auto d = std::move(q.front());
    q.pop_front();
    return d;
}

std::optional<event> session::pop_event() {
    auto& q = impl_->events;
    if (q.empty()) return std::nullopt;
    auto e = std::move(q.front());
    q.pop_front();
    return e;
}

dtls::state session::current_state() const { return impl_->st; }
dtls::role session::role() const { return impl_->cfg.role; }
unsigned session::retransmissions() const { return impl_->retransmissions; }

}  // namespace jigasi::media::dtls
