#!/usr/bin/python3
"""An independent Modbus ASCII slave (pymodbus 3.0) serving the 4100 bench bank at
address 1 on a serial device (one end of a socat pty pair), optionally in an issue 13
state: "invalid-e1" (E1's discrete bit 0 = Invalid set, E1 named "||||||") or "narrow"
(a range-limited map: reads must stay inside one populated slot block; the coalesced
sweeps answer exception 02). Prints "ready" once the datastore is built; pymodbus then
opens the port and serves until killed."""
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


POPULATED = (0, 1, 2, 8, 9)


class BlockOnly(ModbusSequentialDataBlock):
    """A block store that only serves reads inside one populated slot (stride 7 or 8);
    pymodbus answers anything it does not validate with exception 02."""

    def __init__(self, stride, values, free_from=None):
        super().__init__(0, values)
        self.stride = stride
        self.free_from = free_from

    def validate(self, address, count=1):
        if not super().validate(address, count):
            return False
        if self.free_from is not None and address >= self.free_from:
            return True
        slot = address // self.stride
        return (address % self.stride == 0 and 1 <= count <= self.stride
                and slot in POPULATED)


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
    state = sys.argv[2] if len(sys.argv) == 3 else "bench"
    if len(sys.argv) not in (2, 3) or state not in ("bench", "invalid-e1", "narrow"):
        print(f"usage: {sys.argv[0]} DEVICE [bench|invalid-e1|narrow]", file=sys.stderr)
        return 2
    regs = bench_registers()
    bits = [0] * 1016
    if state == "invalid-e1":
        regs[56:63] = slot(0.0, b"|" * 6, b"mA")
        bits[64] = 1  # 10065: E1 bit 0, Invalid
    if state == "narrow":
        ir = BlockOnly(7, regs)
        di = BlockOnly(8, bits, free_from=1000)
    else:
        ir = ModbusSequentialDataBlock(0, regs)
        di = ModbusSequentialDataBlock(0, bits)
    # zero_mode: block index = PDU address (pymodbus otherwise shifts by one).
    store = ModbusSlaveContext(
        ir=ir,
        di=di,
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
