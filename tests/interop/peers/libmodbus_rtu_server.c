/* An independent Modbus RTU slave (libmodbus) serving the bench bank at address 1 on a
 * serial device (one end of a socat pty pair), optionally in one of bench_bank.h's issue 13
 * states (invalid-e1, narrow). Prints "ready" once listening. */
#include <errno.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_bank.h"

int main(int argc, char **argv) {
    const char *state = argc == 3 ? argv[2] : "bench";
    if (argc < 2 || argc > 3 || !bench_state_known(state)) {
        fprintf(stderr, "usage: %s DEVICE [bench|invalid-e1|narrow]\n", argv[0]);
        return 2;
    }
    modbus_t *ctx = modbus_new_rtu(argv[1], 19200, 'N', 8, 1);
    if (ctx == NULL || modbus_set_slave(ctx, 1) != 0 || modbus_connect(ctx) != 0) {
        fprintf(stderr, "libmodbus: %s\n", modbus_strerror(errno));
        return 1;
    }
    /* coils 0..8, discrete inputs 0..1015, no holding registers, input registers 0..69 */
    modbus_mapping_t *map = modbus_mapping_new_start_address(0, 9, 0, 1016, 0, 0, 0, 70);
    if (map == NULL) return 1;
    bench_load(map->tab_input_registers, map->tab_input_bits);
    bench_apply_state(state, map->tab_input_registers, map->tab_input_bits);
    const int header = modbus_get_header_length(ctx);
    printf("ready\n");
    fflush(stdout);
    uint8_t query[MODBUS_RTU_MAX_ADU_LENGTH];
    for (;;) {
        const int n = modbus_receive(ctx, query);
        if (n > 0) {
            const int function = query[header];
            const int address = (query[header + 1] << 8) | query[header + 2];
            const int count = (query[header + 3] << 8) | query[header + 4];
            if (!bench_state_accepts(state, function, address, count))
                modbus_reply_exception(ctx, query, MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS);
            else
                modbus_reply(ctx, query, n, map);
        } else if (n == -1 && (errno == EIO || errno == EBADF)) {
            break; /* the line is gone */
        }          /* bad CRC, another slave's request, a gap: keep serving */
    }
    modbus_mapping_free(map);
    modbus_free(ctx);
    return 1;
}
