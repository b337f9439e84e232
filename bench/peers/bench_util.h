/* Shared helpers of the C benchmark programs: argument parsing, raw pty setup, the clock
 * and the one-line JSON result every bench program prints. */
#ifndef ANYSERIAL_BENCH_UTIL_H
#define ANYSERIAL_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Command line shared by every client bench: MODE [--iters N] [--warmup N] [--bytes N]
 * PATH... (the pty paths the echo peer printed). */
typedef struct bench_args {
    const char *mode; /* rtt | fanout | throughput | cancel | rss */
    long iters;
    long warmup;
    long bytes;
    int npaths;
    char **paths;
} bench_args;

int bench_parse(int argc, char **argv, bench_args *out);
double bench_now_us(void);
/* Opens a pty path non-blocking and puts it in raw mode; -1 on failure (errno set). */
int bench_open_raw(const char *path);
/* openpty() with the client side put in raw mode; `name` (at least 64 bytes) gets the
 * client's path. 0, or -1 with errno set. */
int bench_openpty_raw(int *controller, int *client, char *name);
/* write() until all n bytes are out, waiting in poll(2) on EAGAIN/EINTR; 0, or -1. */
int bench_write_all(int fd, const void *p, size_t n);
double bench_rss_mib(void);
void bench_print_samples(const double *samples, long n);
void bench_print_value(const char *key, double value);
int bench_fail(const char *what);

#endif
