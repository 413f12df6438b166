// Entry points of the file layer: defaults, parse/load, and the atomic save.

#include "config/load.hpp"

#include "config/detail.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace jigasi::config {

namespace {

/// Semantic checks on a model whose read already failed somewhere would repeat what the reader
/// said ("expected a string" then "required" for the same key, or a duplicate of an entry that only
/// took default values because it was malformed): drop findings on a key, or on its ancestors and
/// descendants, that the reader already reported.
bool related(const std::string& a, const std::string& b) {
    const std::string& shorter = a.size() <= b.size() ? a : b;
    const std::string& longer = a.size() <= b.size() ? b : a;
    if (!longer.starts_with(shorter)) return false;
    return longer.size() == shorter.size() || longer[shorter.size()] == '.' || longer[shorter.size()] == '[';
}

bool covered(const std::vector<problem>& earlier, const std::string& path) {
    for (const auto& p : earlier)
        if (related(p.where, path)) return true;
    return false;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

config detail::base_model() {
    config cfg;
    cfg.xmpp.servers.emplace_back().id = "default";
    cfg.sip.listen.emplace_back().transport = sip_transport::udp;
    cfg.sip.listen.emplace_back().transport = sip_transport::tcp;
    return cfg;
}

config defaults() {
    config cfg = detail::base_model();
    fill_derived(cfg);
    return cfg;
}

load_result parse(std::string_view text, std::string_view origin, const adjust_fn& adjust) {
    load_result result;
    config cfg = detail::base_model();
    if (!detail::read_json(text, origin, cfg, result.errors)) return result;
    fill_derived(cfg);
    if (adjust) {
        adjust(cfg);
        fill_derived(cfg);
    }
    for (auto& p : validate(cfg))
        if (!covered(result.errors, p.where)) result.errors.push_back(std::move(p));
    if (!result.errors.empty()) return result;
    result.warnings = detail::warnings(cfg);
    result.value = std::move(cfg);
    return result;
}

load_result load_file(const std::string& path, const adjust_fn& adjust) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        load_result result;
        result.errors.push_back(problem{path, "cannot read: " + errno_text()});
        return result;
    }
    // A bound, so that --config /dev/zero (or a runaway generator) fails instead of eating memory.
    constexpr std::size_t max_size = 16 << 20;
    std::string text;
    char chunk[65536];
    while (text.size() <= max_size && (in.read(chunk, sizeof chunk) || in.gcount() > 0))
        text.append(chunk, static_cast<std::size_t>(in.gcount()));
    load_result result;
    if (in.bad()) result.errors.push_back(problem{path, "cannot read: " + errno_text()});
    else if (text.size() > max_size) result.errors.push_back(problem{path, "larger than 16 MiB"});
    else return parse(text, path, adjust);
    return result;
}

std::string save_file(const config& cfg, const std::string& path) {
    namespace fs = std::filesystem;
    const std::string text = to_json(cfg, false);
    std::error_code ec;
    // Replace the file a symlink points to, not the symlink (/etc/... -> a managed location).
    fs::path target = path;
    if (fs::is_symlink(target, ec)) {
        fs::path resolved = fs::canonical(target, ec);
        if (!ec) target = resolved;
    }
    fs::path dir = target.parent_path();
    if (dir.empty()) dir = ".";

    // mkstemp makes the file 0600: the model holds passwords. An existing file keeps its mode.
    std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    int fd = ::mkstemp(tmp.data());
    if (fd < 0) return "cannot create a temporary file in " + dir.string() + ": " + errno_text();
    auto fail = [&](const std::string& what) {
        std::string message = what + ": " + errno_text();
        if (fd >= 0) ::close(fd);
        ::unlink(tmp.c_str());
        return message;
    };
    struct stat st {};
    if (::stat(target.c_str(), &st) == 0 && ::fchmod(fd, st.st_mode & 07777) != 0)
        return fail("cannot set the mode of " + tmp);
    for (std::size_t done = 0; done < text.size();) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail("cannot write " + tmp);
        done += static_cast<std::size_t>(n);
    }
    // Data on disk before the rename makes it visible: otherwise a crash can leave an empty file.
    if (::fsync(fd) != 0) return fail("cannot sync " + tmp);
    int closed = ::close(fd);
    fd = -1;
    if (closed != 0) return fail("cannot close " + tmp);

    // Keep the previous version. A hard link (not a rename) so `path` exists at every moment.
    if (fs::exists(target, ec)) {
        const std::string prev = target.string() + ".prev";
        if (::unlink(prev.c_str()) != 0 && errno != ENOENT) return fail("cannot replace " + prev);
        if (::link(target.c_str(), prev.c_str()) != 0) {
            fs::copy_file(target, prev, fs::copy_options::overwrite_existing, ec);
            if (ec) {
                errno = ec.value();
                return fail("cannot keep the previous version as " + prev);
            }
        }
    }
    if (::rename(tmp.c_str(), target.c_str()) != 0) return fail("cannot rename " + tmp + " to " + target.string());

    // The rename itself is durable only once the directory is synced.
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return {};
}

std::string_view to_string(log_level level) {
    const auto& names = detail::enum_names<log_level>::names;
    auto i = static_cast<std::size_t>(level);
    return i < names.size() ? names[i] : std::string_view("info");
}

std::optional<log_level> parse_log_level(std::string_view name) {
    const auto& names = detail::enum_names<log_level>::names;
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return static_cast<log_level>(i);
    return std::nullopt;
}

}  // namespace jigasi::config
