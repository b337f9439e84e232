/* The echo peer every implementation talks to: N ptys (openpty), the client side in raw
 * mode, and one poll(2) loop on the controller side that echoes every byte back at once
 * (--mode echo) or reads and discards (--mode drain, for throughput).
 *
 * Prints one client path per line, then "ready", and runs until stdin closes. It keeps
 * its own handle on every client side so that a client closing its port never turns the
 * controller into a POLLHUP busy loop. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

int main(int argc, char **argv) {
    int nports = 1;
    int drain = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--ports") == 0 && i + 1 < argc)
            nports = atoi(argv[++i]);
        else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc)
            drain = strcmp(argv[++i], "drain") == 0;
        else {
            fprintf(stderr, "usage: %s [--ports N] [--mode echo|drain]\n", argv[0]);
            return 2;
        }
    }
    if (nports < 1 || nports > 1024) {
        fprintf(stderr, "echo-peer: --ports must be 1..1024\n");
        return 2;
    }
    struct pollfd *pfds = calloc((size_t)nports + 1, sizeof *pfds);
    int *clients = calloc((size_t)nports, sizeof *clients);
    if (pfds == NULL || clients == NULL) return 1;
    for (int i = 0; i < nports; ++i) {
        int m, s;
        char name[128];
        if (bench_openpty_raw(&m, &s, name) != 0) {
            fprintf(stderr, "echo-peer: openpty (port %d): %s\n", i, strerror(errno));
            return 1;
        }
        fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
        fcntl(m, F_SETFD, FD_CLOEXEC);
        fcntl(s, F_SETFD, FD_CLOEXEC);
        clients[i] = s;
        pfds[i].fd = m;
        pfds[i].events = POLLIN;
        printf("%s\n", name);
    }
    pfds[nports].fd = STDIN_FILENO;
    pfds[nports].events = POLLIN;
    printf("ready\n");
    fflush(stdout);

    static unsigned char buf[1 << 16];
    for (;;) {
        int r = poll(pfds, (nfds_t)nports + 1, -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            perror("echo-peer: poll");
            return 1;
        }
        if (pfds[nports].revents != 0) {
            ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
            if (n <= 0) break; /* the driver closed our stdin: done */
        }
        for (int i = 0; i < nports; ++i) {
            if ((pfds[i].revents & POLLIN) == 0) continue;
            ssize_t n = read(pfds[i].fd, buf, sizeof buf);
            if (n > 0 && !drain && bench_write_all(pfds[i].fd, buf, (size_t)n) != 0) {
                fprintf(stderr, "echo-peer: write (port %d): %s\n", i, strerror(errno));
                return 1;
            }
        }
    }
    for (int i = 0; i < nports; ++i) {
        close(pfds[i].fd);
        close(clients[i]);
    }
    free(pfds);
    free(clients);
    return 0;
}
