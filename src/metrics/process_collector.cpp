#include "metrics/process_collector.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace jigasi::metrics {
namespace {

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type,
                                double value) {
    prometheus::MetricFamily f{std::move(name), std::move(help), type, {}};
    prometheus::ClientMetric m;
    if (type == prometheus::MetricType::Counter) m.counter.value = value;
    else m.gauge.value = value;
    f.metric.push_back(std::move(m));
    return f;
}

double boot_time_seconds() {
    std::ifstream in("/proc/stat");
    std::string key;
    double value = 0;
    while (in >> key) {
        if (key == "btime") {
            in >> value;
            return value;
        }
        in.ignore(1 << 16, '\n');
    }
    return 0;
}

}  // namespace

process_sample sample_process() {
    process_sample s;
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));

    // proc(5): the command name (field 2) may hold spaces; fields after the last ')' are plain.
    std::ifstream stat("/proc/self/stat");
    std::string line;
    if (std::getline(stat, line)) {
        const auto close = line.rfind(')');
        if (close != std::string::npos) {
            std::istringstream rest(line.substr(close + 2));
            std::string field;
            // rest starts at field 3 (state); utime=14 stime=15 num_threads=20 starttime=22
            // vsize=23 rss=24.
            double v[25] = {};
            for (int i = 3; i <= 24 && rest >> field; ++i) v[i] = std::strtod(field.c_str(), nullptr);
            s.cpu_seconds = (v[14] + v[15]) / ticks;
            s.threads = v[20];
            s.start_time_seconds = boot_time_seconds() + v[22] / ticks;
            s.virtual_bytes = v[23];
            s.resident_bytes = v[24] * page;
        }
    }
    if (DIR* d = ::opendir("/proc/self/fd")) {
        int n = 0;
        while (const dirent* e = ::readdir(d))
            if (e->d_name[0] != '.') ++n;
        ::closedir(d);
        s.open_fds = n - 1;  // minus the fd opendir itself holds
    }
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) s.max_fds = static_cast<double>(lim.rlim_cur);
    return s;
}

std::vector<prometheus::MetricFamily> process_collector::Collect() const {
    using T = prometheus::MetricType;
    const auto s = sample_process();
    return {
        family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
               T::Counter, s.cpu_seconds),
        family("process_resident_memory_bytes", "Resident memory size in bytes.", T::Gauge,
               s.resident_bytes),
        family("process_virtual_memory_bytes", "Virtual memory size in bytes.", T::Gauge,
               s.virtual_bytes),
        family("process_open_fds", "Number of open file descriptors.", T::Gauge, s.open_fds),
        family("process_max_fds", "Maximum number of open file descriptors.", T::Gauge, s.max_fds),
        family("process_start_time_seconds",
               "Start time of the process since unix epoch in seconds.", T::Gauge,
               s.start_time_seconds),
        family("process_threads", "Number of OS threads in the process.", T::Gauge, s.threads),
    };
}

}  // namespace jigasi::metrics
