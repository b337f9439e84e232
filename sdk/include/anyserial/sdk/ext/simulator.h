/* anyserial SDK — the device side of a protocol, extension
 * "anyserial.protocol.simulator/2" (protocol factory get_extension).
 *
 * Also sans-I/O: the host feeds what the master sent and pulls what the device says,
 * passing the time in, so a simulator can run on a pty, a mock pair or in a unit test
 * with a fake clock. Channel, flag and field ids are the protocol's own (protocol.h,
 * device.h). Thread tags: threads.h. */
#ifndef ANYSERIAL_SDK_EXT_SIMULATOR_H
#define ANYSERIAL_SDK_EXT_SIMULATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "../device.h"
#include "../protocol.h"
#include "../threads.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ANYSERIAL_EXT_SIMULATOR_ID "anyserial.protocol.simulator/2"

/* faults on demand */
#define ANYSERIAL_SIM_FAULT_NONE 0u
#define ANYSERIAL_SIM_FAULT_BAD_CHECKSUM 1u  /* corrupt the checksum of replies (or the text) */
#define ANYSERIAL_SIM_FAULT_SILENCE 2u       /* say nothing at all */
#define ANYSERIAL_SIM_FAULT_EXCEPTION 3u     /* refuse every request (with code `param`) */
#define ANYSERIAL_SIM_FAULT_DROP_REQUESTS 4u /* ignore the next `param` requests */

typedef struct anyserial_simulator_t anyserial_simulator_t;

typedef struct anyserial_simulator_vtable_t {
    uint32_t struct_size;
    /* [session] Bytes the master sent, received at now_ns. */
    int32_t (*feed)(anyserial_simulator_t *self, uint64_t now_ns, const uint8_t *data,
                    uint32_t len);
    /* [session] Bytes the device sends at now_ns (replies, broadcast frames). Writes at
     * most cap bytes to buf, *n of them; *next_ns is when to call again (UINT64_MAX = only
     * after the next feed). Call again while *n == cap. */
    int32_t (*poll_output)(anyserial_simulator_t *self, uint64_t now_ns, uint8_t *buf, uint32_t cap,
                           uint32_t *n, uint64_t *next_ns);
    /* [session] Set one channel's value (value_type ABSENT = over-range / invalid) and the
     * flags it carries (bits over the protocol's declared flags). NOT_FOUND for a channel
     * the device does not have. */
    int32_t (*set_reading)(anyserial_simulator_t *self, const char *channel,
                           const anyserial_arg_value_t *value, uint64_t flags);
    /* [session] Label a channel (name NULL = unlabelled) with a unit text; NOT_SUPPORTED
     * when the device's labels are fixed. */
    int32_t (*set_label)(anyserial_simulator_t *self, const char *channel, const char *name,
                         const char *unit);
    /* [session] The flags of the device as a whole. */
    int32_t (*set_device_flags)(anyserial_simulator_t *self, uint64_t flags);
    /* [session] ANYSERIAL_SIM_FAULT_* with its parameter; NONE clears. */
    int32_t (*set_fault)(anyserial_simulator_t *self, uint32_t fault, uint32_t param);
    /* [session] Broadcast interval (broadcast protocols), 0 = off. */
    int32_t (*set_interval)(anyserial_simulator_t *self, uint64_t interval_ns);
    /* [session] The device's state as it sees it, by field id ("setpoint", "gas",
     * "cal_group.1.calibrating"): fills *out (struct_size set by the caller; strings valid
     * until the next call). NOT_FOUND for an id it does not have. */
    int32_t (*get_field)(anyserial_simulator_t *self, const char *id, anyserial_field_t *out);
    /* [session] Counters: requests seen, replies sent, frames broadcast. */
    int32_t (*counters)(anyserial_simulator_t *self, uint64_t *requests, uint64_t *replies,
                        uint64_t *frames);
    /* [session] As the session's last_error. */
    uint32_t (*last_error)(const anyserial_simulator_t *self, char *buf, uint32_t cap);
    /* [session] The last call. */
    void (*destroy)(anyserial_simulator_t *self);
} anyserial_simulator_vtable_t;

struct anyserial_simulator_t {
    uint32_t struct_size;
    void *impl;
    const anyserial_simulator_vtable_t *vtable;
};

typedef struct anyserial_simulator_ext_t anyserial_simulator_ext_t;
struct anyserial_simulator_ext_t {
    uint32_t struct_size;
    /* [thread-safe] New simulator in its reference state. options->address is the
     * device's address (validated against the protocol's syntax; NULL = the default). */
    int32_t (*create)(const anyserial_simulator_ext_t *self,
                      const anyserial_protocol_options_t *options, anyserial_simulator_t **out);
};

#ifdef __cplusplus
}
#endif

#endif
