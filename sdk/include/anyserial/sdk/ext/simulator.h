/* anyserial SDK — the device side of a protocol, extension
 * "anyserial.protocol.simulator/1" (protocol factory get_extension).
 *
 * Also sans-I/O: the host feeds what the master sent and pulls what the device says,
 * passing the time in, so a simulator can run on a pty, a mock pair or in a unit test
 * with a fake clock. Channel ids are the device's ("I1", "E2"). */
#ifndef ANYSERIAL_SDK_EXT_SIMULATOR_H
#define ANYSERIAL_SDK_EXT_SIMULATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "../protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ANYSERIAL_EXT_SIMULATOR_ID "anyserial.protocol.simulator/1"

/* faults on demand */
#define ANYSERIAL_SIM_FAULT_NONE 0u
#define ANYSERIAL_SIM_FAULT_BAD_CHECKSUM 1u  /* corrupt the checksum/CRC/LRC of replies */
#define ANYSERIAL_SIM_FAULT_SILENCE 2u       /* say nothing at all */
#define ANYSERIAL_SIM_FAULT_EXCEPTION 3u     /* answer every request with exception `param` */
#define ANYSERIAL_SIM_FAULT_DROP_REQUESTS 4u /* ignore the next `param` requests */

typedef struct anyserial_simulator_t anyserial_simulator_t;

typedef struct anyserial_simulator_vtable_t {
    uint32_t struct_size;
    /* Bytes the master sent, received at now_ns. */
    int32_t (*feed)(anyserial_simulator_t *self, uint64_t now_ns, const uint8_t *data,
                    uint32_t len);
    /* Bytes the device sends at now_ns (replies, broadcast frames). Writes at most cap
     * bytes to buf, *n of them; *next_ns is when to call again (UINT64_MAX = only after
     * the next feed). Call again while *n == cap. */
    int32_t (*poll_output)(anyserial_simulator_t *self, uint64_t now_ns, uint8_t *buf, uint32_t cap,
                           uint32_t *n, uint64_t *next_ns);
    /* Set one channel's reading (has_value false = over-range) and status bits. */
    int32_t (*set_reading)(anyserial_simulator_t *self, const char *channel, bool has_value,
                           double value, uint32_t status);
    /* Label a channel (UTF-8 name, NULL = unlabelled) with a unit text ("%", "mA"). */
    int32_t (*set_label)(anyserial_simulator_t *self, const char *channel, const char *name,
                         const char *unit);
    int32_t (*set_analyser)(anyserial_simulator_t *self, bool fault, bool maintenance);
    /* ANYSERIAL_SIM_FAULT_* with its parameter; NONE clears. */
    int32_t (*set_fault)(anyserial_simulator_t *self, uint32_t fault, uint32_t param);
    /* Broadcast interval (broadcast protocols), 0 = off. */
    int32_t (*set_interval)(anyserial_simulator_t *self, uint64_t interval_ns);
    /* Current state of a cal-group as the device sees it. */
    int32_t (*cal_group)(anyserial_simulator_t *self, uint32_t group, bool *calibrating,
                         uint32_t *cal_gas);
    /* Counters: requests seen, replies sent, frames broadcast. */
    int32_t (*counters)(anyserial_simulator_t *self, uint64_t *requests, uint64_t *replies,
                        uint64_t *frames);
    uint32_t (*last_error)(const anyserial_simulator_t *self, char *buf, uint32_t cap);
    void (*destroy)(anyserial_simulator_t *self);
} anyserial_simulator_vtable_t;

struct anyserial_simulator_t {
    uint32_t struct_size;
    void *impl;
    const anyserial_simulator_vtable_t *vtable;
};

typedef struct anyserial_simulator_ext_t {
    uint32_t struct_size;
    /* New simulator preloaded with the device's reference bank. options->address is the
     * device address (Modbus slave id). */
    int32_t (*create)(const anyserial_protocol_options_t *options, anyserial_simulator_t **out);
} anyserial_simulator_ext_t;

#ifdef __cplusplus
}
#endif

#endif
