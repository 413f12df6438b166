#include "core/stats.hpp"

namespace jigasi::core {

stats_snapshot gateway_stats::snapshot() const {
    constexpr auto r = std::memory_order_relaxed;
    stats_snapshot s;
    s.conferences = conferences.load(r);
    s.participants = participants.load(r);
    s.active_calls = active_calls.load(r);
    s.registrations = registrations.load(r);
    for (std::size_t i = 0; i < conference_size_buckets; ++i)
        s.conference_sizes[i] = conference_sizes[i].load(r);
    s.graceful_shutdown = graceful_shutdown.load(r);
    s.total_conferences_completed = total_conferences_completed.load(r);
    s.total_participants = total_participants.load(r);
    s.total_conference_seconds = total_conference_seconds.load(r);
    s.total_calls_with_dropped_media = total_calls_with_dropped_media.load(r);
    s.total_count_dropped_media = total_count_dropped_media.load(r);
    s.total_calls_with_connection_failed = total_calls_with_connection_failed.load(r);
    s.total_calls_with_sip_call_waiting = total_calls_with_sip_call_waiting.load(r);
    s.total_calls_with_sip_call_reconnected = total_calls_with_sip_call_reconnected.load(r);
    s.total_calls_with_jvb_migrate = total_calls_with_jvb_migrate.load(r);
    s.total_calls_jvb_no_media = total_calls_jvb_no_media.load(r);
    s.total_calls_no_heartbeat_response = total_calls_no_heartbeat_response.load(r);
    return s;
}

}  // namespace jigasi::core
