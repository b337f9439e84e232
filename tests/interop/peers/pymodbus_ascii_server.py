#!/usr/bin/python3
"""An independent Modbus ASCII slave (pymodbus 3.0) serving the 4100 bench bank at
address 1 on a serial device (one end of a socat pty pair). Prints "ready" once the
datastore is built; pymodbus then opens the port and serves until killed."""
import struct
import sys

from pymodbus.datastore import (ModbusSequentialDataBlock, ModbusServerContext,
                                ModbusSlaveContext)
from pymodbus.framer.ascii_framer import ModbusAsciiFramer
from pymodbus.server import StartSerialServer


def text_regs(raw: bytes):
    return [(raw[i] << 8) | raw[i + 1] for i in range(0, len(raw), 2)]


def slot(value: float, name: bytes, unit: bytes):
    hi, lo = struct.unpack(">HH", struct.pack(">f", value))  # high word first
    return [hi, lo] + text_regs(name) + text_regs(unit.ljust(3, b" ") + b"\0")


def bench_registers():
    blank = slot(0.0, b" " * 6, b"mA")
    regs = [0] * 70
    regs[0:7] = slot(20.376, b"Oxygen", b"%")
    regs[7:14] = slot(0.084, b"CO    ", b"%")
    regs[14:21] = slot(0.250, bytes([0x43, 0x4F, 0x82, 0x20, 0x20, 0x20]), b"%")
    regs[56:63] = blank
    regs[63:70] = blank
    return regs


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} DEVICE", file=sys.stderr)
        return 2
    # zero_mode: block index = PDU address (pymodbus otherwise shifts by one).
    store = ModbusSlaveContext(
        ir=ModbusSequentialDataBlock(0, bench_registers()),
        di=ModbusSequentialDataBlock(0, [0] * 1016),
        co=ModbusSequentialDataBlock(0, [0] * 9),
        hr=ModbusSequentialDataBlock(0, [0]),
        zero_mode=True)
    context = ModbusServerContext(slaves={1: store}, single=False)
    print("ready", flush=True)
    StartSerialServer(context=context, framer=ModbusAsciiFramer, port=sys.argv[1],
                      baudrate=19200, bytesize=8, parity="N", stopbits=1, timeout=0.05)
    return 0


if __name__ == "__main__":
    sys.exit(main())
