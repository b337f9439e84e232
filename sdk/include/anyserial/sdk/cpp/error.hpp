// anyserial SDK C++ helpers — errors inside a plugin.
//
// Inside a helper-based plugin, fail by throwing sdk::Error; the noexcept trampolines of
// backend.hpp / protocol.hpp turn it into its status and keep its text and errno for the
// object's last_error() / last_os_error():
//
//     if (::tcsetattr(fd_, TCSANOW, &tio) != 0)
//         sdk::throw_errno("tcsetattr(" + path_ + ")");          // status from errno
//     if (baud == 0)
//         throw sdk::Error(ANYSERIAL_E_INVALID_ARGUMENT, "baudrate must be > 0");
//
// Any other exception becomes ANYSERIAL_E_INTERNAL (std::bad_alloc: ANYSERIAL_E_NO_MEMORY)
// with its what() text.
//
// LastError is the per-object holder: a fixed buffer (storing never allocates, so it also
// works while reporting bad_alloc) guarded by a mutex, since last_error() is [any-thread].
#pragma once

#include <anyserial/sdk/status.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace anyserial::sdk {

// A failure with an ABI status, the OS error behind it (0 = none) and a message.
class Error : public std::runtime_error {
  public:
    Error(anyserial_status_t status, const std::string &message, int os_error = 0)
        : std::runtime_error(message), status_(status), os_error_(os_error) {}

    anyserial_status_t status() const noexcept { return status_; }
    int os_error() const noexcept { return os_error_; }

  private:
    anyserial_status_t status_;
    int os_error_;
};

// The ABI status for an errno value (POSIX). Unknown values map to ANYSERIAL_E_IO.
inline anyserial_status_t status_from_errno(int err) noexcept {
    switch (err) {
        case 0:
            return ANYSERIAL_OK;
        case EAGAIN:
#if defined(EWOULDBLOCK) && EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
            return ANYSERIAL_E_WOULD_BLOCK;
        case EINTR:
            return ANYSERIAL_E_INTERRUPTED;
        case ETIMEDOUT:
            return ANYSERIAL_E_TIMEOUT;
        case EIO:
        case ENXIO:
        case ENODEV:
        case EPIPE:
        case ECONNRESET:
        case ENOTCONN:
            return ANYSERIAL_E_DISCONNECTED;
        case EBUSY:
        case EADDRINUSE:
            return ANYSERIAL_E_BUSY;
        case ENOENT:
            return ANYSERIAL_E_NOT_FOUND;
        case EINVAL:
            return ANYSERIAL_E_INVALID_ARGUMENT;
        case EACCES:
        case EPERM:
            return ANYSERIAL_E_PERMISSION;
        case EBADF:
            return ANYSERIAL_E_CLOSED;
        case ECANCELED:
            return ANYSERIAL_E_CANCELLED;
        case ENOMEM:
            return ANYSERIAL_E_NO_MEMORY;
        case ENOTTY:
        case ENOSYS:
        case ENOTSUP:
#if defined(EOPNOTSUPP) && EOPNOTSUPP != ENOTSUP
        case EOPNOTSUPP:
#endif
            return ANYSERIAL_E_NOT_SUPPORTED;
        default:
            return ANYSERIAL_E_IO;
    }
}

// Throw an Error for an OS failure: "<what>: <strerror>" with the errno kept.
[[noreturn]] inline void throw_errno(const std::string &what, int err = errno) {
    throw Error(status_from_errno(err), what + ": " + std::strerror(err), err);
}

// Same with an explicit status (e.g. NOT_FOUND for ENOENT on open with more context).
[[noreturn]] inline void throw_errno(anyserial_status_t status, const std::string &what,
                                     int err = errno) {
    throw Error(status, what + ": " + std::strerror(err), err);
}

// Text of the last failure of one object plus its OS error; thread-safe.
class LastError {
  public:
    static constexpr std::size_t capacity = 1024;  // longer messages are truncated

    // Record a failure; never allocates, never throws.
    void set(std::string_view message, int os_error = 0) noexcept {
        std::lock_guard lock(mutex_);
        len_ = std::min(message.size(), capacity - 1);
        if (len_ > 0) std::memcpy(text_, message.data(), len_);
        text_[len_] = '\0';
        os_error_ = os_error;
    }

    void clear() noexcept { set({}, 0); }

    // The ABI's copy semantics: returns the full length (excluding NUL) and writes at most
    // cap bytes including the NUL (nothing when buf is NULL or cap is 0).
    uint32_t copy(char *buf, uint32_t cap) const noexcept {
        std::lock_guard lock(mutex_);
        if (buf != nullptr && cap > 0) {
            const std::size_t n = std::min<std::size_t>(len_, cap - 1);
            std::memcpy(buf, text_, n);
            buf[n] = '\0';
        }
        return static_cast<uint32_t>(len_);
    }

    int os_error() const noexcept {
        std::lock_guard lock(mutex_);
        return os_error_;
    }

    std::string message() const {
        std::lock_guard lock(mutex_);
        return std::string(text_, len_);
    }

  private:
    mutable std::mutex mutex_;
    char text_[capacity] = {};
    std::size_t len_ = 0;
    int os_error_ = 0;
};

// Run f() and turn any exception into a status, recorded in `err`. f returns either void
// (→ ANYSERIAL_OK) or a status that is passed through unchanged. Used by every trampoline;
// plugin authors use it for their own extension tables too.
template <class F>
anyserial_status_t guarded(LastError &err, F &&f) noexcept {
    try {
        if constexpr (std::is_void_v<decltype(f())>) {
            f();
            return ANYSERIAL_OK;
        } else {
            return static_cast<anyserial_status_t>(f());
        }
    } catch (const Error &e) {
        err.set(e.what(), e.os_error());
        return e.status() == ANYSERIAL_OK ? ANYSERIAL_E_INTERNAL : e.status();
    } catch (const std::bad_alloc &) {
        err.set("out of memory", ENOMEM);
        return ANYSERIAL_E_NO_MEMORY;
    } catch (const std::exception &e) {
        err.set(e.what(), 0);
        return ANYSERIAL_E_INTERNAL;
    } catch (...) {
        err.set("unknown exception in plugin", 0);
        return ANYSERIAL_E_INTERNAL;
    }
}

}  // namespace anyserial::sdk
