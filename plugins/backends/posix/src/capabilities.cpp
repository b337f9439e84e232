// Platform-level capabilities derived from a table.
#include <anyserial/posix/termios_port.hpp>

namespace anyserial::posix {

anyserial_capabilities_t platform_capabilities(const PlatformTable &t) noexcept {
    auto cap = [](bool has, std::uint8_t when_has = ANYSERIAL_CAP_SUPPORTED) -> std::uint8_t {
        return has ? when_has : ANYSERIAL_CAP_UNSUPPORTED;
    };
    anyserial_capabilities_t c = sdk::make_capabilities(ANYSERIAL_CAP_UNKNOWN);
    c.custom_baudrate = cap(t.custom_baud != CustomBaud::none);
    c.mark_space_parity = cap(t.cmspar != 0, ANYSERIAL_CAP_UNKNOWN);  // the driver decides
    c.one_point_five_stop_bits = ANYSERIAL_CAP_UNKNOWN;               // only with 5 data bits
    c.xon_xoff = ANYSERIAL_CAP_SUPPORTED;                             // the line discipline does it
    c.rts_cts = cap(t.crtscts != 0, ANYSERIAL_CAP_UNKNOWN);
    c.dtr_dsr = cap(t.cdtrdsr != 0, ANYSERIAL_CAP_UNKNOWN);
    c.modem_lines = cap(t.tiocmget != 0, ANYSERIAL_CAP_UNKNOWN);
    c.break_signal = cap(t.tiocsbrk != 0 && t.tioccbrk != 0, ANYSERIAL_CAP_UNKNOWN);
    c.exclusive_access = ANYSERIAL_CAP_SUPPORTED;
    c.low_latency = ANYSERIAL_CAP_UNSUPPORTED;
    c.rs485 = ANYSERIAL_CAP_UNSUPPORTED;
    c.input_waiting = cap(t.tiocinq != 0, ANYSERIAL_CAP_UNKNOWN);
    c.output_waiting = cap(t.tiocoutq != 0, ANYSERIAL_CAP_UNKNOWN);
    c.port_discovery = ANYSERIAL_CAP_UNSUPPORTED;
    return c;
}

}  // namespace anyserial::posix
