// anyserial posix — platform termios constants as plain data.
//
// Every POSIX backend (linux, darwin, bsd, posix) describes its OS with one PlatformTable:
// termios flag values, ioctl request numbers, the baud table and the custom-baud mechanism.
// The pure builders (builders.hpp) only ever read these tables, so the Darwin and BSD tables
// are unit-tested on Linux although their plugins only build on their own OS.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace anyserial::posix {

// How a rate outside the standard table reaches the driver.
enum class CustomBaud : std::uint8_t {
    none,                // generic POSIX: only the table's rates
    linux_termios2,      // TCSETS2 with BOTHER in c_cflag, literal rates in c_[io]speed
    darwin_iossiospeed,  // ioctl(IOSSIOSPEED, &speed) after tcsetattr
    bsd_passthrough,     // speed_t is the literal rate: cfsetspeed(rate)
};

// One standard rate and the speed_t constant that selects it.
struct BaudEntry {
    std::uint32_t rate;
    std::uint64_t code;
};

struct PlatformTable {
    std::string_view name;  // "linux", "darwin", "freebsd", "netbsd", "openbsd", "posix"

    // c_iflag
    std::uint64_t ignbrk, brkint, ignpar, parmrk, inpck, istrip, inlcr, igncr, icrnl, iuclc, ixon,
        ixany, ixoff, imaxbel;
    // c_oflag
    std::uint64_t opost, olcuc, onlcr, ocrnl, onocr, onlret;
    // c_cflag
    std::uint64_t csize, cs5, cs6, cs7, cs8, cstopb, cread, parenb, parodd, hupcl, clocal;
    std::uint64_t cmspar;   // mark/space ("stick") parity; 0 = the OS has none
    std::uint64_t crtscts;  // every bit RTS/CTS needs (Linux CRTSCTS, BSD CCTS_OFLOW|CRTS_IFLOW)
    std::uint64_t cdtrdsr;  // DTR/DSR flow (Darwin, FreeBSD: CDTR_IFLOW|CDSR_OFLOW); 0 = none
    std::uint64_t cbaud;    // speed bits inside c_cflag (Linux CBAUD); 0 = separate fields
    std::uint64_t cibaud;   // input-speed bits inside c_cflag (Linux CIBAUD); 0 = none
    std::uint64_t bother;   // Linux BOTHER: "speed is in c_[io]speed"
    // c_lflag
    std::uint64_t isig, icanon, echo, echoe, echok, echonl, echoctl, echoke, iexten;
    // c_cc indices
    std::uint8_t vmin, vtime;

    // ioctl request numbers
    unsigned long tiocexcl, tiocnxcl, tiocsbrk, tioccbrk, tiocmget, tiocmbis, tiocmbic, tiocinq,
        tiocoutq;
    unsigned long iossiospeed;  // Darwin only, 0 elsewhere

    // TIOCM_* modem bits
    std::uint32_t tiocm_dtr, tiocm_rts, tiocm_cts, tiocm_car, tiocm_rng, tiocm_dsr;

    // Standard (and platform-extended) rates, ascending, B0 excluded.
    std::span<const BaudEntry> bauds;
    CustomBaud custom_baud;
};

// Ordered field list of termios as the builders see it: plain values, no OS struct.
// ispeed/ospeed are literal rates (Linux termios2 semantics; on Darwin/BSD speed_t is the
// literal rate anyway); on Linux the speed code also lives in c_cflag & cbaud.
struct TermiosBits {
    std::uint64_t iflag = 0, oflag = 0, cflag = 0, lflag = 0;
    std::array<std::uint8_t, 32> cc{};
    std::uint32_t ispeed = 0, ospeed = 0;

    friend bool operator==(const TermiosBits &, const TermiosBits &) = default;
};

// The known tables. linux_table() is checked against <termios.h>/<asm/termbits.h> when
// built on Linux; the others are constants copied from their OS headers.
const PlatformTable &linux_table() noexcept;
const PlatformTable &darwin_table() noexcept;
const PlatformTable &freebsd_table() noexcept;
const PlatformTable &netbsd_table() noexcept;
const PlatformTable &openbsd_table() noexcept;
// Built from whatever this system's <termios.h> defines (the generic "posix" backend):
// no custom baud, optional flags only where the header has them.
const PlatformTable &generic_posix_table() noexcept;

// The table entry for a rate, nullptr when it is not a standard rate.
const BaudEntry *find_baud(const PlatformTable &table, std::uint32_t rate) noexcept;
// The rate selected by a speed code, 0 when the code is unknown.
std::uint32_t rate_for_code(const PlatformTable &table, std::uint64_t code) noexcept;

}  // namespace anyserial::posix
