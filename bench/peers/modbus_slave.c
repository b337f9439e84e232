/* The Modbus RTU slave every Modbus client is measured against: libmodbus's own server,
 * driven on the controller side of a pty (modbus_set_socket on the master fd, so there is
 * no second tty in between). 125 input registers, unit id 1 (or --unit). Prints the client
 * path, then "ready"; runs until stdin closes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <modbus.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int unit = 1;
    if (argc == 3 && strcmp(argv[1], "--unit") == 0) unit = atoi(argv[2]);
    int m, s;
    char name[128];
    if (openpty(&m, &s, name, NULL, NULL) != 0) {
        fprintf(stderr, "modbus-slave: openpty: %s\n", strerror(errno));
        return 1;
    }
    struct termios t;
    tcgetattr(s, &t);
    cfmakeraw(&t);
    tcsetattr(s, TCSANOW, &t);
    modbus_t *ctx = modbus_new_rtu("/dev/null", 115200, 'N', 8, 1);
    modbus_mapping_t *map = modbus_mapping_new(0, 0, 0, 125);
    if (ctx == NULL || map == NULL) {
        fprintf(stderr, "modbus-slave: %s\n", modbus_strerror(errno));
        return 1;
    }
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
