#!/usr/bin/python3
"""The Wine test's independent peer: pySerial on the far end of a socat pty pair, echoing
every byte back as soon as it arrives. Runs until killed."""
import sys

import serial  # Debian's python3-serial

port = serial.Serial(sys.argv[1], 115200, timeout=None)
print("echo peer ready on", sys.argv[1], flush=True)
while True:
    data = port.read(1)  # blocks until a byte arrives
    waiting = port.in_waiting
    if waiting:
        data += port.read(waiting)
    port.write(data)
