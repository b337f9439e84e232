#!/usr/bin/python3
"""Runs the Windows backend contract test under Wine against a pySerial echo peer.

Creates a fresh WINEPREFIX under the build folder, a socat pty pair, maps the prefix's
dosdevices/comN to one end, starts tests/windows/echo_peer.py on the other, runs
windows_backend_contract.exe and answers its "?TERMIOS ..." questions by reading the Wine
side's termios on the Linux pty. Kills only the processes it started (and wineserver -k for
its own prefix). Exit status 0 only when the unit test and the contract test both passed.
"""
import argparse
import fcntl
import os
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))
COM = 7  # the mapped port: COM7
MISSING = 42  # never mapped: COM42
TCGETS2 = 0x802C542A
CMSPAR = 0o10000000000


def log(*parts):
    print("harness:", *parts, flush=True)


def win_path(path):
    return "Z:" + os.path.abspath(path).replace("/", "\\")


def line_settings(fd):
    """(rate, '8N1', flow) of a tty from TCGETS2 (numeric rate, also for custom ones)."""
    raw = fcntl.ioctl(fd, TCGETS2, bytes(44))
    iflag, _oflag, cflag, _lflag = struct.unpack_from("4I", raw, 0)
    _ispeed, ospeed = struct.unpack_from("2I", raw, 36)
    size = {termios.CS5: 5, termios.CS6: 6, termios.CS7: 7, termios.CS8: 8}[cflag & termios.CSIZE]
    if not cflag & termios.PARENB:
        parity = "N"
    elif cflag & CMSPAR:
        parity = "M" if cflag & termios.PARODD else "S"
    else:
        parity = "O" if cflag & termios.PARODD else "E"
    stop = 2 if cflag & termios.CSTOPB else 1
    flows = []
    if cflag & termios.CRTSCTS:
        flows.append("rtscts")
    if iflag & (termios.IXON | termios.IXOFF):
        flows.append("xonxoff")
    return f"{ospeed} {size}{parity}{stop} flow={'+'.join(flows) or 'none'}"


class Run:
    def __init__(self, args):
        self.args = args
        self.procs = []  # (name, Popen) we started, killed in reverse order
        self.work = os.path.join(os.path.abspath(args.build), "wine-test")
        self.prefix = os.path.join(self.work, "prefix")
        self.env = dict(os.environ, WINEPREFIX=self.prefix, WINEDEBUG="-all",
                        WINEDLLOVERRIDES="mscoree,mshtml=")
        self.env.pop("DISPLAY", None)
        self.wineserver = args.wineserver

    def start(self, name, cmd, **kw):
        p = subprocess.Popen(cmd, **kw)
        self.procs.append((name, p))
        log(f"started {name} (pid {p.pid})")
        return p

    def wine(self, *argv, **kw):
        return [self.args.wine, *argv]

    def setup_prefix(self):
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        t0 = time.monotonic()
        r = subprocess.run([self.args.wine, "wineboot", "-i"], env=self.env, timeout=180,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise SystemExit(f"harness: wineboot -i failed ({r.returncode}): {r.stderr[-2000:]}")
        log(f"fresh WINEPREFIX {self.prefix} in {time.monotonic() - t0:.1f} s")

    def setup_ptys(self):
        a, b = os.path.join(self.work, "ptyA"), os.path.join(self.work, "ptyB")
        self.start("socat", ["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not (os.path.exists(a) and os.path.exists(b)):
            if time.monotonic() > deadline or self.procs[-1][1].poll() is not None:
                raise SystemExit("harness: socat did not create the pty pair")
            time.sleep(0.05)
        self.wine_tty, self.peer_tty = os.path.realpath(a), os.path.realpath(b)
        dosdev = os.path.join(self.prefix, "dosdevices")
        link = os.path.join(dosdev, f"com{COM}")
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(self.wine_tty, link)
        missing = os.path.join(dosdev, f"com{MISSING}")
        if os.path.lexists(missing):
            os.unlink(missing)
        log(f"COM{COM} -> {self.wine_tty}; echo peer on {self.peer_tty}")
        peer = self.start("echo peer", [sys.executable, os.path.join(HERE, "echo_peer.py"),
                                        self.peer_tty], stdout=subprocess.PIPE, text=True)
        if "ready" not in peer.stdout.readline():
            raise SystemExit("harness: the echo peer did not start")
        self.tty_fd = os.open(self.wine_tty, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)

    def run_program(self, exe, *argv):
        """Runs a test program under Wine, answering ?TERMIOS; returns its exit status."""
        # Wine's and wineserver's own chatter goes to a log, shown when the run fails.
        err_path = os.path.join(self.work, os.path.basename(exe) + ".stderr.log")
        err = open(err_path, "w")
        p = self.start(os.path.basename(exe), [self.args.wine, exe, *argv], env=self.env,
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                       text=True, bufsize=1)
        deadline = time.monotonic() + self.args.timeout
        passed = failed = False
        signal.signal(signal.SIGALRM, lambda *_: p.kill())
        signal.alarm(self.args.timeout)
        try:
            for line in p.stdout:
                line = line.rstrip("\r\n")
                if line.startswith("?TERMIOS "):
                    want = line[len("?TERMIOS "):]
                    got = line_settings(self.tty_fd)
                    answer = "OK" if got == want else f"MISMATCH: the pty has '{got}', expected '{want}'"
                    print(f"  [pty check] {want}: {answer}", flush=True)
                    p.stdin.write(answer + "\n")
                    p.stdin.flush()
                elif line == "?KILLPEER":
                    self.kill_peer()
                    p.stdin.write("OK\n")
                    p.stdin.flush()
                else:
                    print(line, flush=True)
                    passed |= line.startswith("PASS: 0 failure(s)")
                    failed |= line.startswith("FAIL") or "Unhandled exception" in line
            status = p.wait()
        finally:
            signal.alarm(0)
            err.close()
        if time.monotonic() > deadline:
            log(f"{exe} timed out after {self.args.timeout} s")
            return 1
        if status != 0 or failed or not passed:
            with open(err_path, errors="replace") as f:
                tail = f.readlines()[-60:]
            log(f"{os.path.basename(exe)}: exit {status}, PASS line {'seen' if passed else 'missing'}; "
                f"stderr tail ({err_path}):")
            sys.stdout.write("".join(tail))
            return status or 1
        return 0

    def kill_peer(self):
        """The device goes away: end socat (the pty pair) and the echo peer we started."""
        for name, p in reversed(self.procs):  # the echo peer first, then its pty pair
            if name in ("socat", "echo peer") and p.poll() is None:
                p.terminate()
                p.wait(timeout=10)
        log("removed the peer (socat and the echo peer ended)")

    def cleanup(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        if getattr(self, "tty_fd", None) is not None:
            os.close(self.tty_fd)
        if os.path.isdir(self.prefix):
            subprocess.run([self.wineserver, "-k"], env=self.env, timeout=30,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True, help="the Windows build folder")
    ap.add_argument("--wine", default="/usr/lib/wine/wine64")
    ap.add_argument("--wineserver", default="/usr/lib/wine/wineserver")
    ap.add_argument("--timeout", type=int, default=180, help="per test program, seconds")
    args = ap.parse_args()
    bindir = os.path.join(args.build, "bin")
    dll = os.path.join(bindir, "anyserial-windows.dll")
    run = Run(args)
    try:
        run.setup_prefix()
        run.setup_ptys()
        t0 = time.monotonic()
        unit = run.run_program(os.path.join(bindir, "windows_backend_unit.exe"))
        log(f"unit test exit {unit} ({time.monotonic() - t0:.1f} s)")
        t0 = time.monotonic()
        contract = run.run_program(os.path.join(bindir, "windows_backend_contract.exe"),
                                   win_path(dll), f"COM{COM}", f"COM{MISSING}")
        log(f"contract test exit {contract} ({time.monotonic() - t0:.1f} s)")
    finally:
        run.cleanup()
    ok = unit == 0 and contract == 0
    log("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
