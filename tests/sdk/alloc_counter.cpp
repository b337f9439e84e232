// Replaces the global operator new so tests can prove a path does not allocate. In its own
// translation unit so the compiler cannot inline (and misjudge) the malloc/free pairing.
#include "alloc_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::size_t> g_allocations{0};
}

std::size_t anyserial_test_allocations() noexcept {
    return g_allocations.load(std::memory_order_relaxed);
}

void *operator new(std::size_t n) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void *p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void operator delete(void *p) noexcept {
    std::free(p);
}
void operator delete(void *p, std::size_t) noexcept {
    std::free(p);
}
