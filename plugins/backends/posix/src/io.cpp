// Syscall helpers: non-blocking I/O primitives, ioctl, struct termios conversion.
#include <anyserial/sdk/serial_config.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <anyserial/posix/io.hpp>
#include <cerrno>

namespace anyserial::posix {

anyserial_status_t io_status(int err) noexcept {
    switch (err) {
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
            return ANYSERIAL_E_WOULD_BLOCK;
        case EINTR:
            return ANYSERIAL_E_INTERRUPTED;
        case EIO:
        case ENXIO:
        case ENODEV:
        case EPIPE:
            return ANYSERIAL_E_DISCONNECTED;
        case EBADF:
            return ANYSERIAL_E_CLOSED;
        default:
            return ANYSERIAL_E_IO;
    }
}

anyserial_status_t read_some(int fd, std::span<std::uint8_t> buf, std::uint32_t &n,
                             int &err) noexcept {
    n = 0;
    err = 0;
    const ssize_t r = ::read(fd, buf.data(), buf.size());
    if (r < 0) {
        err = errno;
        return io_status(err);
    }
    n = static_cast<std::uint32_t>(r);
    return ANYSERIAL_OK;
}

anyserial_status_t write_some(int fd, std::span<const std::uint8_t> data, std::uint32_t &n,
                              int &err) noexcept {
    n = 0;
    err = 0;
    const ssize_t r = ::write(fd, data.data(), data.size());
    if (r < 0) {
        err = errno;
        return io_status(err);
    }
    n = static_cast<std::uint32_t>(r);
    return ANYSERIAL_OK;
}

int xioctl(int fd, unsigned long request, void *arg) noexcept {
    if (request == 0) return ENOTTY;
    for (;;) {
        if (::ioctl(fd, request, arg) == 0) return 0;
        if (errno != EINTR) return errno;
    }
}

int xioctl(int fd, unsigned long request) noexcept {
    if (request == 0) return ENOTTY;
    for (;;) {
        if (::ioctl(fd, request) == 0) return 0;
        if (errno != EINTR) return errno;
    }
}

TermiosBits from_native(const ::termios &t, const PlatformTable &table) noexcept {
    TermiosBits b;
    b.iflag = t.c_iflag;
    b.oflag = t.c_oflag;
    b.cflag = t.c_cflag;
    b.lflag = t.c_lflag;
    std::copy_n(t.c_cc, std::min<std::size_t>(NCCS, b.cc.size()), b.cc.begin());
    auto rate = [&](speed_t code) -> std::uint32_t {
        if (table.custom_baud == CustomBaud::bsd_passthrough ||
            table.custom_baud == CustomBaud::darwin_iossiospeed)
            return static_cast<std::uint32_t>(code);
        return rate_for_code(table, code);
    };
    b.ospeed = rate(::cfgetospeed(&t));
    const speed_t in = ::cfgetispeed(&t);
    // Input speed 0 means "same as output" in POSIX.
    b.ispeed = in == 0 ? b.ospeed : rate(in);
    return b;
}

bool to_native(const TermiosBits &bits, const PlatformTable &table, ::termios &t) noexcept {
    t.c_iflag = static_cast<tcflag_t>(bits.iflag);
    t.c_oflag = static_cast<tcflag_t>(bits.oflag);
    t.c_cflag = static_cast<tcflag_t>(bits.cflag);
    t.c_lflag = static_cast<tcflag_t>(bits.lflag);
    std::copy_n(bits.cc.begin(), std::min<std::size_t>(NCCS, bits.cc.size()), t.c_cc);
    speed_t code = 0;
    if (const BaudEntry *e = find_baud(table, bits.ospeed))
        code = static_cast<speed_t>(e->code);
    else if (table.custom_baud == CustomBaud::bsd_passthrough)
        code = static_cast<speed_t>(bits.ospeed);
    else if (bits.ospeed != 0)
        return false;
    if (code != 0 || bits.ospeed == 0) {
        if (::cfsetospeed(&t, code) != 0 || ::cfsetispeed(&t, code) != 0) return false;
    }
    return true;
}

std::uint32_t lines_from_tiocm(int tiocm, const PlatformTable &t) noexcept {
    const auto m = static_cast<std::uint32_t>(tiocm);
    std::uint32_t lines = 0;
    if ((m & t.tiocm_cts) != 0) lines |= ANYSERIAL_LINE_CTS;
    if ((m & t.tiocm_dsr) != 0) lines |= ANYSERIAL_LINE_DSR;
    if ((m & t.tiocm_rng) != 0) lines |= ANYSERIAL_LINE_RI;
    if ((m & t.tiocm_car) != 0) lines |= ANYSERIAL_LINE_CD;
    if ((m & t.tiocm_rts) != 0) lines |= ANYSERIAL_LINE_RTS;
    if ((m & t.tiocm_dtr) != 0) lines |= ANYSERIAL_LINE_DTR;
    return lines;
}

}  // namespace anyserial::posix
