// What both mock kinds share: the pair lease, the control table (config, lines, break,
// input_waiting) and the fault-injection extension "anyserial.backend.mock-faults/1".
//
// Control-table choices (documented in the descriptors too):
//  - configure accepts any valid config and stores it; read_chunk_size caps each read.
//    low_latency and RS-485 are not emulated: reported unsupported (RAISE fails the call
//    with UNSUPPORTED_CONFIG and changes nothing).
//  - reset_input discards what is queued on this end's socket; reset_output is a no-op: a
//    socket has no output queue that could be flushed (written bytes are already in the
//    peer's receive queue). output_waiting is 0 for the same reason (except bytes held by
//    added latency, which are counted).
//  - set_break records the state and counts breaks; drain_blocking returns at once (after
//    bytes held by added latency have been delivered).
//  - Control lines are crossed like a null-modem cable: this end's RTS is the peer's CTS,
//    its DTR the peer's DSR and CD. Open asserts RTS and DTR; close drops them.
#pragma once

#include <anyserial/sdk/ext/mock_faults.h>

#include <anyserial/sdk/cpp/backend.hpp>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "pair_registry.hpp"

namespace anyserial::mock {

// Fault state of one instance; every field is safe to change from any thread.
struct Faults {
    std::atomic<bool> disconnected{false};
    std::atomic<uint32_t> eagain{0};       // primitives left to fail with WOULD_BLOCK
    std::atomic<uint32_t> eintr{0};        // primitives left to fail with INTERRUPTED
    std::atomic<uint32_t> short_write{0};  // max bytes per write, 0 = no limit
    std::atomic<uint64_t> latency_ns{0};

    // Consume one unit of a counter; true when this primitive must fail.
    static bool take(std::atomic<uint32_t> &counter) noexcept {
        uint32_t n = counter.load();
        while (n > 0)
            if (counter.compare_exchange_weak(n, n - 1)) return true;
        return false;
    }
};

// The platform-independent capabilities of both mock kinds.
const anyserial_capabilities_t &mock_capabilities() noexcept;

class MockBase : public sdk::Backend {
  public:
    explicit MockBase(const char *scheme) : scheme_(scheme) {}
    ~MockBase() override;

    void open(const char *path, const anyserial_serial_config_t &config,
              sdk::ConfigReport &report) final;
    void close() final;
    void configure(const anyserial_serial_config_t &config, sdk::ConfigReport &report) final;
    void reset_input() final;
    void reset_output() final;
    void set_break(bool on) final;
    void drain_blocking() final;
    uint32_t modem_lines() final;
    void set_control_lines(int32_t rts, int32_t dtr) final;
    uint32_t input_waiting() final;
    uint32_t output_waiting() final;
    anyserial_capabilities_t capabilities() final { return mock_capabilities(); }
    const void *extension(std::string_view id) noexcept final;

    // The fault extension's entry points.
    void fault_disconnect();
    void fault_latency(uint64_t ns);
    void break_state(int32_t &on, uint32_t &count) const noexcept;
    Faults &faults() noexcept { return faults_; }

  protected:
    // Kind-specific hooks, called with the instance open.
    virtual void on_opened() {}
    virtual void on_closing() noexcept {}     // before the socket closes
    virtual void on_disconnect() noexcept {}  // after the socket was shut down
    virtual void on_latency_changed() {}
    virtual uint32_t held_output() const noexcept { return 0; }
    virtual void wait_output_delivered() {}

    int fd() const noexcept { return fd_.load(std::memory_order_acquire); }
    bool is_open() const noexcept { return fd() >= 0; }
    uint32_t read_chunk() const noexcept { return read_chunk_.load(std::memory_order_relaxed); }
    const std::string &url_text() const noexcept { return url_; }
    void require_open(const char *what) const;

    Faults faults_;

  private:
    void validate(const anyserial_serial_config_t &config, sdk::ConfigReport &report) const;
    void apply(const anyserial_serial_config_t &config) noexcept;

    const char *scheme_;
    std::string url_;
    Lease lease_;
    std::atomic<int> fd_{-1};
    std::atomic<uint32_t> read_chunk_{0};
    anyserial_serial_config_t config_{};
    std::atomic<bool> break_on_{false};
    std::atomic<uint32_t> break_count_{0};
};

}  // namespace anyserial::mock
