/* A Servomex 4100 in continuous mode broadcasting as fast as its line allows: one pty,
 * frames of the spec's format (N channel blocks, the last two E1 and E2, right checksum,
 * CR LF), back to back at --baud 8N1 (10 bits a byte). A pty has no line pacing, so the
 * peer paces itself by the clock: frame k is written when its last byte would have left
 * the wire (start + bytes so far / bytes per second), with no gap between frames.
 *
 * Prints the client path, then "ready". Broadcasting starts when a client opens the pty
 * (the controller side stops reporting POLLHUP) and stops when it closes it again (or
 * stdin closes); the peer then prints one JSON line: frames and bytes sent, the seconds
 * it broadcast, and how late the latest write was against its schedule. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

/* id, name (6), unit (3): a 4100 with every transducer slot and one derived channel. */
static const char *const kChannels[][3] = {{"I1", "Oxygen", " % "}, {"I2", "CO    ", " % "},
                                           {"I3", "CO2   ", " % "}, {"I4", "CH4   ", "vpm"},
                                           {"D1", "O2 dry", " % "}, {"E1", "||||||", " mA"},
                                           {"E2", "||||||", " mA"}};
enum { kMaxBlocks = 7 };

/* Frame k of a broadcast with `blocks` channel blocks (3..7; the last two are E1, E2);
 * values move with k so no two consecutive frames are equal. Returns its length. */
static size_t make_frame(char *out, size_t cap, long k, int blocks) {
    const long s = k / 40; /* ~40 frames a second: the clock ticks about once a second */
    size_t n = (size_t)snprintf(out, cap, " 30-11-26;%02ld:%02ld:%02ld;  ;S1S1S1S1;%02d;",
                                (s / 3600) % 24, (s / 60) % 60, s % 60, blocks);
    for (int b = 0; b < blocks; ++b) {
        const int c = b < blocks - 2 ? b : kMaxBlocks - (blocks - b);
        const double v = b < blocks - 2 ? 20.0 + (double)((k * 7 + b * 13) % 1000) / 1000.0
                                        : 4.0 + (double)(k % 160) / 10.0;
        n += (size_t)snprintf(out + n, cap - n, "%s;%s;%6.3f;%s;    ;  ; ; ;", kChannels[c][0],
                              kChannels[c][1], v, kChannels[c][2]);
    }
    unsigned sum = 0;
    for (size_t i = 1; i < n; ++i)
        sum += (unsigned char)out[i];
    n += (size_t)snprintf(out + n, cap - n, "%04X;\r\n", sum & 0xFFFFu);
    return n;
}

/* Stdin closed (the driver is done) or read error. */
static int stdin_closed(void) {
    char buf[256];
    return read(STDIN_FILENO, buf, sizeof buf) <= 0;
}

int main(int argc, char **argv) {
    long baud = 115200;
    int blocks = kMaxBlocks;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--baud") == 0 && i + 1 < argc)
            baud = atol(argv[++i]);
        else if (strcmp(argv[i], "--channels") == 0 && i + 1 < argc)
            blocks = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--baud B] [--channels 3..7]\n", argv[0]);
            return 2;
        }
    }
    if (baud < 300 || blocks < 3 || blocks > kMaxBlocks) {
        fprintf(stderr, "continuous-peer: --baud must be >= 300, --channels 3..7\n");
        return 2;
    }
    const double bytes_per_s = (double)baud / 10.0; /* 8N1: start + 8 data + stop bits */
    int m, s;
    char name[128];
    if (bench_openpty_raw(&m, &s, name) != 0) {
        fprintf(stderr, "continuous-peer: openpty: %s\n", strerror(errno));
        return 1;
    }
    close(s); /* the controller side reports POLLHUP until a client opens the pty */
    fcntl(m, F_SETFD, FD_CLOEXEC);
    printf("%s\nready\n", name);
    fflush(stdout);

    struct pollfd pfds[2] = {{m, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    for (;;) { /* wait for the client */
        if (poll(pfds, 2, 0) < 0 && errno != EINTR) return bench_fail("poll");
        if (pfds[1].revents != 0 && stdin_closed()) return 0;
        if ((pfds[0].revents & POLLHUP) == 0) break;
        usleep(1000);
    }

    static char frame[64 + kMaxBlocks * 64];
    static char sink[4096];
    long frames = 0, bytes = 0;
    double max_late_us = 0.0;
    const double t0 = bench_now_us();
    for (;;) {
        const size_t n = make_frame(frame, sizeof frame, frames, blocks);
        const double due = t0 + (double)(bytes + (long)n) * 1e6 / bytes_per_s;
        int hup = 0, done = 0;
        for (double now = bench_now_us(); now < due; now = bench_now_us()) {
            const int ms = (int)((due - now) / 1000.0);
            if (poll(pfds, 2, ms) < 0 && errno != EINTR) return bench_fail("poll");
            if (pfds[1].revents != 0 && stdin_closed()) done = 1;
            if (pfds[0].revents & POLLHUP) hup = 1;
            if (pfds[0].revents & POLLIN) (void)!read(m, sink, sizeof sink); /* not listened to */
            if (hup || done) break;
            if (ms == 0) { /* under a millisecond to go: sleep it precisely */
                const double left = due - bench_now_us();
                if (left > 0) usleep((useconds_t)left);
            }
        }
        if (hup || done) break;
        const double late = bench_now_us() - due;
        if (late > max_late_us) max_late_us = late;
        if (bench_write_all(m, frame, n) != 0) break; /* the client went: EIO */
        ++frames;
        bytes += (long)n;
    }
    const double secs = (bench_now_us() - t0) / 1e6;
    printf(
        "{\"frames_sent\":%ld,\"bytes_sent\":%ld,\"seconds\":%.3f,\"frame_bytes\":%zu,"
        "\"channels\":%d,\"baud\":%ld,\"max_late_us\":%.1f}\n",
        frames, bytes, secs, make_frame(frame, sizeof frame, 0, blocks), blocks, baud, max_late_us);
    fflush(stdout);
    close(m);
    return 0;
}
