/* libmodbus's own RTU client, one timed sample per sweep, back to back (no idle gap):
 *
 *   sweep PATH           one 70-register FC04 read of the default slave (1000 + i)
 *   session-sweep PATH   what one servomex-modbus-rtu poll sends (the slave with
 *                        --servomex): FC04 0..69, FC02 0..79, FC02 1000..1015 */
#define _GNU_SOURCE
#include <errno.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

static int fail(const char *what) {
    printf("{\"error\":\"libmodbus %s: %s\"}\n", what, modbus_strerror(errno));
    return 1;
}

static int fc04_sweep(modbus_t *ctx) {
    uint16_t regs[70];
    if (modbus_read_input_registers(ctx, 0, 70, regs) != 70) return fail("FC04");
    if (regs[69] != 1069) {
        printf("{\"error\":\"libmodbus FC04: register 69 is %u, not 1069\"}\n", regs[69]);
        return 1;
    }
    return 0;
}

/* The servomex-modbus-rtu READ_FRAME plan: every slot's 7 registers, every slot's 8
 * flags, the analyser's 16 status discretes. I1 holds 20.95 (float32, high word first). */
static int session_sweep(modbus_t *ctx) {
    uint16_t regs[70];
    uint8_t flags[80], status[16];
    if (modbus_read_input_registers(ctx, 0, 70, regs) != 70) return fail("FC04 0..69");
    if (modbus_read_input_bits(ctx, 0, 80, flags) != 80) return fail("FC02 0..79");
    if (modbus_read_input_bits(ctx, 1000, 16, status) != 16) return fail("FC02 1000..1015");
    uint32_t bits = ((uint32_t)regs[0] << 16) | regs[1];
    float i1;
    memcpy(&i1, &bits, sizeof i1);
    if (i1 != 20.95f) {
        printf("{\"error\":\"libmodbus sweep: I1 is %g, not 20.95 (slave without --servomex?)\"}\n",
               (double)i1);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    bench_args a;
    int (*one)(modbus_t *) = NULL;
    if (bench_parse(argc, argv, &a) == 0)
        one = strcmp(a.mode, "sweep") == 0           ? fc04_sweep
              : strcmp(a.mode, "session-sweep") == 0 ? session_sweep
                                                     : NULL;
    if (one == NULL) {
        fprintf(stderr, "usage: %s sweep|session-sweep [--iters N] [--warmup N] PATH\n", argv[0]);
        return 2;
    }
    modbus_t *ctx = modbus_new_rtu(a.paths[0], 115200, 'N', 8, 1);
    if (ctx == NULL || modbus_connect(ctx) != 0) {
        printf("{\"error\":\"libmodbus connect %s: %s\"}\n", a.paths[0], modbus_strerror(errno));
        return 1;
    }
    modbus_set_slave(ctx, 1);
    modbus_set_response_timeout(ctx, 2, 0);
    long total = a.warmup + a.iters;
    double *s = calloc((size_t)a.iters, sizeof *s);
    for (long i = 0; i < total; ++i) {
        double t0 = bench_now_us();
        if (one(ctx) != 0) return 1;
        if (i >= a.warmup) s[i - a.warmup] = bench_now_us() - t0;
    }
    bench_print_samples(s, a.iters);
    free(s);
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
