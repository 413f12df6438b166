#pragma once
// What a leg's audio pipeline counts, for the admin API, the metrics and the media timeout. Plain
// aggregates: stats() fills one on demand, nothing is computed per packet beyond the counters.

#include "media/rtp/call_quality.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace jigasi::media::pipeline {

using clock = std::chrono::steady_clock;

/// The steady clock instant that corresponds to a wall-clock instant: RTCP carries NTP wall-clock
/// times (RFC 3550 §4), the pipeline is only ever given steady time points. The call takes both
/// once, when it starts; with the default (both epochs) NTP times are still consistent, so RTT
/// works, but an SR's wall-clock time is meaningless.
struct clock_anchor {
    clock::time_point steady{};
    std::chrono::system_clock::time_point wall{};
};

/// One direction of a leg.
struct direction_stats {
    std::uint64_t packets = 0;  ///< RTP packets (audio and telephone-events)
    std::uint64_t bytes = 0;    ///< their payload bytes
    /// Received: our RFC 3550 A.3 count over all streams. Sent: the peer's last cumulative count.
    std::int64_t lost = 0;
    double loss_percent = 0;  ///< received: lost / expected; sent: the peer's last fraction lost
    double jitter_ms = 0;     ///< received: the worst stream's A.8 jitter; sent: the peer's
};

/// Packets refused before they reached a jitter buffer (each is also never thrown about).
struct drop_stats {
    std::uint64_t malformed = 0;    ///< RTP/RTCP that does not parse, empty payloads, bad events
    std::uint64_t unknown_pt = 0;   ///< a payload type this leg did not negotiate (CN, video, ...)
    std::uint64_t looped = 0;       ///< carrying our own SSRC
    std::uint64_t no_stream = 0;    ///< a new SSRC while every stream slot is busy
    std::uint64_t decode_errors = 0;///< payloads the decoder refused (concealed instead)
};

/// The jitter buffers' counters, summed over every stream of the leg.
struct playout_stats {
    std::uint64_t late = 0;
    std::uint64_t concealed = 0;  ///< conceal and FEC frames
    std::uint64_t fec = 0;        ///< of which recovered from Opus in-band FEC
    std::uint64_t discarded = 0;  ///< overflow, stale at a restart, delay shrinking
    std::uint32_t delay_ms = 0;   ///< the largest current jitter-buffer delay
};

struct leg_stats {
    direction_stats rx;
    direction_stats tx;
    /// RFC 3550 §6.4.1 round trip from the peer's last report block about our stream.
    std::optional<std::chrono::microseconds> rtt;
    rtp::quality_estimate rx_quality;  ///< E-model of what we receive
    rtp::quality_estimate tx_quality;  ///< E-model of what the peer says it receives
    drop_stats drops;
    playout_stats playout;
    std::uint64_t frames_decoded = 0;  ///< decoder calls (frame, FEC, PLC): the codec work done
    std::uint64_t frames_encoded = 0;
    std::size_t streams = 0;           ///< incoming SSRCs held now
    std::uint64_t evictions = 0;       ///< streams that gave their place to a new SSRC
    std::uint64_t dtmf_received = 0;   ///< events (start reports) from the peer
    std::uint64_t dtmf_sent = 0;       ///< events started toward the peer
    std::uint64_t rtcp_received = 0;
    std::uint64_t rtcp_sent = 0;
};

/// For the log at a leg's end: "received 850 packets (0 lost, 0 late, 2 frames concealed), sent 848".
std::string summary(const leg_stats& s);

}  // namespace jigasi::media::pipeline
