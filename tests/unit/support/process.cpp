#include "support/process.hpp"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace jigasi::test {

std::string binary_path() {
    const char* p = std::getenv("JIGASI_BINARY");
    return p ? p : "./jigasi-ng";
}

std::string source_root() {
    const char* p = std::getenv("JIGASI_SOURCE_ROOT");
    return p ? p : ".";
}

temp_file::temp_file(const std::string& content, const std::string& suffix) {
    std::string tmpl = "/tmp/jigasi-test-XXXXXX" + suffix;
    const int fd = ::mkstemps(tmpl.data(), static_cast<int>(suffix.size()));
    ::close(fd);
    path = tmpl;
    write(content);
}

temp_file::~temp_file() { ::unlink(path.c_str()); }

void temp_file::write(const std::string& content) const {
    // Atomic replace, as an editor or the admin API would do it.
    const auto tmp = path + ".new";
    std::ofstream(tmp) << content;
    std::rename(tmp.c_str(), path.c_str());
}

child::child(const std::vector<std::string>& args) {
    char tmpl[] = "/tmp/jigasi-child-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    log_path_ = tmpl;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, STDERR_FILENO);
    posix_spawn_file_actions_adddup2(&fa, fd, STDOUT_FILENO);
    std::vector<std::string> all{binary_path()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    ::close(fd);
}

child::~child() {
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    ::unlink(log_path_.c_str());
}

void child::signal(int sig) const {
    if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
}

int child::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!reaped_ && pid_ > 0) {
        if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
            reaped_ = true;
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!reaped_) return -1;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -2;
}

std::string child::stderr_text() const {
    std::ifstream in(log_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool child::wait_for_log(const std::string& needle, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (stderr_text().find(needle) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

run_result run(const std::vector<std::string>& args) {
    child c(args);
    const int code = c.wait(std::chrono::seconds(20));
    return {code, c.stderr_text()};
}

}  // namespace jigasi::test
