#!/usr/bin/env python3
"""Replays the commands of issues 12 and 14 against the `anyserial` binary and checks the CLI's
contract: the exit code (0 ok, 1 runtime failure, 2 usage), the message (a regex over
stdout + stderr, and optionally one that must NOT match), and that no file outside the
case's scratch directory changed.

Data-driven: CASES is a list of Case(item, argv, code, regex, ...). argv words may use
  {scratch}  the case's own directory (its cwd; anything may change in it)
  {outside}  a directory of sentinel files that no case may change (checked by hash)
  {silent}   a kernel pty nobody writes to (a silent device port); a case with
             untouched=True checks that the command wrote no byte to it (its controller
             side is read, non-blocking, after the process exited: a pty tap, no sleeps)
  {missing}  a port path that does not exist
  {dir}      a directory given where a port or a file is expected
  {plugins}  the build's plugin directory
Every command also runs with TMPDIR inside the sandbox, which must be empty afterwards.

FILES holds the cases of the items about the user's files (1, 2, 3, 7, 9, 15); DEVICES the
device-neutral surface of issue 14 (item 14 there: --protocol, --address, command). The
servomex-* and alicat protocol plugins must be loaded (the build's plugin directory).

Environment: ANYSERIAL_CLI, ANYSERIAL_PLUGIN_DIR, ANYSERIAL_CONTRACT_GUARD_S (the hung-process guard, default 60 s).
"""

import dataclasses
import hashlib
import json
import os
import pty
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import tty
import unittest

CLI = os.environ.get("ANYSERIAL_CLI", "anyserial")
PLUGINS = os.environ.get("ANYSERIAL_PLUGIN_DIR", "")
# A failure guard for a hung process, never a synchronisation.
GUARD_S = float(os.environ.get("ANYSERIAL_CONTRACT_GUARD_S", "60"))


@dataclasses.dataclass
class Case:
    item: int
    argv: list
    code: int
    regex: str = ""          # must match stdout + stderr (re.S)
    not_regex: str = ""      # must not match
    absent: tuple = ()       # paths (templated) that must not exist afterwards
    note: str = ""
    untouched: bool = False  # nothing was written to {silent}

    def name(self):
        return f"item {self.item}: anyserial {' '.join(self.argv)}"


U = r"Run 'anyserial .* --help'"  # the usage hint every usage error ends with

CASES = [
    # -- item 10: one validation path for every option, before any I/O ------------------
    Case(10, ["read", "--port", "{silent}", "--baud", "-1"], 2,
         r"--baud must be a whole number 1\.\.16000000, not '-1'"),
    Case(10, ["read", "--port", "{silent}", "--baud", "4294967295"], 2, r"--baud must be"),
    Case(10, ["read", "--port", "{missing}", "--baud", "0"], 2, r"--baud must be .* not '0'"),
    Case(10, ["stream", "--port", "{silent}", "--protocol", "servomex-modbus-rtu", "--address",
              "-1"], 2, r"--address '-1' is not an address of servomex-modbus-rtu", untouched=True),
    Case(10, ["read", "--port", "{silent}", "--protocol", "servomex-modbus-rtu", "--address",
              "1.5"], 2, r"--address '1\.5' is not an address", untouched=True),
    Case(10, ["diag", "loopback", "--port", "{silent}", "--count", "-1"], 2,
         r"--count must be a whole number"),
    Case(10, ["diag", "loopback", "--port", "{silent}", "--size", "0"], 2,
         r"--size must be a whole number"),
    Case(10, ["diag", "tap", "--port", "{silent}", "--baud", "-9600"], 2, r"--baud must be"),
    Case(10, ["diag", "jitter", "--port", "{silent}", "--rate", "0"], 2,
         r"--rate must be a number > 0"),
    Case(10, ["record", "--protocol", "modbus-rtu", "--port", "{missing}",
              "--sink", "csv:{scratch}/run.csv", "--buffer",
              "-1"], 2, r"--buffer must be a whole number", absent=("{scratch}/run.csv",)),
    Case(10, ["record", "--port", "{missing}", "--sink", "csv:{scratch}/run.csv", "--protocol",
              "servomex-modbus-rtu", "--address", "1", "--address", "0"], 2,
         r"--address '0' is not an address", absent=("{scratch}/run.csv",)),
    Case(10, ["record", "--protocol", "modbus-rtu", "--port", "{missing}",
              "--sink", "csv:{scratch}/run.csv", "--rate",
              "nan"], 2, r"--rate must be", absent=("{scratch}/run.csv",)),
    Case(10, ["demo", "--seconds", "inf"], 2, r"--seconds must be a number > 0"),
    Case(10, ["demo", "--seconds", "nan"], 2, r"--seconds must be"),
    Case(10, ["calibrate", "status", "--port", "{silent}", "--protocol", "servomex-modbus-rtu",
              "--group", "-1"], 2, r"calibration\.status: --group: .*-1", untouched=True),
    Case(10, ["read", "--port", "{silent}", "I1"], 2, r"unexpected argument 'I1'"),
    Case(10, ["discover", "--port", "{silent}", "extra"], 2, r"unexpected argument 'extra'"),
    Case(10, ["plugins", "--plugin-dir"], 2, r"'--plugin-dir' is missing",
         not_regex=r"unrecognised option"),
    Case(10, ["--plugin-dir"], 2, r"'--plugin-dir' is missing"),
    # -- item 8 (generic part): durations finite and sane --------------------------------
    Case(8, ["diag", "loopback", "--port", "{silent}", "--timeout", "inf"], 2,
         r"--timeout must be a number > 0 and at most 86400, not 'inf'"),
    Case(8, ["diag", "loopback", "--port", "{silent}", "--timeout", "1e300"], 2,
         r"--timeout must be"),
    Case(8, ["simulate", "--protocol", "continuous", "--link", "{scratch}/sim", "--interval",
             "nan"], 2, r"--interval must be", absent=("{scratch}/sim",)),
    Case(8, ["simulate", "--protocol", "continuous", "--link", "{scratch}/sim", "--interval",
             "inf"], 2, r"--interval must be", absent=("{scratch}/sim",)),
    Case(8, ["simulate", "--protocol", "continuous", "--link", "{scratch}/sim", "--interval",
             "1e300"], 2, r"--interval must be", absent=("{scratch}/sim",)),
    Case(8, ["read", "--port", "{silent}", "--timeout", "nan"], 2, r"--timeout must be"),
    Case(8, ["stream", "--port", "{silent}", "--duration", "-1"], 2, r"--duration must be"),
    # -- item 12: --timeout is a ceiling for the whole verb, AUTO included ---------------
    # Every rung of AUTO reports the share it had: the probes stop when theirs runs out,
    # and the passive listen is cut to what is left (it was 4 s: twice the frame interval).
    Case(12, ["read", "--port", "{silent}", "--protocol", "servomex-4100:auto", "--timeout",
              "0.2"], 1,
         r"no recognised protocol on .*modbus-rtu: no response .*the time budget ran out"
         r".*modbus-ascii: no response .*the time budget ran out"
         r".*continuous: no checksum-valid frame within 0\.[0-2]\d\d s"),
    Case(12, ["discover", "--port", "{silent}", "--protocol", "servomex-4100:auto", "--timeout",
              "0.2"], 0,
         r"no device .*continuous: no checksum-valid frame within 0\.[0-2]\d\d s"
         r".*0 device\(s\) on 1 port\(s\)"),
    Case(12, ["read", "--help"], 0, r"AUTO\s+splits\s+it"),
    Case(12, ["discover", "--help"], 0, r"AUTO\s+splits\s+it"),
    # -- item 14: messages name the port and the cause -----------------------------------
    Case(14, ["read", "--port", "posix://{dir}", "--protocol", "modbus-rtu"], 1,
         r"cannot open posix://{dir}: .*Is a directory", not_regex=r"input/output error"),
    Case(14, ["caps", "--port", "posix://{dir}"], 1, r"Is a directory",
         not_regex=r"input/output error"),
    Case(14, ["diag", "tap", "--port", "posix://{dir}"], 1, r"Is a directory",
         not_regex=r"tap: 0 bytes|input/output error"),
]

# Items 1, 2, 3, 7, 9, 15: the user's files. A sentinel with other content, a symlink or a
# foreign database is refused before any I/O (exit 2) and stays as it was (the check of
# {outside}); a live link at simulate --link is refused.
FILES = [
    Case(1, ["record", "--protocol", "modbus-rtu", "--port", "{missing}",
              "--sink", "csv:{outside}/run1.csv",
             "--duration", "1"], 2, r"exists with other content.*--overwrite"),
    Case(1, ["record", "--protocol", "modbus-rtu", "--port", "{missing}",
              "--sink", "jsonl:{outside}/run1.jsonl",
             "--duration", "1"], 2, r"exists with other content.*--overwrite"),
    Case(1, ["diag", "tap", "--port", "{missing}", "--output", "{outside}/tap.log",
             "--duration", "1"], 2, r"exists with other content.*--overwrite"),
    Case(1, ["record", "--protocol", "modbus-rtu", "--port", "{missing}",
              "--sink", "csv:{outside}/link.csv",
             "--duration", "1"], 2, r"symbolic link.*--follow-symlinks"),
    Case(1, ["record", "--protocol", "modbus-rtu", "--port", "{missing}",
              "--sink", "csv:{scratch}/new.csv",
             "--duration", "1"], 1, r"{missing}", absent=("{scratch}/new.csv",)),
    Case(2, ["simulate", "--protocol", "continuous", "--link", "{outside}/link.csv"], 1,
         r"refusing to replace it"),
    Case(3, ["record", "--protocol", "modbus-rtu", "--port", "{missing}",
              "--sink", "sqlite:{outside}/foreign.db",
             "--duration", "1"], 2, r"not an anyserial recording"),
    Case(7, ["record", "--protocol", "modbus-rtu", "--port", "{missing}",
              "--sink", "csv:{scratch}/r.csv", "--buffer",
             "1000000000"], 2, r"--buffer", absent=("{scratch}/r.csv",)),
    Case(7, ["record", "--protocol", "modbus-rtu", "--port", "{missing}",
              "--sink", "csv:{scratch}/r.csv", "--buffer",
             "4294967295"], 2, r"--buffer", absent=("{scratch}/r.csv",)),
    Case(1, ["record", "--protocol", "modbus-rtu", "--port", "{missing}",
              "--sink", "csv:{scratch}/a.csv", "--sink",
             "csv:{scratch}/a.csv"], 2, r"given twice", absent=("{scratch}/a.csv",)),
    # The network sinks' spool is checked with the other sinks, before the port opens.
    Case(1, ["record", "--protocol", "modbus-rtu", "--port", "{missing}",
              "--sink", "postgresql://u@127.0.0.1:1/db",
             "--spool", "{outside}/link.csv", "--duration", "1"], 2, r"spool.*symbolic link"),
    Case(1, ["record", "--protocol", "modbus-rtu", "--port", "{missing}",
              "--sink", "postgresql://u@127.0.0.1:1/db",
             "--spool", "{scratch}/no-dir/spool.db", "--duration", "1"], 1,
         r"spool.*No such file or directory", not_regex=r"{missing}"),
    Case(9, ["decode", "{dir}"], 1, r"[Ii]s a directory"),
    Case(15, ["demo", "--sink", "bogus:x"], 2, r"sink"),
    Case(15, ["demo", "--sink", "mqtt://127.0.0.1:1/x"], 2, r"demo records into a file",
         absent=("{scratch}/anyserial-spool.db",)),
    Case(15, ["demo", "--seconds", "inf"], 2, r"--seconds"),
]


# Issue 14: any loaded protocol, text addresses in the protocol's syntax, declared commands.
# Each refusal comes before any I/O: nothing written to {silent}, no file made.
DEVICES = [
    # --protocol: an unknown one is refused listing what is loaded.
    Case(14, ["read", "--port", "{silent}", "--protocol", "bogus"], 2,
         r"--protocol 'bogus': no such protocol; loaded: (?=.*servomex-modbus-rtu "
         r"\(servomex-4100:modbus-rtu\))(?=.*alicat \(alicat:ascii\))(?!.*:auto)",
         untouched=True),
    Case(14, ["stream", "--port", "{silent}", "--protocol", "servomex-4100:bogus"], 2,
         r"family 'servomex-4100' has no mode 'bogus'", untouched=True),
    Case(14, ["record", "--port", "{silent}", "--protocol", "nope:auto", "--sink",
              "csv:{scratch}/r.csv"], 2, r"no loaded protocol of family 'nope'",
         absent=("{scratch}/r.csv",), untouched=True),
    # Two families loaded: plain AUTO runs over both, so an address must suit one of them.
    Case(14, ["read", "--port", "{silent}", "--address", "300"], 2,
         r"--address '300' is not an address of", untouched=True),
    # --address in the protocol's syntax: a letter for alicat, 1..247 for Modbus.
    Case(14, ["read", "--port", "{silent}", "--protocol", "alicat", "--address", "7"], 2,
         r"--address '7' is not an address of alicat", untouched=True),
    Case(14, ["read", "--port", "{silent}", "--protocol", "alicat", "--address", "Z9"], 2,
         r"--address 'Z9' is not an address of alicat", untouched=True),
    Case(14, ["read", "--port", "{silent}", "--protocol", "servomex-4100:modbus-rtu",
              "--address", "248"], 2, r"--address '248' is not an address of servomex-modbus-rtu",
         untouched=True),
    Case(14, ["read", "--port", "{silent}", "--protocol", "servomex-continuous", "--address",
              "1"], 2, r"servomex-continuous takes no address", untouched=True),
    Case(14, ["simulate", "--protocol", "alicat", "--link", "{scratch}/sim", "--address", "Z9"],
         2, r"--address 'Z9' is not an address of alicat", absent=("{scratch}/sim",)),
    Case(14, ["simulate", "--protocol", "servomex-4100:auto", "--link", "{scratch}/sim"], 2,
         r"simulate needs one protocol", absent=("{scratch}/sim",)),
    # command --list: the declaration, no port.
    Case(14, ["command", "--protocol", "servomex-modbus-rtu", "--list"], 0,
         r"calibration\.start group\s+\(state-changing\).*group: integer 1\.\.\d"
         r".*calibration\.status group\s+\(read-only\)"),
    Case(14, ["command", "--protocol", "alicat", "--list"], 0,
         r"setpoint\.set value\s+\(state-changing\).*valve\.close\s+\(destructive\)"),
    Case(14, ["command", "--protocol", "servomex-continuous", "--list"], 0,
         r"servomex-continuous declares no commands"),
    # A state-changing or destructive command without --confirm: exit 2, no byte sent.
    Case(14, ["command", "--port", "{silent}", "--protocol", "servomex-modbus-rtu",
              "calibration.start", "1"], 2, r"calibration\.start is state-changing.*--confirm",
         untouched=True),
    Case(14, ["command", "--port", "{silent}", "--protocol", "alicat", "setpoint.set", "20"], 2,
         r"setpoint\.set is state-changing on alicat: pass --confirm", untouched=True),
    Case(14, ["command", "--port", "{silent}", "--protocol", "alicat", "valve.close"], 2,
         r"valve\.close is destructive on alicat: pass --confirm", untouched=True),
    Case(14, ["calibrate", "start", "--port", "{silent}", "--protocol", "servomex-modbus-rtu",
              "--group", "1"], 2, r"calibration\.start is state-changing.*--confirm",
         untouched=True),
    # Arguments parsed against the declaration, named in the error.
    Case(14, ["command", "--port", "{silent}", "--protocol", "servomex-modbus-rtu",
              "calibration.status", "99"], 2, r"calibration\.status: argument 'group': .*99",
         untouched=True),
    Case(14, ["command", "--port", "{silent}", "--protocol", "servomex-modbus-rtu", "--confirm",
              "calibration.start", "0"], 2, r"calibration\.start: argument 'group': .*0",
         untouched=True),
    Case(14, ["command", "--port", "{silent}", "--protocol", "servomex-modbus-rtu",
              "calibration.status", "abc"], 2, r"argument 'group': .*abc", untouched=True),
    Case(14, ["command", "--port", "{silent}", "--protocol", "servomex-modbus-rtu",
              "calibration.status"], 2, r"argument 'group' \(integer\) is required",
         untouched=True),
    Case(14, ["command", "--port", "{silent}", "--protocol", "servomex-modbus-rtu",
              "calibration.status", "1", "2"], 2, r"takes 1 argument\(s\), not 2",
         untouched=True),
    Case(14, ["command", "--port", "{silent}", "--protocol", "servomex-continuous",
              "calibration.start", "1", "--confirm"], 2,
         r"servomex-continuous declares no command 'calibration\.start'", untouched=True),
    Case(14, ["command", "--port", "{silent}", "--protocol", "alicat", "--confirm",
              "setpoint.set", "lots"], 2, r"setpoint\.set: argument 'value': .*lots",
         untouched=True),
    Case(14, ["command", "--protocol", "alicat"], 2, r"a command NAME \(or --list\) is required"),
]


def sha(path):
    if os.path.islink(path):
        return "link:" + os.readlink(path)
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def snapshot(root):
    """{relative path: (sha, mode)} of every file and link under root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            p = os.path.join(dirpath, n)
            out[os.path.relpath(p, root)] = (sha(p), os.lstat(p).st_mode)
    return out


class Sandbox:
    """The directories and ports the cases use; removed at the end."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="anyserial-contract-")
        self.outside = os.path.join(self.root, "outside")
        self.tmpdir = os.path.join(self.root, "tmp")
        self.dir = os.path.join(self.root, "a-directory")
        for d in (self.tmpdir, self.dir):
            os.mkdir(d)
        self.reset_outside()
        # A silent port: a pty whose master is held open and never written.
        self.master, self.follower = pty.openpty()
        os.set_blocking(self.master, False)
        tty.setraw(self.follower)  # bytes pass as they are, none echoed back
        self.silent = os.ttyname(self.follower)
        self.missing = os.path.join(self.root, "no-such-port")

    def reset_outside(self):
        """Fresh sentinels for each case, so one case's damage cannot hide another's."""
        shutil.rmtree(self.outside, ignore_errors=True)
        os.mkdir(self.outside)
        # Sentinels: a previous recording, a symlink's target, a foreign SQLite database.
        with open(os.path.join(self.outside, "run1.csv"), "w") as f:
            f.write("previous,recording\n1,2\n")
        with open(os.path.join(self.outside, "run1.jsonl"), "w") as f:
            f.write('{"previous": "recording"}\n')
        with open(os.path.join(self.outside, "tap.log"), "w") as f:
            f.write("an earlier tap log\n")
        with open(os.path.join(self.outside, "target.txt"), "w") as f:
            f.write("a file a symlink points at\n")
        os.symlink(os.path.join(self.outside, "target.txt"),
                   os.path.join(self.outside, "link.csv"))
        con = sqlite3.connect(os.path.join(self.outside, "foreign.db"))
        con.execute("CREATE TABLE t (x)")
        con.commit()
        con.close()

    def drain_silent(self):
        """Everything written to {silent} so far (its controller side, non-blocking)."""
        got = b""
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except (BlockingIOError, OSError):
                return got
            if not chunk:
                return got
            got += chunk

    def close(self):
        os.close(self.master)
        os.close(self.follower)
        shutil.rmtree(self.root, ignore_errors=True)

    def words(self, scratch):
        return {"scratch": scratch, "outside": self.outside, "silent": self.silent,
                "missing": self.missing, "dir": self.dir, "plugins": PLUGINS}


def expand(text, words):
    return text.format(**words)


def run_case(test, box, case, index):
    scratch = os.path.join(box.root, f"case-{index}")
    os.mkdir(scratch)
    words = box.words(scratch)
    argv = [CLI]
    if PLUGINS:
        argv += ["--plugin-dir", PLUGINS]
    argv += [expand(a, words) for a in case.argv]
    env = dict(os.environ, TMPDIR=box.tmpdir, HOME=scratch)
    box.reset_outside()
    box.drain_silent()  # what earlier cases sent is not this case's
    before = snapshot(box.outside)
    started = time.monotonic()
    try:
        p = subprocess.run(argv, cwd=scratch, env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=GUARD_S)
    except subprocess.TimeoutExpired:
        for n in os.listdir(box.tmpdir):
            shutil.rmtree(os.path.join(box.tmpdir, n), ignore_errors=True)
        test.fail(f"{case.name()}: still running after {GUARD_S} s (killed)")
    elapsed = time.monotonic() - started
    left = os.listdir(box.tmpdir)
    for n in left:  # the next case starts clean either way
        shutil.rmtree(os.path.join(box.tmpdir, n), ignore_errors=True)
    text = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
    what = f"{case.name()}\n  exit {p.returncode} after {elapsed:.2f} s\n  output: {text!r}"
    print(f"[{elapsed:6.2f} s] exit {p.returncode}  {case.name()}", file=sys.stderr)
    test.assertEqual(p.returncode, case.code, what)
    if case.regex:
        test.assertRegex(text, re.compile(expand(case.regex, words), re.S), what)
    if case.not_regex:
        test.assertNotRegex(text, re.compile(expand(case.not_regex, words), re.S), what)
    for a in case.absent:
        test.assertFalse(os.path.lexists(expand(a, words)), f"{a} exists: {what}")
    if case.untouched:
        test.assertEqual(box.drain_silent(), b"", f"bytes written to the port: {what}")
    after = snapshot(box.outside)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    test.assertEqual(changed, [], f"changed outside the scratch directory: {what}")
    test.assertEqual(left, [], f"left behind in TMPDIR: {what}")


class CliContract(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.box = Sandbox()

    @classmethod
    def tearDownClass(cls):
        cls.box.close()

    def replay(self, cases, offset):
        for i, case in enumerate(cases):
            with self.subTest(case=case.name()):
                run_case(self, self.box, case, offset + i)

    def test_issue_12_commands(self):
        self.replay(CASES, 0)

    def test_issue_12_file_commands(self):
        self.replay(FILES, 1000)

    def test_issue_14_device_commands(self):
        self.replay(DEVICES, 2000)


class LineLost(unittest.TestCase):
    """Item 14: a verb that loses its line says which port and why, once. The line is a pty
    whose master this script closes once the verb printed its banner (its readiness)."""

    def lose_the_line(self, *args):
        master, follower = pty.openpty()
        port = os.ttyname(follower)
        scratch = tempfile.mkdtemp(prefix="anyserial-contract-lost-")
        argv = [CLI] + (["--plugin-dir", PLUGINS] if PLUGINS else [])
        argv += [a.format(port=port, scratch=scratch) for a in args]
        proc = subprocess.Popen(argv, cwd=scratch, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            banner = b""
            deadline = time.monotonic() + GUARD_S
            while b"\n" not in banner:  # the banner is the first line on stderr
                chunk = proc.stderr.read1(4096) if time.monotonic() < deadline else b""
                if not chunk:
                    self.fail(f"no banner from {args[0]}: {banner!r}")
                banner += chunk
            os.close(follower)
            os.close(master)  # the line is gone
            out, err = proc.communicate(timeout=GUARD_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
            shutil.rmtree(scratch, ignore_errors=True)
        return proc.returncode, port, (banner + out + err).decode(errors="replace")

    def test_stream_says_why_it_ended(self):
        code, port, text = self.lose_the_line("stream", "--port", "{port}", "--protocol",
                                              "continuous")
        self.assertEqual(code, 1, text)
        self.assertRegex(text, rf"anyserial stream: ended: lost the connection to {port}", text)
        self.assertNotRegex(text, r"ended: analyser closed\s*$", text)

    def test_record_says_why_it_failed_once(self):
        code, port, text = self.lose_the_line(
            "record", "--port", "{port}", "--protocol", "modbus-rtu", "--timeout", "0.05",
            "--rate", "10", "--sink", "csv:{scratch}/run.csv")
        self.assertEqual(code, 1, text)
        self.assertRegex(text, rf"poll failed: .*{port}", text)
        self.assertNotRegex(text, r"connection error: connection error", text)
        self.assertNotRegex(text, r"record: record:", text)


class SimulatedDevice(unittest.TestCase):
    """Issue 14, end to end on `anyserial simulate`: a command refused for want of --confirm
    reaches no simulator (its request counter, printed when it ends, stays 0); confirmed, it
    runs and reads back. Readiness is the simulator's banner line, never a sleep."""

    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix="anyserial-contract-sim-")
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def argv(self, *args):
        return [CLI] + (["--plugin-dir", PLUGINS] if PLUGINS else []) + list(args)

    def simulate(self, *args):
        link = os.path.join(self.scratch, f"sim{len(self.procs)}")
        proc = subprocess.Popen(self.argv("simulate", "--link", link, *args),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        self.procs.append(proc)
        banner = proc.stdout.readline().decode(errors="replace")  # its readiness
        self.assertIn("simulating", banner, proc.stderr.read1(4096) if not banner else banner)
        return proc, link

    def requests_seen(self, proc):
        """Ends the simulator (SIGINT) and returns the requests it counted."""
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=GUARD_S)
        m = re.search(r"simulate: (\d+) requests", err.decode(errors="replace"))
        self.assertIsNotNone(m, err)
        return int(m.group(1))

    def cli(self, *args):
        p = subprocess.run(self.argv(*args), stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=GUARD_S)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")

    def test_unconfirmed_command_sends_nothing(self):
        for proto, cmd in (("servomex-modbus-rtu", ["calibration.start", "2"]),
                           ("alicat", ["setpoint.set", "20"])):
            with self.subTest(protocol=proto):
                proc, link = self.simulate("--protocol", proto)
                code, out, err = self.cli("command", "--port", link, "--protocol", proto, *cmd)
                self.assertEqual(code, 2, out + err)
                self.assertRegex(err, r"pass --confirm")
                self.assertEqual(self.requests_seen(proc), 0, err)

    def test_confirmed_calibration_runs_and_reads_back(self):
        proc, link = self.simulate("--protocol", "servomex-4100:modbus-rtu", "--address", "7")
        code, out, err = self.cli("calibrate", "start", "--port", link, "--protocol",
                                  "servomex-modbus-rtu", "--address", "7", "--group", "2",
                                  "--confirm", "--json")
        self.assertEqual(code, 0, out + err)
        doc = json.loads(out)
        self.assertEqual(doc["address"], "7")
        status = doc["results"][-1]
        self.assertEqual(status["command"], "calibration.status")
        fields = {f["id"]: f["value"] for f in status["fields"]}
        self.assertEqual(fields["group"], 2, out)
        self.assertEqual(fields["active"], 1, out)
        self.assertGreater(self.requests_seen(proc), 0)

    def test_read_table_lines_up_device_names_in_utf8(self):
        proc, link = self.simulate("--protocol", "servomex-modbus-rtu")
        code, out, err = self.cli("read", "--port", link, "--protocol", "servomex-modbus-rtu")
        self.assertEqual(code, 0, out + err)
        lines = out.splitlines()
        head = next(line for line in lines if line.startswith("CHANNEL"))
        co2 = next(line for line in lines if line.startswith("I3 "))
        self.assertIn("CO\u2082", co2)  # the device's own name, subscript included
        self.assertEqual(co2.index("0.250"), head.index("VALUE"), out)  # in characters
        self.requests_seen(proc)

    def test_alicat_setpoint_reads_back_and_read_json_names_channels(self):
        proc, link = self.simulate("--protocol", "alicat", "--address", "b")
        code, out, err = self.cli("command", "--port", link, "--protocol", "alicat", "--address",
                                  "B", "--confirm", "setpoint.set", "20")
        self.assertEqual(code, 0, out + err)
        code, out, err = self.cli("command", "--port", link, "--protocol", "alicat", "--address",
                                  "B", "setpoint.get", "--json")
        self.assertEqual(code, 0, out + err)
        fields = {f["id"]: f["value"] for f in json.loads(out)["results"][0]["fields"]}
        self.assertAlmostEqual(fields["setpoint"], 20.0, msg=out)
        code, out, err = self.cli("read", "--port", link, "--protocol", "alicat", "--address",
                                  "B", "--json")
        self.assertEqual(code, 0, out + err)
        doc = json.loads(out)
        self.assertEqual(doc["protocol"], "alicat")
        self.assertEqual(doc["address"], "B")
        by_id = {r["channel"]: r for r in doc["readings"]}
        self.assertIn("mass_flow", by_id, out)
        self.assertTrue(by_id["mass_flow"]["name"], out)  # the name the device prints
        self.assertTrue(by_id["mass_flow"]["unit"], out)  # the unit from its frame format
        self.assertIsInstance(by_id["mass_flow"]["flags"], list)
        self.assertTrue(any(r["text"] for r in doc["readings"]), out)  # the gas column
        self.requests_seen(proc)

    def test_alicat_streams_and_records_into_sqlite(self):
        proc, link = self.simulate("--protocol", "alicat")
        code, out, err = self.cli("stream", "--port", link, "--protocol", "alicat", "--rate",
                                  "20", "--duration", "0.3", "--json")
        self.assertEqual(code, 0, out + err)
        rows = [json.loads(line) for line in out.splitlines()]
        self.assertTrue(rows, err)
        self.assertEqual({r["protocol"] for r in rows}, {"alicat"})
        self.assertIn("mass_flow", {r["channel"] for r in rows})
        db = os.path.join(self.scratch, "alicat.db")
        code, out, err = self.cli("record", "--port", link, "--protocol", "alicat", "--rate",
                                  "20", "--duration", "0.3", "--sink", f"sqlite:{db}")
        self.assertEqual(code, 0, out + err)
        con = sqlite3.connect(db)
        try:
            names = {row[0]: row[1] for row in con.execute(
                "SELECT DISTINCT channel, unit FROM samples WHERE error IS NULL OR error = ''")}
        finally:
            con.close()
        self.assertIn("mass_flow", names, names)
        self.assertTrue(names["mass_flow"], names)  # its unit, from the device
        self.requests_seen(proc)


if __name__ == "__main__":
    unittest.main()
