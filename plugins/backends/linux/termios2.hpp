// Linux termios2 access (TCGETS2/TCSETS2), kept away from <termios.h>: the kernel's
// struct termios in <asm/termbits.h> conflicts with glibc's, so termios2.cpp includes only
// the kernel headers and this interface speaks TermiosBits.
#pragma once

#include <anyserial/posix/platform_table.hpp>

namespace anyserial::linux_backend {

// Read the attributes with TCGETS2; 0 or errno.
int tcgets2(int fd, posix::TermiosBits &out) noexcept;
// Apply with TCSETS2 (TCSANOW semantics), keeping the line discipline; 0 or errno.
int tcsets2(int fd, const posix::TermiosBits &bits) noexcept;

}  // namespace anyserial::linux_backend
