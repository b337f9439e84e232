// The Linux table: kernel ABI values (include/uapi/asm-generic/termbits.h, termbits-common.h,
// ioctls.h; x86/arm/riscv layout). Built on Linux, every value is checked against this
// machine's <termios.h> / <sys/ioctl.h> at compile time.
#include <anyserial/posix/platform_table.hpp>

#if defined(__linux__)
#include <sys/ioctl.h>
#include <termios.h>
#endif

namespace anyserial::posix {

namespace {

// speed_t codes: B0..B38400 are 0..017, the extended rates set CBAUDEX (010000).
constexpr BaudEntry kLinuxBauds[] = {
    {50, 01},          {75, 02},          {110, 03},         {134, 04},         {150, 05},
    {200, 06},         {300, 07},         {600, 010},        {1200, 011},       {1800, 012},
    {2400, 013},       {4800, 014},       {9600, 015},       {19200, 016},      {38400, 017},
    {57600, 010001},   {115200, 010002},  {230400, 010003},  {460800, 010004},  {500000, 010005},
    {576000, 010006},  {921600, 010007},  {1000000, 010010}, {1152000, 010011}, {1500000, 010012},
    {2000000, 010013}, {2500000, 010014}, {3000000, 010015}, {3500000, 010016}, {4000000, 010017},
};

constexpr PlatformTable kLinux = {
    .name = "linux",
    .ignbrk = 01,
    .brkint = 02,
    .ignpar = 04,
    .parmrk = 010,
    .inpck = 020,
    .istrip = 040,
    .inlcr = 0100,
    .igncr = 0200,
    .icrnl = 0400,
    .iuclc = 01000,
    .ixon = 02000,
    .ixany = 04000,
    .ixoff = 010000,
    .imaxbel = 020000,
    .opost = 01,
    .olcuc = 02,
    .onlcr = 04,
    .ocrnl = 010,
    .onocr = 020,
    .onlret = 040,
    .csize = 060,
    .cs5 = 0,
    .cs6 = 020,
    .cs7 = 040,
    .cs8 = 060,
    .cstopb = 0100,
    .cread = 0200,
    .parenb = 0400,
    .parodd = 01000,
    .hupcl = 02000,
    .clocal = 04000,
    .cmspar = 010000000000,
    .crtscts = 020000000000,
    .cdtrdsr = 0,
    .cbaud = 010017,
    .cibaud = 002003600000,
    .bother = 010000,
    .isig = 01,
    .icanon = 02,
    .echo = 010,
    .echoe = 020,
    .echok = 040,
    .echonl = 0100,
    .echoctl = 01000,
    .echoke = 04000,
    .iexten = 0100000,
    .vmin = 6,
    .vtime = 5,
    .tiocexcl = 0x540C,
    .tiocnxcl = 0x540D,
    .tiocsbrk = 0x5427,
    .tioccbrk = 0x5428,
    .tiocmget = 0x5415,
    .tiocmbis = 0x5416,
    .tiocmbic = 0x5417,
    .tiocinq = 0x541B,
    .tiocoutq = 0x5411,
    .iossiospeed = 0,
    .tiocm_dtr = 0x002,
    .tiocm_rts = 0x004,
    .tiocm_cts = 0x020,
    .tiocm_car = 0x040,
    .tiocm_rng = 0x080,
    .tiocm_dsr = 0x100,
    .bauds = kLinuxBauds,
    .custom_baud = CustomBaud::linux_termios2,
};

#if defined(__linux__) && (defined(__x86_64__) || defined(__i386__) || defined(__aarch64__) || \
                           defined(__arm__) || defined(__riscv))
// The asm-generic layout; alpha/mips/powerpc/sparc differ and would need their own table.
static_assert(kLinux.ixon == IXON && kLinux.ixoff == IXOFF && kLinux.ixany == IXANY);
static_assert(kLinux.icrnl == ICRNL && kLinux.inpck == INPCK && kLinux.istrip == ISTRIP);
static_assert(kLinux.opost == OPOST && kLinux.onlcr == ONLCR);
static_assert(kLinux.csize == CSIZE && kLinux.cs7 == CS7 && kLinux.cs8 == CS8);
static_assert(kLinux.cstopb == CSTOPB && kLinux.cread == CREAD && kLinux.parenb == PARENB);
static_assert(kLinux.parodd == PARODD && kLinux.hupcl == HUPCL && kLinux.clocal == CLOCAL);
static_assert(kLinux.cmspar == CMSPAR && kLinux.crtscts == CRTSCTS);
static_assert(kLinux.cbaud == CBAUD && kLinux.cibaud == CIBAUD);
static_assert(kLinux.icanon == ICANON && kLinux.echo == ECHO && kLinux.iexten == IEXTEN);
static_assert(kLinux.echoctl == ECHOCTL && kLinux.echoke == ECHOKE && kLinux.isig == ISIG);
static_assert(kLinux.vmin == VMIN && kLinux.vtime == VTIME);
static_assert(kLinux.tiocexcl == TIOCEXCL && kLinux.tiocnxcl == TIOCNXCL);
static_assert(kLinux.tiocsbrk == TIOCSBRK && kLinux.tioccbrk == TIOCCBRK);
static_assert(kLinux.tiocmget == TIOCMGET && kLinux.tiocmbis == TIOCMBIS);
static_assert(kLinux.tiocmbic == TIOCMBIC && kLinux.tiocinq == TIOCINQ);
static_assert(kLinux.tiocoutq == TIOCOUTQ && kLinux.tiocinq == FIONREAD);
static_assert(kLinux.tiocm_dtr == TIOCM_DTR && kLinux.tiocm_rts == TIOCM_RTS);
static_assert(kLinux.tiocm_cts == TIOCM_CTS && kLinux.tiocm_car == TIOCM_CAR);
static_assert(kLinux.tiocm_rng == TIOCM_RNG && kLinux.tiocm_dsr == TIOCM_DSR);
static_assert(B57600 == 010001 && B115200 == 010002 && B921600 == 010007);
static_assert(B4000000 == 010017 && B38400 == 017 && B9600 == 015);
#endif

}  // namespace

const PlatformTable &linux_table() noexcept {
    return kLinux;
}

}  // namespace anyserial::posix
