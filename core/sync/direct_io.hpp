// anyserial — the sync facade's hot path, run on the caller's thread: read_some, write and
// receive_available call the backend's C table directly, with no loop thread in between.
//
// Sync-fd backends: try the non-blocking primitive, and on WOULD_BLOCK wait in ppoll(2) on
// the port's fd plus an eventfd that close() signals; the per-call timeout is ppoll's.
// Async-completion backends: start_read/start_write with a per-direction Waiter as the
// completion target, and wait on it (a timeout or close() cancels the direction and waits
// for its one completion, which owns the buffer until then).
// Nothing here allocates on success. Not a public API.
#pragma once

#include <anyserial/sdk/backend.h>

#include <anyserial/errors.hpp>
#include <anyserial/stats.hpp>
#include <atomic>
#include <boost/asio/buffer.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace anyserial::sync::detail {

enum class ReadMode { some, available };

// One direction's completion slot for async-completion backends.
struct Waiter {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    bool outstanding = false;  // an operation was started and has not completed yet
    bool stray = false;        // a completion arrived with none outstanding (ABI violation)
    std::int32_t status = 0;
    std::uint32_t transferred = 0;
    static void on_done(void *user, std::int32_t status, std::uint32_t n) noexcept;
};

class DirectIo {
  public:
    using Deadline = std::optional<std::chrono::steady_clock::time_point>;

    DirectIo() = default;
    DirectIo(const DirectIo &) = delete;
    DirectIo &operator=(const DirectIo &) = delete;
    ~DirectIo();

    // After the port opened (raw is the backend instance; it outlives this object's use;
    // plugin names it in messages). Throws SerialError when the eventfd cannot be created.
    void attach(anyserial_backend_t *raw, std::string path, std::string plugin, bool collect_stats);

    // `what` names the facade call in error messages ("read_some", "write", ...).
    std::size_t read(boost::asio::mutable_buffer buf, Deadline deadline, ReadMode mode,
                     const char *what);
    void write(boost::asio::const_buffer data, Deadline deadline, const char *what);

    // The write guard for write-side control operations run on the loop (drain, break):
    // one writer at a time, as before. Throws SerialBusyError when taken.
    void lock_writer(const char *what);
    void unlock_writer() noexcept { write_busy_.store(false, std::memory_order_release); }

    // Wakes every blocked call (they throw SerialClosedError) and returns once none is
    // inside the backend any more; later calls throw SerialClosedError at once.
    void close() noexcept;
    bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }

    void set_collect_stats(bool on) noexcept { collect_.store(on, std::memory_order_relaxed); }
    // What the hot path counted (added to the port's own stats by the facade).
    SerialStats stats() const noexcept;

  private:
    class Call;  // RAII: the closed check, the per-direction guard, the active count
    enum class Wake { ready, timeout, closed };

    Wake wait_fd(short events, const Deadline &deadline);
    // wait_fd that throws on timeout or close.
    void await_fd(short events, const Deadline &deadline, const char *what);
    std::size_t read_fd(boost::asio::mutable_buffer buf, const Deadline &deadline, ReadMode mode,
                        const char *what);
    void write_fd(boost::asio::const_buffer data, const Deadline &deadline, const char *what);
    struct Done {
        std::uint32_t n;
        bool timed_out;  // the deadline passed, yet this completion carried data
    };
    Done async_op(bool read, void *data, std::uint32_t len, const Deadline &deadline,
                  const char *what);
    [[noreturn]] void fail_status(std::int32_t status, const char *what, const char *prim) const;
    [[noreturn]] void fail(errc e, const char *what, const char *why) const;
    // The backend broke the ABI contract (a count larger than the buffer it was given): a
    // PluginError naming it, and every later call fails the same way.
    [[noreturn]] void violation(const char *what, std::string why);
    void check_count(const char *prim, std::uint32_t n, std::uint32_t len, const char *what);
    std::uint32_t clip_available(std::uint32_t len) const noexcept;
    void count(std::atomic<std::uint64_t> &c, std::uint64_t n = 1) noexcept {
        if (collect_.load(std::memory_order_relaxed)) c.fetch_add(n, std::memory_order_relaxed);
    }

    anyserial_backend_t *raw_ = nullptr;
    std::string path_;
    std::string plugin_;
    int fd_ = -1;    // the backend's fd (sync-fd kind); the backend owns it
    int wake_ = -1;  // eventfd: readable once close() ran
    std::atomic<bool> closed_{false};
    std::atomic<bool> faulted_{false};  // the backend broke the contract once
    std::atomic<bool> read_busy_{false};
    std::atomic<bool> write_busy_{false};
    std::atomic<int> active_{0};  // calls inside the backend (close waits for 0)
    // Bytes went out since the last read began: that read most likely waits for their
    // answer, so it polls before it reads (as pySerial does) instead of a read(2) that
    // would only say EAGAIN. A read with nothing written before it (a stream) reads first.
    std::atomic<bool> wrote_since_read_{false};
    Waiter rd_, wr_;
    std::atomic<bool> collect_{false};
    std::atomic<std::uint64_t> bytes_read_{0}, bytes_written_{0}, read_calls_{0}, write_calls_{0},
        waits_{0}, would_block_{0}, interrupted_{0};
};

}  // namespace anyserial::sync::detail
