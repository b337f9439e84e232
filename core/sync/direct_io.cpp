#include "sync/direct_io.hpp"

#include <anyserial/sdk/status.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <anyserial/detail/port_core.hpp>
#include <cerrno>
#include <cstring>
#include <limits>

#include "log/logger.hpp"

namespace anyserial::sync::detail {
namespace {

constexpr std::uint32_t kMaxChunk = std::numeric_limits<std::uint32_t>::max();

std::uint32_t clip(std::size_t n) noexcept {
    return static_cast<std::uint32_t>(std::min<std::size_t>(n, kMaxChunk));
}

}  // namespace

void Waiter::on_done(void *user, std::int32_t status, std::uint32_t n) noexcept {
    auto *w = static_cast<Waiter *>(user);
    // Notify under the lock: once it is released the waiting call may return and the
    // Waiter may be destroyed (close() waits for that call, not for this thread).
    std::lock_guard lock(w->m);
    if (!w->outstanding) {  // a second completion, or one never started: not trusted
        w->stray = true;
        return;
    }
    w->outstanding = false;
    w->status = status;
    w->transferred = n;
    w->done = true;
    w->cv.notify_one();
}

// Entered by every hot-path call: refuses a closed port and a second caller for the same
// direction, and keeps close() waiting until the call has left the backend.
class DirectIo::Call {
  public:
    Call(DirectIo &io, std::atomic<bool> &busy, const char *what, const char *busy_why)
        : io_(io), busy_(busy) {
        io_.active_.fetch_add(1, std::memory_order_seq_cst);
        if (io_.closed_.load(std::memory_order_seq_cst)) {
            leave();
            io_.fail(errc::closed, what, "the port is closed");
        }
        if (io_.faulted_.load(std::memory_order_acquire)) {
            leave();
            io_.fail(errc::plugin_error, what, "the backend broke the ABI contract earlier");
        }
        if (busy_.exchange(true, std::memory_order_acquire)) {
            leave();
            io_.fail(errc::busy, what, busy_why);
        }
    }
    ~Call() {
        busy_.store(false, std::memory_order_release);
        leave();
    }
    Call(const Call &) = delete;
    Call &operator=(const Call &) = delete;

  private:
    void leave() noexcept {
        // seq_cst pairs with close(): either it sees this decrement, or this sees closed_.
        if (io_.active_.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
            io_.closed_.load(std::memory_order_seq_cst))
            io_.active_.notify_all();
    }
    DirectIo &io_;
    std::atomic<bool> &busy_;
};

DirectIo::~DirectIo() {
    if (wake_ >= 0) ::close(wake_);
}

void DirectIo::attach(anyserial_backend_t *raw, std::string path, std::string plugin,
                      bool collect_stats) {
    raw_ = raw;
    path_ = std::move(path);
    plugin_ = std::move(plugin);
    collect_.store(collect_stats, std::memory_order_relaxed);
    if (raw_->sync_fd == nullptr) return;
    fd_ = raw_->sync_fd->fileno(raw_);
    if (fd_ < 0)
        throw_serial_error(make_error_code(errc::plugin_error),
                           "cannot open serial port: the sync-fd backend has no fd", path_);
    wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_ < 0) {
        const int err = errno;
        throw_serial_error(make_error_code(errc::io_error),
                           std::string("cannot open serial port: eventfd: ") + std::strerror(err),
                           path_, err);
    }
}

void DirectIo::close() noexcept {
    closed_.store(true, std::memory_order_seq_cst);
    if (wake_ >= 0) {
        const std::uint64_t one = 1;
        [[maybe_unused]] ssize_t r = ::write(wake_, &one, sizeof one);
    }
    if (raw_ != nullptr && raw_->async_io != nullptr)
        raw_->async_io->cancel(raw_, ANYSERIAL_DIRECTION_READ | ANYSERIAL_DIRECTION_WRITE);
    for (int a = active_.load(std::memory_order_seq_cst); a != 0;
         a = active_.load(std::memory_order_seq_cst))
        active_.wait(a, std::memory_order_seq_cst);
}

void DirectIo::lock_writer(const char *what) {
    if (closed()) fail(errc::closed, what, "the port is closed");
    if (write_busy_.exchange(true, std::memory_order_acquire))
        fail(errc::busy, what, "another write-side operation is in progress");
}

SerialStats DirectIo::stats() const noexcept {
    SerialStats s;
    s.bytes_read = bytes_read_.load(std::memory_order_relaxed);
    s.bytes_written = bytes_written_.load(std::memory_order_relaxed);
    s.read_calls = read_calls_.load(std::memory_order_relaxed);
    s.write_calls = write_calls_.load(std::memory_order_relaxed);
    s.readiness_waits = waits_.load(std::memory_order_relaxed);
    s.would_block = would_block_.load(std::memory_order_relaxed);
    s.interrupted = interrupted_.load(std::memory_order_relaxed);
    return s;
}

void DirectIo::fail(errc e, const char *what, const char *why) const {
    throw_serial_error(make_error_code(e), std::string(what) + " failed: " + why, path_);
}

void DirectIo::fail_status(std::int32_t status, const char *what, const char *prim) const {
    // The same mapping as the async port's (PortCore::backend_error).
    const int os = raw_->control->last_os_error != nullptr ? raw_->control->last_os_error(raw_) : 0;
    errc e = errc_from_status(status);
    if (os != 0 && (status == ANYSERIAL_E_IO || e == errc::io_error))
        e = errc_from_errno(os, ErrnoContext::io);
    if (status == ANYSERIAL_E_CANCELLED) e = errc::closed;
    const std::string text = anyserial::detail::backend_text(raw_);
    std::string msg = std::string(what) + " failed: " + prim;
    if (!text.empty()) msg += ": " + text;
    throw_serial_error(make_error_code(e), std::move(msg), path_, os);
}

void DirectIo::check_count(const char *prim, std::uint32_t n, std::uint32_t len, const char *what) {
    if (n > len)
        violation(what, fmt::format("{} reported {} bytes for a {}-byte buffer", prim, n, len));
}

void DirectIo::violation(const char *what, std::string why) {
    faulted_.store(true, std::memory_order_release);
    std::string msg = fmt::format("{} failed: {} broke the ABI contract: {}", what, plugin_, why);
    log::logger("anyserial.plugin").error("{}: {}", path_, msg);
    throw_serial_error(make_error_code(errc::plugin_error), std::move(msg), path_);
}

std::uint32_t DirectIo::clip_available(std::uint32_t len) const noexcept {
    std::uint32_t queued = 0;
    if (raw_->control->input_waiting != nullptr &&
        raw_->control->input_waiting(raw_, &queued) == ANYSERIAL_OK && queued > 0)
        return std::min(len, queued);
    return len;
}

// ---- sync-fd -----------------------------------------------------------------------------

DirectIo::Wake DirectIo::wait_fd(short events, const Deadline &deadline) {
    count(waits_);
    pollfd fds[2] = {{fd_, events, 0}, {wake_, POLLIN, 0}};
    for (;;) {
        if (closed()) return Wake::closed;
        timespec ts{};
        timespec *tsp = nullptr;
        if (deadline) {
            const auto left = *deadline - std::chrono::steady_clock::now();
            if (left <= std::chrono::steady_clock::duration::zero()) return Wake::timeout;
            const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
            ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
            ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
            tsp = &ts;
        }
        const int r = ::ppoll(fds, 2, tsp, nullptr);
        if (r < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            throw_serial_error(make_error_code(errc::io_error),
                               std::string("poll failed: ") + std::strerror(err), path_, err);
        }
        if (fds[1].revents != 0) return Wake::closed;
        if (r == 0) continue;  // the deadline check above decides
        // Readable, writable, or POLLHUP/POLLERR: the primitive reports what it is.
        return Wake::ready;
    }
}

std::size_t DirectIo::read_fd(boost::asio::mutable_buffer buf, const Deadline &deadline,
                              ReadMode mode, const char *what) {
    auto *p = static_cast<std::uint8_t *>(buf.data());
    const std::uint32_t len = clip(buf.size());
    // A deadline already past still gets one read (timeout 0: whatever is there).
    if (wrote_since_read_.exchange(false, std::memory_order_relaxed) &&
        wait_fd(POLLIN, deadline) == Wake::closed)
        fail(errc::closed, what, "the port was closed");
    for (;;) {
        const std::uint32_t want = mode == ReadMode::available ? clip_available(len) : len;
        std::uint32_t n = 0;
        const std::int32_t rc = raw_->sync_fd->read_nonblocking(raw_, p, want, &n);
        count(read_calls_);
        if (rc == ANYSERIAL_OK) {
            check_count("read_nonblocking", n, want, what);
            if (n == 0) fail(errc::disconnected, what, "read: end of file");
            count(bytes_read_, n);
            return n;
        }
        if (rc != ANYSERIAL_E_WOULD_BLOCK && rc != ANYSERIAL_E_INTERRUPTED)
            fail_status(rc, what, "read");
        count(rc == ANYSERIAL_E_WOULD_BLOCK ? would_block_ : interrupted_);
        await_fd(POLLIN, deadline, what);
    }
}

void DirectIo::await_fd(short events, const Deadline &deadline, const char *what) {
    switch (wait_fd(events, deadline)) {
        case Wake::ready:
            return;
        case Wake::timeout:
            fail(errc::timeout, what,
                 events == POLLIN ? "timed out waiting for data" : "timed out waiting to write");
        case Wake::closed:
            fail(errc::closed, what, "the port was closed");
    }
}

void DirectIo::write_fd(boost::asio::const_buffer data, const Deadline &deadline,
                        const char *what) {
    const auto *p = static_cast<const std::uint8_t *>(data.data());
    std::size_t left = data.size();
    while (left > 0) {
        std::uint32_t n = 0;
        const std::uint32_t chunk = clip(left);
        const std::int32_t rc = raw_->sync_fd->write_nonblocking(raw_, p, chunk, &n);
        count(write_calls_);
        if (rc == ANYSERIAL_OK) check_count("write_nonblocking", n, chunk, what);
        if (rc == ANYSERIAL_OK && n > 0) {
            p += n;
            left -= n;
            count(bytes_written_, n);
            wrote_since_read_.store(true, std::memory_order_relaxed);
            continue;
        }
        if (rc != ANYSERIAL_OK && rc != ANYSERIAL_E_WOULD_BLOCK && rc != ANYSERIAL_E_INTERRUPTED)
            fail_status(rc, what, "write");
        if (rc != ANYSERIAL_OK) count(rc == ANYSERIAL_E_WOULD_BLOCK ? would_block_ : interrupted_);
        await_fd(POLLOUT, deadline, what);
    }
}

// ---- async-completion --------------------------------------------------------------------

DirectIo::Done DirectIo::async_op(bool read, void *data, std::uint32_t len,
                                  const Deadline &deadline, const char *what) {
    Waiter &w = read ? rd_ : wr_;
    const std::uint32_t dir = read ? ANYSERIAL_DIRECTION_READ : ANYSERIAL_DIRECTION_WRITE;
    {
        std::lock_guard lock(w.m);
        if (w.stray) violation(what, "a completion arrived for an operation that was not started");
        w.done = false;
        w.outstanding = true;
    }
    count(read ? read_calls_ : write_calls_);
    const std::int32_t rc =
        read ? raw_->async_io->start_read(raw_, static_cast<std::uint8_t *>(data), len,
                                          &Waiter::on_done, &w)
             : raw_->async_io->start_write(raw_, static_cast<const std::uint8_t *>(data), len,
                                           &Waiter::on_done, &w);
    if (rc != ANYSERIAL_OK) {
        {
            std::lock_guard lock(w.m);
            w.outstanding = false;  // a refused start never completes
        }
        fail_status(rc, what, read ? "start_read" : "start_write");
    }
    // close() may have cancelled just before this start: cancel it ourselves.
    if (closed_.load(std::memory_order_seq_cst)) raw_->async_io->cancel(raw_, dir);
    bool timed_out = false;
    std::int32_t status = 0;
    std::uint32_t n = 0;
    {
        std::unique_lock lock(w.m);
        auto is_done = [&w] { return w.done; };
        if (deadline && !w.cv.wait_until(lock, *deadline, is_done)) {
            // The completion still owns the buffer: ask for it early and wait for it.
            timed_out = true;
            lock.unlock();
            raw_->async_io->cancel(raw_, dir);
            lock.lock();
        }
        w.cv.wait(lock, is_done);
        status = w.status;
        n = w.transferred;
    }
    if (closed()) fail(errc::closed, what, "the port was closed");
    if (status == ANYSERIAL_OK)
        check_count(read ? "read completion" : "write completion", n, len, what);
    if (status == ANYSERIAL_OK && n > 0) {  // data that raced the timer is kept
        count(read ? bytes_read_ : bytes_written_, n);
        return {n, timed_out};
    }
    if (timed_out && (status == ANYSERIAL_OK || status == ANYSERIAL_E_CANCELLED))
        fail(errc::timeout, what, read ? "timed out waiting for data" : "timed out writing");
    if (status == ANYSERIAL_OK) fail(errc::disconnected, what, "read: completed with 0 bytes");
    fail_status(status, what, read ? "read" : "write");
}

// ---- the calls ---------------------------------------------------------------------------

std::size_t DirectIo::read(boost::asio::mutable_buffer buf, Deadline deadline, ReadMode mode,
                           const char *what) {
    Call call(*this, read_busy_, what, "another read is in progress");
    if (buf.size() == 0) return 0;
    if (fd_ >= 0) return read_fd(buf, deadline, mode, what);
    std::uint32_t len = clip(buf.size());
    if (mode == ReadMode::available) len = clip_available(len);
    return async_op(true, buf.data(), len, deadline, what).n;
}

void DirectIo::write(boost::asio::const_buffer data, Deadline deadline, const char *what) {
    Call call(*this, write_busy_, what, "another write is in progress");
    if (fd_ >= 0) return write_fd(data, deadline, what);
    const auto *p = static_cast<const std::uint8_t *>(data.data());
    std::size_t left = data.size();
    while (left > 0) {
        const Done d = async_op(false, const_cast<std::uint8_t *>(p), clip(left), deadline, what);
        p += d.n;
        left -= d.n;
        if (left > 0 && d.timed_out) fail(errc::timeout, what, "timed out writing");
    }
}

}  // namespace anyserial::sync::detail
