/* libserialport: the same measurements through sigrok's portable C library (blocking
 * calls with timeouts; sp_wait on an event set for the fan-out). It has no way to cancel a
 * pending read, so it reports no cancellation row. */
#define _GNU_SOURCE
#include <libserialport.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

static int sp_failed(const char *what) {
    char *msg = sp_last_error_message();
    printf("{\"error\":\"libserialport %s: %s\"}\n", what, msg != NULL ? msg : "?");
    if (msg != NULL) sp_free_error_message(msg);
    fflush(stdout);
    return 1;
}

static const char *g_step = "open";

static int open_port(const char *path, struct sp_port **out) {
    g_step = "sp_get_port_by_name";
    if (sp_get_port_by_name(path, out) != SP_OK) return -1;
    g_step = "sp_open";
    if (sp_open(*out, SP_MODE_READ_WRITE) != SP_OK) return -1;
    g_step = "sp_set_config";
    struct sp_port_config *c;
    if (sp_new_config(&c) != SP_OK) return -1;
    sp_set_config_baudrate(c, 115200);
    sp_set_config_bits(c, 8);
    sp_set_config_parity(c, SP_PARITY_NONE);
    sp_set_config_stopbits(c, 1);
    sp_set_config_flowcontrol(c, SP_FLOWCONTROL_NONE);
    enum sp_return r = sp_set_config(*out, c);
    sp_free_config(c);
    return r == SP_OK ? 0 : -1;
}

int main(int argc, char **argv) {
    bench_args a;
    if (bench_parse(argc, argv, &a) != 0) {
        fprintf(stderr, "usage: %s rtt|fanout|throughput|rss [...] PATH...\n", argv[0]);
        return 2;
    }
    struct sp_port **ports = calloc((size_t)a.npaths, sizeof *ports);
    for (int i = 0; i < a.npaths; ++i) {
        if (open_port(a.paths[i], &ports[i]) == 0) continue;
        if (strncmp(a.paths[i], "/dev/pts/", 9) == 0 &&
            strcmp(g_step, "sp_get_port_by_name") == 0) {
            /* libserialport describes every port from sysfs before it opens it. */
            printf(
                "{\"error\":\"libserialport cannot open a pty: sp_get_port_by_name() looks "
                "%s up under /sys/class/tty/, where ptys have no entry\"}\n",
                a.paths[i]);
            return 1;
        }
        return sp_failed(g_step);
    }
    long total = a.warmup + a.iters;
    double *s = calloc((size_t)(a.iters > 0 ? a.iters : 1), sizeof *s);
    unsigned char b = 'x';
    if (strcmp(a.mode, "rtt") == 0) {
        for (long i = 0; i < total; ++i) {
            double t0 = bench_now_us();
            if (sp_blocking_write(ports[0], &b, 1, 5000) != 1) return sp_failed("write");
            if (sp_blocking_read(ports[0], &b, 1, 5000) != 1) return sp_failed("read");
            if (i >= a.warmup) s[i - a.warmup] = bench_now_us() - t0;
        }
        bench_print_samples(s, a.iters);
    } else if (strcmp(a.mode, "fanout") == 0) {
        int n = a.npaths;
        char *done = calloc((size_t)n, 1);
        for (long i = 0; i < total; ++i) {
            double t0 = bench_now_us();
            for (int k = 0; k < n; ++k)
                if (sp_nonblocking_write(ports[k], &b, 1) != 1) return sp_failed("write");
            memset(done, 0, (size_t)n);
            int left = n;
            while (left > 0) {
                struct sp_event_set *ev;
                sp_new_event_set(&ev);
                for (int k = 0; k < n; ++k)
                    if (!done[k]) sp_add_port_events(ev, ports[k], SP_EVENT_RX_READY);
                if (sp_wait(ev, 5000) != SP_OK) return sp_failed("wait");
                sp_free_event_set(ev);
                for (int k = 0; k < n; ++k)
                    if (!done[k] && sp_nonblocking_read(ports[k], &b, 1) == 1) {
                        done[k] = 1;
                        --left;
                    }
            }
            if (i >= a.warmup) s[i - a.warmup] = bench_now_us() - t0;
        }
        bench_print_samples(s, a.iters);
    } else if (strcmp(a.mode, "throughput") == 0) {
        static unsigned char chunk[64 * 1024];
        memset(chunk, 0x55, sizeof chunk);
        long sent = 0;
        double t0 = bench_now_us();
        while (sent < a.bytes) {
            int w = sp_blocking_write(ports[0], chunk, sizeof chunk, 10000);
            if (w <= 0) return sp_failed("write");
            sent += w;
        }
        bench_print_value("mib_s",
                          (double)sent / (1024.0 * 1024.0) / ((bench_now_us() - t0) / 1e6));
    } else if (strcmp(a.mode, "rss") == 0) {
        bench_print_value("rss_mib", bench_rss_mib());
    } else {
        printf("{\"error\":\"libserialport has no way to cancel a pending blocking read\"}\n");
        return 1;
    }
    return 0;
}
