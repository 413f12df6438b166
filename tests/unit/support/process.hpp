#pragma once
// Runs the real jigasi-ng binary (path from $JIGASI_BINARY, set by meson) as a child process.

#include <chrono>
#include <string>
#include <vector>

namespace jigasi::test {

std::string binary_path();
std::string source_root();

/// A temporary file removed on destruction.
struct temp_file {
    explicit temp_file(const std::string& content, const std::string& suffix = ".json");
    ~temp_file();
    void write(const std::string& content) const;
    std::string path;
};

class child {
public:
    explicit child(const std::vector<std::string>& args);
    ~child();  // SIGKILL if still running
    child(const child&) = delete;
    child& operator=(const child&) = delete;

    void signal(int sig) const;
    /// Exit status, or -1 if still running after `timeout`; -2 if killed by a signal.
    int wait(std::chrono::milliseconds timeout);
    /// Everything the child wrote to stderr so far.
    std::string stderr_text() const;
    /// Wait until stderr contains `needle`.
    bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout) const;

private:
    int pid_ = -1;
    int status_ = -1;
    bool reaped_ = false;
    std::string log_path_;
};

/// Run to completion, returning exit code and stdout+stderr.
struct run_result { int exit_code; std::string output; };
run_result run(const std::vector<std::string>& args);

}  // namespace jigasi::test
