#include "media/rtp/alloc_count.hpp"

#if __has_include("media/jitter/count_new.hpp")
// The jitter tests' counter (tests/unit/media/jitter/count_new.cpp) is in this binary: use it rather
// than replace operator new a second time (only one replacement can win, and the loser's counter
// would stay at zero).
#include "media/jitter/count_new.hpp"

namespace jigasi::test::rtp_alloc {

std::uint64_t count() { return jigasi::test::allocations(); }
bool active() { return jigasi::test::allocation_counting_works(); }

}  // namespace jigasi::test::rtp_alloc

#else

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<std::uint64_t> calls{0};

void* counted(std::size_t n) {
    calls.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}

}  // namespace

// Every form, with malloc/free underneath, so that new/delete pairs stay matched for ASan.
__attribute__((weak)) void* operator new(std::size_t n) { return counted(n); }
__attribute__((weak)) void* operator new[](std::size_t n) { return counted(n); }
__attribute__((weak)) void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    calls.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n ? n : 1);
}
__attribute__((weak)) void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    calls.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n ? n : 1);
}
__attribute__((weak)) void operator delete(void* p) noexcept { std::free(p); }
__attribute__((weak)) void operator delete[](void* p) noexcept { std::free(p); }
__attribute__((weak)) void operator delete(void* p, std::size_t) noexcept { std::free(p); }
__attribute__((weak)) void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
__attribute__((weak)) void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
__attribute__((weak)) void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace jigasi::test::rtp_alloc {

std::uint64_t count() { return calls.load(std::memory_order_relaxed); }

bool active() {
    const auto before = count();
    void* volatile p = ::operator new(16);  // a new-expression could be elided
    ::operator delete(p);
    return count() != before;
}

}  // namespace jigasi::test::rtp_alloc

#endif
