/* An independent Modbus RTU master (libmodbus): reads FC04 0..70 from address 1 and
 * prints I1's value and I3's name bytes, e.g. "I1 20.376\nI3 43 4F 82 20 20 20". */
#include <errno.h>
#include <modbus.h>
#include <stdio.h>

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
    modbus_set_response_timeout(ctx, 2, 0);
    uint16_t regs[70];
    if (modbus_read_input_registers(ctx, 0, 70, regs) != 70) {
        fprintf(stderr, "read input registers: %s\n", modbus_strerror(errno));
        return 1;
    }
    printf("I1 %.3f\n", modbus_get_float_abcd(regs));
    printf("I3 %02X %02X %02X %02X %02X %02X\n", regs[16] >> 8, regs[16] & 0xFF, regs[17] >> 8,
           regs[17] & 0xFF, regs[18] >> 8, regs[18] & 0xFF);
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
