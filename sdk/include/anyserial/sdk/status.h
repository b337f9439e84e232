/* anyserial SDK — status codes returned across the C ABI.
 *
 * 0 is success. Negative codes are never reused: a new condition gets a new number.
 * Where an OS error exists it is reported next to the status through the object's
 * last_os_error() (errno on POSIX), so the original cause is never lost. */
#ifndef ANYSERIAL_SDK_STATUS_H
#define ANYSERIAL_SDK_STATUS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t anyserial_status_t;

#define ANYSERIAL_OK 0
#define ANYSERIAL_E_NOT_SUPPORTED (-1) /* feature or call not provided */
#define ANYSERIAL_E_WOULD_BLOCK (-2)   /* non-blocking call has nothing to do now */
#define ANYSERIAL_E_INTERRUPTED (-3)   /* EINTR: try again */
#define ANYSERIAL_E_TIMEOUT (-4)
#define ANYSERIAL_E_IO (-5)           /* generic I/O failure; see last_os_error */
#define ANYSERIAL_E_DISCONNECTED (-6) /* device gone (EIO, HUP, EOF after readiness) */
#define ANYSERIAL_E_BUSY (-7)         /* port in use / locked exclusively */
#define ANYSERIAL_E_NOT_FOUND (-8)    /* no such port / id */
#define ANYSERIAL_E_INVALID_ARGUMENT (-9)
#define ANYSERIAL_E_UNSUPPORTED_CONFIG (-10) /* driver/device rejects this configuration */
#define ANYSERIAL_E_PERMISSION (-11)
#define ANYSERIAL_E_CLOSED (-12)    /* object was closed */
#define ANYSERIAL_E_CANCELLED (-13) /* async operation cancelled */
#define ANYSERIAL_E_NO_MEMORY (-14)
#define ANYSERIAL_E_PROTOCOL (-15) /* protocol-level failure (bad frame, exception) */
#define ANYSERIAL_E_INTERNAL (-16) /* a C++ exception or broken invariant in a plugin */
#define ANYSERIAL_E_VERSION (-17)  /* ABI version mismatch */
#define ANYSERIAL_E_STATE (-18)    /* call not valid in the object's current state */
#define ANYSERIAL_E_BUFFER_TOO_SMALL (-19)

/* Not an error: returned by request/response sessions when an operation has no
 * further transaction to run (the result is ready). */
#define ANYSERIAL_DONE 1

#ifdef __cplusplus
}
#endif

#endif
