// anyserial — internal state of one open port, shared by SerialPort and its in-flight
// operations (an operation keeps it alive until its handler ran, so a port may be moved
// or destroyed while operations are pending). Not a public API.
#pragma once

#include <anyserial/capabilities.hpp>
#include <anyserial/config.hpp>
#include <anyserial/errors.hpp>
#include <anyserial/plugin_host.hpp>
#include <anyserial/stats.hpp>
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>

namespace anyserial {

// What the last failure of a port was, with the backend's own words and OS error.
struct ErrorDetail {
    boost::system::error_code code;
    int os_error = 0;     // errno (or OS error) from the backend, 0 when none
    std::string message;  // what failed, from the core and the backend's last_error()
};

namespace detail {

enum class Dir { read, write };

// One-slot memory for the post that carries a completion from a backend thread to the
// port's executor: exactly one completion per direction is ever in flight. Shared by the
// port and the posted operation (through its allocator): a completion still queued when
// the io_context is destroyed is freed after the port may already be gone.
class CompletionArena {
  public:
    void *allocate(std::size_t n) {
        bool expected = false;
        if (n <= sizeof buf_ && used_.compare_exchange_strong(expected, true)) return buf_;
        return ::operator new(n);
    }
    void deallocate(void *p, std::size_t n) noexcept {
        if (p == static_cast<void *>(buf_))
            used_.store(false, std::memory_order_release);
        else
            ::operator delete(p, n);
    }

  private:
    alignas(std::max_align_t) unsigned char buf_[256];
    std::atomic<bool> used_{false};
};

template <class T>
struct ArenaAllocator {
    using value_type = T;
    std::shared_ptr<CompletionArena> arena;
    explicit ArenaAllocator(std::shared_ptr<CompletionArena> a) noexcept : arena(std::move(a)) {}
    template <class U>
    ArenaAllocator(const ArenaAllocator<U> &o) noexcept : arena(o.arena) {}
    T *allocate(std::size_t n) { return static_cast<T *>(arena->allocate(n * sizeof(T))); }
    void deallocate(T *p, std::size_t n) noexcept { arena->deallocate(p, n * sizeof(T)); }
    template <class U>
    bool operator==(const ArenaAllocator<U> &o) const noexcept {
        return arena == o.arena;
    }
};

// A backend's last_error() text, bounded by the buffer, its first NUL and the reported
// length, and escaped: the one reader of plugin text for every port path.
std::string backend_text(const anyserial_backend_t *b);

class PortCore;

struct DirectionState {
    DirectionState(PortCore &c, const boost::asio::any_io_executor &ex)
        : core(&c), event(ex), arena(std::make_shared<CompletionArena>()) {}
    PortCore *core;
    bool busy = false;  // the per-direction guard (touched on the executor only)
    // Async-completion kind: `event` is woken by the posted completion.
    boost::asio::steady_timer event;
    bool done = false;
    std::int32_t status = 0;
    std::uint32_t transferred = 0;
    std::uint32_t requested = 0;  // the length handed to start_*: a completion may not exceed it
    // Set before start_*, cleared by its completion: a second completion (or one without a
    // start) is a contract violation and is dropped, never posted.
    std::atomic<bool> outstanding{false};
    std::shared_ptr<CompletionArena> arena;
};

class PortCore {
  public:
    PortCore(boost::asio::any_io_executor ex, std::string path, const PluginHost *host,
             const LoadedBackend *loaded, BackendHandle backend, SerialConfig config);
    ~PortCore();
    PortCore(const PortCore &) = delete;
    PortCore &operator=(const PortCore &) = delete;

    // After control->open succeeded: descriptor, capabilities, policy report.
    boost::system::error_code after_open(const anyserial_config_report_t &report);

    // Records the backend's failure (status, errno, text) and returns the errc for it.
    boost::system::error_code backend_error(std::int32_t status, ErrnoContext ctx,
                                            std::string_view what);
    boost::system::error_code fail(boost::system::error_code ec, std::string message,
                                   int os_error = 0);
    // Records a failure of the core's own read on a plain-fd port (an Asio error on the
    // descriptor: an errno, or eof) and returns the errc for it.
    boost::system::error_code descriptor_error(const boost::system::error_code &ec,
                                               std::string_view what);
    // The backend broke the ABI contract (a count larger than the buffer it was given, a
    // stray completion): errc::plugin_error naming the plugin, and the port refuses every
    // further transfer, since the backend can no longer be trusted.
    boost::system::error_code plugin_violation(std::string_view what);
    // "backend 'id' (file)" for messages.
    std::string plugin_name() const;

    // Async-completion kind.
    std::int32_t start_io(Dir d, void *data, std::uint32_t len);
    void cancel_io(Dir d) noexcept;
    void post_completion(DirectionState &d, std::int32_t status, std::uint32_t n) noexcept;

    void close() noexcept;
    void finish_close() noexcept;  // the backend side of close, once no worker uses it

    DirectionState &dir(Dir d) noexcept { return d == Dir::read ? rd : wr; }

    // Sync-fd primitives, inline for the hot path.
    // The caller checks *n against len (IoOp::attempt): never trusted.
    std::int32_t read_nb(void *p, std::uint32_t len, std::uint32_t *n) noexcept {
        return raw->sync_fd->read_nonblocking(raw, static_cast<std::uint8_t *>(p), len, n);
    }
    std::int32_t write_nb(const void *p, std::uint32_t len, std::uint32_t *n) noexcept {
        return raw->sync_fd->write_nonblocking(raw, static_cast<const std::uint8_t *>(p), len, n);
    }

    boost::asio::any_io_executor ex;
    // ex's target when it is a plain io_context executor (not a strand): the hot path
    // posts to it directly instead of through the type-erased wrapper.
    boost::asio::io_context::executor_type *io_ex;
    std::string path;    // the name the caller gave (messages)
    std::string device;  // what the backend opens: path with its symlinks resolved
    const PluginHost *host;
    const LoadedBackend *loaded;
    BackendHandle backend;
    anyserial_backend_t *raw;  // == backend.get(), cached for the hot path
    bool sync_fd;
    // The backend declared ANYSERIAL_SYNC_FD_PLAIN_IO and the port collects no statistics:
    // reads are the descriptor's own async_read_some (a speculative read(2), then one
    // reactor op that needs no re-arm) instead of a readiness wait and a plugin call.
    // Set at open.
    bool plain_fd = false;
    std::optional<boost::asio::posix::stream_descriptor> desc;
    DirectionState rd;
    DirectionState wr;
    boost::asio::steady_timer aux;  // drain polling, break duration, drain_exact wake-up
    bool open = false;
    bool closed = false;
    bool backend_closed = false;
    bool break_active = false;
    bool faulted = false;                       // plugin_violation() happened: no more I/O
    std::atomic<bool> stray_completion{false};  // set from a backend thread
    int blocking_in_flight = 0;                 // drain_exact workers still using the backend
    bool drain_detached = false;  // a cancelled drain_exact still holds the write guard
    bool drain_done = false;
    std::int32_t drain_status = 0;
    std::mutex configure_mutex;  // serialises configure against itself
    SerialConfig config;
    SerialCapabilities platform_caps;
    SerialCapabilities caps;
    bool collect_stats;
    SerialStats stats;
    ErrorDetail last_error;
};

}  // namespace detail
}  // namespace anyserial
