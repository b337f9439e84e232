// The control table over a Wine COM port: configure with read-back (checked again on the
// Linux pty by the harness), RAISE changing nothing, queue counts, purge, break, drain,
// modem/control lines, capabilities.
#include <anyserial/sdk/ext/discovery.h>

#include "contract.hpp"

namespace contract {

namespace {

struct Case {
    anyserial_serial_config_t cfg;
    const char *termios;  // what the harness must find on the pty
    uint32_t pty_drops;   // features a Linux pty cannot keep (reported under WARN)
    const char *what;
};

constexpr uint32_t kSize = ANYSERIAL_FEATURE_BYTE_SIZE;
constexpr uint32_t kParity = ANYSERIAL_FEATURE_PARITY;
constexpr uint32_t kStick = ANYSERIAL_FEATURE_MARK_SPACE_PARITY;

int32_t configure(anyserial_backend_t *b, const anyserial_serial_config_t &c,
                  anyserial_config_report_t &report) {
    report = {};
    report.struct_size = sizeof report;
    return b->control->configure(b, &c, &report);
}

std::string hex(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", v);
    return buf;
}

void configuration(anyserial_backend_t *b) {
    // A Linux pty forces CS8 and clears PARENB whatever is asked (the POSIX backends see the
    // same): under WARN the backend's read-back must report exactly those drops and the
    // rest must reach the line. The DCB fields themselves are checked by the unit test.
    constexpr uint8_t W = ANYSERIAL_POLICY_WARN;
    const Case cases[] = {
        {config(9600, 7, ANYSERIAL_PARITY_EVEN, 0, 0, W), "9600 8N1 flow=none", kSize | kParity,
         "9600 7E1"},
        {config(57600, 8, ANYSERIAL_PARITY_ODD, ANYSERIAL_STOP_BITS_TWO, 0, W),
         "57600 8N2 flow=none", kParity, "57600 8O2"},
        {config(19200, 6, ANYSERIAL_PARITY_MARK, 0, 0, W), "19200 8N1 flow=none", kSize | kStick,
         "19200 6M1"},
        {config(19200, 5, ANYSERIAL_PARITY_SPACE, 0, 0, W), "19200 8N1 flow=none", kSize | kStick,
         "19200 5S1"},
        {config(38400, 8, 0, ANYSERIAL_STOP_BITS_TWO, ANYSERIAL_FLOW_XON_XOFF),
         "38400 8N2 flow=xonxoff", 0, "38400 8N2 XON/XOFF (RAISE)"},
        // Wine sets CRTSCTS but reads fRtsControl back as ENABLE, not HANDSHAKE: the
        // backend reports that honestly (real serial drivers read HANDSHAKE back).
        {config(38400, 8, 0, 0, ANYSERIAL_FLOW_RTS_CTS, W), "38400 8N1 flow=rtscts",
         on_wine() ? ANYSERIAL_FEATURE_RTS_CTS : 0u, "RTS/CTS"},
    };
    anyserial_config_report_t report{};
    for (const Case &k : cases) {
        const int32_t st = configure(b, k.cfg, report);
        check(st == ANYSERIAL_OK && report.unsupported == k.pty_drops,
              std::string("configure ") + k.what + ": status " + std::to_string(st) +
                  ", reported " + hex(report.unsupported) + " (expected " + hex(k.pty_drops) +
                  ") " + report.message + (st != 0 ? last_error(b) : ""));
        check(termios_is(k.termios), std::string("pty termios after ") + k.what + ": " + k.termios);
    }
    // Under RAISE a dropped feature fails the call and changes nothing.
    (void)configure(b, config(115200), report);
    int32_t st = configure(b, config(9600, 7, ANYSERIAL_PARITY_EVEN), report);
    check(st == ANYSERIAL_E_UNSUPPORTED_CONFIG,
          "7E1 under RAISE on a pty -> UNSUPPORTED_CONFIG: " + last_error(b));
    check(termios_is("115200 8N1 flow=none"), "the refused 7E1 changed nothing (still 115200)");

    // DTR/DSR flow has no termios counterpart on Linux: the DCB read-back is the check.
    // DTR/DSR flow has no termios counterpart: Wine cannot keep it (its read-back drops it),
    // so RAISE must refuse it there; a real driver keeps it.
    st = configure(b, config(38400, 8, 0, 0, ANYSERIAL_FLOW_DTR_DSR), report);
    check(on_wine() ? st == ANYSERIAL_E_UNSUPPORTED_CONFIG : st == ANYSERIAL_OK,
          "configure DTR/DSR (RAISE): status " + std::to_string(st) + " " +
              (st != 0 ? last_error(b) : ""));

    // A custom rate: RAISE either applies it exactly or fails changing nothing.
    (void)configure(b, config(115200), report);
    st = configure(b, config(250000), report);
    if (st == ANYSERIAL_OK) {
        check(termios_is("250000 8N1 flow=none"), "custom 250000 reached the pty");
    } else {
        check(st == ANYSERIAL_E_UNSUPPORTED_CONFIG,
              "custom 250000 under RAISE -> UNSUPPORTED_CONFIG: " + last_error(b));
        check(termios_is("115200 8N1 flow=none"), "a refused custom rate changed nothing");
    }
    // 1.5 stop bits (with 5 data bits, the one valid pairing) under WARN: a pty keeps CS8
    // and Wine maps ONE5STOPBITS to CSTOPB, so both drops are reported there.
    st = configure(b,
                   config(9600, 5, 0, ANYSERIAL_STOP_BITS_ONE_POINT_FIVE, 0, ANYSERIAL_POLICY_WARN),
                   report);
    const uint32_t want15 =
        on_wine() ? (ANYSERIAL_FEATURE_BYTE_SIZE | ANYSERIAL_FEATURE_ONE_POINT_FIVE_STOP_BITS) : 0u;
    check(st == ANYSERIAL_OK && report.unsupported == want15,
          "5 data bits + 1.5 stop bits (WARN): status " + std::to_string(st) + ", reported " +
              hex(report.unsupported) + " " + report.message);

    // RAISE with a feature Windows lacks: NOT_SUPPORTED, and the line keeps its settings.
    (void)configure(b, config(57600), report);
    anyserial_serial_config_t low = config(9600);
    low.low_latency = true;
    st = configure(b, low, report);
    check(st == ANYSERIAL_E_NOT_SUPPORTED,
          "low latency under RAISE -> NOT_SUPPORTED: " + last_error(b));
    check(termios_is("57600 8N1 flow=none"), "the refused configuration changed nothing");
    low.unsupported_policy = ANYSERIAL_POLICY_WARN;
    st = configure(b, low, report);
    check(st == ANYSERIAL_OK && (report.unsupported & ANYSERIAL_FEATURE_LOW_LATENCY) != 0,
          std::string("low latency under WARN -> OK, reported: ") + report.message);
    anyserial_serial_config_t bad = config(9600, 9);
    check(configure(b, bad, report) == ANYSERIAL_E_INVALID_ARGUMENT,
          "byte size 9 -> INVALID_ARGUMENT");
    check(
        configure(b, config(115200), report) == ANYSERIAL_OK && termios_is("115200 8N1 flow=none"),
        "back to 115200 8N1");
}

void lines_and_signals(anyserial_backend_t *b) {
    check(b->control->set_break(b, true) == ANYSERIAL_OK, "set_break(on) (SetCommBreak)");
    check(b->control->set_break(b, false) == ANYSERIAL_OK, "set_break(off) (ClearCommBreak)");
    check(b->control->drain_blocking(b) == ANYSERIAL_OK, "drain_blocking (FlushFileBuffers)");
    uint32_t n = 99;
    const int32_t ow = b->control->output_waiting(b, &n);
    check(ow == ANYSERIAL_OK && n == 0,
          "output_waiting is 0 after the drain (got " + std::to_string(n) + ")");
    check(b->control->reset_output(b) == ANYSERIAL_OK, "reset_output (PurgeComm TXCLEAR)");

    // A pty has no modem lines: Wine's TIOCMGET/TIOCMBIS fail there. The backend must turn
    // that into a status with the Win32 code and text kept, not crash or invent lines.
    uint32_t lines = 0;
    int32_t st = b->control->modem_lines(b, &lines);
    std::printf("  modem_lines -> %d lines 0x%x os %d: %s\n", st, lines,
                b->control->last_os_error(b), st != 0 ? last_error(b).c_str() : "");
    // Wine on a pty: TIOCMGET fails, Wine answers ERROR_NOT_SUPPORTED (50).
    if (on_wine())
        check(st == ANYSERIAL_E_NOT_SUPPORTED &&
                  b->control->last_os_error(b) == ERROR_NOT_SUPPORTED &&
                  last_error(b).find("GetCommModemStatus(COM") != std::string::npos,
              "modem_lines on a Wine pty -> NOT_SUPPORTED, Win32 error 50 and its text kept");
    else
        check(st == ANYSERIAL_OK, "modem_lines (GetCommModemStatus)");
    st = b->control->set_control_lines(b, ANYSERIAL_LINE_OFF, ANYSERIAL_LINE_ON);
    std::printf("  set_control_lines(rts off, dtr on) -> %d os %d: %s\n", st,
                b->control->last_os_error(b), st != 0 ? last_error(b).c_str() : "");
    if (on_wine())
        check(st == ANYSERIAL_E_NOT_SUPPORTED &&
                  b->control->last_os_error(b) == ERROR_NOT_SUPPORTED &&
                  last_error(b).find("EscapeCommFunction(CLRRTS)") != std::string::npos,
              "set_control_lines on a Wine pty -> NOT_SUPPORTED naming EscapeCommFunction(CLRRTS)");
    else
        check(st == ANYSERIAL_OK, "set_control_lines (EscapeCommFunction)");
    check(b->control->set_control_lines(b, 7, ANYSERIAL_LINE_ON) == ANYSERIAL_E_INVALID_ARGUMENT,
          "set_control_lines(7, on) -> INVALID_ARGUMENT");

    anyserial_capabilities_t caps{};
    caps.struct_size = sizeof caps;
    check(b->control->capabilities(b, &caps) == ANYSERIAL_OK, "capabilities (GetCommProperties)");
    std::printf("  caps: custom_baud %u mark/space %u 1.5 %u xon %u rtscts %u dtrdsr %u\n",
                caps.custom_baudrate, caps.mark_space_parity, caps.one_point_five_stop_bits,
                caps.xon_xoff, caps.rts_cts, caps.dtr_dsr);
    check(caps.exclusive_access == ANYSERIAL_CAP_SUPPORTED &&
              caps.low_latency == ANYSERIAL_CAP_UNSUPPORTED &&
              caps.rs485 == ANYSERIAL_CAP_UNSUPPORTED &&
              caps.input_waiting == ANYSERIAL_CAP_SUPPORTED,
          "capabilities: exclusive yes, low latency and RS-485 no, queue counts yes");
}

}  // namespace

int run_control_tests(anyserial_backend_t *b) {
    configuration(b);
    lines_and_signals(b);
    return failures;
}

}  // namespace contract
