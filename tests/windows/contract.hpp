// Shared helpers of the Windows backend contract test (C headers of the SDK only).
#pragma once

#include <anyserial/sdk/sdk.h>
#include <windows.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

namespace contract {

inline int failures = 0;

inline void check(bool ok, const std::string &what) {
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    std::fflush(stdout);
    if (!ok) ++failures;
}

// ---- the host side ---------------------------------------------------------------------
inline void host_log(const anyserial_host_t *, int32_t level, const char *logger, const char *msg) {
    std::printf("  [plugin log %d %s] %s\n", level, logger != nullptr ? logger : "-", msg);
}
inline int32_t host_log_enabled(const anyserial_host_t *, int32_t level, const char *) {
    return level >= ANYSERIAL_LOG_DEBUG;
}
inline uint64_t host_now(const anyserial_host_t *) {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
}
inline const void *host_ext(const anyserial_host_t *, const char *) {
    return nullptr;
}

// ---- completions -------------------------------------------------------------------------
constexpr auto kGuard = std::chrono::seconds(20);  // a hang guard, not a timing assertion

struct Waiter {
    std::mutex m;
    std::condition_variable cv;
    int calls = 0;
    int32_t status = 0;
    uint32_t n = 0;
    std::thread::id thread;
    const anyserial_backend_t *close_inside = nullptr;  // close this instance in the callback

    static void done(void *user, int32_t status, uint32_t n) {
        auto *w = static_cast<Waiter *>(user);
        if (w->close_inside != nullptr) {
            auto *b = const_cast<anyserial_backend_t *>(w->close_inside);
            b->control->close(b);
        }
        std::lock_guard lock(w->m);
        ++w->calls;
        w->status = status;
        w->n = n;
        w->thread = std::this_thread::get_id();
        w->cv.notify_all();
    }
    // A missing completion is a hang: report it and end the process (the Waiter must not
    // go away while the plugin may still call it).
    bool wait(int calls_wanted = 1) {
        std::unique_lock lock(m);
        if (cv.wait_for(lock, kGuard, [&] { return calls >= calls_wanted; })) return true;
        std::printf("FAIL no completion within the %d s hang guard: the test stops here\n",
                    static_cast<int>(kGuard.count()));
        std::fflush(stdout);
        ExitProcess(1);
    }
    int count() {
        std::lock_guard lock(m);
        return calls;
    }
};

// Wine's ntdll exports wine_get_version; Windows' does not.
inline bool on_wine() {
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

inline std::string last_error(const anyserial_backend_t *b) {
    char buf[512];
    b->control->last_error(b, buf, sizeof buf);
    return buf;
}

inline anyserial_serial_config_t config(uint32_t baud, uint8_t size = 8, uint8_t parity = 0,
                                        uint8_t stop = 0, uint8_t flow = 0,
                                        uint8_t policy = ANYSERIAL_POLICY_RAISE) {
    anyserial_serial_config_t c{};
    c.struct_size = sizeof c;
    c.baudrate = baud;
    c.byte_size = size;
    c.parity = parity;
    c.stop_bits = stop;
    c.flow_control = flow;
    c.exclusive = true;
    c.hangup_on_close = true;
    c.unsupported_policy = policy;
    c.rs485.struct_size = sizeof c.rs485;
    return c;
}

// Ask the harness to compare the Linux pty's termios with `expected`.
inline bool termios_is(const std::string &expected) {
    std::printf("?TERMIOS %s\n", expected.c_str());
    std::fflush(stdout);
    std::string reply;
    if (!std::getline(std::cin, reply)) return false;
    if (reply != "OK") std::printf("  harness: %s\n", reply.c_str());
    return reply == "OK";
}

int run_control_tests(anyserial_backend_t *b);
int run_io_tests(anyserial_backend_t *b, const char *port);

}  // namespace contract
