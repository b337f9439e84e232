#define BOOST_TEST_MODULE anyserial_port_alloc
// Zero heap allocations per async_read_some / async_write_some in steady state, for both
// backend kinds. This executable replaces the global operator new to count them.
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <new>

#include "fixture.hpp"

namespace {
std::atomic<long> g_allocs{0};
std::atomic<bool> g_counting{false};
thread_local bool t_io_thread = false;
std::atomic<long> g_io_thread_allocs{0};

void *counted(std::size_t n) {
    if (g_counting.load(std::memory_order_relaxed)) {
        g_allocs.fetch_add(1, std::memory_order_relaxed);
        if (t_io_thread) g_io_thread_allocs.fetch_add(1, std::memory_order_relaxed);
    }
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
namespace asio = boost::asio;

namespace {

// a writes 32 bytes, b reads them, repeat: every step starts from a handler, as real code
// does. Returns after `rounds` round trips.
struct PingPong {
    PingPong(SerialPort &pa, SerialPort &pb) : a(pa), b(pb) {}
    SerialPort &a;
    SerialPort &b;
    int remaining = 0;
    bool failed = false;
    char out[32] = "0123456789abcdef0123456789abcde";
    char in[64];
    std::size_t pending = 0;

    void start(int rounds) {
        remaining = rounds;
        write();
    }
    void write() {
        if (remaining-- == 0) return;
        a.async_write_some(asio::buffer(out), [this](boost::system::error_code ec, std::size_t n) {
            if (ec || n != sizeof out) {
                failed = true;
                return;
            }
            pending = n;
            read();
        });
    }
    void read() {
        b.async_read_some(asio::buffer(in), [this](boost::system::error_code ec, std::size_t n) {
            if (ec) {
                failed = true;
                return;
            }
            pending -= std::min(pending, n);
            if (pending > 0) return read();
            write();
        });
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_counter_counts) {
    g_allocs = 0;
    g_counting = true;
    auto *p = new int(1);
    g_counting = false;
    delete p;
    BOOST_TEST(g_allocs.load() == 1);
}

BOOST_AUTO_TEST_CASE(zero_allocations_in_steady_state) {
    for (const std::string &kind : kKinds) {
        Loop loop;
        t_io_thread = true;
        auto [a, b] = open_pair(loop, kind);
        PingPong pp(a, b);
        pp.start(200);  // warm-up: Asio's recycled operation memory gets primed
        loop.run_until([&] { return pp.remaining < 0 || pp.failed; });
        BOOST_REQUIRE(!pp.failed);

        constexpr int rounds = 2000;
        g_allocs = 0;
        g_io_thread_allocs = 0;
        g_counting = true;
        pp.start(rounds);
        loop.run_until([&] { return pp.remaining < 0 || pp.failed; });
        g_counting = false;
        BOOST_REQUIRE(!pp.failed);
        BOOST_TEST_MESSAGE(kind << ": " << g_allocs.load() << " allocations in " << rounds
                                << " write+read round trips (" << g_io_thread_allocs.load()
                                << " on the io thread)");
        BOOST_TEST(g_io_thread_allocs.load() == 0, kind << ": core hot path allocated");
        BOOST_TEST(g_allocs.load() == 0, kind << ": allocations in the process");
        t_io_thread = false;
    }
}
