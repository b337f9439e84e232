// The Windows backend's pure parts, run under Wine: the DCB built from an SDK config, the
// read-back comparison, the Win32 error table, port names and USB instance ids.
#include <cstdio>
#include <string>

#include "dcb.hpp"
#include "discovery.hpp"
#include "win_error.hpp"
#include "windows_backend.hpp"

using namespace anyserial::windows_backend;

namespace {

int failures = 0;

void check(bool ok, const std::string &what) {
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    if (!ok) ++failures;
}

anyserial_serial_config_t cfg(uint32_t baud, uint8_t size, uint8_t parity, uint8_t stop,
                              uint8_t flow) {
    anyserial_serial_config_t c{};
    c.struct_size = sizeof c;
    c.baudrate = baud;
    c.byte_size = size;
    c.parity = parity;
    c.stop_bits = stop;
    c.flow_control = flow;
    return c;
}

DCB base() {
    DCB d{};
    d.DCBlength = sizeof d;
    d.fAbortOnError = TRUE;  // make_dcb must clear it
    d.fNull = TRUE;
    return d;
}

void dcb_mapping() {
    DCB d = make_dcb(base(), cfg(9600, 7, ANYSERIAL_PARITY_EVEN, ANYSERIAL_STOP_BITS_ONE, 0));
    check(d.BaudRate == 9600 && d.ByteSize == 7 && d.Parity == EVENPARITY && d.fParity &&
              d.StopBits == ONESTOPBIT && d.fBinary && !d.fAbortOnError && !d.fNull,
          "7E1: ByteSize 7, EVENPARITY, ONESTOPBIT, binary, no abort-on-error");
    check(d.fRtsControl == RTS_CONTROL_ENABLE && d.fDtrControl == DTR_CONTROL_ENABLE &&
              !d.fOutxCtsFlow && !d.fOutxDsrFlow && !d.fOutX && !d.fInX,
          "no flow control: RTS and DTR asserted, no handshake");
    d = make_dcb(base(),
                 cfg(250000, 8, ANYSERIAL_PARITY_MARK, ANYSERIAL_STOP_BITS_ONE_POINT_FIVE, 0));
    check(d.BaudRate == 250000 && d.Parity == MARKPARITY && d.StopBits == ONE5STOPBITS,
          "custom 250000 passes through literally; MARKPARITY; ONE5STOPBITS");
    d = make_dcb(base(), cfg(115200, 8, ANYSERIAL_PARITY_SPACE, ANYSERIAL_STOP_BITS_TWO, 0));
    check(d.Parity == SPACEPARITY && d.StopBits == TWOSTOPBITS && d.fParity,
          "SPACEPARITY, TWOSTOPBITS");
    d = make_dcb(base(), cfg(115200, 8, ANYSERIAL_PARITY_ODD, 0, ANYSERIAL_FLOW_RTS_CTS));
    check(d.Parity == ODDPARITY && d.fOutxCtsFlow && d.fRtsControl == RTS_CONTROL_HANDSHAKE &&
              !d.fOutxDsrFlow && !d.fOutX,
          "RTS/CTS: fOutxCtsFlow + RTS_CONTROL_HANDSHAKE");
    d = make_dcb(base(), cfg(115200, 8, 0, 0, ANYSERIAL_FLOW_DTR_DSR));
    check(d.Parity == NOPARITY && !d.fParity && d.fOutxDsrFlow &&
              d.fDtrControl == DTR_CONTROL_HANDSHAKE && !d.fOutxCtsFlow,
          "DTR/DSR: fOutxDsrFlow + DTR_CONTROL_HANDSHAKE");
    d = make_dcb(base(), cfg(115200, 8, 0, 0, ANYSERIAL_FLOW_XON_XOFF));
    check(d.fOutX && d.fInX && d.XonChar == 0x11 && d.XoffChar == 0x13,
          "XON/XOFF: fOutX + fInX with DC1/DC3");
}

void readback() {
    const DCB want =
        make_dcb(base(), cfg(250000, 7, ANYSERIAL_PARITY_MARK, 0, ANYSERIAL_FLOW_RTS_CTS));
    check(compare_dcb(want, want).features == 0 && !compare_dcb(want, want).core,
          "identical read-back: no difference");
    DCB got = want;
    got.BaudRate = 115200;
    got.ByteSize = 8;
    got.Parity = NOPARITY;
    got.fOutxCtsFlow = FALSE;
    const DcbDifference d = compare_dcb(want, got);
    check(d.features == (ANYSERIAL_FEATURE_CUSTOM_BAUDRATE | ANYSERIAL_FEATURE_BYTE_SIZE |
                         ANYSERIAL_FEATURE_MARK_SPACE_PARITY | ANYSERIAL_FEATURE_RTS_CTS) &&
              !d.core,
          "custom rate, byte size, stick parity and RTS/CTS drops are feature bits: " + d.message);
    DCB std_want = make_dcb(base(), cfg(9600, 8, 0, 0, 0));
    DCB std_got = std_want;
    std_got.BaudRate = 4800;
    check(compare_dcb(std_want, std_got).core,
          "a standard rate read back differently is a hard failure");
    std_got = std_want;
    std_want.StopBits = ONE5STOPBITS;
    std_got.StopBits = TWOSTOPBITS;
    check(compare_dcb(std_want, std_got).features == ANYSERIAL_FEATURE_ONE_POINT_FIVE_STOP_BITS,
          "1.5 stop bits read back as 2 -> ONE_POINT_FIVE_STOP_BITS");
}

void errors() {
    struct Row {
        DWORD code;
        ErrorContext ctx;
        anyserial_status_t want;
        const char *name;
    };
    const Row rows[] = {
        {ERROR_FILE_NOT_FOUND, ErrorContext::open, ANYSERIAL_E_NOT_FOUND, "FILE_NOT_FOUND on open"},
        {ERROR_PATH_NOT_FOUND, ErrorContext::open, ANYSERIAL_E_NOT_FOUND, "PATH_NOT_FOUND on open"},
        {ERROR_ACCESS_DENIED, ErrorContext::open, ANYSERIAL_E_BUSY,
         "ACCESS_DENIED on open (in use)"},
        {ERROR_SHARING_VIOLATION, ErrorContext::open, ANYSERIAL_E_BUSY, "SHARING_VIOLATION"},
        {ERROR_ACCESS_DENIED, ErrorContext::io, ANYSERIAL_E_DISCONNECTED,
         "ACCESS_DENIED on I/O (unplugged)"},
        {ERROR_FILE_NOT_FOUND, ErrorContext::io, ANYSERIAL_E_DISCONNECTED, "FILE_NOT_FOUND on I/O"},
        {ERROR_DEVICE_REMOVED, ErrorContext::io, ANYSERIAL_E_DISCONNECTED, "DEVICE_REMOVED"},
        {ERROR_BAD_COMMAND, ErrorContext::io, ANYSERIAL_E_DISCONNECTED, "BAD_COMMAND (USB gone)"},
        {ERROR_GEN_FAILURE, ErrorContext::io, ANYSERIAL_E_DISCONNECTED, "GEN_FAILURE"},
        {ERROR_OPERATION_ABORTED, ErrorContext::io, ANYSERIAL_E_CANCELLED, "OPERATION_ABORTED"},
        {ERROR_INVALID_PARAMETER, ErrorContext::io, ANYSERIAL_E_INVALID_ARGUMENT,
         "INVALID_PARAMETER"},
        {ERROR_NOT_SUPPORTED, ErrorContext::io, ANYSERIAL_E_NOT_SUPPORTED, "NOT_SUPPORTED"},
        {ERROR_INVALID_HANDLE, ErrorContext::io, ANYSERIAL_E_CLOSED, "INVALID_HANDLE"},
        {ERROR_SEM_TIMEOUT, ErrorContext::io, ANYSERIAL_E_TIMEOUT, "SEM_TIMEOUT"},
        {ERROR_NOT_ENOUGH_MEMORY, ErrorContext::io, ANYSERIAL_E_NO_MEMORY, "NOT_ENOUGH_MEMORY"},
        {ERROR_CRC, ErrorContext::io, ANYSERIAL_E_IO, "an unlisted code -> IO"},
    };
    for (const Row &r : rows)
        check(status_from_win32(r.code, r.ctx) == r.want, std::string("Win32 ") + r.name);
    const std::string text = win32_text(ERROR_FILE_NOT_FOUND);
    check(!text.empty() && text.back() != '\n' && text.back() != '.',
          "FormatMessage text trimmed: " + text);
    try {
        throw_win32("open COM9", ERROR_FILE_NOT_FOUND, ErrorContext::open);
    } catch (const anyserial::sdk::Error &e) {
        check(e.status() == ANYSERIAL_E_NOT_FOUND && e.os_error() == 2 &&
                  std::string(e.what()).find("open COM9: ") == 0 &&
                  std::string(e.what()).find("(Win32 error 2)") != std::string::npos,
              std::string("throw_win32 keeps code and text: ") + e.what());
    }
}

void names() {
    check(device_path("COM5") == std::optional<std::string>("\\\\.\\COM5"), "COM5 -> \\\\.\\COM5");
    check(device_path("com12") == std::optional<std::string>("\\\\.\\COM12"),
          "com12 -> \\\\.\\COM12");
    check(device_path("\\\\.\\COM3") == std::optional<std::string>("\\\\.\\COM3"),
          "\\\\.\\COM3 unchanged");
    check(device_path("\\\\.\\CNCA0").has_value(), "\\\\.\\CNCA0 (com0com) passes");
    for (const char *bad : {"COM", "COM0", "COMX", "COM1234", "/dev/ttyS0", "LPT1", "\\\\.\\"})
        check(!device_path(bad).has_value(), std::string("refused: ") + bad);
}

void instance_ids() {
    UsbIds u = parse_instance_id("USB\\VID_0403&PID_6001\\A12345XY");
    check(u.vid == 0x0403 && u.pid == 0x6001 && u.serial == "A12345XY",
          "USB instance id with serial");
    u = parse_instance_id("USB\\VID_10C4&PID_EA60\\5&2A1B3C&0&2");
    check(u.vid == 0x10C4 && u.pid == 0xEA60 && u.serial.empty(),
          "Windows-made instance id: no serial");
    u = parse_instance_id("FTDIBUS\\VID_0403+PID_6001+A9XYZ12A\\0000");
    check(u.vid == 0x0403 && u.pid == 0x6001 && u.serial == "A9XYZ12",
          "FTDIBUS id: serial without port letter");
    u = parse_instance_id("ACPI\\PNP0501\\1");
    check(u.vid == -1 && u.pid == -1 && u.serial.empty(), "a built-in UART has no USB ids");
}

}  // namespace

int main() {
    dcb_mapping();
    readback();
    errors();
    names();
    instance_ids();
    std::printf("%s: %d failure(s)\n", failures == 0 ? "PASS" : "FAIL", failures);
    return failures == 0 ? 0 : 1;
}
