/* The 4100 bench unit as the spec describes it, for the independent libmodbus peers:
 * I1 Oxygen 20.376 %, I2 CO 0.084 %, I3 CO2 (display ROM 43 4F 82) 0.250 %, E1/E2
 * unlabelled 0.0 mA; 7 input registers per slot (float32 high word first, name, unit). */
#ifndef ANYSERIAL_INTEROP_BENCH_BANK_H
#define ANYSERIAL_INTEROP_BENCH_BANK_H

#include <modbus.h>
#include <stdint.h>
#include <string.h>

static void bench_put_text(uint16_t *regs, const uint8_t *bytes, int n) {
    for (int i = 0; i < n; i += 2)
        regs[i / 2] = (uint16_t)((bytes[i] << 8) | bytes[i + 1]);
}

static void bench_slot(uint16_t *ir, int slot, float value, const uint8_t name[6],
                       const char *unit) {
    uint16_t *b = ir + slot * 7;
    /* High word first, big-endian bytes: 20.376f = 41A3 020C. Split by hand: libmodbus
     * 3.1.6's modbus_set_float_abcd writes A341 0C02 (its get_float_abcd is right). */
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    b[0] = (uint16_t)(bits >> 16);
    b[1] = (uint16_t)(bits & 0xFFFFu);
    bench_put_text(b + 2, name, 6);
    uint8_t u[4] = {' ', ' ', ' ', 0};
    memcpy(u, unit, strlen(unit) < 3 ? strlen(unit) : 3);
    bench_put_text(b + 5, u, 4);
}

/* ir: 70 registers; di: 1016 discrete inputs (channels 0..79, analyser 1000..1015). */
static void bench_load(uint16_t *ir, uint8_t *di) {
    static const uint8_t oxygen[6] = {'O', 'x', 'y', 'g', 'e', 'n'};
    static const uint8_t co[6] = {'C', 'O', ' ', ' ', ' ', ' '};
    static const uint8_t co2[6] = {0x43, 0x4F, 0x82, 0x20, 0x20, 0x20};
    static const uint8_t blank[6] = {' ', ' ', ' ', ' ', ' ', ' '};
    memset(ir, 0, 70 * sizeof *ir);
    memset(di, 0, 1016);
    bench_slot(ir, 0, 20.376f, oxygen, "%");
    bench_slot(ir, 1, 0.084f, co, "%");
    bench_slot(ir, 2, 0.250f, co2, "%");
    bench_slot(ir, 8, 0.0f, blank, "mA");
    bench_slot(ir, 9, 0.0f, blank, "mA");
    di[2 * 8 + 4] = 1; /* I3 alarm 1, so the discretes are seen end to end */
    di[1001] = 1;      /* analyser maintenance */
}

/* Issue 13 states, on top of the bench bank:
 *   "invalid-e1": E1's discrete bit 0 (10065) set, which for an external input means
 *                 Invalid; E1 named "||||||" (unlabelled, as continuous mode writes it).
 *   "narrow":     a range-limited map: a read must stay inside one populated slot's block
 *                 (7 input registers / 8 discretes); the coalesced sweeps answer 02. */
static int bench_state_known(const char *state) {
    return strcmp(state, "bench") == 0 || strcmp(state, "invalid-e1") == 0 ||
           strcmp(state, "narrow") == 0;
}

static void bench_apply_state(const char *state, uint16_t *ir, uint8_t *di) {
    if (strcmp(state, "invalid-e1") == 0) {
        static const uint8_t pipes[6] = {'|', '|', '|', '|', '|', '|'};
        bench_put_text(ir + 8 * 7 + 2, pipes, 6);
        di[8 * 8] = 1;
    }
}

/* Does a device in `state` serve this read (function, PDU address, count)? */
static int bench_state_accepts(const char *state, int function, int address, int count) {
    if (strcmp(state, "narrow") != 0) return 1;
    if (function == 0x02 && address >= 1000) return 1;
    if (function != 0x02 && function != 0x04) return 1;
    const int stride = function == 0x04 ? 7 : 8;
    const int slot = address / stride;
    const int populated = slot == 0 || slot == 1 || slot == 2 || slot == 8 || slot == 9;
    return address % stride == 0 && count >= 1 && count <= stride && populated;
}

#endif
