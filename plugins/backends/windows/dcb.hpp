// The serial configuration as a Win32 DCB, and the read-back check. Pure functions over
// the DCB struct, so the mapping is testable without a port.
#pragma once

#include <anyserial/sdk/serial_config.h>
#include <windows.h>

#include <cstdint>
#include <string>

namespace anyserial::windows_backend {

// `base` (the port's current DCB) with every field the config decides overwritten:
// literal BaudRate (custom rates pass through to the driver), ByteSize, Parity incl.
// MARKPARITY/SPACEPARITY, StopBits incl. ONE5STOPBITS, RTS/CTS, DTR/DSR and XON/XOFF
// flow, binary mode, no abort-on-error, no NUL stripping, no error-char replacement.
DCB make_dcb(DCB base, const anyserial_serial_config_t &config) noexcept;

// What the driver did not keep: ANYSERIAL_FEATURE_* bits (0 = all applied) and a text
// naming each difference ("baudrate 250000 read back as 115200").
struct DcbDifference {
    uint32_t features = 0;
    bool core = false;  // baudrate/byte size/stop bits/parity that has no feature bit
    std::string message;
};
DcbDifference compare_dcb(const DCB &wanted, const DCB &got);

// True when `rate` is one of the CBR_* rates every Windows serial driver knows.
bool is_standard_rate(uint32_t rate) noexcept;

}  // namespace anyserial::windows_backend
