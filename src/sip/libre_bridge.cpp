#include "sip/libre_bridge.hpp"

#include "sip/libre.hpp"

// re.h leaves out re_dbg.h (modules include it with their own DEBUG_MODULE); only this file needs
// the dbg_* API, to route libre's debug output into our logger.
#define DEBUG_MODULE "jigasi"
#define DEBUG_LEVEL 0
extern "C" {
#include <re_dbg.h>
}

#include <boost/asio/dispatch.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <unordered_map>

#include <poll.h>

namespace asio = boost::asio;

// The linker sends libre's (and our) references to fd_listen/fd_close/tmr_start here
// (-Wl,--wrap=...). Only references *between* objects are rewritten: libre-internal calls inside
// main.o and tmr.o keep the originals. That is harmless: main.o's internal callers are re_main and
// fd_setsize, which we never use, and tmr.o's tmr_cancel -> tmr_start only shortens the list, which
// at worst costs the bridge one early wake-up.
extern "C" {
int __wrap_fd_listen(int fd, int flags, fd_h* fh, void* arg);
void __wrap_fd_close(int fd);
void __wrap_tmr_start(struct tmr* tmr, uint64_t delay, tmr_h* th, void* arg);
void __real_tmr_start(struct tmr* tmr, uint64_t delay, tmr_h* th, void* arg);
int __wrap_re_fprintf(FILE* stream, const char* fmt, ...);
}

namespace jigasi::sip {

namespace {

// One wait per libre flag; Asio's three wait types map one to one.
struct direction {
    int flag;
    asio::posix::descriptor_base::wait_type type;
};
constexpr direction directions[] = {
    {FD_READ, asio::posix::descriptor_base::wait_read},
    {FD_WRITE, asio::posix::descriptor_base::wait_write},
    {FD_EXCEPT, asio::posix::descriptor_base::wait_error},
};

// The readiness libre asked for, as of now. Asio's wait only says "something happened"; poll(2)
// with a zero timeout gives the exact flags, combined in one call the way re_main reports them.
// Error and hang-up are reported as FD_EXCEPT whatever was asked, as libre's poll backend does.
int ready_flags(int fd, int wanted, bool& invalid) {
    pollfd p{fd, 0, 0};
    if (wanted & FD_READ) p.events |= POLLIN;
    if (wanted & FD_WRITE) p.events |= POLLOUT;
    if (wanted & FD_EXCEPT) p.events |= POLLPRI;
    if (::poll(&p, 1, 0) <= 0) return 0;
    invalid = (p.revents & POLLNVAL) != 0;
    int flags = 0;
    if (p.revents & POLLIN) flags |= FD_READ;
    if (p.revents & POLLOUT) flags |= FD_WRITE;
    if (p.revents & (POLLPRI | POLLERR | POLLHUP)) flags |= FD_EXCEPT;
    return flags;
}

std::once_flag init_once;
int init_result = 0;

// The bridge that owns libre's event state right now. Written on construction and stop(), read by
// the wrappers (which run on that bridge's strand).
std::atomic<libre_bridge::impl*> active{nullptr};

}  // namespace

// One fd libre listens on. `descriptor` borrows the fd: it is released, never closed, because libre
// closes its own fds right after fd_close().
struct fd_watch {
    fd_watch(const signalling_strand& s, int f) : fd(f), descriptor(s) {}
    ~fd_watch() {
        if (descriptor.is_open()) descriptor.release();
    }
    int fd;
    int flags = 0;
    fd_h* handler = nullptr;
    void* arg = nullptr;
    asio::posix::stream_descriptor descriptor;
    bool waiting[3] = {false, false, false};  // a wait per direction is outstanding
    bool closed = false;  // fd_close()d: late completions must not touch libre
};

struct libre_bridge::impl : std::enable_shared_from_this<impl> {
    impl(signalling_strand s, core::log_channel l) : strand(std::move(s)), log(std::move(l)), timer(strand) {}

    signalling_strand strand;
    core::log_channel log;
    asio::steady_timer timer;
    bool timer_armed = false;
    std::chrono::steady_clock::time_point timer_deadline{};
    std::uint64_t timer_generation = 0;  // a completion from an older arm is stale
    std::unordered_map<int, std::shared_ptr<fd_watch>> watches;
    bool stopped = false;
    std::size_t callbacks = 0;
    std::atomic<std::size_t> off_strand{0};
    std::function<void(std::string_view)> stderr_hook;

    void check_strand(const char* what) {
        if (strand.running_in_this_thread()) return;
        // libre's state has no locks: a call from another thread races with the strand.
        if (off_strand.fetch_add(1) == 0) log.crit("libre ", what, " called off the signalling strand");
    }

    int listen(int fd, int flags, fd_h* fh, void* arg) {
        auto& slot = watches[fd];
        if (!slot) {
            auto w = std::make_shared<fd_watch>(strand, fd);
            boost::system::error_code ec;
            w->descriptor.assign(fd, ec);  // registers with the reactor; does not take ownership
            if (ec) {
                watches.erase(fd);
                log.error("fd_listen fd=", fd, ": ", ec.message());
                return ec.value() ? ec.value() : EBADF;
            }
            slot = std::move(w);
        }
        slot->flags = flags;
        slot->handler = fh;
        slot->arg = arg;
        arm(slot);
        return 0;
    }

    void close(int fd) {
        auto it = watches.find(fd);
        if (it == watches.end()) return;
        auto w = std::move(it->second);
        watches.erase(it);
        release(*w);
    }

    static void release(fd_watch& w) {
        w.closed = true;
        // release() deregisters from epoll and completes the pending waits with operation_aborted;
        // libre will close() the fd itself, possibly before those completions run.
        boost::system::error_code ec;
        w.descriptor.cancel(ec);
        if (w.descriptor.is_open()) w.descriptor.release();
    }

    // Start a wait for each wanted direction that has none outstanding. Level-triggered: a wait
    // started on an fd that is still ready completes at once (Asio's epoll reactor re-evaluates
    // readiness with EPOLL_CTL_MOD when a wait is queued), so data libre left unread is not lost.
    void arm(const std::shared_ptr<fd_watch>& w) {
        for (std::size_t i = 0; i < std::size(directions); ++i) {
            if (!(w->flags & directions[i].flag) || w->waiting[i]) continue;
            w->waiting[i] = true;
            w->descriptor.async_wait(directions[i].type,
                [self = shared_from_this(), w, i](const boost::system::error_code& ec) {
                    self->on_ready(w, i, ec);
                });
        }
    }

    void on_ready(const std::shared_ptr<fd_watch>& w, std::size_t i, const boost::system::error_code& ec) {
        w->waiting[i] = false;
        if (w->closed || stopped || ec == asio::error::operation_aborted) return;
        bool invalid = false;
        int flags = ready_flags(w->fd, w->flags, invalid);
        if (invalid) {
            // libre closed the fd without fd_close(): drop it rather than spin on POLLNVAL.
            log.error("fd ", w->fd, " was closed while libre still listened on it");
            close(w->fd);
            return;
        }
        if (ec) flags |= FD_EXCEPT;
        if (flags) {
            ++callbacks;
            // The handler may fd_listen (new flags), fd_close, or close and reuse the fd number;
            // `w` stays valid and `closed` tells us whether this watch is still libre's.
            w->handler(flags, w->arg);
        }
        if (!w->closed && !stopped) arm(w);
    }

    // Keep the steady_timer at the head of libre's list. Called after every tmr_start and after
    // each poll; it only moves the timer earlier, so restarting SIP timers does not churn it.
    void reschedule() {
        if (stopped) return;
        const std::uint64_t next = tmr_next_timeout(tmrl_get());  // 0: empty, 1: already due
        if (next == 0) {
            if (timer_armed) disarm();
            return;
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(next);
        if (timer_armed && timer_deadline <= deadline) return;
        timer_armed = true;
        timer_deadline = deadline;
        const auto generation = ++timer_generation;
        timer.expires_at(deadline);  // aborts the previous wait; its completion is stale
        timer.async_wait([self = shared_from_this(), generation](const boost::system::error_code& ec) {
            self->on_timer(generation, ec);
        });
    }

    void disarm() {
        timer_armed = false;
        ++timer_generation;
        timer.cancel();
    }

    void on_timer(std::uint64_t generation, const boost::system::error_code& ec) {
        if (generation != timer_generation) return;
        timer_armed = false;
        if (ec || stopped) return;
        // libre's clock is gettimeofday() in ms; if it lags ours, tmr_poll runs nothing and the
        // next reschedule() asks again 1 ms later.
        tmr_poll(tmrl_get());
        reschedule();
    }

    void stop() {
        if (stopped) return;
        stopped = true;
        impl* self = this;
        active.compare_exchange_strong(self, nullptr);
        if (!watches.empty()) {
            log.warning("stopping with ", watches.size(), " fds still watched (libre objects not freed)");
        }
        for (auto& [fd, w] : watches) release(*w);
        watches.clear();
        disarm();
        dbg_handler_set(nullptr, nullptr);
    }

    // libre's debug output (DEBUG_WARNING etc.) goes to our logger instead of raw stderr.
    static void on_dbg(int level, const char* p, size_t len, void* arg) {
        auto* self = static_cast<impl*>(arg);
        std::string_view text(p, len);
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
        const auto lvl = level <= DBG_WARNING  ? core::log_level::warning
                         : level == DBG_NOTICE ? core::log_level::notice
                         : level == DBG_INFO   ? core::log_level::info
                                               : core::log_level::debug;
        self->log.log(lvl, text);
    }
};

libre_bridge::libre_bridge(signalling_strand strand, core::log_channel log)
    : impl_(std::make_shared<impl>(std::move(strand), std::move(log))) {
    // libre_init() is process-wide (seeds rand, OPENSSL_init_ssl, SIGPIPE -> ignore-like handler)
    // and is done once: bridges may come and go (tests), libre's globals stay. libre_close() is
    // never called: it only frees re_main's poll tables, which we never allocate.
    std::call_once(init_once, [] { init_result = libre_init(); });
    if (init_result != 0) {
        throw std::system_error(init_result, std::generic_category(), "libre_init");
    }
    impl* expected = nullptr;
    if (!active.compare_exchange_strong(expected, impl_.get())) {
        throw std::logic_error("libre_bridge: another bridge is active (libre has one global event state)");
    }
    // dbg_handler_set is a plain global store; libre only reads it while printing on the strand.
    dbg_init(DBG_INFO, DBG_NONE);
    dbg_handler_set(&impl::on_dbg, impl_.get());
    // Timers started before this bridge existed (none in practice) still get served.
    asio::dispatch(impl_->strand, [self = impl_] { self->reschedule(); });
}

libre_bridge::~libre_bridge() { impl_->stop(); }

void libre_bridge::set_stderr_hook(std::function<void(std::string_view)> hook) { impl_->stderr_hook = std::move(hook); }

const signalling_strand& libre_bridge::strand() const { return impl_->strand; }

void libre_bridge::stop() {
    impl_->check_strand("stop");
    impl_->stop();
}

std::size_t libre_bridge::watched_fds() const { return impl_->watches.size(); }
bool libre_bridge::timer_pending() const { return impl_->timer_armed; }
std::size_t libre_bridge::fd_callbacks() const { return impl_->callbacks; }
std::size_t libre_bridge::off_strand_calls() const { return impl_->off_strand.load(); }
std::size_t libre_bridge::libre_timer_count() { return list_count(tmrl_get()); }

}  // namespace jigasi::sip

using jigasi::sip::active;

extern "C" int __wrap_fd_listen(int fd, int flags, fd_h* fh, void* arg) {
    if (fd < 0) return EBADF;
    if (!flags || !fh) {  // libre's own fd_close() is fd_listen(fd, 0, NULL, NULL)
        __wrap_fd_close(fd);
        return 0;
    }
    auto* bridge = active.load();
    if (!bridge) return ENODEV;  // no event loop: libre sockets cannot work without a bridge
    bridge->check_strand("fd_listen");
    return bridge->listen(fd, flags, fh, arg);
}

extern "C" void __wrap_fd_close(int fd) {
    auto* bridge = active.load();
    if (!bridge) return;
    bridge->check_strand("fd_close");
    bridge->close(fd);
}

extern "C" void __wrap_tmr_start(struct tmr* tmr, uint64_t delay, tmr_h* th, void* arg) {
    __real_tmr_start(tmr, delay, th, arg);
    auto* bridge = active.load();
    if (!bridge) return;  // the list is global; the next bridge picks the timer up
    bridge->check_strand("tmr_start");
    bridge->reschedule();
}

// libre's direct stderr output (see set_stderr_hook), formatted with libre's own printf (it knows
// %m, %J, %r ...). Runs where libre runs: on the active bridge's strand.
extern "C" int __wrap_re_fprintf(FILE* stream, const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    const int n = re_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    std::string_view text(buf, n > 0 ? std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1) : 0);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    auto* self = jigasi::sip::active.load();
    if (!self || stream != stderr) {
        if (stream) std::fprintf(stream, "%.*s\n", static_cast<int>(text.size()), text.data());
        return n;
    }
    if (self->stderr_hook) self->stderr_hook(text);
    else self->log.debug(text);
    return n;
}
