#pragma once
// Process metrics in the names every Prometheus client library uses (process_*), read from /proc.

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace jigasi::metrics {

class process_collector final : public prometheus::Collectable {
public:
    std::vector<prometheus::MetricFamily> Collect() const override;
};

/// Values read from /proc/self; zero where a file cannot be read.
struct process_sample {
    double cpu_seconds = 0, start_time_seconds = 0;
    double resident_bytes = 0, virtual_bytes = 0;
    double open_fds = 0, max_fds = 0, threads = 0;
};
process_sample sample_process();

}  // namespace jigasi::metrics
