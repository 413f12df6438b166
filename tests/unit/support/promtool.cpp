#include "support/promtool.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

namespace jigasi::test {

promtool_result promtool_check(const std::string& exposition) {
    char path[] = "/tmp/jigasi-metrics-XXXXXX";
    const int fd = ::mkstemp(path);
    ::close(fd);
    std::ofstream(path) << exposition;
    promtool_result r;
    const std::string cmd = std::string("promtool check metrics < ") + path + " 2>&1";
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
        char buf[512];
        while (std::fgets(buf, sizeof buf, p)) r.output += buf;
        const int status = ::pclose(p);
        r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    ::unlink(path);
    if (r.exit_code == 127) r.output = "promtool not found (apt install prometheus)\n" + r.output;
    return r;
}

}  // namespace jigasi::test
