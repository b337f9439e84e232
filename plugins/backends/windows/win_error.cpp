#include "win_error.hpp"

namespace anyserial::windows_backend {

anyserial_status_t status_from_win32(DWORD code, ErrorContext ctx) noexcept {
    switch (code) {
        case ERROR_SUCCESS:
            return ANYSERIAL_OK;
        case ERROR_FILE_NOT_FOUND:
        case ERROR_PATH_NOT_FOUND:
        case ERROR_INVALID_NAME:
        case ERROR_BAD_NETPATH:
        case ERROR_DEV_NOT_EXIST:
            // Not found on open; an open handle whose device vanished is disconnected.
            return ctx == ErrorContext::open ? ANYSERIAL_E_NOT_FOUND : ANYSERIAL_E_DISCONNECTED;
        case ERROR_ACCESS_DENIED:
            // COM ports open exclusively: on open this is "in use"; on an open handle
            // usbser/FTDI report an unplugged adapter this way.
            return ctx == ErrorContext::open ? ANYSERIAL_E_BUSY : ANYSERIAL_E_DISCONNECTED;
        case ERROR_SHARING_VIOLATION:
        case ERROR_BUSY:
        case ERROR_PIPE_BUSY:
            return ANYSERIAL_E_BUSY;
        case ERROR_DEVICE_REMOVED:
        case ERROR_BAD_COMMAND:
        case ERROR_DEVICE_NOT_CONNECTED:
        case ERROR_NOT_READY:
        case ERROR_GEN_FAILURE:
        case ERROR_BROKEN_PIPE:
        case ERROR_HANDLE_EOF:
            return ANYSERIAL_E_DISCONNECTED;
        case ERROR_OPERATION_ABORTED:
            return ANYSERIAL_E_CANCELLED;
        case ERROR_INVALID_HANDLE:
            return ANYSERIAL_E_CLOSED;
        case ERROR_INVALID_PARAMETER:
            return ANYSERIAL_E_INVALID_ARGUMENT;
        case ERROR_NOT_SUPPORTED:
        case ERROR_INVALID_FUNCTION:
        case ERROR_CALL_NOT_IMPLEMENTED:
            return ANYSERIAL_E_NOT_SUPPORTED;
        case ERROR_NOT_ENOUGH_MEMORY:
        case ERROR_OUTOFMEMORY:
        case ERROR_NO_SYSTEM_RESOURCES:
            return ANYSERIAL_E_NO_MEMORY;
        case ERROR_TIMEOUT:
        case ERROR_SEM_TIMEOUT:
        case WAIT_TIMEOUT:
            return ANYSERIAL_E_TIMEOUT;
        case ERROR_PRIVILEGE_NOT_HELD:
            return ANYSERIAL_E_PERMISSION;
        default:
            return ANYSERIAL_E_IO;
    }
}

std::string win32_text(DWORD code) {
    char buf[512];
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
                             code, 0, buf, sizeof buf, nullptr);
    while (n > 0 &&
           (buf[n - 1] == '\r' || buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '.'))
        --n;
    if (n == 0) return "Win32 error " + std::to_string(code);
    return std::string(buf, n);
}

void throw_win32(const std::string &what, DWORD code, ErrorContext ctx) {
    throw sdk::Error(status_from_win32(code, ctx),
                     what + ": " + win32_text(code) + " (Win32 error " + std::to_string(code) + ")",
                     static_cast<int>(code));
}

}  // namespace anyserial::windows_backend
