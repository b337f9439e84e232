// The plugin-wide I/O completion port and its one worker thread (the only thread the
// Windows backend starts). Every open port's HANDLE is associated with it; the worker
// dequeues each OVERLAPPED packet and hands it to the AsyncPort that issued it.
#pragma once

#include <windows.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace anyserial::windows_backend {

class AsyncPort;

// One overlapped operation slot (one per direction and open port). The OVERLAPPED is the
// first member so a dequeued LPOVERLAPPED converts back to its slot.
struct IoOp {
    OVERLAPPED ov{};
    AsyncPort *port = nullptr;
};

class CompletionPort {
  public:
    static CompletionPort &instance() noexcept;

    // Associate an overlapped handle; starts the worker on first use. Throws sdk::Error.
    void attach(HANDLE handle);
    // Stop the worker (entry deinit: every port is closed by then). Idempotent.
    void shutdown() noexcept;
    // True on the worker thread (a completion callback calling close()).
    bool on_worker() const noexcept;

  private:
    CompletionPort() = default;
    static void run(HANDLE port) noexcept;

    std::mutex mutex_;
    HANDLE port_ = nullptr;
    std::thread worker_;
    std::atomic<std::thread::id> worker_id_{};  // read by on_worker() without the mutex
};

}  // namespace anyserial::windows_backend
