#!/usr/bin/env python3
"""pySerial echo peer: echoes every byte received on PORT until SIGTERM/SIGINT.

Usage: echo.py PORT [BAUD]. Prints "ready" on stdout once the port is open.
An independent implementation (pySerial) on the far end of a socat pty pair, so that a bug
shared by anyserial's sender and receiver cannot cancel itself out.
"""
import signal
import sys

import serial


def main() -> int:
    port = sys.argv[1]
    baud = int(sys.argv[2]) if len(sys.argv) > 2 else 115200
    running = True

    def stop(_signo, _frame):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with serial.Serial(port, baud, timeout=0.2) as s:
        print("ready", flush=True)
        while running:
            data = s.read(max(1, s.in_waiting))
            if data:
                s.write(data)
                s.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
