#include "support/count_new.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::uint64_t> count{0};

void* counted(std::size_t n) {
    count.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
}  // namespace

// Every form is replaced, with malloc/free underneath, so that new/delete pairs stay matched
// (AddressSanitizer checks alloc/dealloc pairs).
__attribute__((weak)) void* operator new(std::size_t n) { return counted(n); }
__attribute__((weak)) void* operator new[](std::size_t n) { return counted(n); }
__attribute__((weak)) void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    count.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n ? n : 1);
}
__attribute__((weak)) void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    count.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n ? n : 1);
}
__attribute__((weak)) void operator delete(void* p) noexcept { std::free(p); }
__attribute__((weak)) void operator delete[](void* p) noexcept { std::free(p); }
__attribute__((weak)) void operator delete(void* p, std::size_t) noexcept { std::free(p); }
__attribute__((weak)) void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
__attribute__((weak)) void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
__attribute__((weak)) void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace jigasi::test {

std::uint64_t allocations() { return count.load(std::memory_order_relaxed); }

bool allocation_counting_works() {
    const auto before = allocations();
    void* volatile p = ::operator new(16);
    ::operator delete(p);
    return allocations() > before;
}

}  // namespace jigasi::test
