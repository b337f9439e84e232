/* The Modbus RTU slave every Modbus client is measured against: libmodbus's own server,
 * driven on the controller side of a pty (modbus_set_socket on the master fd, so there is
 * no second tty in between). Unit id 1 (or --unit N). Prints the client path, then "ready";
 * runs until stdin closes.
 *
 *   (default)    125 input registers, register i = 1000 + i (modbus_fc04_sweep_p50_us)
 *   --servomex   a Servomex 4100 register image (spec servomex-4100.md, Modbus): 70 input
 *                registers (7 per slot: float32 high word first, 6-char name, 3-char unit),
 *                discrete inputs 0..79 (channel flags) and 1000..1015 (analyser status),
 *                9 coils. Every flag clear. What one servomex-modbus-rtu poll reads
 *                (modbus_session_sweep_p50_us); the clients check the values below. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <modbus.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

/* One populated slot of the 4100 image: slot index 0..9 (I1..I4, D1..D4, E1, E2). Names
 * and units are in the analyser's display ROM (0x82 = subscript two). Slots not listed
 * read all zero (empty: the session reports them as unlisted). */
struct servomex_slot {
    int index;
    float value;
    const char *name; /* up to 6 bytes, space padded */
    const char *unit; /* up to 3 bytes, then NUL */
};
static const struct servomex_slot kServomexImage[] = {
    {0, 20.95f, "O2", "%"},    /* I1: the clients check this value */
    {1, 4.5f, "CO\x82", "%"},  /* I2: CO2 */
    {2, 125.0f, "CO", "ppm"},  /* I3 */
    {4, 21.5f, "O2 dry", "%"}, /* D1, derived from I1 */
    {8, 12.0f, "E1", "mA"},    /* E1, external input */
};

static void put_text(uint16_t *regs, int nregs, const char *text, char pad) {
    char bytes[8];
    memset(bytes, pad, sizeof bytes);
    size_t n = strlen(text);
    memcpy(bytes, text, n < (size_t)(2 * nregs) ? n : (size_t)(2 * nregs));
    for (int i = 0; i < nregs; ++i)
        regs[i] = (uint16_t)(((uint8_t)bytes[2 * i] << 8) | (uint8_t)bytes[2 * i + 1]);
}

static modbus_mapping_t *servomex_mapping(void) {
    /* 9 coils, discrete inputs 0..1015 (1000..1015: analyser status), 70 input registers */
    modbus_mapping_t *map = modbus_mapping_new(9, 1016, 0, 70);
    if (map == NULL) return NULL;
    for (size_t k = 0; k < sizeof kServomexImage / sizeof kServomexImage[0]; ++k) {
        const struct servomex_slot *s = &kServomexImage[k];
        uint16_t *block = map->tab_input_registers + 7 * s->index;
        uint32_t bits;
        memcpy(&bits, &s->value, sizeof bits);
        block[0] = (uint16_t)(bits >> 16); /* high word first */
        block[1] = (uint16_t)(bits & 0xFFFF);
        put_text(block + 2, 3, s->name, ' ');
        char unit[4] = "   "; /* 3 chars, space padded, then the NUL */
        size_t n = strlen(s->unit);
        memcpy(unit, s->unit, n < 3 ? n : 3);
        put_text(block + 5, 2, unit, '\0');
    }
    return map;
}

int main(int argc, char **argv) {
    int unit = 1, servomex = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--unit") == 0 && i + 1 < argc) {
            unit = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--servomex") == 0) {
            servomex = 1;
        } else {
            fprintf(stderr, "usage: %s [--unit N] [--servomex]\n", argv[0]);
            return 2;
        }
    }
    int m, s;
    char name[128];
    if (bench_openpty_raw(&m, &s, name) != 0) {
        fprintf(stderr, "modbus-slave: openpty: %s\n", strerror(errno));
        return 1;
    }
    modbus_t *ctx = modbus_new_rtu("/dev/null", 115200, 'N', 8, 1);
    modbus_mapping_t *map = servomex ? servomex_mapping() : modbus_mapping_new(0, 0, 0, 125);
    if (ctx == NULL || map == NULL) {
        fprintf(stderr, "modbus-slave: %s\n", modbus_strerror(errno));
        return 1;
    }
    if (!servomex)
        for (int i = 0; i < 125; ++i)
            map->tab_input_registers[i] = (uint16_t)(1000 + i);
    modbus_set_slave(ctx, unit);
    modbus_set_socket(ctx, m);
    printf("%s\nready\n", name);
    fflush(stdout);
    uint8_t req[MODBUS_RTU_MAX_ADU_LENGTH];
    for (;;) {
        struct pollfd p[2] = {{m, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (p[1].revents != 0) {
            char c;
            if (read(STDIN_FILENO, &c, 1) <= 0) break;
        }
        if ((p[0].revents & POLLIN) == 0) continue;
        int n = modbus_receive(ctx, req);
        if (n > 0) modbus_reply(ctx, req, n, map);
    }
    modbus_mapping_free(map);
    modbus_free(ctx); /* never connected: does not close m */
    close(m);
    close(s);
    return 0;
}
