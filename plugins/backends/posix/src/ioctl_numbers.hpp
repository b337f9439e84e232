// ioctl request numbers of the running system: the header's value when <sys/ioctl.h>
// defines it, otherwise the Linux kernel-ABI number (asm-generic/ioctls.h), otherwise 0
// (= the call is unsupported here and fails cleanly at call time).
#pragma once

#include <sys/ioctl.h>
#include <termios.h>

namespace anyserial::posix {

#if defined(__linux__)
#define ANYSERIAL_KABI(linux_value) (linux_value)
#else
#define ANYSERIAL_KABI(linux_value) 0
#endif

#ifdef TIOCEXCL
inline constexpr unsigned long kTiocExcl = TIOCEXCL;
#else
inline constexpr unsigned long kTiocExcl = ANYSERIAL_KABI(0x540CUL);
#endif
#ifdef TIOCNXCL
inline constexpr unsigned long kTiocNxcl = TIOCNXCL;
#else
inline constexpr unsigned long kTiocNxcl = ANYSERIAL_KABI(0x540DUL);
#endif
#ifdef TIOCSBRK
inline constexpr unsigned long kTiocSbrk = TIOCSBRK;
#else
inline constexpr unsigned long kTiocSbrk = ANYSERIAL_KABI(0x5427UL);
#endif
#ifdef TIOCCBRK
inline constexpr unsigned long kTiocCbrk = TIOCCBRK;
#else
inline constexpr unsigned long kTiocCbrk = ANYSERIAL_KABI(0x5428UL);
#endif
#ifdef TIOCMGET
inline constexpr unsigned long kTiocMget = TIOCMGET;
#else
inline constexpr unsigned long kTiocMget = ANYSERIAL_KABI(0x5415UL);
#endif
#ifdef TIOCMBIS
inline constexpr unsigned long kTiocMbis = TIOCMBIS;
#else
inline constexpr unsigned long kTiocMbis = ANYSERIAL_KABI(0x5416UL);
#endif
#ifdef TIOCMBIC
inline constexpr unsigned long kTiocMbic = TIOCMBIC;
#else
inline constexpr unsigned long kTiocMbic = ANYSERIAL_KABI(0x5417UL);
#endif
#if defined(TIOCINQ)
inline constexpr unsigned long kTiocInq = TIOCINQ;
#elif defined(FIONREAD)
inline constexpr unsigned long kTiocInq = FIONREAD;
#else
inline constexpr unsigned long kTiocInq = ANYSERIAL_KABI(0x541BUL);
#endif
#ifdef TIOCOUTQ
inline constexpr unsigned long kTiocOutq = TIOCOUTQ;
#else
inline constexpr unsigned long kTiocOutq = ANYSERIAL_KABI(0x5411UL);
#endif

#ifdef TIOCM_DTR
inline constexpr unsigned kTiocmDtr = TIOCM_DTR, kTiocmRts = TIOCM_RTS, kTiocmCts = TIOCM_CTS,
                          kTiocmCar = TIOCM_CAR, kTiocmRng = TIOCM_RNG, kTiocmDsr = TIOCM_DSR;
#else
inline constexpr unsigned kTiocmDtr = 0x002, kTiocmRts = 0x004, kTiocmCts = 0x020,
                          kTiocmCar = 0x040, kTiocmRng = 0x080, kTiocmDsr = 0x100;
#endif

#undef ANYSERIAL_KABI

}  // namespace anyserial::posix
