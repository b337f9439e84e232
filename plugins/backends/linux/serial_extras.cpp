// Linux serial-driver extras: low latency, RS-485, FTDI latency timer.
#include "serial_extras.hpp"

#include <fcntl.h>
#include <linux/serial.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <anyserial/posix/io.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace anyserial::linux_backend {

static_assert(sizeof(struct serial_rs485) == sizeof(Rs485State::raw));

int get_low_latency(int fd, bool &on) noexcept {
    struct serial_struct ss {};
    if (const int err = posix::xioctl(fd, TIOCGSERIAL, &ss); err != 0) return err;
    on = (ss.flags & ASYNC_LOW_LATENCY) != 0;
    return 0;
}

int set_low_latency(int fd, bool on) noexcept {
    struct serial_struct ss {};
    if (const int err = posix::xioctl(fd, TIOCGSERIAL, &ss); err != 0) return err;
    if (on)
        ss.flags |= ASYNC_LOW_LATENCY;
    else
        ss.flags &= ~ASYNC_LOW_LATENCY;
    return posix::xioctl(fd, TIOCSSERIAL, &ss);
}

int get_rs485(int fd, Rs485State &out) noexcept {
    struct serial_rs485 rs {};
    if (const int err = posix::xioctl(fd, TIOCGRS485, &rs); err != 0) return err;
    std::memcpy(out.raw.data(), &rs, sizeof rs);
    return 0;
}

int set_rs485(int fd, const Rs485State &state) noexcept {
    struct serial_rs485 rs {};
    std::memcpy(&rs, state.raw.data(), sizeof rs);
    return posix::xioctl(fd, TIOCSRS485, &rs);
}

Rs485State rs485_from_config(const anyserial_rs485_config_t &c, const Rs485State &base) noexcept {
    struct serial_rs485 rs {};
    std::memcpy(&rs, base.raw.data(), sizeof rs);
    rs.flags &= ~static_cast<__u32>(SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND |
                                    SER_RS485_RTS_AFTER_SEND | SER_RS485_RX_DURING_TX);
    if (c.enabled) rs.flags |= SER_RS485_ENABLED;
    if (c.rts_on_send) rs.flags |= SER_RS485_RTS_ON_SEND;
    if (c.rts_after_send) rs.flags |= SER_RS485_RTS_AFTER_SEND;
    if (c.rx_during_tx) rs.flags |= SER_RS485_RX_DURING_TX;
    // The kernel counts these delays in milliseconds.
    rs.delay_rts_before_send = (c.delay_before_send_us + 999) / 1000;
    rs.delay_rts_after_send = (c.delay_after_send_us + 999) / 1000;
    Rs485State out;
    std::memcpy(out.raw.data(), &rs, sizeof rs);
    return out;
}

std::uint32_t rs485_flags(const Rs485State &state) noexcept {
    struct serial_rs485 rs {};
    std::memcpy(&rs, state.raw.data(), sizeof rs);
    return rs.flags;
}

std::optional<std::filesystem::path> latency_timer_path(const std::filesystem::path &sysfs_root,
                                                        const std::string &tty_name) {
    if (tty_name.empty() || tty_name.find('/') != std::string::npos) return std::nullopt;
    std::filesystem::path p = sysfs_root / "bus/usb-serial/devices" / tty_name / "latency_timer";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec)) return std::nullopt;
    return p;
}

int read_latency_timer(const std::filesystem::path &file, int &ms) noexcept {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    char buf[16] = {};
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    const int err = n < 0 ? errno : 0;
    ::close(fd);
    if (n < 0) return err;
    if (std::sscanf(buf, "%d", &ms) != 1) return EINVAL;
    return 0;
}

int write_latency_timer(const std::filesystem::path &file, int ms) noexcept {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    char buf[16];
    const int len = std::snprintf(buf, sizeof buf, "%d", ms);
    const ssize_t n = ::write(fd, buf, static_cast<std::size_t>(len));
    const int err = n < 0 ? errno : 0;
    ::close(fd);
    return err;
}

}  // namespace anyserial::linux_backend
