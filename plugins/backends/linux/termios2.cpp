// TCGETS2/TCSETS2 with struct termios2 from <asm/termbits.h> (deliberately no <termios.h>).
#include "termios2.hpp"

#include <asm/termbits.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <anyserial/posix/io.hpp>

namespace anyserial::linux_backend {

// The kernel ABI pySerial also relies on: 0x802C542A / 0x402C542B on x86.
static_assert(sizeof(struct termios2) == 44, "struct termios2 layout changed");

int tcgets2(int fd, posix::TermiosBits &out) noexcept {
    struct termios2 t {};
    if (const int err = posix::xioctl(fd, TCGETS2, &t); err != 0) return err;
    out = posix::TermiosBits{};
    out.iflag = t.c_iflag;
    out.oflag = t.c_oflag;
    out.cflag = t.c_cflag;
    out.lflag = t.c_lflag;
    std::copy_n(t.c_cc, std::min<std::size_t>(NCCS, out.cc.size()), out.cc.begin());
    out.ispeed = t.c_ispeed;
    out.ospeed = t.c_ospeed;
    return 0;
}

int tcsets2(int fd, const posix::TermiosBits &bits) noexcept {
    struct termios2 t {};
    // Start from the current state so c_line (the line discipline) is preserved.
    if (const int err = posix::xioctl(fd, TCGETS2, &t); err != 0) return err;
    t.c_iflag = static_cast<tcflag_t>(bits.iflag);
    t.c_oflag = static_cast<tcflag_t>(bits.oflag);
    t.c_cflag = static_cast<tcflag_t>(bits.cflag);
    t.c_lflag = static_cast<tcflag_t>(bits.lflag);
    std::copy_n(bits.cc.begin(), std::min<std::size_t>(NCCS, bits.cc.size()), t.c_cc);
    t.c_ispeed = bits.ispeed;
    t.c_ospeed = bits.ospeed;
    return posix::xioctl(fd, TCSETS2, &t);
}

}  // namespace anyserial::linux_backend
