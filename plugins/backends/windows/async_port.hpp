// The async-completion engine of one open COM port: overlapped ReadFile/WriteFile whose
// packets come back through the plugin-wide CompletionPort.
//
// Reads complete as soon as at least one byte arrived, in two steps, with the port's
// COMMTIMEOUTS all zero ("wait until the buffer is full"):
//   1. an overlapped ReadFile of ONE byte: completes when the first byte arrives;
//   2. ClearCommError for the queued count, then an overlapped ReadFile of
//      min(len - 1, queued) bytes, which the driver completes at once from its queue.
// The read's completion carries 1 + step 2's count. (Why not the documented
// MAXDWORD/MAXDWORD/constant timeouts: Wine 8 never completes such a read; see NOTES.md.)
//
// Wine 8 never resumes a pending overlapped WriteFile on a serial handle while an
// overlapped ReadFile is pending on it (checked: a 64 KiB write stalls for good; with no
// read pending it completes). Under Wine only (`park_reads`), a write that goes pending
// cancels the pending first-byte read and "parks" it; the write's completion re-issues it.
// No byte is lost (a read that already got its byte completes normally); incoming data
// waits in the driver's queue meanwhile. Each Wine write is capped at 1 KiB (a partial
// completion) so that writes rarely go pending at all. Real Windows needs neither.
//
// Exactly once: every slot has `active` (started, not yet delivered); whoever clears it
// under the lock delivers — the worker for a dequeued packet, or close() for an operation
// it waited out. A packet that arrives for an inactive slot is dropped. Each issued
// OVERLAPPED keeps this object alive (`keep`) until its packet is dequeued, so a packet
// never points into freed memory; a new open gets a new AsyncPort.
#pragma once

#include <windows.h>

#include <anyserial/sdk/cpp/backend.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "completion_port.hpp"

namespace anyserial::windows_backend {

class AsyncPort : public std::enable_shared_from_this<AsyncPort> {
  public:
    // `handle`: an overlapped handle already associated with the CompletionPort; the
    // backend closes it after shutdown(). `errors` outlives every delivery (close waits).
    AsyncPort(HANDLE handle, std::string name, sdk::LastError &errors, bool park_reads);
    ~AsyncPort();
    AsyncPort(const AsyncPort &) = delete;
    AsyncPort &operator=(const AsyncPort &) = delete;

    HANDLE handle() const noexcept { return handle_; }

    // Throw sdk::Error on failure (then no completion follows).
    void start_read(std::span<uint8_t> buf, sdk::Completion done);
    void start_write(std::span<const uint8_t> data, sdk::Completion done);
    void cancel(uint32_t directions) noexcept;
    // Cancel everything, deliver every outstanding completion (inline when the worker
    // cannot), then return; the caller closes the handle afterwards.
    void shutdown() noexcept;

    // Worker entry: one dequeued packet of `op` with Win32 status err and n bytes.
    static void on_packet(IoOp &op, DWORD err, DWORD n) noexcept;

  private:
    enum class Stage { none, read_first, read_rest, write };
    struct Slot {
        IoOp io;
        Stage stage = Stage::none;
        bool active = false;          // started and not yet delivered
        bool kernel_pending = false;  // an OVERLAPPED issued, its packet not yet dequeued
        bool cancel_requested = false;
        bool parked = false;  // read: cancelled internally while a write is pending (Wine)
        uint8_t *buf = nullptr;
        const uint8_t *data = nullptr;
        uint32_t len = 0;
        uint32_t got = 0;   // read: bytes already in buf (the first byte)
        uint32_t rest = 0;  // read step 2: bytes asked for
        sdk::Completion done;
        std::shared_ptr<AsyncPort> keep;  // set while kernel_pending
    };
    struct Finished {
        sdk::Completion done;
        int32_t status = ANYSERIAL_OK;
        uint32_t n = 0;
    };

    // Issue the current stage's I/O on a slot. Requires the lock. Returns the Win32 error
    // of an immediate failure (no packet follows) or ERROR_SUCCESS.
    DWORD issue(Slot &s) noexcept;
    // What a finished stage means; returns false when the read continued (step 2 or a
    // re-issue after a foreign abort) and nothing is to be delivered yet. Requires the lock.
    bool advance(Slot &s, DWORD err, DWORD n, Finished &out) noexcept;
    Finished take(Slot &s, int32_t status, uint32_t n) noexcept;
    void record(const char *op, DWORD err) noexcept;
    void deliver(std::unique_lock<std::mutex> &lock, Finished f) noexcept;
    // Wine: park the first-byte read while a write is pending / re-issue it afterwards.
    void park_read() noexcept;
    bool resume_read(Finished &out) noexcept;

    HANDLE handle_;
    std::string name_;
    sdk::LastError &errors_;
    std::mutex mutex_;
    std::condition_variable idle_;
    int delivering_ = 0;  // completions being called on the worker right now
    bool closing_ = false;
    const bool park_reads_;
    Slot rd_, wr_;
};

}  // namespace anyserial::windows_backend
