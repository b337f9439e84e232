/* libmodbus's own RTU client: one 70-register FC04 read per sample, back to back. */
#define _GNU_SOURCE
#include <errno.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

int main(int argc, char **argv) {
    bench_args a;
    if (bench_parse(argc, argv, &a) != 0) {
        fprintf(stderr, "usage: %s sweep [--iters N] [--warmup N] PATH\n", argv[0]);
        return 2;
    }
    modbus_t *ctx = modbus_new_rtu(a.paths[0], 115200, 'N', 8, 1);
    if (ctx == NULL || modbus_connect(ctx) != 0) {
        printf("{\"error\":\"libmodbus connect %s: %s\"}\n", a.paths[0], modbus_strerror(errno));
        return 1;
    }
    modbus_set_slave(ctx, 1);
    modbus_set_response_timeout(ctx, 2, 0);
    uint16_t regs[70];
    long total = a.warmup + a.iters;
    double *s = calloc((size_t)a.iters, sizeof *s);
    for (long i = 0; i < total; ++i) {
        double t0 = bench_now_us();
        if (modbus_read_input_registers(ctx, 0, 70, regs) != 70) {
            printf("{\"error\":\"libmodbus FC04: %s\"}\n", modbus_strerror(errno));
            return 1;
        }
        if (i >= a.warmup) s[i - a.warmup] = bench_now_us() - t0;
        if (regs[69] != 1069) {
            printf("{\"error\":\"libmodbus FC04: register 69 is %u, not 1069\"}\n", regs[69]);
            return 1;
        }
    }
    bench_print_samples(s, a.iters);
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
