#pragma once
// One SRTP/SRTCP session over libsrtp2 (RFC 3711, RFC 7714 AES-GCM): an outbound context keyed
// with our master key for any SSRC we send, an inbound context keyed with the peer's for any SSRC
// it sends. No I/O: packets are transformed in place in the caller's buffer, so the media hot
// path allocates nothing (libsrtp allocates once per new SSRC, after that SSRC authenticated).
//
// Usage: session::create(keys) -> protect_rtp()/protect_rtcp() before sending, with
// rtp_overhead()/rtcp_overhead() bytes of room after the packet -> unprotect_rtp()/
// unprotect_rtcp() on receipt. auth_failed and replay are normal on a real network: drop the
// packet; they are counted in stats(). Not thread-safe: one session belongs to one call strand.

#include "core/result.hpp"
#include "media/srtp/error.hpp"
#include "media/srtp/profile.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <system_error>

struct srtp_ctx_t_;  // libsrtp's session, kept out of this header

namespace jigasi::media::srtp {

/// srtp_init() exactly once per process (std::call_once); session::create() calls it. Returns
/// library_failure if libsrtp could not initialise (its self-tests failed).
std::error_code initialize();

struct session_options {
    /// RFC 3711 §3.3.2 replay window in packets (libsrtp: 64..32767). Bursty bridge streams and
    /// jitter reorder more than the default 128 allows.
    std::size_t replay_window = 1024;
    /// Let protect_rtp() send the same sequence number twice (a retransmission of the identical
    /// packet). Off: a repeat is refused as a replay, the safe default (RFC 3711 §9.1).
    bool allow_repeat_tx = false;
};

/// Counters for metrics and the "no media" diagnosis; only grow.
struct session_stats {
    std::uint64_t rtp_protected = 0;
    std::uint64_t rtcp_protected = 0;
    std::uint64_t rtp_unprotected = 0;
    std::uint64_t rtcp_unprotected = 0;
    std::uint64_t auth_failures = 0;  ///< inbound packets whose tag did not verify
    std::uint64_t replays = 0;        ///< inbound packets refused by the replay check
    std::uint64_t malformed = 0;      ///< inbound packets too short or not version 2
};

class session {
public:
    /// Fails with bad_key for a key of the wrong length, library_failure if libsrtp refuses.
    static core::result<session> create(const session_keys& keys,
                                        const session_options& options = {});

    session(session&&) noexcept;
    session& operator=(session&&) noexcept;
    ~session();

    /// Encrypts and authenticates the RTP packet in buffer[0, length) in place; returns the
    /// SRTP length. buffer.size() must be at least length + rtp_overhead().
    core::result<std::size_t> protect_rtp(std::span<std::uint8_t> buffer, std::size_t length);
    /// Same for an RTCP compound packet (adds the SRTCP index and tag, RFC 3711 §3.4).
    core::result<std::size_t> protect_rtcp(std::span<std::uint8_t> buffer, std::size_t length);

    /// Verifies and decrypts the SRTP packet in place; returns the RTP length. Errors:
    /// auth_failed, replay, malformed (counted in stats()).
    core::result<std::size_t> unprotect_rtp(std::span<std::uint8_t> packet);
    core::result<std::size_t> unprotect_rtcp(std::span<std::uint8_t> packet);

    std::size_t rtp_overhead() const { return rtp_overhead_; }
    std::size_t rtcp_overhead() const { return rtcp_overhead_; }
    profile outbound_profile() const { return out_profile_; }
    profile inbound_profile() const { return in_profile_; }
    const session_stats& stats() const { return stats_; }

private:
    struct ctx_deleter {
        void operator()(srtp_ctx_t_* ctx) const noexcept;
    };
    using ctx_ptr = std::unique_ptr<srtp_ctx_t_, ctx_deleter>;

    session(ctx_ptr out, ctx_ptr in, profile out_profile, profile in_profile);
    core::result<std::size_t> inbound_failure(int status);

    ctx_ptr out_;
    ctx_ptr in_;
    profile out_profile_;
    profile in_profile_;
    std::size_t rtp_overhead_;
    std::size_t rtcp_overhead_;
    session_stats stats_;
};

}  // namespace jigasi::media::srtp
