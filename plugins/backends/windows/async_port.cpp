#include "async_port.hpp"

#include <algorithm>

#include "win_error.hpp"

namespace anyserial::windows_backend {

namespace {
constexpr uint32_t kWineWriteCap = 1024;
}  // namespace

AsyncPort::AsyncPort(HANDLE handle, std::string name, sdk::LastError &errors, bool park_reads)
    : handle_(handle), name_(std::move(name)), errors_(errors), park_reads_(park_reads) {
    for (Slot *s : {&rd_, &wr_}) {
        s->io.port = this;
        // Manual-reset: ReadFile/WriteFile reset it when they start; close() waits on it.
        s->io.ov.hEvent = CreateEventW(nullptr, TRUE, FALSE, nullptr);
        if (s->io.ov.hEvent == nullptr) {
            const DWORD err = GetLastError();
            if (rd_.io.ov.hEvent != nullptr) CloseHandle(rd_.io.ov.hEvent);
            throw_win32("CreateEvent (" + name_ + ")", err, ErrorContext::io);
        }
    }
}

AsyncPort::~AsyncPort() {
    for (Slot *s : {&rd_, &wr_})
        if (s->io.ov.hEvent != nullptr) CloseHandle(s->io.ov.hEvent);
}

void AsyncPort::record(const char *op, DWORD err) noexcept {
    try {
        errors_.set(std::string(op) + "(" + name_ + "): " + win32_text(err) + " (Win32 error " +
                        std::to_string(err) + ")",
                    static_cast<int>(err));
    } catch (...) {
        errors_.set(op, static_cast<int>(err));
    }
}

DWORD AsyncPort::issue(Slot &s) noexcept {
    HANDLE ev = s.io.ov.hEvent;
    s.io.ov = OVERLAPPED{};
    s.io.ov.hEvent = ev;
    BOOL ok = FALSE;
    switch (s.stage) {
        case Stage::read_first:
            ok = ReadFile(handle_, s.buf, 1, nullptr, &s.io.ov);
            break;
        case Stage::read_rest:
            ok = ReadFile(handle_, s.buf + s.got, s.rest, nullptr, &s.io.ov);
            break;
        case Stage::write:
            // Under Wine a write is capped so it rarely goes pending (and parks the read);
            // the caller loops over partial writes anyway.
            ok = WriteFile(handle_, s.data,
                           park_reads_ ? std::min<uint32_t>(s.len, kWineWriteCap) : s.len, nullptr,
                           &s.io.ov);
            break;
        case Stage::none:
            return ERROR_INVALID_FUNCTION;
    }
    if (!ok) {
        const DWORD err = GetLastError();
        if (err != ERROR_IO_PENDING) return err;
        if (s.stage == Stage::write && park_reads_) {
            s.kernel_pending = true;  // park_read() must see the write as pending
            park_read();
        }
    }
    // Pending or done at once: either way one packet follows (no
    // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), so there is one completion path.
    s.kernel_pending = true;
    s.keep = shared_from_this();
    return ERROR_SUCCESS;
}

AsyncPort::Finished AsyncPort::take(Slot &s, int32_t status, uint32_t n) noexcept {
    Finished f{s.done, status, n};
    s.done = {};
    s.active = false;
    s.stage = Stage::none;
    s.cancel_requested = false;
    s.parked = false;
    return f;
}

void AsyncPort::park_read() noexcept {
    if (rd_.active && rd_.kernel_pending && rd_.stage == Stage::read_first && !rd_.parked) {
        rd_.parked = true;
        (void)CancelIoEx(handle_, &rd_.io.ov);
    }
}

bool AsyncPort::resume_read(Finished &out) noexcept {
    // closing_: shutdown() completes a parked read itself.
    if (closing_ || !rd_.active || !rd_.parked || rd_.kernel_pending || wr_.kernel_pending)
        return false;
    rd_.parked = false;
    const DWORD err = issue(rd_);
    if (err == ERROR_SUCCESS) return false;
    record("ReadFile", err);
    out = take(rd_, status_from_win32(err, ErrorContext::io), 0);
    return true;
}

bool AsyncPort::advance(Slot &s, DWORD err, DWORD n, Finished &out) noexcept {
    switch (s.stage) {
        case Stage::read_first:
            if (n > 0) {  // the first byte (also when a cancel raced it: keep the data)
                s.parked = false;
                s.got = 1;
                if (!closing_ && !s.cancel_requested && s.len > 1) {
                    COMSTAT st{};
                    DWORD line_errors = 0;
                    if (ClearCommError(handle_, &line_errors, &st) && st.cbInQue > 0) {
                        s.stage = Stage::read_rest;
                        s.rest = std::min<DWORD>(s.len - 1, st.cbInQue);
                        if (issue(s) == ERROR_SUCCESS) return false;
                    }
                }
                out = take(s, ANYSERIAL_OK, s.got);
                return true;
            }
            if (err == ERROR_SUCCESS) {
                // No timeouts are set, so zero bytes is the end of the stream.
                errors_.set("ReadFile(" + name_ + "): end of stream (the device went away)",
                            static_cast<int>(ERROR_HANDLE_EOF));
                out = take(s, ANYSERIAL_E_DISCONNECTED, 0);
                return true;
            }
            if (err == ERROR_OPERATION_ABORTED) {
                if (closing_ || s.cancel_requested) {
                    out = take(s, ANYSERIAL_E_CANCELLED, 0);
                    return true;
                }
                // Parked for a pending write: that write's completion resumes the read.
                if (s.parked) return resume_read(out);
                // Aborted by someone else (PurgeComm(PURGE_RXABORT), another CancelIoEx):
                // the caller did not cancel, so the read goes on.
                err = issue(s);
                if (err == ERROR_SUCCESS) return false;
            }
            record("ReadFile", err);
            out = take(s, status_from_win32(err, ErrorContext::io), 0);
            return true;
        case Stage::read_rest:
            // The first byte is delivered in any case; a failure of step 2 shows on the
            // next read.
            out = take(s, ANYSERIAL_OK, s.got + n);
            return true;
        case Stage::write:
            if (n > 0) {  // bytes left: report them, also when cancelled or failed midway
                out = take(s, ANYSERIAL_OK, n);
                return true;
            }
            if (err == ERROR_OPERATION_ABORTED) {
                out = take(s, ANYSERIAL_E_CANCELLED, 0);
                return true;
            }
            if (err == ERROR_SUCCESS) err = ERROR_WRITE_FAULT;  // no progress, no error
            record("WriteFile", err);
            out = take(s, status_from_win32(err, ErrorContext::io), 0);
            return true;
        case Stage::none:
            break;
    }
    out = take(s, ANYSERIAL_E_INTERNAL, 0);
    return true;
}

void AsyncPort::deliver(std::unique_lock<std::mutex> &lock, Finished f) noexcept {
    ++delivering_;
    lock.unlock();
    f.done.complete(f.status, f.n);
    lock.lock();
    --delivering_;
    idle_.notify_all();
}

void AsyncPort::on_packet(IoOp &op, DWORD err, DWORD n) noexcept {
    AsyncPort &p = *op.port;
    Slot &s = &op == &p.rd_.io ? p.rd_ : p.wr_;
    std::shared_ptr<AsyncPort> keep;  // released after the lock: may be the last reference
    std::unique_lock lock(p.mutex_);
    keep = std::move(s.keep);
    s.kernel_pending = false;
    if (!s.active) return;  // close() already delivered this operation
    Finished f;
    const bool finished = p.advance(s, err, n, f);
    Finished resumed;
    const bool read_failed = &s == &p.wr_ && p.resume_read(resumed);
    if (finished) p.deliver(lock, f);
    if (read_failed) p.deliver(lock, resumed);
}

void AsyncPort::start_read(std::span<uint8_t> buf, sdk::Completion done) {
    std::lock_guard lock(mutex_);
    if (closing_) throw sdk::Error(ANYSERIAL_E_CLOSED, "start_read(" + name_ + "): port is closed");
    if (rd_.active)
        throw sdk::Error(ANYSERIAL_E_BUSY,
                         "start_read(" + name_ + "): a read is already outstanding");
    if (buf.empty())
        throw sdk::Error(ANYSERIAL_E_INVALID_ARGUMENT,
                         "start_read(" + name_ + "): the buffer is empty");
    rd_.stage = Stage::read_first;
    rd_.buf = buf.data();
    rd_.len = static_cast<uint32_t>(buf.size());
    rd_.got = rd_.rest = 0;
    rd_.cancel_requested = false;
    rd_.done = done;
    rd_.active = true;
    if (const DWORD err = issue(rd_); err != ERROR_SUCCESS) {
        (void)take(rd_, ANYSERIAL_OK, 0);
        throw_win32("ReadFile(" + name_ + ")", err, ErrorContext::io);
    }
}

void AsyncPort::start_write(std::span<const uint8_t> data, sdk::Completion done) {
    std::lock_guard lock(mutex_);
    if (closing_)
        throw sdk::Error(ANYSERIAL_E_CLOSED, "start_write(" + name_ + "): port is closed");
    if (wr_.active)
        throw sdk::Error(ANYSERIAL_E_BUSY,
                         "start_write(" + name_ + "): a write is already outstanding");
    if (data.empty())
        throw sdk::Error(ANYSERIAL_E_INVALID_ARGUMENT,
                         "start_write(" + name_ + "): nothing to write");
    wr_.stage = Stage::write;
    wr_.data = data.data();
    wr_.len = static_cast<uint32_t>(data.size());
    wr_.cancel_requested = false;
    wr_.done = done;
    wr_.active = true;
    if (const DWORD err = issue(wr_); err != ERROR_SUCCESS) {
        (void)take(wr_, ANYSERIAL_OK, 0);
        throw_win32("WriteFile(" + name_ + ")", err, ErrorContext::io);
    }
}

void AsyncPort::cancel(uint32_t directions) noexcept {
    std::unique_lock lock(mutex_);
    for (auto [dir, s] :
         {std::pair{ANYSERIAL_DIRECTION_READ, &rd_}, std::pair{ANYSERIAL_DIRECTION_WRITE, &wr_}}) {
        if ((directions & dir) == 0 || !s->active) continue;
        s->cancel_requested = true;
        // ERROR_NOT_FOUND (it just completed) is fine: its packet is on the way.
        if (s->kernel_pending) {
            (void)CancelIoEx(handle_, &s->io.ov);
        } else if (s->parked) {  // no I/O in the kernel: nothing else would complete it
            deliver(lock, take(*s, ANYSERIAL_E_CANCELLED, 0));
        }
    }
}

void AsyncPort::shutdown() noexcept {
    std::unique_lock lock(mutex_);
    closing_ = true;  // from here on nothing is issued again
    (void)CancelIoEx(handle_, nullptr);
    for (Slot *s : {&rd_, &wr_}) {
        while (s->active && s->kernel_pending) {
            HANDLE ev = s->io.ov.hEvent;
            lock.unlock();
            (void)WaitForSingleObject(ev, INFINITE);
            lock.lock();
            if (!s->active || !s->kernel_pending) break;  // the worker took it meanwhile
            DWORD n = 0;
            const BOOL ok = GetOverlappedResult(handle_, &s->io.ov, &n, FALSE);
            const DWORD err = ok ? ERROR_SUCCESS : GetLastError();
            if (err == ERROR_IO_INCOMPLETE) continue;
            // Delivered here; the packet still comes to the worker, which drops it (and
            // `keep`) because the slot is no longer active.
            Finished f;
            if (advance(*s, err, n, f)) deliver(lock, f);
        }
        if (s->active && !s->kernel_pending)  // a parked read (Wine): no packet will come
            deliver(lock, take(*s, ANYSERIAL_E_CANCELLED, 0));
    }
    // Completions the worker is calling right now must end before close() returns —
    // unless this close() runs inside one of them.
    if (!CompletionPort::instance().on_worker())
        idle_.wait(lock, [this] { return delivering_ == 0; });
}

}  // namespace anyserial::windows_backend
