#pragma once
// Conference-call counters behind the jigasi_ng_call_* and jigasi_ng_rtp_* metrics
// (docs/metrics.md): attempts by outcome, the setup-latency histogram, RTP traffic per leg. The
// call layer writes, the metrics collector reads at scrape time; nothing here knows about either.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace jigasi::core {

enum class call_direction : std::uint8_t { in, out };
enum class media_leg : std::uint8_t { bridge, phone };

const char* to_string(call_direction d);
const char* to_string(media_leg l);

/// A fixed-bucket histogram of seconds (Prometheus semantics: cumulative at read time).
class seconds_histogram {
public:
    static constexpr std::array<double, 11> bounds = {0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5, 10, 30};
    void observe(double seconds);
    struct snapshot_type {
        std::array<std::uint64_t, bounds.size()> cumulative{};  ///< observations <= bounds[i]
        std::uint64_t count = 0;
        double sum = 0;
    };
    snapshot_type snapshot() const;

private:
    std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets_{};  ///< last: above every bound
    std::atomic<std::uint64_t> sum_us_{0};
};

class call_stats {
public:
    /// A call ended: `result` and `reason` are short fixed words (call/call_registry.cpp lists them),
    /// so the label sets stay bounded.
    void attempt(call_direction d, std::string_view result, std::string_view reason);
    /// Setup latency: INVITE (dial-in) or dial (dial-out) until audio flows both ways.
    void setup(call_direction d, double seconds) { setup_[static_cast<int>(d)].observe(seconds); }
    /// Jitter a leg saw over a whole call (its worst stream, at the end).
    void jitter(media_leg l, double seconds) { jitter_[static_cast<int>(l)].observe(seconds); }
    /// RTP since the last call of this: added live (once a second) by each call's media.
    void rtp(media_leg l, std::uint64_t rx_packets, std::uint64_t tx_packets, std::uint64_t rx_lost);
    void media_timeout(media_leg l) { ++media_timeouts_[static_cast<int>(l)]; }
    void active(call_direction d, std::int64_t delta) { active_[static_cast<int>(d)] += delta; }

    using attempt_key = std::tuple<std::string, std::string, std::string>;  ///< direction, result, reason
    std::map<attempt_key, std::uint64_t> attempts() const;
    seconds_histogram::snapshot_type setup(call_direction d) const { return setup_[static_cast<int>(d)].snapshot(); }
    seconds_histogram::snapshot_type jitter(media_leg l) const { return jitter_[static_cast<int>(l)].snapshot(); }
    struct rtp_counts {
        std::uint64_t rx = 0, tx = 0, lost = 0, timeouts = 0;
    };
    rtp_counts rtp(media_leg l) const;
    std::int64_t active(call_direction d) const { return active_[static_cast<int>(d)].load(std::memory_order_relaxed); }

private:
    mutable std::mutex mu_;
    std::map<attempt_key, std::uint64_t> attempts_;
    std::array<seconds_histogram, 2> setup_, jitter_;
    std::array<std::atomic<std::uint64_t>, 2> rx_{}, tx_{}, lost_{}, media_timeouts_{};
    std::array<std::atomic<std::int64_t>, 2> active_{};
};

}  // namespace jigasi::core
