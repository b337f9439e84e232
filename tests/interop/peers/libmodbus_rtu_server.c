/* An independent Modbus RTU slave (libmodbus) serving the bench bank at address 1 on a
 * serial device (one end of a socat pty pair). Prints "ready" once listening. */
#include <errno.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_bank.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DEVICE\n", argv[0]);
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
    printf("ready\n");
    fflush(stdout);
    uint8_t query[MODBUS_RTU_MAX_ADU_LENGTH];
    for (;;) {
        const int n = modbus_receive(ctx, query);
        if (n > 0) {
            modbus_reply(ctx, query, n, map);
        } else if (n == -1 && (errno == EIO || errno == EBADF)) {
            break; /* the line is gone */
        }          /* bad CRC, another slave's request, a gap: keep serving */
    }
    modbus_mapping_free(map);
    modbus_free(ctx);
    return 1;
}
