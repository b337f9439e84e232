#!/usr/bin/python3
"""An independent Modbus ASCII master (pymodbus 3.0): reads FC04 0..70 from address 1 and
prints I1's value, e.g. "I1 20.376"."""
import struct
import sys

from pymodbus.client import ModbusSerialClient
from pymodbus.framer.ascii_framer import ModbusAsciiFramer


def main():
    client = ModbusSerialClient(sys.argv[1], framer=ModbusAsciiFramer, baudrate=19200,
                                bytesize=8, parity="N", stopbits=1, timeout=2)
    if not client.connect():
        print("cannot connect", file=sys.stderr)
        return 1
    rr = client.read_input_registers(0, 70, slave=1)
    client.close()
    if rr.isError():
        print(f"read failed: {rr}", file=sys.stderr)
        return 1
    value = struct.unpack(">f", struct.pack(">HH", rr.registers[0], rr.registers[1]))[0]
    print(f"I1 {value:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
