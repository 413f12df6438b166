#include "app/conference_mapper.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace json = boost::json;

namespace jigasi::app {

namespace {

/// Uniform in [10^(digits-1), 10^digits): a leading zero would be lost by callers and UIs.
std::uint64_t random_id(unsigned digits) {
    std::uint64_t low = 1;
    for (unsigned i = 1; i < digits; ++i) low *= 10;
    const std::uint64_t span = low * 9;
    // Rejection sampling keeps it uniform.
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    for (;;) {
        std::uint64_t v = 0;
        if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) continue;
        if (v < limit) return low + v % span;
    }
}

/// write(2) all of it, or errno.
int write_all(int fd, const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
        const auto n = ::write(fd, s.data() + done, s.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        done += static_cast<std::size_t>(n);
    }
    return 0;
}

}  // namespace

conference_mapper::conference_mapper(std::string ids_file, const core::logger& logger)
    : file_(std::move(ids_file)), log_(logger, "dialin", "mapper") {}

bool conference_mapper::load() {
    if (file_.empty()) return true;
    std::ifstream in(file_);
    if (!in) return true;  // first start
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    const auto v = json::parse(text.str(), ec);
    const json::object* conferences = nullptr;
    if (!ec && v.is_object())
        if (auto* c = v.as_object().if_contains("conferences"); c && c->is_object()) conferences = &c->as_object();
    std::lock_guard lock(mu_);
    if (!conferences) {
        // Never overwrite what we cannot read: it may be the only copy of users' meeting IDs.
        const auto aside = file_ + ".bad";
        ::rename(file_.c_str(), aside.c_str());
        log_.error("cannot read ", file_, " (", ec ? ec.message() : "no \"conferences\" object", "); moved to ", aside,
                   ", starting with no meeting IDs");
        return false;
    }
    for (const auto& [name, id] : *conferences) {
        std::uint64_t n = 0;
        if (id.is_uint64()) n = id.get_uint64();
        else if (id.is_int64() && id.get_int64() > 0) n = static_cast<std::uint64_t>(id.get_int64());
        if (n == 0 || conferences_.contains(n) || ids_.size() >= max_conferences) continue;
        ids_[std::string(name)] = n;
        conferences_[n] = std::string(name);
    }
    log_.info(ids_.size(), " meeting IDs from ", file_);
    return true;
}

std::optional<std::uint64_t> conference_mapper::id_for(const std::string& conference, unsigned digits) {
    std::lock_guard lock(mu_);
    if (auto it = ids_.find(conference); it != ids_.end()) return it->second;
    if (ids_.size() >= max_conferences) return std::nullopt;
    std::uint64_t id = 0;
    do id = random_id(digits);
    while (conferences_.contains(id));
    ids_[conference] = id;
    conferences_[id] = conference;
    save_locked();
    return id;
}

std::optional<std::string> conference_mapper::conference_of(std::uint64_t id) const {
    std::lock_guard lock(mu_);
    if (auto it = conferences_.find(id); it != conferences_.end()) return it->second;
    return std::nullopt;
}

std::size_t conference_mapper::size() const {
    std::lock_guard lock(mu_);
    return ids_.size();
}

void conference_mapper::save_locked() {
    if (file_.empty()) return;
    json::object conferences;
    for (const auto& [name, id] : ids_) conferences[name] = id;
    const std::string text = json::serialize(json::object{{"version", 1}, {"conferences", std::move(conferences)}}) + "\n";
    // Atomic replace: a crash leaves the old file or the new one, never half of one.
    const std::string tmp = file_ + ".tmp";
    int err = 0;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) err = errno;
    else {
        err = write_all(fd, text);
        if (!err && ::fsync(fd) != 0) err = errno;
        ::close(fd);
        if (!err && ::rename(tmp.c_str(), file_.c_str()) != 0) err = errno;
    }
    if (!err) {
        // The rename itself is durable only once the directory is synced.
        const auto slash = file_.rfind('/');
        const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : file_.substr(0, slash);
        if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
            ::fsync(dfd);
            ::close(dfd);
        }
    }
    if (err) {
        if (!save_failed_) log_.error("cannot write ", file_, ": ", std::strerror(err), " (meeting IDs kept in memory)");
        save_failed_ = true;
        return;
    }
    if (save_failed_) log_.notice("writing ", file_, " works again");
    save_failed_ = false;
}

}  // namespace jigasi::app
