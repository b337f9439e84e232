// The generic POSIX table, built from whatever this system's <termios.h> and <sys/ioctl.h>
// define. POSIX itself has no RTS/CTS, stick parity or break ioctls: they are taken when
// the header has them and left 0 (unsupported) otherwise. No custom baud.
#include <sys/ioctl.h>
#include <termios.h>

#include <anyserial/posix/platform_table.hpp>

#include "ioctl_numbers.hpp"

namespace anyserial::posix {

namespace {

#ifndef IUCLC
#define IUCLC 0
#endif
#ifndef OLCUC
#define OLCUC 0
#endif
#ifndef IMAXBEL
#define IMAXBEL 0
#endif
#ifndef ECHOCTL
#define ECHOCTL 0
#endif
#ifndef ECHOKE
#define ECHOKE 0
#endif

#define ANYSERIAL_B(r) BaudEntry{r, B##r},
constexpr BaudEntry kGenericBauds[] = {
    ANYSERIAL_B(50) ANYSERIAL_B(75) ANYSERIAL_B(110) ANYSERIAL_B(134) ANYSERIAL_B(150) ANYSERIAL_B(
        200) ANYSERIAL_B(300) ANYSERIAL_B(600) ANYSERIAL_B(1200) ANYSERIAL_B(1800) ANYSERIAL_B(2400)
        ANYSERIAL_B(4800)
#ifdef B7200
            ANYSERIAL_B(7200)
#endif
                ANYSERIAL_B(9600)
#ifdef B14400
                    ANYSERIAL_B(14400)
#endif
                        ANYSERIAL_B(19200)
#ifdef B28800
                            ANYSERIAL_B(28800)
#endif
                                ANYSERIAL_B(38400)
#ifdef B57600
                                    ANYSERIAL_B(57600)
#endif
#ifdef B76800
                                        ANYSERIAL_B(76800)
#endif
#ifdef B115200
                                            ANYSERIAL_B(115200)
#endif
#ifdef B230400
                                                ANYSERIAL_B(230400)
#endif
#ifdef B460800
                                                    ANYSERIAL_B(460800)
#endif
#ifdef B500000
                                                        ANYSERIAL_B(500000)
#endif
#ifdef B576000
                                                            ANYSERIAL_B(576000)
#endif
#ifdef B921600
                                                                ANYSERIAL_B(921600)
#endif
#ifdef B1000000
                                                                    ANYSERIAL_B(1000000)
#endif
#ifdef B1152000
                                                                        ANYSERIAL_B(1152000)
#endif
#ifdef B1500000
                                                                            ANYSERIAL_B(1500000)
#endif
#ifdef B2000000
                                                                                ANYSERIAL_B(2000000)
#endif
#ifdef B2500000
                                                                                    ANYSERIAL_B(
                                                                                        2500000)
#endif
#ifdef B3000000
                                                                                        ANYSERIAL_B(
                                                                                            3000000)
#endif
#ifdef B3500000
                                                                                            ANYSERIAL_B(
                                                                                                3500000)
#endif
#ifdef B4000000
                                                                                                ANYSERIAL_B(
                                                                                                    4000000)
#endif
};
#undef ANYSERIAL_B

const PlatformTable kGeneric = {
    .name = "posix",
    .ignbrk = IGNBRK,
    .brkint = BRKINT,
    .ignpar = IGNPAR,
    .parmrk = PARMRK,
    .inpck = INPCK,
    .istrip = ISTRIP,
    .inlcr = INLCR,
    .igncr = IGNCR,
    .icrnl = ICRNL,
    .iuclc = IUCLC,
    .ixon = IXON,
    .ixany = IXANY,
    .ixoff = IXOFF,
    .imaxbel = IMAXBEL,
    .opost = OPOST,
    .olcuc = OLCUC,
    .onlcr = ONLCR,
    .ocrnl = OCRNL,
    .onocr = ONOCR,
    .onlret = ONLRET,
    .csize = CSIZE,
    .cs5 = CS5,
    .cs6 = CS6,
    .cs7 = CS7,
    .cs8 = CS8,
    .cstopb = CSTOPB,
    .cread = CREAD,
    .parenb = PARENB,
    .parodd = PARODD,
    .hupcl = HUPCL,
    .clocal = CLOCAL,
#ifdef CMSPAR
    .cmspar = CMSPAR,
#else
    .cmspar = 0,
#endif
#if defined(CCTS_OFLOW) && defined(CRTS_IFLOW)
    .crtscts = CCTS_OFLOW | CRTS_IFLOW,
#elif defined(CRTSCTS)
    .crtscts = CRTSCTS,
#else
    .crtscts = 0,
#endif
#if defined(CDTR_IFLOW) && defined(CDSR_OFLOW)
    .cdtrdsr = CDTR_IFLOW | CDSR_OFLOW,
#else
    .cdtrdsr = 0,
#endif
#ifdef CBAUD
    .cbaud = CBAUD,
#else
    .cbaud = 0,
#endif
#ifdef CIBAUD
    .cibaud = CIBAUD,
#else
    .cibaud = 0,
#endif
    .bother = 0,
    .isig = ISIG,
    .icanon = ICANON,
    .echo = ECHO,
    .echoe = ECHOE,
    .echok = ECHOK,
    .echonl = ECHONL,
    .echoctl = ECHOCTL,
    .echoke = ECHOKE,
    .iexten = IEXTEN,
    .vmin = VMIN,
    .vtime = VTIME,
    .tiocexcl = kTiocExcl,
    .tiocnxcl = kTiocNxcl,
    .tiocsbrk = kTiocSbrk,
    .tioccbrk = kTiocCbrk,
    .tiocmget = kTiocMget,
    .tiocmbis = kTiocMbis,
    .tiocmbic = kTiocMbic,
    .tiocinq = kTiocInq,
    .tiocoutq = kTiocOutq,
    .iossiospeed = 0,
    .tiocm_dtr = kTiocmDtr,
    .tiocm_rts = kTiocmRts,
    .tiocm_cts = kTiocmCts,
    .tiocm_car = kTiocmCar,
    .tiocm_rng = kTiocmRng,
    .tiocm_dsr = kTiocmDsr,
    .bauds = kGenericBauds,
    .custom_baud = CustomBaud::none,
};

}  // namespace

const PlatformTable &generic_posix_table() noexcept {
    return kGeneric;
}

}  // namespace anyserial::posix
