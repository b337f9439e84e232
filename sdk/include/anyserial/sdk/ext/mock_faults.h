/* anyserial SDK — fault injection for the mock backends, instance extension
 * "anyserial.backend.mock-faults/1" (control->get_extension on a mock instance).
 *
 * Faults apply to the instance they are set on (one end of a pair). */
#ifndef ANYSERIAL_SDK_EXT_MOCK_FAULTS_H
#define ANYSERIAL_SDK_EXT_MOCK_FAULTS_H

#include <stdint.h>

#include "../backend.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ANYSERIAL_EXT_MOCK_FAULTS_ID "anyserial.backend.mock-faults/1"

typedef struct anyserial_mock_faults_ext_t {
    uint32_t struct_size;
    /* Simulate the device vanishing: pending and later I/O fail with DISCONNECTED, and the
     * fd (sync-fd kind) becomes readable so a parked reader wakes. */
    int32_t (*disconnect)(anyserial_backend_t *self);
    /* The next `count` read and write primitives fail with WOULD_BLOCK. */
    int32_t (*eagain_storm)(anyserial_backend_t *self, uint32_t count);
    /* The next `count` read and write primitives fail with INTERRUPTED. */
    int32_t (*eintr_burst)(anyserial_backend_t *self, uint32_t count);
    /* Writes accept at most max_bytes per call (0 = no limit). */
    int32_t (*short_writes)(anyserial_backend_t *self, uint32_t max_bytes);
    /* Delay delivery of written bytes to the peer by ns (0 = none). */
    int32_t (*added_latency)(anyserial_backend_t *self, uint64_t ns);
    /* The break state this end last set and how many times break was asserted (tests). */
    int32_t (*break_state)(anyserial_backend_t *self, int32_t *on, uint32_t *break_count);
} anyserial_mock_faults_ext_t;

#ifdef __cplusplus
}
#endif

#endif
