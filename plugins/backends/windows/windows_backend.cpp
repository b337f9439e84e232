#include "windows_backend.hpp"

#include <cctype>

#include "dcb.hpp"
#include "win_error.hpp"

namespace anyserial::windows_backend {

namespace {

constexpr const char *kLogger = "anyserial.windows";

std::wstring widen(const std::string &utf8) {
    if (utf8.empty()) return {};
    const int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(),
                                      static_cast<int>(utf8.size()), nullptr, 0);
    if (n <= 0)
        throw sdk::Error(ANYSERIAL_E_INVALID_ARGUMENT, "port name is not valid UTF-8: " + utf8);
    std::wstring out(static_cast<std::size_t>(n), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
    return out;
}

bool starts_with_nocase(const std::string &s, const char *prefix) {
    std::size_t i = 0;
    for (; prefix[i] != '\0'; ++i)
        if (i >= s.size() || std::toupper(static_cast<unsigned char>(s[i])) !=
                                 std::toupper(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

// Wine's ntdll exports wine_get_version; Windows' does not.
bool running_on_wine() noexcept {
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

}  // namespace

std::optional<std::string> device_path(const std::string &name) {
    if (starts_with_nocase(name, "\\\\.\\"))
        return name.size() > 4 ? std::optional(name) : std::nullopt;
    if (!starts_with_nocase(name, "COM") || name.size() == 3 || name.size() > 6)
        return std::nullopt;
    for (std::size_t i = 3; i < name.size(); ++i)
        if (std::isdigit(static_cast<unsigned char>(name[i])) == 0) return std::nullopt;
    if (name[3] == '0') return std::nullopt;  // COM0 / COM05 do not exist
    // COM10 and above only open through the device namespace; use it for every port.
    return "\\\\.\\COM" + name.substr(3);
}

WindowsBackend::~WindowsBackend() {
    close();
}

HANDLE WindowsBackend::require_open(const char *operation) const {
    if (com_ == INVALID_HANDLE_VALUE)
        throw sdk::Error(ANYSERIAL_E_CLOSED, std::string(operation) + ": port is closed");
    return com_;
}

void WindowsBackend::fail(const char *operation, DWORD err) const {
    throw_win32(std::string(operation) + "(" + name_ + ")", err, ErrorContext::io);
}

void WindowsBackend::report_unsupported(const anyserial_serial_config_t &config, uint32_t feature,
                                        const std::string &message, sdk::ConfigReport &report) {
    if (config.unsupported_policy == ANYSERIAL_POLICY_RAISE)
        throw sdk::Error(ANYSERIAL_E_NOT_SUPPORTED, message);
    report.unsupported(feature, message);
    sdk::log(ANYSERIAL_LOG_DEBUG, kLogger, "best effort: ", message);
}

void WindowsBackend::open(const char *path, const anyserial_serial_config_t &config,
                          sdk::ConfigReport &report) {
    if (com_ != INVALID_HANDLE_VALUE)
        throw sdk::Error(ANYSERIAL_E_STATE, "open: " + name_ + " is already open");
    const std::string name = path;
    const std::optional<std::string> dev = device_path(name);
    if (!dev)
        throw sdk::Error(
            ANYSERIAL_E_INVALID_ARGUMENT,
            "open: '" + name + "' is not a COM port name (expected COMn or \\\\.\\NAME)");
    // Share mode 0: COM ports are exclusive by nature (a second open gets ACCESS_DENIED).
    HANDLE h = CreateFileW(widen(*dev).c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                           OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
    if (h == INVALID_HANDLE_VALUE) {
        const DWORD err = GetLastError();
        std::string what = "open " + name;
        if (err == ERROR_ACCESS_DENIED) what += " (in use by another program?)";
        throw_win32(what, err, ErrorContext::open);
    }
    name_ = name;
    com_ = h;
    try {
        if (!GetCommTimeouts(h, &saved_timeouts_)) fail("GetCommTimeouts", GetLastError());
        // All zero: ReadFile waits until its buffer is full and WriteFile until every byte
        // left. AsyncPort reads one byte, then the queued rest (see async_port.hpp).
        COMMTIMEOUTS none{};
        if (!SetCommTimeouts(h, &none)) fail("SetCommTimeouts", GetLastError());
        (void)SetupComm(h, 65536, 65536);  // a hint; drivers may keep their own sizes
        apply(config, report);
        CompletionPort::instance().attach(h);
        io_ = std::make_shared<AsyncPort>(h, name_, errors(), running_on_wine());
    } catch (...) {
        (void)SetCommTimeouts(h, &saved_timeouts_);
        CloseHandle(h);
        com_ = INVALID_HANDLE_VALUE;
        throw;
    }
    sdk::log(ANYSERIAL_LOG_DEBUG, kLogger, "opened ", name_, " as ", *dev, " at ", config.baudrate);
}

void WindowsBackend::close() {
    if (com_ == INVALID_HANDLE_VALUE) return;
    if (io_) {
        io_->shutdown();  // every outstanding completion is delivered when it returns
        io_.reset();
    }
    (void)SetCommTimeouts(com_, &saved_timeouts_);
    CloseHandle(com_);
    com_ = INVALID_HANDLE_VALUE;
}

void WindowsBackend::configure(const anyserial_serial_config_t &config, sdk::ConfigReport &report) {
    require_open("configure");
    apply(config, report);
}

void WindowsBackend::apply(const anyserial_serial_config_t &config, sdk::ConfigReport &report) {
    const HANDLE h = require_open("configure");
    if (config.baudrate == 0 || config.byte_size < 5 || config.byte_size > 8 ||
        config.parity > ANYSERIAL_PARITY_SPACE || config.stop_bits > ANYSERIAL_STOP_BITS_TWO)
        throw sdk::Error(
            ANYSERIAL_E_INVALID_ARGUMENT,
            "configure(" + name_ + "): baudrate, byte size, parity or stop bits out of range");
    // What a DCB cannot say, decided before anything changes (RAISE changes nothing).
    if (config.low_latency)
        report_unsupported(config, ANYSERIAL_FEATURE_LOW_LATENCY,
                           "low latency is not supported on Windows (" + name_ +
                               "): FTDI's latency timer is a driver setting",
                           report);
    if (config.rs485_enabled && config.rs485.enabled)
        report_unsupported(config, ANYSERIAL_FEATURE_RS485,
                           "RS-485 is not supported by the Windows backend (" + name_ + ")",
                           report);
    if (!config.hangup_on_close)
        report_unsupported(config, ANYSERIAL_FEATURE_HANGUP_ON_CLOSE,
                           "Windows drivers drop DTR/RTS when " + name_ +
                               " closes: hangup_on_close=false cannot be kept",
                           report);

    DCB old{};
    old.DCBlength = sizeof old;
    if (!GetCommState(h, &old)) fail("GetCommState", GetLastError());
    DCB want = make_dcb(old, config);
    if (!SetCommState(h, &want)) {
        const DWORD err = GetLastError();
        (void)SetCommState(h, &old);  // SetCommState is several IOCTLs: undo a partial one
        const anyserial_status_t st = err == ERROR_INVALID_PARAMETER
                                          ? ANYSERIAL_E_UNSUPPORTED_CONFIG
                                          : status_from_win32(err, ErrorContext::io);
        throw sdk::Error(st,
                         "SetCommState(" + name_ + "): the driver rejected baudrate " +
                             std::to_string(config.baudrate) + " / " +
                             std::to_string(config.byte_size) + " data bits: " + win32_text(err) +
                             " (Win32 error " + std::to_string(err) + ")",
                         static_cast<int>(err));
    }
    DCB got{};
    got.DCBlength = sizeof got;
    if (!GetCommState(h, &got)) {
        const DWORD err = GetLastError();
        (void)SetCommState(h, &old);
        fail("GetCommState", err);
    }
    const DcbDifference diff = compare_dcb(want, got);
    if (diff.core || (diff.features != 0 && config.unsupported_policy == ANYSERIAL_POLICY_RAISE)) {
        (void)SetCommState(h, &old);
        throw sdk::Error(ANYSERIAL_E_UNSUPPORTED_CONFIG, name_ + ": " + diff.message);
    }
    if (diff.features != 0) {
        report.unsupported(diff.features, name_ + ": " + diff.message);
        sdk::log(ANYSERIAL_LOG_DEBUG, kLogger, "best effort: ", diff.message);
    }
    rts_ = dtr_ = true;  // RTS_CONTROL_ENABLE / DTR_CONTROL_ENABLE (or handshake)
}

void WindowsBackend::reset_input() {
    if (!PurgeComm(require_open("reset_input"), PURGE_RXCLEAR))
        fail("PurgeComm(RXCLEAR)", GetLastError());
}

void WindowsBackend::reset_output() {
    if (!PurgeComm(require_open("reset_output"), PURGE_TXCLEAR))
        fail("PurgeComm(TXCLEAR)", GetLastError());
}

void WindowsBackend::set_break(bool on) {
    const HANDLE h = require_open("set_break");
    if (!(on ? SetCommBreak(h) : ClearCommBreak(h)))
        fail(on ? "SetCommBreak" : "ClearCommBreak", GetLastError());
}

void WindowsBackend::drain_blocking() {
    if (!FlushFileBuffers(require_open("drain_blocking"))) fail("FlushFileBuffers", GetLastError());
}

uint32_t WindowsBackend::modem_lines() {
    const HANDLE h = require_open("modem_lines");
    DWORD status = 0;
    if (!GetCommModemStatus(h, &status)) fail("GetCommModemStatus", GetLastError());
    uint32_t lines = 0;
    if ((status & MS_CTS_ON) != 0) lines |= ANYSERIAL_LINE_CTS;
    if ((status & MS_DSR_ON) != 0) lines |= ANYSERIAL_LINE_DSR;
    if ((status & MS_RING_ON) != 0) lines |= ANYSERIAL_LINE_RI;
    if ((status & MS_RLSD_ON) != 0) lines |= ANYSERIAL_LINE_CD;
    // GetCommModemStatus has only the inputs; the outputs are what this backend last set
    // (IOCTL_SERIAL_GET_DTRRTS is not implemented by Wine, and an overlapped ioctl on this
    // handle would post a packet to the completion port).
    const bool rts = rts_, dtr = dtr_;
    if (rts) lines |= ANYSERIAL_LINE_RTS;
    if (dtr) lines |= ANYSERIAL_LINE_DTR;
    return lines;
}

void WindowsBackend::set_control_lines(int32_t rts, int32_t dtr) {
    const HANDLE h = require_open("set_control_lines");
    if (rts != ANYSERIAL_LINE_UNCHANGED) {
        if (!EscapeCommFunction(h, rts == ANYSERIAL_LINE_ON ? SETRTS : CLRRTS))
            fail(rts == ANYSERIAL_LINE_ON ? "EscapeCommFunction(SETRTS)"
                                          : "EscapeCommFunction(CLRRTS)",
                 GetLastError());
        rts_ = rts == ANYSERIAL_LINE_ON;
    }
    if (dtr != ANYSERIAL_LINE_UNCHANGED) {
        if (!EscapeCommFunction(h, dtr == ANYSERIAL_LINE_ON ? SETDTR : CLRDTR))
            fail(dtr == ANYSERIAL_LINE_ON ? "EscapeCommFunction(SETDTR)"
                                          : "EscapeCommFunction(CLRDTR)",
                 GetLastError());
        dtr_ = dtr == ANYSERIAL_LINE_ON;
    }
}

COMSTAT WindowsBackend::comm_status(const char *operation) {
    COMSTAT st{};
    DWORD line_errors = 0;
    if (!ClearCommError(require_open(operation), &line_errors, &st))
        fail("ClearCommError", GetLastError());
    return st;
}

uint32_t WindowsBackend::input_waiting() {
    return comm_status("input_waiting").cbInQue;
}

uint32_t WindowsBackend::output_waiting() {
    return comm_status("output_waiting").cbOutQue;
}

anyserial_capabilities_t WindowsBackend::capabilities() {
    anyserial_capabilities_t caps = sdk::Backend::capabilities();
    if (com_ == INVALID_HANDLE_VALUE) return caps;  // platform level
    COMMPROP prop{};
    prop.wPacketLength = sizeof prop;
    if (!GetCommProperties(com_, &prop)) fail("GetCommProperties", GetLastError());
    // What the driver says it can do; a missing bit stays "unknown" (drivers under-report).
    auto said = [](bool yes) { return yes ? ANYSERIAL_CAP_SUPPORTED : ANYSERIAL_CAP_UNKNOWN; };
    caps.custom_baudrate = said((prop.dwSettableBaud & BAUD_USER) != 0);
    caps.mark_space_parity = said((prop.wSettableStopParity & (PARITY_MARK | PARITY_SPACE)) ==
                                  (PARITY_MARK | PARITY_SPACE));
    caps.one_point_five_stop_bits = said((prop.wSettableStopParity & STOPBITS_15) != 0);
    caps.xon_xoff = said((prop.dwProvCapabilities & PCF_XONXOFF) != 0);
    caps.rts_cts = said((prop.dwProvCapabilities & PCF_RTSCTS) != 0);
    caps.dtr_dsr = said((prop.dwProvCapabilities & PCF_DTRDSR) != 0);
    return caps;
}

void WindowsBackend::start_read(std::span<uint8_t> buf, sdk::Completion done) {
    require_open("start_read");
    io_->start_read(buf, done);
}

void WindowsBackend::start_write(std::span<const uint8_t> data, sdk::Completion done) {
    require_open("start_write");
    io_->start_write(data, done);
}

void WindowsBackend::cancel(uint32_t directions) {
    if (io_) io_->cancel(directions);
}

}  // namespace anyserial::windows_backend
