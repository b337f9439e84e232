#include "mock_async.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>

namespace anyserial::mock {

namespace {
using clock = std::chrono::steady_clock;

struct ReadOp {
    bool active = false;
    bool cancelled = false;
    std::span<uint8_t> buf;
    sdk::Completion done;
};

struct WriteOp {
    bool active = false;
    bool cancelled = false;
    std::span<const uint8_t> data;
    sdk::Completion done;
    clock::time_point due;
};

// An operation taken out of its slot, to be completed outside the lock.
struct Finished {
    sdk::Completion done;
    int32_t status = ANYSERIAL_OK;
    uint32_t n = 0;
};
}  // namespace

// State shared by the instance and its worker (the worker keeps it alive even when the
// instance is destroyed from inside a completion).
struct AsyncCore {
    std::mutex mutex;
    ReadOp rd;
    WriteOp wr;
    bool stop = false;
    int fd = -1;
    int wake[2] = {-1, -1};
    Faults *faults = nullptr;
    sdk::LastError *errors = nullptr;
    std::string url;

    ~AsyncCore() {
        for (int w : wake)
            if (w >= 0) ::close(w);
    }

    void wake_up() noexcept {
        const char c = 1;
        (void)!::write(wake[1], &c, 1);  // a full pipe already means "wake up"
    }
    void drain_wake() noexcept {
        char sink[64];
        while (::read(wake[0], sink, sizeof sink) > 0) {
        }
    }
    void error(const char *op, const char *why, int err) noexcept {
        try {
            errors->set(std::string(op) + "(" + url + "): " + why, err);
        } catch (...) {
            errors->set(why, err);
        }
    }

    static Finished take(ReadOp &op, int32_t status, uint32_t n = 0) noexcept {
        Finished f{op.done, status, n};
        op = ReadOp{};
        return f;
    }
    static Finished take(WriteOp &op, int32_t status, uint32_t n = 0) noexcept {
        Finished f{op.done, status, n};
        op = WriteOp{};
        return f;
    }

    // Ops that end without I/O (stop, disconnect, cancel). Requires the lock.
    int collect_aborted(Finished *out) noexcept {
        int n = 0;
        const int32_t abort = stop                   ? ANYSERIAL_E_CANCELLED
                              : faults->disconnected ? ANYSERIAL_E_DISCONNECTED
                                                     : ANYSERIAL_OK;
        if (rd.active && (abort != ANYSERIAL_OK || rd.cancelled))
            out[n++] = take(rd, abort != ANYSERIAL_OK ? abort : ANYSERIAL_E_CANCELLED);
        if (wr.active && (abort != ANYSERIAL_OK || wr.cancelled))
            out[n++] = take(wr, abort != ANYSERIAL_OK ? abort : ANYSERIAL_E_CANCELLED);
        return n;
    }

    // One read attempt on a ready socket. Requires the lock.
    bool try_read(Finished &out) noexcept {
        if (Faults::take(faults->eagain) || Faults::take(faults->eintr)) return false;
        const ssize_t r = ::recv(fd, rd.buf.data(), rd.buf.size(), MSG_DONTWAIT);
        if (r > 0) {
            out = take(rd, ANYSERIAL_OK, static_cast<uint32_t>(r));
            return true;
        }
        if (r == 0) {
            error("read", "end of stream: the peer end closed", 0);
            out = take(rd, ANYSERIAL_E_DISCONNECTED);
            return true;
        }
        const int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) return false;
        error("read", std::strerror(err), err);
        out = take(rd, sdk::status_from_errno(err));
        return true;
    }

    // One write attempt on a ready socket. Requires the lock.
    bool try_write(Finished &out) noexcept {
        if (Faults::take(faults->eagain) || Faults::take(faults->eintr)) return false;
        std::size_t len = wr.data.size();
        if (const uint32_t max = faults->short_write; max > 0)
            len = std::min<std::size_t>(len, max);
        const ssize_t r = ::send(fd, wr.data.data(), len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r >= 0) {
            out = take(wr, ANYSERIAL_OK, static_cast<uint32_t>(r));
            return true;
        }
        const int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) return false;
        error("write", std::strerror(err), err);
        out = take(wr, sdk::status_from_errno(err));
        return true;
    }

    static void deliver(Finished *f, int n) noexcept {
        for (int i = 0; i < n; ++i)
            f[i].done.complete(f[i].status, f[i].n);
    }

    static void run(std::shared_ptr<AsyncCore> core) noexcept {
        AsyncCore &c = *core;
        std::unique_lock lock(c.mutex);
        for (;;) {
            Finished finished[2];
            int count = c.collect_aborted(finished);
            if (count > 0) {
                lock.unlock();
                deliver(finished, count);  // may start new operations or close
                lock.lock();
                continue;
            }
            if (c.stop) break;

            pollfd fds[2] = {{c.wake[0], POLLIN, 0}, {c.fd, 0, 0}};
            int timeout_ms = -1;
            const clock::time_point now = clock::now();
            if (c.rd.active) fds[1].events |= POLLIN;
            if (c.wr.active) {
                if (now >= c.wr.due)
                    fds[1].events |= POLLOUT;
                else
                    timeout_ms = static_cast<int>(
                        std::chrono::ceil<std::chrono::milliseconds>(c.wr.due - now).count());
            }
            const nfds_t nfds = fds[1].events != 0 ? 2 : 1;
            lock.unlock();
            (void)::poll(fds, nfds, timeout_ms);
            c.drain_wake();
            lock.lock();
            if (c.stop || c.faults->disconnected) continue;  // handled at the loop top

            const short ready = nfds == 2 ? fds[1].revents : 0;
            const short any = POLLHUP | POLLERR;
            if (c.rd.active && !c.rd.cancelled && (ready & (POLLIN | any)) != 0 &&
                c.try_read(finished[count]))
                ++count;
            if (c.wr.active && !c.wr.cancelled && clock::now() >= c.wr.due &&
                (ready & (POLLOUT | any)) != 0 && c.try_write(finished[count]))
                ++count;
            if (count > 0) {
                lock.unlock();
                deliver(finished, count);
                lock.lock();
            }
        }
    }
};

const anyserial_backend_descriptor_t &MockAsyncBackend::describe() noexcept {
    static const char *const schemes[] = {"mock-async", nullptr};
    static const anyserial_backend_descriptor_t d = {
        sizeof d,
        "mock-async",
        "Mock loopback pair (async-completion)",
        "anyserial",
        "0.1.0",
        "mock-async://NAME/a and mock-async://NAME/b: the mock pair served through "
        "start_read/start_write/cancel by a worker thread per open instance",
        "any",
        ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION,
        0,
        nullptr,
        schemes,
        &mock_capabilities()};
    return d;
}

MockAsyncBackend::~MockAsyncBackend() {
    close();
    reap_worker();
}

void MockAsyncBackend::reap_worker() noexcept {
    if (!worker_.joinable()) return;
    if (worker_.get_id() == std::this_thread::get_id())
        worker_.detach();  // destroyed (or reopened) from inside one of its completions
    else
        worker_.join();  // a worker that ended after a close from inside a completion
}

void MockAsyncBackend::on_opened() {
    reap_worker();
    auto core = std::make_shared<AsyncCore>();
    if (::pipe2(core->wake, O_NONBLOCK | O_CLOEXEC) != 0)
        sdk::throw_errno("pipe2 (worker wake-up for " + url_text() + ")");
    core->fd = fd();
    core->faults = &faults_;
    core->errors = &errors();
    core->url = url_text();
    core_ = core;
    worker_ = std::thread([core] { AsyncCore::run(core); });
}

void MockAsyncBackend::on_closing() noexcept {
    if (!core_) return;
    std::shared_ptr<AsyncCore> core = std::move(core_);
    const bool on_worker = std::this_thread::get_id() == worker_.get_id();
    Finished finished[2];
    int count = 0;
    {
        std::lock_guard lock(core->mutex);
        core->stop = true;
        if (on_worker) count = core->collect_aborted(finished);
    }
    if (on_worker) {
        // Closed from inside a completion: deliver the rest here; the worker ends as soon
        // as that completion returns.
        AsyncCore::deliver(finished, count);
        return;  // joined by the next open or the destructor
    }
    core->wake_up();
    if (worker_.joinable()) worker_.join();  // the worker delivered everything outstanding
}

void MockAsyncBackend::on_disconnect() noexcept {
    if (core_) core_->wake_up();
}

void MockAsyncBackend::on_latency_changed() {
    if (core_) core_->wake_up();
}

void MockAsyncBackend::start_read(std::span<uint8_t> buf, sdk::Completion done) {
    require_open("start_read");
    if (faults_.disconnected)
        throw sdk::Error(ANYSERIAL_E_DISCONNECTED,
                         url_text() + " is disconnected (injected fault)");
    {
        std::lock_guard lock(core_->mutex);
        if (core_->rd.active)
            throw sdk::Error(ANYSERIAL_E_BUSY,
                             "start_read(" + url_text() + "): a read is already outstanding");
        core_->rd = ReadOp{true, false, buf, done};
    }
    core_->wake_up();
}

void MockAsyncBackend::start_write(std::span<const uint8_t> data, sdk::Completion done) {
    require_open("start_write");
    if (faults_.disconnected)
        throw sdk::Error(ANYSERIAL_E_DISCONNECTED,
                         url_text() + " is disconnected (injected fault)");
    const auto due = clock::now() + std::chrono::nanoseconds(faults_.latency_ns.load());
    {
        std::lock_guard lock(core_->mutex);
        if (core_->wr.active)
            throw sdk::Error(ANYSERIAL_E_BUSY,
                             "start_write(" + url_text() + "): a write is already outstanding");
        core_->wr = WriteOp{true, false, data, done, due};
    }
    core_->wake_up();
}

void MockAsyncBackend::cancel(uint32_t directions) {
    if (!core_) return;  // nothing can be outstanding on a closed instance
    {
        std::lock_guard lock(core_->mutex);
        if ((directions & ANYSERIAL_DIRECTION_READ) != 0 && core_->rd.active)
            core_->rd.cancelled = true;
        if ((directions & ANYSERIAL_DIRECTION_WRITE) != 0 && core_->wr.active)
            core_->wr.cancelled = true;
    }
    core_->wake_up();
}

}  // namespace anyserial::mock
