#pragma once
// The secure media transport of one leg toward a WebRTC peer (the Jitsi bridge): ICE, DTLS-SRTP
// and SRTP on the call's one UDP port (BUNDLE + rtcp-mux, RFC 8843/5761), demultiplexed by the
// first byte (RFC 7983). Sans-io (house style 1): the socket glue (udp_leg) feeds datagrams and
// time, sends what poll() gives it, and arms one timer at next_deadline().
//
//   create -> local_description() for the answer -> set_remote() (offer's ufrag/pwd, candidates,
//   fingerprint) -> start() -> ICE connected -> DTLS handshake on the selected pair (we are the
//   client toward the bridge, jitsi-protocol.md §4.4) -> fingerprint verified -> SRTP keys ->
//   `secured`; from then on on_datagram() hands back decrypted RTP/RTCP in place and protect_*()
//   encrypts what we send.
#include "core/result.hpp"
#include "media/description.hpp"
#include "media/dtls/certificate.hpp"
#include "media/dtls/fingerprint.hpp"
#include "media/dtls/session.hpp"
#include "media/ice/agent.hpp"
#include "media/srtp/session.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace jigasi::media::net {

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;

struct transport_config {
    ice::agent_config ice;                          ///< controlled toward the bridge
    dtls::role dtls_role = dtls::role::client;      ///< client toward the bridge (§4.4)
    std::shared_ptr<const dtls::certificate> cert;  ///< required
    std::chrono::milliseconds dtls_timeout{15'000};
    srtp::session_options srtp;
};

/// What the offer said about the peer's transport.
struct remote_transport {
    std::string ufrag, pwd;
    std::vector<media::ice_candidate> candidates;
    media::dtls_params dtls;
};

// --- what poll() returns ---
/// Send these bytes to `to` from the call's socket.
struct send_to {
    ice::endpoint to;
    std::vector<std::uint8_t> bytes;
};
/// DTLS finished and the peer's fingerprint matched: RTP may flow both ways.
struct secured {
    srtp::profile profile;
    ice::endpoint remote;  ///< where media goes
};
/// The transport is finished (ICE failed, DTLS failed or closed, consent lost). `stage` says which
/// layer: "ice", "dtls", "consent".
struct transport_failed {
    std::string stage;
    std::string reason;
};
/// The local candidates changed (a server-reflexive one was gathered): trickle it if wanted.
struct candidate_gathered {
    ice::candidate c;
};
using transport_action = std::variant<send_to, secured, transport_failed, candidate_gathered>;

/// What a datagram turned out to be. rtp/rtcp: the buffer now holds the plaintext packet of `size`.
enum class inbound_kind : std::uint8_t { consumed, rtp, rtcp, dropped };
struct inbound {
    inbound_kind kind = inbound_kind::dropped;
    std::size_t size = 0;
};

enum class transport_state : std::uint8_t { idle, connecting, securing, secured, failed };
std::string_view to_string(transport_state s);

struct transport_stats {
    transport_state state = transport_state::idle;
    ice::agent_stats ice;
    unsigned dtls_retransmissions = 0;
    srtp::session_stats srtp;
    std::uint64_t dropped_before_secured = 0;  ///< RTP/RTCP before keys, or from an unknown address
    std::uint64_t undecryptable = 0;           ///< SRTP auth failures, replays, malformed
    std::optional<std::chrono::milliseconds> connect_time;  ///< start() -> secured
};

class secure_transport {
public:
    /// `host_addresses` are the socket's addresses with its port (host candidates); at least one.
    static core::result<std::unique_ptr<secure_transport>> create(transport_config cfg,
                                                                  std::span<const ice::endpoint> host_addresses);
    ~secure_transport();
    secure_transport(const secure_transport&) = delete;
    secure_transport& operator=(const secure_transport&) = delete;

    /// Our side for the answer: ufrag, pwd, host candidates, fingerprint with a=setup for our role.
    media::ice_params local_ice() const;
    media::dtls_params local_dtls() const;

    /// The offer's transport. Errors: a bad or unsupported fingerprint, missing ICE credentials.
    /// Candidates the agent cannot use (TCP, mDNS, IPv6 without a v6 socket) are skipped.
    std::optional<core::error> set_remote(const remote_transport& r);
    /// A trickled candidate (transport-info).
    void add_remote_candidate(const media::ice_candidate& c);

    void start(time_point now);
    /// One datagram received on the socket. `data` may be rewritten (SRTP decrypts in place).
    inbound on_datagram(time_point now, const ice::endpoint& from, std::span<std::uint8_t> data);
    void on_timer(time_point now);
    std::optional<time_point> next_deadline() const;
    std::optional<transport_action> poll();

    /// Encrypts an RTP (or RTCP) packet in buffer[0, length) in place for sending to remote();
    /// the buffer needs srtp_overhead() spare bytes. Fails before `secured`.
    core::result<std::size_t> protect_rtp(std::span<std::uint8_t> buffer, std::size_t length);
    core::result<std::size_t> protect_rtcp(std::span<std::uint8_t> buffer, std::size_t length);
    static constexpr std::size_t srtp_overhead = 16 + 4 + 4;  ///< GCM tag / SRTCP index + tag, MKI none

    /// Where media goes (the selected pair's remote); nullopt before ICE connected or after failure.
    std::optional<ice::endpoint> remote() const;
    transport_state state() const { return state_; }
    transport_stats stats() const;
    /// Ends ICE and sends DTLS close_notify if secured.
    void close();

private:
    secure_transport(transport_config cfg, ice::credentials creds);
    void drain(time_point now);
    void fail(std::string stage, std::string reason);
    void start_dtls(time_point now);

    transport_config cfg_;
    ice::agent agent_;
    std::optional<dtls::session> dtls_;
    std::optional<srtp::session> srtp_;
    dtls::fingerprint local_fp_;
    std::optional<ice::endpoint> remote_;   ///< the selected pair's remote
    std::optional<ice::endpoint> dtls_peer_;  ///< where DTLS goes before a pair is selected (server role)
    std::deque<transport_action> actions_;
    transport_state state_ = transport_state::idle;
    time_point started_{};
    transport_stats counters_;
    bool ice_connected_ = false;
};

}  // namespace jigasi::media::net
