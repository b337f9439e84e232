#define BOOST_TEST_MODULE anyserial_port_sync_alloc
// Zero heap allocations per blocking write + read_some of the sync facade in steady state,
// for both backend kinds, with and without a per-call timeout. This executable replaces the
// global operator new to count them (every thread of the process is counted).
#include <anyserial/sync.hpp>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <new>

#include "fixture.hpp"

namespace {
std::atomic<long> g_allocs{0};
std::atomic<bool> g_counting{false};

void *counted(std::size_t n) {
    if (g_counting.load(std::memory_order_relaxed))
        g_allocs.fetch_add(1, std::memory_order_relaxed);
    if (void *p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
}  // namespace

void *operator new(std::size_t n) {
    return counted(n);
}
void *operator new[](std::size_t n) {
    return counted(n);
}
void *operator new(std::size_t n, const std::nothrow_t &) noexcept {
    try {
        return counted(n);
    } catch (...) {
        return nullptr;
    }
}
void operator delete(void *p) noexcept {
    std::free(p);
}
void operator delete[](void *p) noexcept {
    std::free(p);
}
void operator delete(void *p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void *p, std::size_t) noexcept {
    std::free(p);
}

using namespace anyserial;
using namespace anyserial::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// `rounds` times: a writes 32 bytes, b reads until it has them all.
void ping_pong(sync::SerialPort &a, sync::SerialPort &b, int rounds, sync::Timeout timeout) {
    static const char out[32] = "0123456789abcdef0123456789abcde";
    char in[64];
    for (int i = 0; i < rounds; ++i) {
        a.write(asio::buffer(out), timeout);
        std::size_t got = 0;
        while (got < sizeof out)
            got += b.read_some(asio::buffer(in, sizeof out - got), timeout);
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_counter_counts) {
    g_allocs = 0;
    g_counting = true;
    auto *p = new int(1);
    g_counting = false;
    delete p;
    BOOST_TEST(g_allocs.load() == 1);
}

BOOST_AUTO_TEST_CASE(zero_allocations_per_blocking_write_and_read) {
    for (const std::string &kind : kKinds) {
        for (const sync::Timeout timeout : {sync::Timeout{}, sync::Timeout{10s}}) {
            const std::string base = unique_pair(kind);
            auto a = sync::SerialPort::open(plugins(), base + "/a");
            auto b = sync::SerialPort::open(plugins(), base + "/b");
            ping_pong(a, b, 200, timeout);  // warm-up

            constexpr int rounds = 2000;
            g_allocs = 0;
            g_counting = true;
            ping_pong(a, b, rounds, timeout);
            g_counting = false;
            BOOST_TEST_MESSAGE(kind << (timeout ? " with" : " without")
                                    << " timeout: " << g_allocs.load() << " allocations in "
                                    << rounds << " write+read round trips");
            BOOST_TEST(g_allocs.load() == 0,
                       kind << (timeout ? " with" : " without") << " timeout: allocated");
        }
    }
}
