#!/usr/bin/env python3
"""`anyserial diag loopback --peer` and port-path resolution over a socat pty pair.

Usage: run_loopback_peer.py ANYSERIAL_CLI MODE [VALGRIND]
  MODE stale   stale bytes wait on both ends; `diag loopback --port A --peer B` with 64 KiB
               messages must get every echo back byte-exact (run under VALGRIND when given,
               which must then report no error: --error-exitcode=1).
  MODE link    symlinks to both ptys in a temporary directory: `caps --port LINK` and
               `diag loopback --port LINK_A --peer LINK_B` must accept them.
  MODE relay   no socat: this script is the wire, and it carries a whole message to the peer
               before it carries any echo back (an order a single-threaded relay such as
               socat can fall into). An echo that stops reading while its send waits then
               blocks the wire for good; the echo must keep reading.
Everything started here is stopped by pid; the temporary directory is removed.
"""
import errno
import fcntl
import json
import os
import re
import select
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import tty

STALE = 1000


def start_socat():
    socat = subprocess.Popen(["socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"],
                             stderr=subprocess.PIPE, text=True)
    ptys, log = [], ""
    for line in socat.stderr:
        log += line
        m = re.search(r"PTY is (/dev/pts/\d+)", line)
        if m:
            ptys.append(m.group(1))
        if "starting data transfer loop" in line:
            break
    if len(ptys) != 2:
        raise RuntimeError("socat did not report two ptys:\n" + log)
    # Keep reading socat's stderr: a warning per EAGAIN on a full pty (a slow reader, a
    # loaded machine, valgrind) would otherwise fill the pipe, block socat on its log write
    # and stall the transfer for good.
    threading.Thread(target=lambda: [None for _ in socat.stderr], daemon=True).start()
    return socat, ptys


def queued(fd):
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


def leave_stale_bytes(a, b):
    """Writes STALE bytes towards each end and waits (bounded) until both have them queued.
    Returns the fds, which stay open so that the queued input survives until the run."""
    fa = os.open(a, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    fb = os.open(b, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    os.write(fa, bytes(range(256)) * 3 + b"x" * (STALE - 768))  # arrives at b
    os.write(fb, b"\xaa" * STALE)  # arrives at a
    deadline = time.monotonic() + 10
    while queued(fa) < STALE or queued(fb) < STALE:
        left = deadline - time.monotonic()
        if left <= 0:
            raise RuntimeError(f"stale bytes did not arrive: {queued(fa)}, {queued(fb)}")
        select.select([fa, fb], [], [], min(left, 0.05))
    return fa, fb


def run(cmd, timeout=900):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    print("$ " + " ".join(cmd) + f"  -> exit {r.returncode}")
    print(r.stdout, end="")
    print(r.stderr, end="", file=sys.stderr)
    return r


def check_loopback(r, count):
    if r.returncode != 0:
        print(f"diag loopback exited {r.returncode}", file=sys.stderr)
        return False
    report = json.loads(r.stdout.strip().splitlines()[-1])
    if report.get("sent") != count or report.get("ok") != count or "error" in report:
        print(f"loopback lost or corrupted messages: {report}", file=sys.stderr)
        return False
    return True


def mode_stale(cli, ptys, valgrind):
    held = leave_stale_bytes(*ptys)
    try:
        count = 4 if valgrind else 20
        cmd = [cli, "diag", "loopback", "--port", ptys[0], "--peer", ptys[1], "--count",
               str(count), "--size", "65536", "--timeout", "60", "--json"]
        if valgrind:
            cmd = [valgrind, "--error-exitcode=99", "--quiet"] + cmd
        r = run(cmd)
        if r.returncode == 99:
            print("valgrind reported memory errors", file=sys.stderr)
            return False
        return check_loopback(r, count)
    finally:
        for fd in held:
            os.close(fd)


def mode_link(cli, ptys):
    with tempfile.TemporaryDirectory(prefix="anyserial-link-") as tmp:
        la, lb = os.path.join(tmp, "dev-a"), os.path.join(tmp, "dev-b")
        os.symlink(ptys[0], la)
        os.symlink(ptys[1], lb)
        r = run([cli, "caps", "--port", la, "--json"])
        if r.returncode != 0:
            print("caps refused a symlink to a pty", file=sys.stderr)
            return False
        caps = json.loads(r.stdout)
        if caps.get("port") != la or caps.get("backend") in (None, ""):
            print(f"caps report does not name the link and its backend: {caps}", file=sys.stderr)
            return False
        r = run([cli, "diag", "loopback", "--port", la, "--peer", lb, "--count", "3",
                 "--json"], timeout=120)
        return check_loopback(r, 3)


RELAY_SIZE = 256 * 1024  # far beyond what the ptys and a relay's buffer hold
RELAY_COUNT = 2
RELAY_GUARD_S = 30  # no byte moved for this long: the wire is blocked for good


class Relay(threading.Thread):
    """Two pty pairs joined by this thread. Towards the peer (B) it forwards freely; the
    echo (B towards A) is read only once a whole message has gone to B."""

    def __init__(self):
        super().__init__(daemon=True)
        self.ma, sa = os.openpty()
        self.mb, sb = os.openpty()
        for fd in (sa, sb):
            tty.setraw(fd)
        self.slaves = (sa, sb)  # held open: a closed slave makes its master read EIO
        self.paths = (os.ttyname(sa), os.ttyname(sb))
        for fd in (self.ma, self.mb):
            os.set_blocking(fd, False)
        self.to_b = self.to_a = 0  # bytes carried each way
        self.stop = threading.Event()
        self.stuck = False

    def run(self):
        pend_b, pend_a = b"", b""
        last_move = time.monotonic()
        while not self.stop.is_set():
            carried = (self.to_a // RELAY_SIZE) * RELAY_SIZE
            echo_open = self.to_b >= carried + RELAY_SIZE  # this message wholly at B
            rl = [self.ma] if not pend_b else []
            if echo_open and not pend_a:
                rl.append(self.mb)
            wl = ([self.mb] if pend_b else []) + ([self.ma] if pend_a else [])
            r, w, _ = select.select(rl, wl, [], 0.2)
            moved = False
            for fd in r:
                try:
                    data = os.read(fd, 65536)
                except OSError as e:
                    if e.errno in (errno.EAGAIN, errno.EIO):
                        continue
                    raise
                if fd == self.ma:
                    pend_b += data
                else:
                    pend_a += data
                moved = moved or bool(data)
            for fd in w:
                buf = pend_b if fd == self.mb else pend_a
                try:
                    n = os.write(fd, buf)
                except BlockingIOError:
                    continue
                if fd == self.mb:
                    pend_b, self.to_b = pend_b[n:], self.to_b + n
                else:
                    pend_a, self.to_a = pend_a[n:], self.to_a + n
                moved = moved or n > 0
            if moved:
                last_move = time.monotonic()
            elif time.monotonic() - last_move > RELAY_GUARD_S and self.to_a < RELAY_COUNT * RELAY_SIZE:
                self.stuck = True
                print(f"relay: nothing moved for {RELAY_GUARD_S} s; carried {self.to_b} bytes to"
                      f" the peer and {self.to_a} back", file=sys.stderr)
                self.cut()  # the ports see the line go: the CLI ends now, not at its timeout
                return

    def cut(self):
        for fd in (self.ma, self.mb):
            os.close(fd)
        self.ma = self.mb = None

    def close(self):
        self.stop.set()
        self.join()
        if self.ma is not None:
            self.cut()
        for fd in self.slaves:
            os.close(fd)


def mode_relay(cli):
    relay = Relay()
    relay.start()
    try:
        r = run([cli, "diag", "loopback", "--port", relay.paths[0], "--peer", relay.paths[1],
                 "--count", str(RELAY_COUNT), "--size", str(RELAY_SIZE), "--timeout",
                 str(RELAY_GUARD_S * 2), "--json"], timeout=RELAY_GUARD_S * 4)
    except subprocess.TimeoutExpired:
        print("diag loopback did not end", file=sys.stderr)
        return False
    finally:
        relay.close()
    if relay.stuck:
        return False
    return check_loopback(r, RELAY_COUNT)


def main() -> int:
    cli, mode = sys.argv[1:3]
    valgrind = sys.argv[3] if len(sys.argv) > 3 else None
    if mode == "relay":
        return 0 if mode_relay(cli) else 1
    socat, ptys = start_socat()
    try:
        ok = mode_stale(cli, ptys, valgrind) if mode == "stale" else mode_link(cli, ptys)
        return 0 if ok else 1
    finally:
        socat.terminate()
        try:
            socat.wait(timeout=10)
        except subprocess.TimeoutExpired:
            socat.kill()
            socat.wait()


if __name__ == "__main__":
    sys.exit(main())
