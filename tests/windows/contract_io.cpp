// Async-completion I/O over a Wine COM port with a pySerial echo peer: echo, 64 KiB both
// ways byte-exact, queue counts and purge, a pending read cancelled, close with a read
// outstanding, close from inside a completion, reopen.
#include <algorithm>
#include <atomic>
#include <set>
#include <vector>

#include "contract.hpp"

namespace contract {

namespace {

using clock_type = std::chrono::steady_clock;
std::set<std::thread::id> io_threads;  // threads that delivered I/O completions

// One write of all of `data` (looping over partial completions). Returns false on failure.
bool write_all(anyserial_backend_t *b, const uint8_t *data, uint32_t len) {
    uint32_t done = 0;
    while (done < len) {
        Waiter w;
        if (b->async_io->start_write(b, data + done, len - done, Waiter::done, &w) != 0) {
            std::printf("  start_write: %s\n", last_error(b).c_str());
            return false;
        }
        if (!w.wait() || w.status != ANYSERIAL_OK || w.n == 0) {
            std::printf("  write completion: status %d n %u: %s\n", w.status, w.n,
                        last_error(b).c_str());
            return false;
        }
        io_threads.insert(w.thread);
        done += w.n;
    }
    return true;
}

// Read exactly len bytes with reads of at most chunk bytes; counts completions.
bool read_exact(anyserial_backend_t *b, uint8_t *buf, uint32_t len, uint32_t chunk,
                int *completions = nullptr, std::atomic<bool> *started = nullptr) {
    uint32_t got = 0;
    while (got < len) {
        Waiter w;
        const uint32_t want = std::min(chunk, len - got);
        if (b->async_io->start_read(b, buf + got, want, Waiter::done, &w) != 0) {
            std::printf("  start_read: %s\n", last_error(b).c_str());
            return false;
        }
        if (started != nullptr) started->store(true);
        if (!w.wait() || w.status != ANYSERIAL_OK || w.n == 0 || w.n > want) {
            std::printf("  read completion: status %d n %u of %u: %s\n", w.status, w.n, want,
                        last_error(b).c_str());
            return false;
        }
        io_threads.insert(w.thread);
        got += w.n;
        if (completions != nullptr) ++*completions;
    }
    return true;
}

void echo_small(anyserial_backend_t *b) {
    const uint8_t hello[] = {'h', 'e', 'l', 'l', 'o'};
    uint8_t back[5] = {};
    check(write_all(b, hello, 5) && read_exact(b, back, 5, 64) && std::memcmp(hello, back, 5) == 0,
          "5-byte echo");
    // Round-trip latency: one byte out, the read completes on its echo.
    std::vector<double> ms;
    for (int i = 0; i < 50; ++i) {
        const uint8_t x = static_cast<uint8_t>(i);
        uint8_t y = 0;
        const auto t0 = clock_type::now();
        if (!write_all(b, &x, 1) || !read_exact(b, &y, 1, 1) || y != x) {
            check(false, "1-byte round trip " + std::to_string(i));
            return;
        }
        ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf(
        "MEASURE 1-byte round trip over Wine COM + pySerial echo: median %.2f ms, "
        "p90 %.2f ms (50 runs)\n",
        ms[ms.size() / 2], ms[ms.size() * 9 / 10]);
    check(true, "50 one-byte round trips");
}

void bulk(anyserial_backend_t *b) {
    constexpr uint32_t kSize = 64 * 1024;
    std::vector<uint8_t> out(kSize), in(kSize, 0);
    for (uint32_t i = 0; i < kSize; ++i)
        out[i] = static_cast<uint8_t>(i * 7 + (i >> 8) + 3);
    // A read is pending before the 64 KiB write starts: the case Wine 8 starves (see
    // async_port.hpp) unless the backend parks the read.
    const auto t0 = clock_type::now();
    std::atomic<bool> reading{false};
    bool read = false;
    int reads = 0;
    std::thread reader([&] { read = read_exact(b, in.data(), kSize, 4096, &reads, &reading); });
    while (!reading.load())
        std::this_thread::yield();
    const bool wrote = write_all(b, out.data(), kSize);
    reader.join();
    const double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
    check(wrote && read, "64 KiB written and 64 KiB read back");
    check(in == out, "the 64 KiB echo is byte-exact");
    std::printf(
        "MEASURE 64 KiB echo (both ways at once): %.3f s, %.1f KiB/s each way, %d read "
        "completions\n",
        secs, 64.0 / secs, reads);
}

bool wait_input(anyserial_backend_t *b, uint32_t want, uint32_t &n) {
    const auto deadline = clock_type::now() + kGuard;
    while (clock_type::now() < deadline) {
        if (b->control->input_waiting(b, &n) != ANYSERIAL_OK) return false;
        if (n >= want) return true;
        std::this_thread::yield();
    }
    return false;
}

void queues(anyserial_backend_t *b) {
    uint8_t data[100];
    for (int i = 0; i < 100; ++i)
        data[i] = static_cast<uint8_t>('A' + i % 26);
    uint32_t n = 0;
    check(write_all(b, data, 100) && wait_input(b, 100, n) && n == 100,
          "input_waiting counts the 100 echoed bytes (ClearCommError): " + std::to_string(n));
    check(b->control->reset_input(b) == ANYSERIAL_OK &&
              b->control->input_waiting(b, &n) == ANYSERIAL_OK && n == 0,
          "reset_input (PurgeComm RXCLEAR) empties the input queue");
    const uint8_t z = 'Z';
    uint8_t got[2] = {};
    check(write_all(b, &z, 1) && read_exact(b, got, 1, 2) && got[0] == 'Z',
          "the next read sees only new data");
}

void cancel_and_busy(anyserial_backend_t *b) {
    uint8_t buf[16];
    Waiter w;
    check(b->async_io->start_read(b, buf, sizeof buf, Waiter::done, &w) == ANYSERIAL_OK,
          "start a read nothing will answer");
    Waiter w2;
    check(b->async_io->start_read(b, buf, sizeof buf, Waiter::done, &w2) == ANYSERIAL_E_BUSY,
          "a second outstanding read -> BUSY");
    check(b->async_io->cancel(b, ANYSERIAL_DIRECTION_READ) == ANYSERIAL_OK, "cancel(READ)");
    check(w.wait() && w.status == ANYSERIAL_E_CANCELLED && w.n == 0,
          "the pending read completed with CANCELLED (status " + std::to_string(w.status) + ")");
    check(b->async_io->cancel(b, ANYSERIAL_DIRECTION_READ | ANYSERIAL_DIRECTION_WRITE) ==
              ANYSERIAL_OK,
          "cancel with nothing outstanding is harmless");
    // Exactly once: after more traffic the cancelled read has still one completion.
    const uint8_t q = 'q';
    uint8_t r = 0;
    check(write_all(b, &q, 1) && read_exact(b, &r, 1, 1) && r == 'q', "I/O goes on after a cancel");
    check(w.count() == 1 && w2.count() == 0, "the cancelled read completed exactly once");
}

void close_paths(anyserial_backend_t *b, const char *port) {
    uint8_t buf[16];
    Waiter w;
    check(b->async_io->start_read(b, buf, sizeof buf, Waiter::done, &w) == ANYSERIAL_OK,
          "start a read, then close");
    const std::thread::id me = std::this_thread::get_id();
    b->control->close(b);
    check(w.count() == 1 && w.status == ANYSERIAL_E_CANCELLED,
          "close returned after delivering the outstanding read (CANCELLED), once");
    (void)me;
    b->control->close(b);
    check(w.count() == 1, "close again: idempotent, no second completion");
    Waiter after;
    check(b->async_io->start_read(b, buf, 1, Waiter::done, &after) == ANYSERIAL_E_CLOSED,
          "start_read after close -> CLOSED");

    // Reopen the same instance: a fresh I/O engine, the port works again.
    anyserial_serial_config_t c = config(115200);
    check(b->control->open(b, port, &c, nullptr) == ANYSERIAL_OK, "reopen: " + last_error(b));
    (void)b->control->reset_input(b);
    const uint8_t x = 'x';
    uint8_t y = 0;
    check(write_all(b, &x, 1) && read_exact(b, &y, 1, 1) && y == 'x', "echo after reopen");

    // close() called by the completion itself (on the completion thread) must not deadlock.
    Waiter inside;
    inside.close_inside = b;
    check(b->async_io->start_read(b, buf, sizeof buf, Waiter::done, &inside) == ANYSERIAL_OK &&
              write_all(b, &x, 1),
          "a read whose completion closes the port");
    check(inside.wait() && inside.status == ANYSERIAL_OK && inside.count() == 1,
          "close from inside a completion returned");
    check(b->async_io->start_read(b, buf, 1, Waiter::done, &after) == ANYSERIAL_E_CLOSED &&
              after.count() == 0,
          "the port is closed afterwards");
}

}  // namespace

int run_io_tests(anyserial_backend_t *b, const char *port) {
    (void)b->control->reset_input(b);
    echo_small(b);
    bulk(b);
    queues(b);
    cancel_and_busy(b);
    check(io_threads.size() == 1 && io_threads.count(std::this_thread::get_id()) == 0,
          "every I/O completion came from one completion thread, not the caller's (" +
              std::to_string(io_threads.size()) + " thread(s))");
    close_paths(b, port);
    return failures;
}

}  // namespace contract
