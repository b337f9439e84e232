// anyserial posix — syscall helpers shared by every POSIX backend: the non-blocking
// read/write primitives (errno → ANYSERIAL_E_*), ioctl with a table request number, and
// conversion between the OS struct termios and TermiosBits.
#pragma once

#include <anyserial/sdk/status.h>

#include <anyserial/posix/builders.hpp>
#include <anyserial/posix/platform_table.hpp>
#include <cstdint>
#include <span>

struct termios;

namespace anyserial::posix {

// Status of an I/O errno: EAGAIN → WOULD_BLOCK, EINTR → INTERRUPTED, EIO/ENXIO/ENODEV/EPIPE
// → DISCONNECTED, EBADF → CLOSED, anything else → IO.
anyserial_status_t io_status(int err) noexcept;

// One read(2). OK with n == 0 means EOF. On failure `err` holds errno. Never blocks on an
// O_NONBLOCK fd, never allocates.
anyserial_status_t read_some(int fd, std::span<std::uint8_t> buf, std::uint32_t &n,
                             int &err) noexcept;
// One write(2); n may be short (the partial-write path).
anyserial_status_t write_some(int fd, std::span<const std::uint8_t> data, std::uint32_t &n,
                              int &err) noexcept;

// ioctl(fd, request, arg), EINTR retried. Returns 0 or the errno; a request number of 0
// (not available on this platform) gives ENOTTY without a syscall.
int xioctl(int fd, unsigned long request, void *arg) noexcept;
int xioctl(int fd, unsigned long request) noexcept;  // requests without an argument

// struct termios ↔ TermiosBits. from_native turns the speed codes into literal rates
// through the table (0 when the code is not in it); to_native picks the code for the bits'
// rate (the table entry, or the literal rate with bsd_passthrough) and returns false when
// the rate cannot be expressed in a struct termios.
TermiosBits from_native(const ::termios &t, const PlatformTable &table) noexcept;
bool to_native(const TermiosBits &bits, const PlatformTable &table, ::termios &t) noexcept;

// Modem bits (TIOCM_*) → ANYSERIAL_LINE_*.
std::uint32_t lines_from_tiocm(int tiocm, const PlatformTable &table) noexcept;

}  // namespace anyserial::posix
