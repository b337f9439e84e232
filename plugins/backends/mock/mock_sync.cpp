#include "mock_sync.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace anyserial::mock {

const anyserial_backend_descriptor_t &MockSyncBackend::describe() noexcept {
    static const char *const schemes[] = {"mock", nullptr};
    static const anyserial_backend_descriptor_t d = {
        sizeof d,
        "mock",
        "Mock loopback pair (sync-fd)",
        "anyserial",
        "0.1.0",
        "mock://NAME/a and mock://NAME/b are the two ends of a socketpair loopback with "
        "crossed control lines and fault injection (anyserial.backend.mock-faults/1)",
        "any",
        ANYSERIAL_BACKEND_KIND_SYNC_FD,
        0,
        nullptr,
        schemes,
        &mock_capabilities()};
    return d;
}

void MockSyncBackend::on_opened() {
    read_what_ = "read(" + url_text() + ")";
    write_what_ = "write(" + url_text() + ")";
}

// A fault that makes this primitive fail, or OK.
anyserial_status_t MockSyncBackend::injected() noexcept {
    if (faults_.disconnected)
        return fail(ANYSERIAL_E_DISCONNECTED, "mock port disconnected (injected fault)");
    if (Faults::take(faults_.eagain)) return ANYSERIAL_E_WOULD_BLOCK;
    if (Faults::take(faults_.eintr)) return ANYSERIAL_E_INTERRUPTED;
    return ANYSERIAL_OK;
}

anyserial_status_t MockSyncBackend::read_nonblocking(std::span<uint8_t> buf, uint32_t &n) {
    if (!is_open()) return fail(ANYSERIAL_E_CLOSED, "read: the mock port is not open");
    if (const anyserial_status_t st = injected(); st != ANYSERIAL_OK) return st;
    std::size_t len = buf.size();
    if (const uint32_t chunk = read_chunk(); chunk > 0) len = std::min<std::size_t>(len, chunk);
    const ssize_t r = ::recv(fd(), buf.data(), len, MSG_DONTWAIT);
    if (r < 0) {
        const int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK) return ANYSERIAL_E_WOULD_BLOCK;
        if (err == EINTR) return ANYSERIAL_E_INTERRUPTED;
        return fail_errno(read_what_, err);
    }
    n = static_cast<uint32_t>(r);  // 0 = EOF: the peer closed
    return ANYSERIAL_OK;
}

anyserial_status_t MockSyncBackend::write_nonblocking(std::span<const uint8_t> data, uint32_t &n) {
    if (!is_open()) return fail(ANYSERIAL_E_CLOSED, "write: the mock port is not open");
    if (const anyserial_status_t st = injected(); st != ANYSERIAL_OK) return st;
    std::size_t len = data.size();
    if (const uint32_t max = faults_.short_write; max > 0) len = std::min<std::size_t>(len, max);
    if (delay_.engaged() && delay_.push(data.first(len), n))
        return n > 0 || len == 0 ? ANYSERIAL_OK : ANYSERIAL_E_WOULD_BLOCK;
    const ssize_t r = ::send(fd(), data.data(), len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r < 0) {
        const int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK) return ANYSERIAL_E_WOULD_BLOCK;
        if (err == EINTR) return ANYSERIAL_E_INTERRUPTED;
        return fail_errno(write_what_, err);
    }
    n = static_cast<uint32_t>(r);
    return ANYSERIAL_OK;
}

uint32_t MockSyncBackend::held_output() const noexcept {
    try {
        return delay_.held();
    } catch (...) {
        return 0;
    }
}

}  // namespace anyserial::mock
