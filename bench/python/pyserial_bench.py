#!/usr/bin/env python3
"""pyserial and pyserial-asyncio peers: the same measurements as the C and C++ benches.

    pyserial_bench.py --impl pyserial|pyserial-asyncio MODE [--iters N] [--warmup N]
                      [--bytes N] PATH...

Prints one JSON line: {"samples_us": [...]}, {"mib_s": x}, {"rss_mib": x} or {"error": why}.
"""
import argparse
import json
import sys
import threading
import time


def now_us():
    return time.perf_counter_ns() / 1000.0


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return float(line.split()[1]) / 1024.0
    return -1.0


def emit(obj):
    print(json.dumps(obj), flush=True)


def run_pyserial(a):
    import serial

    ports = [serial.Serial(p, 115200, timeout=5, write_timeout=10) for p in a.paths]
    total = a.warmup + a.iters
    samples = []
    if a.mode == "rtt":
        s = ports[0]
        for i in range(total):
            t0 = now_us()
            s.write(b"x")
            if s.read(1) != b"x":
                raise RuntimeError("read timed out")
            if i >= a.warmup:
                samples.append(now_us() - t0)
    elif a.mode == "fanout":
        # Blocking API on one thread: write every port, then read each in turn.
        for i in range(total):
            t0 = now_us()
            for s in ports:
                s.write(b"x")
            for s in ports:
                if s.read(1) != b"x":
                    raise RuntimeError("read timed out")
            if i >= a.warmup:
                samples.append(now_us() - t0)
    elif a.mode == "throughput":
        chunk = b"\x55" * 65536
        sent = 0
        t0 = now_us()
        while sent < a.bytes:
            sent += ports[0].write(chunk)
        return {"mib_s": sent / (1 << 20) / ((now_us() - t0) / 1e6)}
    elif a.mode == "cancel":
        # cancel_read() from a second thread wakes the blocked read (pyserial's abort pipe).
        s = ports[0]
        s.timeout = None
        t0 = [0.0]
        armed = threading.Semaphore(0)

        def canceller():
            for _ in range(total):
                armed.acquire()
                time.sleep(200e-6)
                t0[0] = now_us()
                s.cancel_read()

        th = threading.Thread(target=canceller)
        th.start()
        for i in range(total):
            armed.release()
            s.read(1)
            t1 = now_us()
            if i >= a.warmup:
                samples.append(t1 - t0[0])
        th.join()
    elif a.mode == "rss":
        return {"rss_mib": rss_mib()}
    else:
        raise RuntimeError("unknown mode " + a.mode)
    return {"samples_us": samples}


def run_pyserial_asyncio(a):
    import asyncio

    import serial_asyncio

    async def main():
        conns = [await serial_asyncio.open_serial_connection(url=p, baudrate=115200)
                 for p in a.paths]
        total = a.warmup + a.iters
        samples = []
        if a.mode == "rtt":
            reader, writer = conns[0]
            for i in range(total):
                t0 = now_us()
                writer.write(b"x")
                await reader.readexactly(1)
                if i >= a.warmup:
                    samples.append(now_us() - t0)
        elif a.mode == "fanout":
            async def one(rw):
                rw[1].write(b"x")
                await rw[0].readexactly(1)

            for i in range(total):
                t0 = now_us()
                await asyncio.gather(*(one(rw) for rw in conns))
                if i >= a.warmup:
                    samples.append(now_us() - t0)
        elif a.mode == "throughput":
            _, writer = conns[0]
            chunk = b"\x55" * 65536
            sent = 0
            t0 = now_us()
            while sent < a.bytes:
                writer.write(chunk)
                await writer.drain()
                sent += len(chunk)
            while writer.transport.get_write_buffer_size() > 0:
                await asyncio.sleep(0)
            return {"mib_s": sent / (1 << 20) / ((now_us() - t0) / 1e6)}
        elif a.mode == "cancel":
            # task.cancel() requested from a second thread through call_soon_threadsafe.
            reader, _ = conns[0]
            loop = asyncio.get_running_loop()
            for i in range(total):
                task = asyncio.ensure_future(reader.read(1))
                t0 = [0.0]

                def canceller():
                    time.sleep(200e-6)
                    t0[0] = now_us()
                    loop.call_soon_threadsafe(task.cancel)

                th = threading.Thread(target=canceller)
                th.start()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
                t1 = now_us()
                th.join()
                if i >= a.warmup:
                    samples.append(t1 - t0[0])
        elif a.mode == "rss":
            return {"rss_mib": rss_mib()}
        else:
            raise RuntimeError("unknown mode " + a.mode)
        for _, w in conns:
            w.close()
        return {"samples_us": samples}

    return asyncio.run(main())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", required=True, choices=["pyserial", "pyserial-asyncio"])
    ap.add_argument("mode")
    ap.add_argument("--iters", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--bytes", type=int, default=16 << 20)
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    try:
        emit(run_pyserial(a) if a.impl == "pyserial" else run_pyserial_asyncio(a))
    except Exception as e:  # the row says why it could not run
        emit({"error": f"{a.impl}: {type(e).__name__}: {e}"})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
