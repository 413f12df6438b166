#pragma once
// One DTLS-SRTP association (RFC 6347 DTLS 1.2, RFC 5764 DTLS-SRTP, RFC 5763 fingerprints), sans-io
// over OpenSSL: datagrams in with feed(), datagrams out with pop_datagram(), time passed in, and
// what happened out with pop_event(). No sockets, no timers; the media session drives it.
//
// Usage: session::create(config) -> start(now) -> loop { send every pop_datagram(); wait for a
// datagram (feed) or next_deadline() (on_timer); handle every pop_event() } until `connected`
// (build srtp::session from connected::keys()), `failed` or `closed`.
//
// Time: OpenSSL's retransmission timer reads the real clock itself; next_deadline() is `now` plus
// what it reports left, so pass steady_clock::now(). The overall handshake limit runs on `now`.

#include "core/result.hpp"
#include "media/description.hpp"
#include "media/dtls/certificate.hpp"
#include "media/dtls/error.hpp"
#include "media/dtls/fingerprint.hpp"
#include "media/srtp/profile.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

namespace jigasi::media::dtls {

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;

/// DTLS client or server. Toward the bridge we are the client (jitsi-protocol.md §4.4).
enum class role : std::uint8_t { client, server };

/// RFC 5763 §5 / RFC 4145 §4: our a=setup active -> client, passive -> server; nullopt for
/// actpass/holdconn/none, which do not decide.
std::optional<role> role_for_setup(media::setup_role ours);
/// Our a=setup answering the peer's: actpass -> active (RFC 5763 §5 SHOULD), active -> passive,
/// passive -> active; none (no DTLS) for holdconn/none.
media::setup_role answer_setup(media::setup_role offered);

/// RFC 7983 §7: a first byte in 20..63 is DTLS (STUN is 0..3, RTP/RTCP 128..191).
bool is_dtls(std::span<const std::uint8_t> datagram);

struct config {
    dtls::role role = role::client;
    std::shared_ptr<const certificate> cert;  ///< required; usually process_certificate()
    fingerprint remote_fingerprint;           ///< from the peer's signalling; required
    /// use_srtp offer (client) or choice order (server: the server's order wins, RFC 5764 §4.1.1).
    std::vector<srtp::profile> profiles{srtp::profile::aead_aes_128_gcm,
                                        srtp::profile::aes_cm_128_hmac_sha1_80};
    std::size_t mtu = 1200;  ///< UDP payload bytes per datagram (OpenSSL fragments to it)
    /// The whole handshake, from start(), fed datagrams included.
    std::chrono::milliseconds handshake_timeout{15'000};
    /// RFC 6347 §4.2.4.1: 1 s initial timer, doubled each time (capped at 60 s).
    std::chrono::milliseconds initial_retransmit{1'000};
    unsigned max_retransmissions = 8;
    std::size_t max_handshake_datagrams = 64;  ///< received before `connected`
};

/// The handshake finished and the peer's certificate matched the signalled fingerprint.
struct connected {
    srtp::profile profile = srtp::profile::aes_cm_128_hmac_sha1_80;
    /// RFC 5764 §4.2: the exported key block split into the two write keys with their salts.
    srtp::master_key client_write;
    srtp::master_key server_write;
    dtls::role role = role::client;  ///< ours
    fingerprint peer;                ///< the verified peer certificate's
    /// Our key is the one our role writes with; the peer's the other.
    srtp::session_keys keys() const;
};
/// The handshake or the association failed; the session is finished.
struct failed {
    std::error_code code;
    std::string reason;  ///< "fingerprint mismatch: expected sha-256 AB:.. got sha-256 CD:.."
};
/// The peer sent close_notify (RFC 5246 §7.2.1); the session is finished.
struct closed {};
using event = std::variant<connected, failed, closed>;

enum class state : std::uint8_t { idle, handshaking, connected, failed, closed };

class session {
public:
    /// Fails with bad_config (no certificate, no profile, a fingerprint of the wrong length,
    /// MTU out of 256..65535) or handshake_failed if OpenSSL refuses the setup.
    static core::result<session> create(config cfg);

    session(session&&) noexcept;
    session& operator=(session&&) noexcept;
    ~session();

    /// Starts the handshake: the client queues its ClientHello, the server waits for one. Call it
    /// as soon as the transport is up: datagrams fed before are ignored, and the overall
    /// handshake_timeout counts from here.
    void start(time_point now);
    /// One received datagram. Ignored unless it is DTLS (RFC 7983) and the session is started and
    /// not finished. Records that do not parse are dropped (RFC 6347 §4.1.2.7).
    void feed(std::span<const std::uint8_t> datagram, time_point now);
    /// Call at next_deadline(): retransmits the last flight or fails the handshake.
    void on_timer(time_point now);
    /// Sends close_notify if the association is live and ends the session (no event).
    void close();

    /// When on_timer() wants to run; nullopt while nothing is pending.
    std::optional<time_point> next_deadline() const;
    /// The next datagram to send, in order.
    std::optional<std::vector<std::uint8_t>> pop_datagram();
    std::optional<event> pop_event();

    dtls::state current_state() const;
    dtls::role role() const;
    /// Retransmission timeouts handled so far (lost flights).
    unsigned retransmissions() const;

    struct impl;  ///< defined in session.cpp; named here so OpenSSL's callbacks can reach it

private:
    explicit session(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace jigasi::media::dtls
