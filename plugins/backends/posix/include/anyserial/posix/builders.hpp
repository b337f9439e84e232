// anyserial posix — pure termios builders over a PlatformTable (seed §16).
//
// Each builder takes plain TermiosBits and returns new bits; nothing here touches a file
// descriptor. A builder that cannot express a request on the table's platform returns the
// best-effort bits together with the ANYSERIAL_FEATURE_* bit it could not apply; what to
// do about it (raise, warn, ignore) is decided by the backend from the config's policy.
// Requests that are invalid on every platform (byte size 9, baud 0) are marked invalid.
#pragma once

#include <anyserial/sdk/serial_config.h>

#include <anyserial/posix/platform_table.hpp>
#include <cstdint>
#include <string>

namespace anyserial::posix {

struct Step {
    TermiosBits bits;               // best effort: the request minus what is unsupported
    std::uint32_t unsupported = 0;  // ANYSERIAL_FEATURE_* bits not applied
    bool invalid = false;           // the request is wrong on every platform
    const char *reason = nullptr;   // static text when !ok()

    bool ok() const noexcept { return unsupported == 0 && !invalid; }
};

// How the backend must set the rate after building the bits.
struct BaudPlan {
    enum class Kind : std::uint8_t { standard, custom, unsupported };
    Kind kind = Kind::unsupported;
    std::uint32_t rate = 0;
    std::uint64_t code = 0;  // speed_t constant (standard), BOTHER / literal rate (custom)
    CustomBaud mechanism = CustomBaud::none;
};

struct BaudStep {
    Step step;
    BaudPlan plan;
};

// cfmakeraw equivalent plus CREAD|CLOCAL, 8 data bits, no parity, VMIN=1 VTIME=0 (the fd
// is O_NONBLOCK anyway), no software flow control, no output processing.
TermiosBits apply_raw_mode(TermiosBits bits, const PlatformTable &table) noexcept;
// Standard rate → its constant; otherwise the table's custom mechanism; none → unsupported.
BaudStep apply_baudrate(TermiosBits bits, std::uint32_t rate, const PlatformTable &table) noexcept;
// 5..8 → CS5..CS8.
Step apply_byte_size(TermiosBits bits, std::uint8_t byte_size, const PlatformTable &table) noexcept;
// ANYSERIAL_PARITY_*; mark/space need CMSPAR. Enables input parity checking (INPCK).
Step apply_parity(TermiosBits bits, std::uint8_t parity, const PlatformTable &table) noexcept;
// ANYSERIAL_STOP_BITS_*; 1.5 exists only as CSTOPB with CS5 (apply byte size first); for
// other sizes the best effort is 2 stop bits with ONE_POINT_FIVE_STOP_BITS reported.
Step apply_stop_bits(TermiosBits bits, std::uint8_t stop_bits, const PlatformTable &table) noexcept;
// ANYSERIAL_FLOW_* bit set: XON/XOFF → IXON|IXOFF, RTS/CTS and DTR/DSR → the table's bits.
Step apply_flow_control(TermiosBits bits, std::uint8_t flow, const PlatformTable &table) noexcept;
// HUPCL on or off.
TermiosBits apply_hangup(TermiosBits bits, bool hangup_on_close,
                         const PlatformTable &table) noexcept;

// The whole configuration, in order: raw, baud, byte size, parity, stop bits, flow, hangup.
struct Composition {
    TermiosBits bits;
    BaudPlan plan;
    std::uint32_t unsupported = 0;  // features left out (best effort)
    std::string invalid;            // non-empty: the config is invalid, always fails
    std::string message;            // "feature: reason; ..." for every unsupported bit
    std::uint8_t stop_bits = ANYSERIAL_STOP_BITS_ONE;
};
Composition compose_termios(const TermiosBits &base, const anyserial_serial_config_t &config,
                            const PlatformTable &table);

// What the driver kept, compared with what compose_termios asked for.
struct Readback {
    std::uint32_t features = 0;  // optional features that did not stick (policy applies)
    std::string core;            // non-empty: a core setting did not stick (always fails)
    std::string message;         // names every field that differs

    bool ok() const noexcept { return features == 0 && core.empty(); }
};
// verify_speed=false skips the rate (Darwin's IOSSIOSPEED is invisible to tcgetattr).
Readback verify_readback(const Composition &requested, const TermiosBits &actual,
                         const PlatformTable &table, bool verify_speed = true);

// Human name of one ANYSERIAL_FEATURE_* bit ("mark/space parity").
const char *feature_name(std::uint32_t feature) noexcept;

}  // namespace anyserial::posix
