#include "dcb.hpp"

namespace anyserial::windows_backend {

namespace {
void note(DcbDifference &d, uint32_t feature, const std::string &text) {
    d.features |= feature;
    if (feature == 0) d.core = true;
    if (!d.message.empty()) d.message += "; ";
    d.message += text;
}
}  // namespace

bool is_standard_rate(uint32_t rate) noexcept {
    switch (rate) {
        case CBR_110:
        case CBR_300:
        case CBR_600:
        case CBR_1200:
        case CBR_2400:
        case CBR_4800:
        case CBR_9600:
        case CBR_14400:
        case CBR_19200:
        case CBR_38400:
        case CBR_56000:
        case CBR_57600:
        case CBR_115200:
        case CBR_128000:
        case CBR_256000:
            return true;
        default:
            return false;
    }
}

DCB make_dcb(DCB d, const anyserial_serial_config_t &c) noexcept {
    d.DCBlength = sizeof(DCB);
    d.BaudRate = c.baudrate;
    d.fBinary = TRUE;
    d.ByteSize = c.byte_size;
    switch (c.parity) {
        case ANYSERIAL_PARITY_ODD:
            d.Parity = ODDPARITY;
            break;
        case ANYSERIAL_PARITY_EVEN:
            d.Parity = EVENPARITY;
            break;
        case ANYSERIAL_PARITY_MARK:
            d.Parity = MARKPARITY;
            break;
        case ANYSERIAL_PARITY_SPACE:
            d.Parity = SPACEPARITY;
            break;
        default:
            d.Parity = NOPARITY;
            break;
    }
    d.fParity = d.Parity != NOPARITY ? TRUE : FALSE;
    d.StopBits = c.stop_bits == ANYSERIAL_STOP_BITS_TWO              ? TWOSTOPBITS
                 : c.stop_bits == ANYSERIAL_STOP_BITS_ONE_POINT_FIVE ? ONE5STOPBITS
                                                                     : ONESTOPBIT;
    const bool rtscts = (c.flow_control & ANYSERIAL_FLOW_RTS_CTS) != 0;
    const bool dtrdsr = (c.flow_control & ANYSERIAL_FLOW_DTR_DSR) != 0;
    const bool xonxoff = (c.flow_control & ANYSERIAL_FLOW_XON_XOFF) != 0;
    d.fOutxCtsFlow = rtscts ? TRUE : FALSE;
    d.fRtsControl = rtscts ? RTS_CONTROL_HANDSHAKE : RTS_CONTROL_ENABLE;
    d.fOutxDsrFlow = dtrdsr ? TRUE : FALSE;
    d.fDtrControl = dtrdsr ? DTR_CONTROL_HANDSHAKE : DTR_CONTROL_ENABLE;
    d.fDsrSensitivity = FALSE;
    d.fOutX = xonxoff ? TRUE : FALSE;
    d.fInX = xonxoff ? TRUE : FALSE;
    d.fTXContinueOnXoff = TRUE;
    d.XonChar = 0x11;
    d.XoffChar = 0x13;
    // Send XOFF when the driver's input buffer is nearly full, XON when it drained.
    d.XonLim = 2048;
    d.XoffLim = 512;
    d.fErrorChar = FALSE;
    d.fNull = FALSE;
    // With fAbortOnError every line error would fail all I/O until ClearCommError.
    d.fAbortOnError = FALSE;
    return d;
}

DcbDifference compare_dcb(const DCB &w, const DCB &g) {
    DcbDifference d;
    if (w.BaudRate != g.BaudRate)
        note(d, is_standard_rate(w.BaudRate) ? 0 : ANYSERIAL_FEATURE_CUSTOM_BAUDRATE,
             "baudrate " + std::to_string(w.BaudRate) + " read back as " +
                 std::to_string(g.BaudRate));
    if (w.ByteSize != g.ByteSize)
        note(d, ANYSERIAL_FEATURE_BYTE_SIZE,
             "byte size " + std::to_string(w.ByteSize) + " read back as " +
                 std::to_string(g.ByteSize));
    if (w.Parity != g.Parity) {
        const bool stick = w.Parity == MARKPARITY || w.Parity == SPACEPARITY;
        note(d, stick ? ANYSERIAL_FEATURE_MARK_SPACE_PARITY : ANYSERIAL_FEATURE_PARITY,
             "parity " + std::to_string(w.Parity) + " read back as " + std::to_string(g.Parity));
    }
    if (w.StopBits != g.StopBits)
        note(d, w.StopBits == ONE5STOPBITS ? ANYSERIAL_FEATURE_ONE_POINT_FIVE_STOP_BITS : 0,
             "stop bits code " + std::to_string(w.StopBits) + " read back as " +
                 std::to_string(g.StopBits));
    if (w.fOutxCtsFlow != g.fOutxCtsFlow || w.fRtsControl != g.fRtsControl)
        note(d, ANYSERIAL_FEATURE_RTS_CTS,
             "RTS/CTS flow control not kept by the driver (fOutxCtsFlow " +
                 std::to_string(w.fOutxCtsFlow) + "->" + std::to_string(g.fOutxCtsFlow) +
                 ", fRtsControl " + std::to_string(w.fRtsControl) + "->" +
                 std::to_string(g.fRtsControl) + ")");
    if (w.fOutxDsrFlow != g.fOutxDsrFlow || w.fDtrControl != g.fDtrControl)
        note(d, ANYSERIAL_FEATURE_DTR_DSR,
             "DTR/DSR flow control not kept by the driver (fOutxDsrFlow " +
                 std::to_string(w.fOutxDsrFlow) + "->" + std::to_string(g.fOutxDsrFlow) +
                 ", fDtrControl " + std::to_string(w.fDtrControl) + "->" +
                 std::to_string(g.fDtrControl) + ")");
    if (w.fOutX != g.fOutX || w.fInX != g.fInX)
        note(d, ANYSERIAL_FEATURE_XON_XOFF, "XON/XOFF flow control not kept by the driver");
    return d;
}

}  // namespace anyserial::windows_backend
