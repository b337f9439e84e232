// Darwin and BSD tables as constants copied from their headers, so they compile and are
// tested anywhere. Sources:
//  - Darwin: xnu bsd/sys/termios.h, bsd/sys/ttycom.h, bsd/sys/filio.h, IOKit/serial/ioss.h
//  - FreeBSD: sys/sys/_termios.h, sys/sys/ttycom.h, sys/sys/filio.h
//  - NetBSD: sys/sys/termios.h, sys/sys/ttycom.h
//  - OpenBSD: sys/sys/termios.h, sys/sys/ttycom.h
// All four descend from 4.4BSD and share the flag values and ioctl encodings
// (_IO = 0x20000000, _IOR = 0x40000000, _IOW = 0x80000000, size << 16, group << 8, num);
// speed_t is the literal rate. They differ in RTS/CTS bits, DTR/DSR flow, extended rates
// and the custom-baud mechanism.
#include <anyserial/posix/platform_table.hpp>

namespace anyserial::posix {

namespace {

constexpr unsigned long io(char group, unsigned num) {
    return 0x20000000UL | (static_cast<unsigned long>(group) << 8) | num;
}
constexpr unsigned long ior(char group, unsigned num, unsigned size) {
    return 0x40000000UL | (static_cast<unsigned long>(size) << 16) |
           (static_cast<unsigned long>(group) << 8) | num;
}
constexpr unsigned long iow(char group, unsigned num, unsigned size) {
    return 0x80000000UL | (static_cast<unsigned long>(size) << 16) |
           (static_cast<unsigned long>(group) << 8) | num;
}

// 4.4BSD base: everything but name, RTS/CTS, DTR/DSR, bauds and custom-baud mechanism.
constexpr PlatformTable bsd_base(std::string_view name, std::uint64_t crtscts,
                                 std::uint64_t cdtrdsr, std::span<const BaudEntry> bauds,
                                 CustomBaud custom, unsigned long iossiospeed) {
    return PlatformTable{
        .name = name,
        .ignbrk = 0x1,
        .brkint = 0x2,
        .ignpar = 0x4,
        .parmrk = 0x8,
        .inpck = 0x10,
        .istrip = 0x20,
        .inlcr = 0x40,
        .igncr = 0x80,
        .icrnl = 0x100,
        .iuclc = 0,
        .ixon = 0x200,
        .ixany = 0x800,
        .ixoff = 0x400,
        .imaxbel = 0x2000,
        .opost = 0x1,
        .olcuc = 0,
        .onlcr = 0x2,
        .ocrnl = 0x10,
        .onocr = 0x20,
        .onlret = 0x40,
        .csize = 0x300,
        .cs5 = 0x0,
        .cs6 = 0x100,
        .cs7 = 0x200,
        .cs8 = 0x300,
        .cstopb = 0x400,
        .cread = 0x800,
        .parenb = 0x1000,
        .parodd = 0x2000,
        .hupcl = 0x4000,
        .clocal = 0x8000,
        .cmspar = 0,  // no BSD-derived termios has stick parity
        .crtscts = crtscts,
        .cdtrdsr = cdtrdsr,
        .cbaud = 0,
        .cibaud = 0,
        .bother = 0,
        .isig = 0x80,
        .icanon = 0x100,
        .echo = 0x8,
        .echoe = 0x2,
        .echok = 0x4,
        .echonl = 0x10,
        .echoctl = 0x40,
        .echoke = 0x1,
        .iexten = 0x400,
        .vmin = 16,
        .vtime = 17,
        .tiocexcl = io('t', 13),
        .tiocnxcl = io('t', 14),
        .tiocsbrk = io('t', 123),
        .tioccbrk = io('t', 122),
        .tiocmget = ior('t', 106, 4),
        .tiocmbis = iow('t', 108, 4),
        .tiocmbic = iow('t', 107, 4),
        .tiocinq = ior('f', 127, 4) /* FIONREAD */,
        .tiocoutq = ior('t', 115, 4),
        .iossiospeed = iossiospeed,
        .tiocm_dtr = 0x002,
        .tiocm_rts = 0x004,
        .tiocm_cts = 0x020,
        .tiocm_car = 0x040,
        .tiocm_rng = 0x080,
        .tiocm_dsr = 0x100,
        .bauds = bauds,
        .custom_baud = custom,
    };
}

#define ANYSERIAL_LITERAL(r) \
    BaudEntry {              \
        r, r                 \
    }
constexpr BaudEntry kBsdCommon[] = {
    ANYSERIAL_LITERAL(50),     ANYSERIAL_LITERAL(75),     ANYSERIAL_LITERAL(110),
    ANYSERIAL_LITERAL(134),    ANYSERIAL_LITERAL(150),    ANYSERIAL_LITERAL(200),
    ANYSERIAL_LITERAL(300),    ANYSERIAL_LITERAL(600),    ANYSERIAL_LITERAL(1200),
    ANYSERIAL_LITERAL(1800),   ANYSERIAL_LITERAL(2400),   ANYSERIAL_LITERAL(4800),
    ANYSERIAL_LITERAL(7200),   ANYSERIAL_LITERAL(9600),   ANYSERIAL_LITERAL(14400),
    ANYSERIAL_LITERAL(19200),  ANYSERIAL_LITERAL(28800),  ANYSERIAL_LITERAL(38400),
    ANYSERIAL_LITERAL(57600),  ANYSERIAL_LITERAL(76800),  ANYSERIAL_LITERAL(115200),
    ANYSERIAL_LITERAL(230400), ANYSERIAL_LITERAL(460800), ANYSERIAL_LITERAL(921600),
};
#undef ANYSERIAL_LITERAL
// Darwin and OpenBSD stop at B230400; FreeBSD and NetBSD define B460800 and B921600.
constexpr std::span<const BaudEntry> kTo230400{kBsdCommon, 22};
constexpr std::span<const BaudEntry> kTo921600{kBsdCommon, 24};

// CCTS_OFLOW 0x10000 | CRTS_IFLOW 0x20000 (Darwin, FreeBSD); CDTR_IFLOW 0x40000 |
// CDSR_OFLOW 0x80000 (Darwin, FreeBSD). NetBSD/OpenBSD: CRTSCTS 0x10000 and the two
// *_FLOW names alias it; no DTR/DSR flow.
constexpr std::uint64_t kCctsCrts = 0x10000 | 0x20000;
constexpr std::uint64_t kCdtrCdsr = 0x40000 | 0x80000;

// IOSSIOSPEED = _IOW('T', 2, speed_t), speed_t = unsigned long (8 bytes on 64-bit).
constexpr PlatformTable kDarwin = bsd_base("darwin", kCctsCrts, kCdtrCdsr, kTo230400,
                                           CustomBaud::darwin_iossiospeed, iow('T', 2, 8));
constexpr PlatformTable kFreeBsd =
    bsd_base("freebsd", kCctsCrts, kCdtrCdsr, kTo921600, CustomBaud::bsd_passthrough, 0);
constexpr PlatformTable kNetBsd =
    bsd_base("netbsd", 0x10000, 0, kTo921600, CustomBaud::bsd_passthrough, 0);
constexpr PlatformTable kOpenBsd =
    bsd_base("openbsd", 0x10000, 0, kTo230400, CustomBaud::bsd_passthrough, 0);

static_assert(kDarwin.tiocsbrk == 0x2000747bUL && kDarwin.tioccbrk == 0x2000747aUL);
static_assert(kDarwin.tiocmget == 0x4004746aUL && kDarwin.tiocmbis == 0x8004746cUL);
static_assert(kDarwin.tiocexcl == 0x2000740dUL && kDarwin.tiocinq == 0x4004667fUL);
static_assert(kDarwin.iossiospeed == 0x80085402UL);

}  // namespace

const PlatformTable &darwin_table() noexcept {
    return kDarwin;
}
const PlatformTable &freebsd_table() noexcept {
    return kFreeBsd;
}
const PlatformTable &netbsd_table() noexcept {
    return kNetBsd;
}
const PlatformTable &openbsd_table() noexcept {
    return kOpenBsd;
}

}  // namespace anyserial::posix
