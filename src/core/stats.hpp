#pragma once
// Gateway-wide counters and gauges behind /about/stats (Jigasi's field names, jitsi-protocol.md §6.1),
// /stats (Jigate's keys) and the jitsi_jigasi_* metrics. The call layer updates them; readers take a
// consistent-enough snapshot of relaxed atomics (each value is exact, the set is not a transaction).

#include "core/call_stats.hpp"
#include "core/registration_stats.hpp"

#include <array>
#include <atomic>
#include <cstdint>

namespace jigasi::core {

/// Jigasi reports conference sizes in 22 buckets, index = members minus focus (last bucket = 21+).
inline constexpr std::size_t conference_size_buckets = 22;

struct stats_snapshot {
    std::uint64_t conferences = 0, participants = 0, active_calls = 0, registrations = 0;
    std::array<std::uint64_t, conference_size_buckets> conference_sizes{};
    bool graceful_shutdown = false;
    std::uint64_t total_conferences_completed = 0, total_participants = 0,
                  total_conference_seconds = 0, total_calls_with_dropped_media = 0,
                  total_count_dropped_media = 0, total_calls_with_connection_failed = 0,
                  total_calls_with_sip_call_waiting = 0, total_calls_with_sip_call_reconnected = 0,
                  total_calls_with_jvb_migrate = 0, total_calls_jvb_no_media = 0,
                  total_calls_no_heartbeat_response = 0;
};

class gateway_stats {
public:
    std::atomic<std::uint64_t> conferences{0}, participants{0}, active_calls{0}, registrations{0};
    std::array<std::atomic<std::uint64_t>, conference_size_buckets> conference_sizes{};
    std::atomic<bool> graceful_shutdown{false};
    std::atomic<std::uint64_t> total_conferences_completed{0}, total_participants{0},
        total_conference_seconds{0}, total_calls_with_dropped_media{0},
        total_count_dropped_media{0}, total_calls_with_connection_failed{0},
        total_calls_with_sip_call_waiting{0}, total_calls_with_sip_call_reconnected{0},
        total_calls_with_jvb_migrate{0}, total_calls_jvb_no_media{0},
        total_calls_no_heartbeat_response{0};
    registration_stats sip_accounts;  ///< upstream registrations, per account (not in the snapshot)
    call_stats calls;                 ///< conference calls: attempts, setup latency, RTP (not in the snapshot)

    /// The SIP user agent's traffic (sip/user_agent.cpp); read directly by the metrics collector.
    struct sip_counters {
        std::atomic<std::uint64_t> requests{0}, invites{0}, invites_refused{0}, invites_not_found{0},
            registers_accepted{0}, registers_refused{0}, bad_input{0}, echo_calls{0}, echo_calls_active{0};
    } sip;

    stats_snapshot snapshot() const;
};

}  // namespace jigasi::core
