/* raw-poll: the floor. A plain C poll(2) loop on the raw pty client side, doing exactly
 * what every implementation has to do and nothing more. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

static int wait_fd(int fd, short events) {
    struct pollfd p = {fd, events, 0};
    for (;;) {
        int r = poll(&p, 1, 5000);
        if (r > 0) return 0;
        if (r == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (errno != EINTR) return -1;
    }
}

static int read_exact(int fd, unsigned char *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        if (wait_fd(fd, POLLIN) != 0) return -1;
        ssize_t r = read(fd, buf + got, n - got);
        if (r > 0)
            got += (size_t)r;
        else if (r == 0 || (errno != EAGAIN && errno != EINTR))
            return -1;
    }
    return 0;
}

static int rtt(const bench_args *a, int fd) {
    long total = a->warmup + a->iters;
    double *s = calloc((size_t)a->iters, sizeof *s);
    unsigned char b = 'x';
    for (long i = 0; i < total; ++i) {
        double t0 = bench_now_us();
        if (write(fd, &b, 1) != 1) return bench_fail("write");
        if (read_exact(fd, &b, 1) != 0) return bench_fail("read");
        if (i >= a->warmup) s[i - a->warmup] = bench_now_us() - t0;
    }
    bench_print_samples(s, a->iters);
    return 0;
}

static int fanout(const bench_args *a, const int *fds) {
    int n = a->npaths;
    long total = a->warmup + a->iters;
    double *s = calloc((size_t)a->iters, sizeof *s);
    struct pollfd *p = calloc((size_t)n, sizeof *p);
    unsigned char b = 'x';
    for (long i = 0; i < total; ++i) {
        double t0 = bench_now_us();
        for (int k = 0; k < n; ++k) {
            if (write(fds[k], &b, 1) != 1) return bench_fail("write");
            p[k].fd = fds[k];
            p[k].events = POLLIN;
        }
        int left = n;
        while (left > 0) {
            int r = poll(p, (nfds_t)n, 5000);
            if (r <= 0) return bench_fail("poll");
            for (int k = 0; k < n; ++k) {
                if (p[k].fd < 0 || (p[k].revents & POLLIN) == 0) continue;
                ssize_t got = read(p[k].fd, &b, 1);
                if (got == 1) {
                    p[k].fd = -1; /* done for this round */
                    --left;
                }
            }
        }
        if (i >= a->warmup) s[i - a->warmup] = bench_now_us() - t0;
    }
    bench_print_samples(s, a->iters);
    return 0;
}

static int throughput(const bench_args *a, int fd) {
    static unsigned char chunk[64 * 1024];
    memset(chunk, 0x55, sizeof chunk);
    long sent = 0;
    double t0 = bench_now_us();
    while (sent < a->bytes) {
        ssize_t w = write(fd, chunk, sizeof chunk);
        if (w > 0)
            sent += w;
        else if (w < 0 && errno == EAGAIN) {
            if (wait_fd(fd, POLLOUT) != 0) return bench_fail("poll");
        } else if (w < 0 && errno != EINTR)
            return bench_fail("write");
    }
    double dt = (bench_now_us() - t0) / 1e6;
    bench_print_value("mib_s", (double)sent / (1024.0 * 1024.0) / dt);
    return 0;
}

/* Cancellation: another thread asks (an eventfd in the poll set) while a read is parked in
 * poll(2); latency runs from just before the request to the waiting loop seeing it. */
typedef struct cancel_state {
    int efd;
    _Atomic int armed;
    _Atomic double t0;
    long rounds;
} cancel_state;

static void *canceller(void *arg) {
    cancel_state *c = arg;
    for (long i = 0; i < c->rounds; ++i) {
        while (atomic_load(&c->armed) == 0)
            sched_yield();
        struct timespec d = {0, 200000};
        nanosleep(&d, NULL); /* let the reader park in poll */
        atomic_store(&c->armed, 0);
        atomic_store(&c->t0, bench_now_us());
        uint64_t one = 1;
        if (write(c->efd, &one, sizeof one) != sizeof one) return NULL;
    }
    return NULL;
}

static int cancel(const bench_args *a, int fd) {
    cancel_state c = {eventfd(0, EFD_CLOEXEC), 0, 0.0, a->warmup + a->iters};
    double *s = calloc((size_t)a->iters, sizeof *s);
    pthread_t th;
    pthread_create(&th, NULL, canceller, &c);
    for (long i = 0; i < c.rounds; ++i) {
        struct pollfd p[2] = {{fd, POLLIN, 0}, {c.efd, POLLIN, 0}};
        atomic_store(&c.armed, 1);
        for (;;) {
            int r = poll(p, 2, 5000);
            if (r <= 0) return bench_fail("poll");
            if (p[1].revents & POLLIN) break;
        }
        double t1 = bench_now_us();
        uint64_t v;
        if (read(c.efd, &v, sizeof v) != sizeof v) return bench_fail("read eventfd");
        if (i >= a->warmup) s[i - a->warmup] = t1 - atomic_load(&c.t0);
    }
    pthread_join(th, NULL);
    bench_print_samples(s, a->iters);
    return 0;
}

int main(int argc, char **argv) {
    bench_args a;
    if (bench_parse(argc, argv, &a) != 0) {
        fprintf(stderr,
                "usage: %s rtt|fanout|throughput|cancel|rss [--iters N] [--warmup N] "
                "[--bytes N] PATH...\n",
                argv[0]);
        return 2;
    }
    int *fds = calloc((size_t)a.npaths, sizeof *fds);
    for (int i = 0; i < a.npaths; ++i)
        if ((fds[i] = bench_open_raw(a.paths[i])) < 0) return bench_fail(a.paths[i]);
    if (strcmp(a.mode, "rtt") == 0) return rtt(&a, fds[0]);
    if (strcmp(a.mode, "fanout") == 0) return fanout(&a, fds);
    if (strcmp(a.mode, "throughput") == 0) return throughput(&a, fds[0]);
    if (strcmp(a.mode, "cancel") == 0) return cancel(&a, fds[0]);
    if (strcmp(a.mode, "rss") == 0) {
        bench_print_value("rss_mib", bench_rss_mib());
        return 0;
    }
    fprintf(stderr, "raw-poll: unknown mode '%s'\n", a.mode);
    return 2;
}
