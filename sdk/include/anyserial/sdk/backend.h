/* anyserial SDK — platform backend plugins, factory id "anyserial.backend/1".
 *
 * A backend owns the OS primitives of one port. It is one of two kinds:
 *  - SYNC_FD: owns an O_NONBLOCK fd; the core waits for readiness with Asio on fileno()
 *    and then calls read_nonblocking/write_nonblocking, which never block.
 *  - ASYNC_COMPLETION: starts operations and completes them later, on any thread; the
 *    core marshals completions onto the port's executor.
 * Both share one control table.
 *
 * Thread tags: threads.h ([io-thread], [any-thread], [thread-safe]). Keep per-object
 * state that [io-thread] calls of different directions share (the text of last_error, for
 * one) safe for that. */
#ifndef ANYSERIAL_SDK_BACKEND_H
#define ANYSERIAL_SDK_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "serial_config.h"
#include "status.h"
#include "threads.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ANYSERIAL_BACKEND_FACTORY_ID "anyserial.backend/1"

#define ANYSERIAL_BACKEND_KIND_SYNC_FD 1u
#define ANYSERIAL_BACKEND_KIND_ASYNC_COMPLETION 2u

/* Directions for cancel(). */
#define ANYSERIAL_DIRECTION_READ 0x1u
#define ANYSERIAL_DIRECTION_WRITE 0x2u

typedef struct anyserial_backend_descriptor_t {
    uint32_t struct_size;
    const char *id;   /* unique, e.g. "linux", "mock", "mock-async" */
    const char *name; /* human name */
    const char *vendor;
    const char *version; /* plugin's own version, e.g. "0.1.0" */
    const char *description;
    const char *platform; /* "linux", "darwin", "freebsd", "any" */
    uint32_t kind;        /* ANYSERIAL_BACKEND_KIND_* */
    uint32_t reserved0;
    /* NULL-terminated lists (either may be NULL): device-path prefixes claimed
     * ("/dev/") and URL schemes claimed without "://" ("mock"). */
    const char *const *path_prefixes;
    const char *const *url_schemes;
    /* Platform-level capabilities (before any device is opened). */
    const anyserial_capabilities_t *capabilities;
} anyserial_backend_descriptor_t;

typedef struct anyserial_backend_t anyserial_backend_t;

/* The control table shared by both kinds. Every function returns ANYSERIAL_OK or a
 * negative status; details through last_error()/last_os_error(). */
typedef struct anyserial_backend_control_t {
    uint32_t struct_size;
    /* [any-thread] Open path with config (may block briefly: the core calls it on a
     * worker thread). report may be NULL. */
    int32_t (*open)(anyserial_backend_t *self, const char *path,
                    const anyserial_serial_config_t *config, anyserial_config_report_t *report);
    /* [any-thread] Idempotent. Restores anything open() changed (low latency, RS-485),
     * then closes. After close, an async-completion backend has delivered every
     * outstanding completion. */
    void (*close)(anyserial_backend_t *self);
    /* [io-thread] Apply a whole configuration atomically; under POLICY_RAISE nothing
     * changes on failure. */
    int32_t (*configure)(anyserial_backend_t *self, const anyserial_serial_config_t *config,
                         anyserial_config_report_t *report);
    int32_t (*reset_input)(anyserial_backend_t *self);        /* [io-thread] tcflush(TCIFLUSH) */
    int32_t (*reset_output)(anyserial_backend_t *self);       /* [io-thread] tcflush(TCOFLUSH) */
    int32_t (*set_break)(anyserial_backend_t *self, bool on); /* [io-thread] no duration */
    /* [any-thread] Blocks until the output has left the UART; only ever run on a worker
     * thread. */
    int32_t (*drain_blocking)(anyserial_backend_t *self);
    int32_t (*modem_lines)(anyserial_backend_t *self, uint32_t *lines); /* ANYSERIAL_LINE_* */
    /* ANYSERIAL_LINE_UNCHANGED / _OFF / _ON for each */
    int32_t (*set_control_lines)(anyserial_backend_t *self, int32_t rts, int32_t dtr);
    int32_t (*input_waiting)(anyserial_backend_t *self, uint32_t *count);
    int32_t (*output_waiting)(anyserial_backend_t *self, uint32_t *count);
    /* [any-thread] Device-level capabilities after open (platform level before). */
    int32_t (*capabilities)(anyserial_backend_t *self, anyserial_capabilities_t *out);
    /* [any-thread] Text of the last failure on this object; returns its full length
     * (excluding NUL) and writes at most cap bytes including NUL. */
    uint32_t (*last_error)(const anyserial_backend_t *self, char *buf, uint32_t cap);
    /* [any-thread] errno (or OS error) of the last failure, 0 when none. */
    int32_t (*last_os_error)(const anyserial_backend_t *self);
    /* [any-thread] Per-instance extension by versioned id, NULL when not provided. */
    const void *(*get_extension)(anyserial_backend_t *self, const char *id);
} anyserial_backend_control_t;

/* sync_fd io_flags: read_nonblocking and write_nonblocking are exactly read(2) and write(2)
 * on fileno() (no framing, buffering or state of their own; errors are the call's errno).
 * The core may then do the reads itself with Asio's reactive I/O on the fd, which saves a
 * readiness re-arm (one epoll_ctl) per wait; writes, and the reads of a port that collects
 * statistics, still call the plugin. */
#define ANYSERIAL_SYNC_FD_PLAIN_IO 1u
#define ANYSERIAL_SYNC_FD_KNOWN_FLAGS ANYSERIAL_SYNC_FD_PLAIN_IO

/* SYNC_FD I/O. Neither call ever blocks. *n == 0 with ANYSERIAL_OK from a read means EOF;
 * WOULD_BLOCK and INTERRUPTED mean "wait for readiness again". */
typedef struct anyserial_sync_fd_io_t {
    uint32_t struct_size;
    int32_t (*fileno)(const anyserial_backend_t *self); /* [any-thread] -1 when closed */
    int32_t (*read_nonblocking)(anyserial_backend_t *self, uint8_t *buf, uint32_t len,
                                uint32_t *n); /* [io-thread] */
    int32_t (*write_nonblocking)(anyserial_backend_t *self, const uint8_t *data, uint32_t len,
                                 uint32_t *n); /* [io-thread] */
    /* SDK 1.2: ANYSERIAL_SYNC_FD_* bits; absent (a shorter struct_size) means 0. A bit
     * the host does not know makes it refuse the instance. */
    uint32_t io_flags;
} anyserial_sync_fd_io_t;

/* Completion of an ASYNC_COMPLETION operation: status is ANYSERIAL_OK (transferred > 0),
 * ANYSERIAL_E_CANCELLED, or an error. [any-thread] */
typedef void (*anyserial_completion_fn)(void *user, int32_t status, uint32_t transferred);

/* ASYNC_COMPLETION I/O. A start_* that returns ANYSERIAL_OK delivers exactly one
 * completion later, also after cancel() or close(); one that fails delivers none. The
 * buffer stays valid until the completion. At most one read and one write are
 * outstanding. A read completes as soon as at least one byte arrived; EOF completes
 * with ANYSERIAL_E_DISCONNECTED. */
typedef struct anyserial_async_io_t {
    uint32_t struct_size;
    int32_t (*start_read)(anyserial_backend_t *self, uint8_t *buf, uint32_t len,
                          anyserial_completion_fn done, void *user); /* [io-thread] */
    int32_t (*start_write)(anyserial_backend_t *self, const uint8_t *data, uint32_t len,
                           anyserial_completion_fn done, void *user); /* [io-thread] */
    /* [any-thread] Ask for early completion of the outstanding operation(s) in the
     * ANYSERIAL_DIRECTION_* set; harmless when none is outstanding. */
    int32_t (*cancel)(anyserial_backend_t *self, uint32_t directions);
} anyserial_async_io_t;

/* A backend instance: created by the factory (no I/O), opened through control->open,
 * ended by destroy (which closes first if needed). */
struct anyserial_backend_t {
    uint32_t struct_size;
    void *impl; /* plugin-private */
    const anyserial_backend_descriptor_t *descriptor;
    const anyserial_backend_control_t *control; /* never NULL */
    const anyserial_sync_fd_io_t *sync_fd;      /* non-NULL for KIND_SYNC_FD */
    const anyserial_async_io_t *async_io;       /* non-NULL for KIND_ASYNC_COMPLETION */
    void (*destroy)(anyserial_backend_t *self); /* [any-thread] */
};

typedef struct anyserial_backend_factory_t {
    uint32_t struct_size;
    /* [thread-safe] Number of backends this plugin provides and their descriptors. */
    uint32_t (*count)(void);
    const anyserial_backend_descriptor_t *(*get_descriptor)(uint32_t index);
    /* [thread-safe] New closed instance of backend_id; no I/O. */
    int32_t (*create)(const char *backend_id, anyserial_backend_t **out);
    /* [thread-safe] Backend-level extension (e.g. discovery) or NULL. */
    const void *(*get_extension)(const char *backend_id, const char *extension_id);
} anyserial_backend_factory_t;

#ifdef __cplusplus
}
#endif

#endif
