/* Shared helpers of the C benchmark programs. */
#define _GNU_SOURCE
#include "bench_util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int bench_parse(int argc, char **argv, bench_args *out) {
    memset(out, 0, sizeof *out);
    out->iters = 1000;
    out->warmup = 100;
    out->bytes = 16L << 20;
    if (argc < 2) return -1;
    out->mode = argv[1];
    int i = 2;
    for (; i < argc; ++i) {
        if (strcmp(argv[i], "--iters") == 0 && i + 1 < argc)
            out->iters = atol(argv[++i]);
        else if (strcmp(argv[i], "--warmup") == 0 && i + 1 < argc)
            out->warmup = atol(argv[++i]);
        else if (strcmp(argv[i], "--bytes") == 0 && i + 1 < argc)
            out->bytes = atol(argv[++i]);
        else
            break;
    }
    out->npaths = argc - i;
    out->paths = argv + i;
    return out->npaths > 0 ? 0 : -1;
}

double bench_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int bench_open_raw(const char *path) {
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    struct termios t;
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        tcsetattr(fd, TCSANOW, &t);
    }
    return fd;
}

int bench_openpty_raw(int *controller, int *client, char *name) {
    if (openpty(controller, client, name, NULL, NULL) != 0) return -1;
    struct termios t;
    tcgetattr(*client, &t);
    cfmakeraw(&t);
    tcsetattr(*client, TCSANOW, &t);
    return 0;
}

int bench_write_all(int fd, const void *data, size_t n) {
    const unsigned char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd pfd = {fd, POLLOUT, 0};
            poll(&pfd, 1, 100);
        } else {
            return -1;
        }
    }
    return 0;
}

double bench_rss_mib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) return -1.0;
    char line[256];
    double kib = -1.0;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0) kib = atof(line + 6);
    fclose(f);
    return kib / 1024.0;
}

void bench_print_samples(const double *samples, long n) {
    printf("{\"samples_us\":[");
    for (long i = 0; i < n; ++i)
        printf("%s%.3f", i ? "," : "", samples[i]);
    printf("]}\n");
    fflush(stdout);
}

void bench_print_value(const char *key, double value) {
    printf("{\"%s\":%.6f}\n", key, value);
    fflush(stdout);
}

int bench_fail(const char *what) {
    printf("{\"error\":\"%s: %s\"}\n", what, strerror(errno));
    fflush(stdout);
    return 1;
}
