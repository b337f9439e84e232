/* anyserial SDK — services the host offers to a plugin.
 *
 * The host passes one anyserial_host_t to the entry's init(); it stays valid until
 * deinit() returns. A plugin may not call back into the host from inside create(). */
#ifndef ANYSERIAL_SDK_HOST_H
#define ANYSERIAL_SDK_HOST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Log levels, matching spdlog's order. */
#define ANYSERIAL_LOG_TRACE 0
#define ANYSERIAL_LOG_DEBUG 1
#define ANYSERIAL_LOG_INFO 2
#define ANYSERIAL_LOG_WARN 3
#define ANYSERIAL_LOG_ERROR 4
#define ANYSERIAL_LOG_CRITICAL 5

typedef struct anyserial_host_t {
    uint32_t struct_size;
    /* Version the host and the plugin agreed on (major equal, minor = lower of both). */
    uint32_t abi_major, abi_minor, abi_patch;
    const char *host_name;    /* "anyserial" */
    const char *host_version; /* "0.1.0" */
    void *host_data;          /* opaque, owned by the host */

    /* [thread-safe] Log one UTF-8 message. logger is a dotted name such as
     * "anyserial.linux"; NULL means "anyserial.plugin". Never pass payload bytes at
     * level INFO or above. */
    void (*log)(const struct anyserial_host_t *host, int32_t level, const char *logger,
                const char *msg);

    /* [thread-safe] Returns nonzero when a message at this level would be emitted, so a
     * plugin can skip formatting. */
    int32_t (*log_enabled)(const struct anyserial_host_t *host, int32_t level, const char *logger);

    /* [thread-safe] Monotonic clock in nanoseconds (steady, same clock as the core's
     * timers). */
    uint64_t (*monotonic_ns)(const struct anyserial_host_t *host);

    /* [thread-safe] Host extension by versioned id, NULL when not provided. */
    const void *(*get_extension)(const struct anyserial_host_t *host, const char *id);
} anyserial_host_t;

#ifdef __cplusplus
}
#endif

#endif
