// Win32 error codes → SDK status codes, and their text (FormatMessage), for the Windows
// backend. Pure functions: no state, no allocation in status_from_win32.
#pragma once

#include <windows.h>

#include <anyserial/sdk/cpp/error.hpp>
#include <string>

namespace anyserial::windows_backend {

// When an error happened: the same Win32 code means "no such port" on open but "device
// gone" on an open handle (a USB adapter unplugged).
enum class ErrorContext { open, io };

// The SDK status for a Win32 error code (GetLastError()). Unknown codes map to E_IO.
anyserial_status_t status_from_win32(DWORD code, ErrorContext ctx) noexcept;

// "The system cannot find the file specified." without the trailing CR/LF; "Win32 error
// N" when the system has no text.
std::string win32_text(DWORD code);

// Throw an sdk::Error: "<what>: <text> (Win32 error N)" with the code kept as the OS error
// (last_os_error() returns it).
[[noreturn]] void throw_win32(const std::string &what, DWORD code, ErrorContext ctx);

}  // namespace anyserial::windows_backend
