#!/usr/bin/env python3
"""Interop: `anyserial diag loopback` against a pySerial echo peer over a socat pty pair.

Usage: run_loopback.py ANYSERIAL_CLI PYSERIAL_PYTHON ECHO_PY [COUNT]
Starts `socat -d -d pty,raw,echo=0 pty,raw,echo=0`, runs echo.py on one end and the CLI's
loopback on the other, and requires every message back byte-exact. Everything started
here is stopped by pid at the end.
"""
import json
import re
import subprocess
import sys


def main() -> int:
    cli, pyserial_python, echo_py = sys.argv[1:4]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
    socat = subprocess.Popen(
        ["socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"],
        stderr=subprocess.PIPE, text=True)
    echo = None
    try:
        ptys, log = [], ""
        for line in socat.stderr:
            log += line
            m = re.search(r"PTY is (/dev/pts/\d+)", line)
            if m:
                ptys.append(m.group(1))
            if "starting data transfer loop" in line:
                break
        if len(ptys) != 2:
            print("socat did not report two ptys:\n" + log, file=sys.stderr)
            return 1
        echo = subprocess.Popen([pyserial_python, echo_py, ptys[0]], stdout=subprocess.PIPE,
                                text=True)
        if echo.stdout.readline().strip() != "ready":
            print("pySerial echo peer failed to start", file=sys.stderr)
            return 1
        run = subprocess.run([cli, "diag", "loopback", "--port", ptys[1], "--count", str(count),
                              "--timeout", "5", "--json"], capture_output=True, text=True,
                             timeout=600)
        print(run.stdout, end="")
        print(run.stderr, end="", file=sys.stderr)
        if run.returncode != 0:
            print(f"anyserial diag loopback exited {run.returncode}", file=sys.stderr)
            return 1
        report = json.loads(run.stdout)
        ok = (report.get("sent") == count and report.get("ok") == count
              and report.get("mismatched") == 0 and report.get("timeouts") == 0)
        if not ok:
            print(f"loopback lost or corrupted messages: {report}", file=sys.stderr)
            return 1
        return 0
    finally:
        for proc in (echo, socat):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


if __name__ == "__main__":
    sys.exit(main())
