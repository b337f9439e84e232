#include "completion_port.hpp"

#include "async_port.hpp"
#include "win_error.hpp"

namespace anyserial::windows_backend {

namespace {
// Completion key of the "stop" packet; port handles are associated with key 1.
constexpr ULONG_PTR kStopKey = 0;
constexpr ULONG_PTR kPortKey = 1;
}  // namespace

CompletionPort &CompletionPort::instance() noexcept {
    // Never destroyed: a DLL's static destructors run under the loader lock, where joining
    // a thread deadlocks. deinit() stops the worker instead.
    static CompletionPort *cp = new CompletionPort();
    return *cp;
}

void CompletionPort::attach(HANDLE handle) {
    std::lock_guard lock(mutex_);
    if (port_ == nullptr) {
        HANDLE p = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
        if (p == nullptr)
            throw_win32("CreateIoCompletionPort (new)", GetLastError(), ErrorContext::io);
        try {
            worker_ = std::thread(&CompletionPort::run, p);
        } catch (...) {
            CloseHandle(p);
            throw;
        }
        worker_id_.store(worker_.get_id());
        port_ = p;
    }
    if (CreateIoCompletionPort(handle, port_, kPortKey, 0) == nullptr)
        throw_win32("CreateIoCompletionPort (associate)", GetLastError(), ErrorContext::io);
}

void CompletionPort::shutdown() noexcept {
    std::lock_guard lock(mutex_);
    if (port_ == nullptr) return;
    PostQueuedCompletionStatus(port_, 0, kStopKey, nullptr);
    if (worker_.joinable()) worker_.join();
    CloseHandle(port_);
    port_ = nullptr;
    worker_id_.store(std::thread::id{});
}

bool CompletionPort::on_worker() const noexcept {
    return std::this_thread::get_id() == worker_id_.load();
}

void CompletionPort::run(HANDLE port) noexcept {
    for (;;) {
        DWORD n = 0;
        ULONG_PTR key = 0;
        OVERLAPPED *ov = nullptr;
        const BOOL ok = GetQueuedCompletionStatus(port, &n, &key, &ov, INFINITE);
        const DWORD err = ok ? ERROR_SUCCESS : GetLastError();
        if (ov == nullptr) {
            if (key == kStopKey && ok) return;
            if (!ok) return;  // the port itself failed (closed): nothing more can arrive
            continue;
        }
        // A packet for one operation: its status is err (0 = success) with n bytes.
        IoOp *op = reinterpret_cast<IoOp *>(ov);
        AsyncPort::on_packet(*op, err, n);
    }
}

}  // namespace anyserial::windows_backend
