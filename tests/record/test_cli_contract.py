#!/usr/bin/env python3
"""Issue 12 through the CLI, on kernel ptys: nothing destroyed, nothing runaway.

* a failed run leaves every existing file as it was; an existing file is appended to when it
  has the same columns, refused (exit 2) otherwise unless --overwrite; a symlink is refused
  unless --follow-symlinks; a foreign SQLite database is refused unchanged (record, diag tap);
* `simulate --link` replaces only a dangling link and removes only its own;
* `record --buffer`, `simulate --interval` and `demo --seconds` are bounded (exit 2);
* `decode` names a read failure, bounds a line, decodes a last frame without its CR LF;
* `record` of a broadcaster without --rate records every frame; its failure summary and
  --json count the rows written;
* `demo` checks its options before it starts and leaves no temporary directory behind
  unless it completed.

Every run's working directory and TMPDIR are inside the test's temporary directory; the
tests check that the files they did not ask to change are byte for byte what they were.
Readiness is a process's output (a pty for live lines), never a sleep.
Environment: ANYSERIAL_CLI, ANYSERIAL_PLUGIN_DIR.
"""

import glob
import json
import os
import pty
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import termios
import tty
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli_record as done_when  # noqa: E402  (a module: its tests are not collected here)
from test_cli_record import (CONT, GUARD_S, RTU, Lines, Simulator, cli, read_line,  # noqa: E402
                             read_rows, ticks_of)

COLUMNS = ("device,channel,kind,name,value,text,unit,flags,ok,severity,protocol,monotonic_ns,"
           "received_at,requested_at,latency_s,error").split(",")
CSV_HEADER = ",".join(COLUMNS) + "\r\n"


def snapshot(root):
    """{relative path: ("link", target) | ("file", bytes) | ("dir",)} of everything under
    root: what the tests compare to say that nothing changed."""
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                out[rel] = ("link", os.readlink(p))
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    out[rel] = ("file", f.read())
            else:
                out[rel] = ("dir",)
    return out


# Runs a command from a fresh Python whose only child it is, feeding its stdin MIB MiB of
# "x" then TAIL (hex), and prints {"rc", "out", "err", "maxrss_kib"}: the command's own
# peak RSS (RUSAGE_CHILDREN of that Python), whatever this test's other children used.
PEAK_RSS = r"""
import json, os, resource, subprocess, sys
mib, tail, cmd = int(sys.argv[1]), bytes.fromhex(sys.argv[2]), sys.argv[3:]
r, w = os.pipe()
p = subprocess.Popen(cmd, stdin=r, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(r)
try:
    chunk = b"x" * (1 << 20)
    for _ in range(mib):
        os.write(w, chunk)
    os.write(w, tail)
except BrokenPipeError:
    pass
os.close(w)
out, err = p.communicate()
print(json.dumps({"rc": p.returncode, "out": out.decode(errors="replace"),
                  "err": err.decode(errors="replace"),
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def peak_rss(args, cwd, env, mib=0, tail=b""):
    r = subprocess.run([sys.executable, "-c", PEAK_RSS, str(mib), tail.hex()] + cli(*args),
                       capture_output=True, text=True, timeout=GUARD_S, cwd=cwd, env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


class PtyOut:
    """A pty as a child's stdout: the live progress lines only a terminal gets."""

    def __init__(self):
        self.master, self.follower = pty.openpty()
        tty.setraw(self.follower)
        self.text = ""

    def started(self):
        os.close(self.follower)

    def wait_for(self, pattern):
        """Reads until `pattern` (a regex) matches what was printed; returns the match."""
        while True:
            m = re.search(pattern, self.text)
            if m:
                return m
            ready, _, _ = select.select([self.master], [], [], GUARD_S)
            if not ready:
                raise AssertionError(f"no {pattern!r} within {GUARD_S} s: {self.text[-300:]!r}")
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the child is gone
                chunk = b""
            if not chunk:
                raise AssertionError(f"output ended without {pattern!r}: {self.text[-300:]!r}")
            self.text += chunk.decode(errors="replace")

    def rest(self):
        """Everything until the child closed the pty."""
        while True:
            ready, _, _ = select.select([self.master], [], [], GUARD_S)
            if not ready:
                raise AssertionError("the pty stayed open")
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                os.close(self.master)
                return self.text
            self.text += chunk.decode(errors="replace")


class Contract(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="anyserial-i12-")
        self.tmpdir = os.path.join(self.tmp, "TMPDIR")  # the CLI's temporary files go here
        os.mkdir(self.tmpdir)
        self.env = dict(os.environ, TMPDIR=self.tmpdir)
        self.sims = []
        self.demo_dirs = set(glob.glob("/tmp/anyserial-demo-*"))

    def tearDown(self):
        for s in self.sims:
            s.stop()
        # Nothing of ours outside the test's directory: the demo honours TMPDIR.
        self.assertEqual(set(glob.glob("/tmp/anyserial-demo-*")) - self.demo_dirs, set())
        shutil.rmtree(self.tmp)

    def sim(self, protocol, name, *extra):
        s = Simulator(self.tmp, protocol, name, *extra)
        self.sims.append(s)
        return s

    def run_cli(self, *args):
        return subprocess.run(cli(*args), capture_output=True, text=True, timeout=GUARD_S,
                              cwd=self.tmp, env=self.env)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, data):
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return p

    def prior_recordings(self):
        """An earlier recording in each sink format: {kind: path}."""
        row = {c: None for c in COLUMNS}
        row.update(device="earlier", channel="I1", value=20.5, monotonic_ns=1)
        paths = {
            "csv": self.write("prior.csv", CSV_HEADER + "earlier,I1,,,20.5" + "," * 16 + "\r\n"),
            "jsonl": self.write("prior.jsonl", json.dumps(row) + "\n"),
            "sqlite": self.path("prior.sqlite"),
        }
        con = sqlite3.connect(paths["sqlite"])
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE samples (" + ", ".join(COLUMNS) + ")")
        con.execute("INSERT INTO samples (device, channel, value) VALUES ('earlier', 'I1', 20.5)")
        con.commit()
        con.close()
        return paths


class OutputFiles(Contract):

    def test_a_run_that_cannot_open_its_port_leaves_every_file_as_it_was(self):
        paths = self.prior_recordings()
        log = self.write("prior.log", "# anyserial diag tap /dev/ttyX 19200 baud\n"
                                      "2024-05-01T12:00:00.123456Z 20 30  | 0|\n")
        before = snapshot(self.tmp)
        port = self.path("no-such-port")
        for kind, path in paths.items():
            with self.subTest(kind=kind):
                r = self.run_cli("record", "--port", port, "--protocol", RTU,
                                 "--duration", "1", "--sink", f"{kind}:{path}")
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn("no-such-port", r.stderr)
        r = self.run_cli("diag", "tap", "--port", port, "--duration", "1", "--output", log)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(snapshot(self.tmp), before)

    def test_a_recording_is_appended_to_a_file_with_the_same_columns(self):
        sim = self.sim(RTU, "append")
        paths = self.prior_recordings()
        for kind, path in paths.items():
            with self.subTest(kind=kind):
                r = self.run_cli("record", "--port", sim.link, "--protocol", RTU,
                                 "--rate", "4", "--duration", "0.5", "--sink", f"{kind}:{path}")
                self.assertEqual(r.returncode, 0, r.stderr)
                rows = read_rows(kind, path)
                self.assertEqual(rows[0]["device"], "earlier")  # the earlier rows stay first
                self.assertEqual(len(ticks_of(rows[1:])), 2)    # then this run's 2 ticks
        with open(paths["csv"], newline="") as f:
            self.assertEqual(f.read().count(CSV_HEADER), 1)

    def test_other_content_is_refused_unless_overwrite(self):
        sim = self.sim(RTU, "other")
        other = {"csv": self.write("other.csv", "name,age\r\nbob,3\r\n"),
                 "jsonl": self.write("other.jsonl", '{"name": "bob"}\n'),
                 "sqlite": self.write("other.sqlite", "name,age\nbob,3\n")}
        before = snapshot(self.tmp)
        for kind, path in other.items():
            with self.subTest(kind=kind):
                r = self.run_cli("record", "--port", sim.link, "--protocol", RTU,
                                 "--duration", "1", "--sink", f"{kind}:{path}")
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(path, r.stderr)
                self.assertIn("refusing", r.stderr)
        self.assertEqual(snapshot(self.tmp), before)
        self.assertIn("simulate: 0 requests", sim.stop())  # refused before the port opened
        sim2 = self.sim(RTU, "other2")
        for kind in ("csv", "jsonl"):
            with self.subTest(kind=kind, overwrite=True):
                r = self.run_cli("record", "--port", sim2.link, "--protocol", RTU,
                                 "--rate", "4", "--duration", "0.5", "--overwrite", "--sink",
                                 f"{kind}:{other[kind]}")
                self.assertEqual(r.returncode, 0, r.stderr)
                rows = read_rows(kind, other[kind])
                self.assertEqual(len(ticks_of(rows)), 2)
                self.assertNotIn("bob", str(rows))

    def test_a_symlink_is_refused_unless_followed(self):
        sim = self.sim(RTU, "links")
        target = self.write("target.txt", "keep me\n")
        link = self.path("link.out")
        os.symlink(target, link)
        before = snapshot(self.tmp)
        for kind in ("csv", "jsonl", "sqlite"):
            with self.subTest(kind=kind):
                r = self.run_cli("record", "--port", sim.link, "--protocol", RTU,
                                 "--duration", "1", "--sink", f"{kind}:{link}")
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("symbolic link", r.stderr)
        r = self.run_cli("diag", "tap", "--port", sim.link, "--duration", "0.2", "--output", link)
        self.assertEqual(r.returncode, 2, r.stderr)
        r = self.run_cli("demo", "--seconds", "0.5", "--sink", f"csv:{link}")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(snapshot(self.tmp), before)

        os.truncate(target, 0)
        r = self.run_cli("record", "--port", sim.link, "--protocol", RTU, "--rate", "4",
                         "--duration", "0.5", "--follow-symlinks", "--sink", f"csv:{link}")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.islink(link))
        self.assertEqual(len(ticks_of(read_rows("csv", target))), 2)

    def test_diag_tap_appends_to_a_tap_log_and_refuses_other_files(self):
        sim = self.sim(CONT, "tap", "--interval", "0.05")
        log = self.path("tap.log")
        for _ in range(2):
            r = self.run_cli("diag", "tap", "--port", sim.link, "--duration", "0.3",
                             "--output", log)
            self.assertEqual(r.returncode, 0, r.stderr)
        with open(log) as f:
            text = f.read()
        self.assertEqual(text.count("# anyserial diag tap"), 2)
        notes = self.write("notes.txt", "my notes\n")
        r = self.run_cli("diag", "tap", "--port", sim.link, "--duration", "0.3", "--output",
                         notes)
        self.assertEqual(r.returncode, 2, r.stderr)
        with open(notes) as f:
            self.assertEqual(f.read(), "my notes\n")

    def test_a_foreign_sqlite_database_keeps_its_journal_mode_and_bytes(self):
        sim = self.sim(RTU, "foreign")
        db = self.path("foreign.db")
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE samples (id INTEGER, payload TEXT)")
        con.execute("INSERT INTO samples VALUES (1, 'x')")
        con.commit()
        con.close()
        before = snapshot(self.tmp)
        r = self.run_cli("record", "--port", sim.link, "--protocol", RTU, "--duration",
                         "1", "--sink", f"sqlite:{db}")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("other columns", r.stderr)
        self.assertEqual(snapshot(self.tmp), before)  # no -wal, no -shm either
        con = sqlite3.connect(db)
        self.assertEqual(con.execute("PRAGMA journal_mode").fetchone()[0], "delete")
        con.close()


class SimulateLink(Contract):

    def refused(self, link):
        r = self.run_cli("simulate", "--protocol", RTU, "--link", link)
        self.assertIn(r.returncode, (1, 2), r.stderr)
        self.assertIn("refusing to replace it", r.stderr)

    def test_a_live_or_foreign_link_is_never_replaced_nor_removed(self):
        live = self.sim(RTU, "live")
        target = self.write("system.conf", "important\n")
        foreign = self.path("foreign-link")
        os.symlink(target, foreign)
        before = snapshot(self.tmp)
        self.refused(live.link)  # another simulator's link, its pty alive
        self.refused(foreign)    # any other link whose target exists
        self.assertEqual(snapshot(self.tmp), before)
        r = self.run_cli("read", "--port", live.link, "--protocol", RTU, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)  # the first simulator still answers

    def test_a_dangling_link_is_replaced_and_its_own_link_removed_on_exit(self):
        link = self.path("stale")
        os.symlink("/dev/pts/anyserial-gone", link)
        sim = self.sim(RTU, "stale")
        self.assertTrue(os.readlink(link).startswith("/dev/pts/"), os.readlink(link))
        sim.stop()
        self.assertFalse(os.path.lexists(link))


class Bounds(Contract):

    def test_record_buffer_is_bounded(self):
        sink = self.path("never.csv")
        for value in ("0", "-1", "1000001", "4294967295", "1000000000"):
            with self.subTest(buffer=value):
                r = self.run_cli("record", "--port", "/dev/null", "--buffer", value, "--sink",
                                 f"csv:{sink}")
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("--buffer", r.stderr)
        # The bound itself is accepted: the port then fails (/dev/null is no serial port, a
        # configuration the serial layer refuses: exit 2 as in `read`), not the option.
        r = self.run_cli("record", "--port", "/dev/null", "--protocol", "servomex-4100:auto",
                         "--buffer", "1000000", "--sink", f"csv:{sink}")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("not a terminal device", r.stderr)
        self.assertNotIn("--buffer", r.stderr)
        self.assertFalse(os.path.exists(sink))

    def test_record_buffer_is_allocated_as_ticks_wait(self):
        sim = self.sim(RTU, "buffer")
        peak = {}
        for buffer in ("1", "1000000"):
            r = peak_rss(["record", "--port", sim.link, "--protocol", RTU, "--rate", "4",
                          "--duration", "0.5", "--buffer", buffer, "--sink",
                          f"csv:{self.path('b' + buffer + '.csv')}"], self.tmp, self.env)
            self.assertEqual(r["rc"], 0, r["err"])
            peak[buffer] = r["maxrss_kib"]
        # A million empty slots allocated up front are 24 MiB; queued as they come, nothing.
        self.assertLess(peak["1000000"] - peak["1"], 12 << 10)

    def test_simulate_interval_is_finite_and_bounded(self):
        for value in ("nan", "inf", "1e300", "-1", "86401"):
            with self.subTest(interval=value):
                r = self.run_cli("simulate", "--protocol", CONT, "--link",
                                 self.path("never"), "--interval", value)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("--interval", r.stderr)
                self.assertFalse(os.path.lexists(self.path("never")))

    def test_demo_checks_its_options_before_it_starts(self):
        other = self.write("other.csv", "name,age\r\nbob,3\r\n")
        before = snapshot(self.tmp)
        for args in (["--seconds", "inf"], ["--seconds", "nan"], ["--seconds", "1e300"],
                     ["--seconds", "0"], ["--sink", "bogus"], ["--sink", f"csv:{other}"]):
            with self.subTest(args=args):
                r = self.run_cli("demo", *args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertNotIn("simulated device", r.stdout)  # nothing started
                self.assertEqual(snapshot(self.tmp), before)  # no temporary directory either

    def test_an_interrupted_demo_leaves_no_temporary_directory(self):
        proc = subprocess.Popen(cli("demo", "--seconds", "60"), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=self.tmp, env=self.env)
        try:
            out = Lines(proc.stdout, "demo")
            self.assertIn("simulated device", out.next())
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=GUARD_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 130, err.decode())
        self.assertEqual(os.listdir(self.tmpdir), [])

    def test_a_completed_demo_keeps_its_recording_in_tmpdir(self):
        r = self.run_cli("demo", "--seconds", "0.5")
        self.assertEqual(r.returncode, 0, r.stderr)
        csv_path = r.stdout.strip().splitlines()[-1].split("into csv:", 1)[1]
        self.assertTrue(csv_path.startswith(self.tmpdir + "/anyserial-demo-"), csv_path)
        self.assertEqual(len(ticks_of(read_rows("csv", csv_path))), 1)


class ScriptsDemo(Contract):

    def test_scripts_demo_says_what_it_is_doing_on_stderr(self):
        """scripts/demo in a copy of the tree whose setup and build are stand-ins that
        print what the real ones do: each step and the build's progress go to stderr, the
        demo's own output alone to stdout."""
        root = self.path("tree")
        os.makedirs(os.path.join(root, "scripts"))
        os.makedirs(os.path.join(root, "build", "bin"))
        here = os.path.dirname(os.path.abspath(__file__))
        shutil.copy(os.path.join(here, "..", "..", "scripts", "demo"),
                    os.path.join(root, "scripts", "demo"))
        stand_ins = {
            "setup": 'echo "setup: installing libfoo-dev"\n',
            "build": 'echo "-- Configuring done"\necho "[ 42%] Building CXX object core/x.o"\n'
                     'echo "[ 43%] Built target x"\n',
        }
        for name, body in stand_ins.items():
            p = os.path.join(root, "scripts", name)
            with open(p, "w") as f:
                f.write("#!/usr/bin/env bash\n" + body)
            os.chmod(p, 0o755)
        cli_args = cli()  # the real CLI (with --plugin-dir) stands in for the built one
        launcher = os.path.join(root, "build", "bin", "anyserial")
        with open(launcher, "w") as f:
            f.write("#!/usr/bin/env bash\nexec " + " ".join(f"'{a}'" for a in cli_args) +
                    ' "$@"\n')
        os.chmod(launcher, 0o755)
        r = subprocess.run([os.path.join(root, "scripts", "demo"), "--seconds", "0.5"],
                           capture_output=True, text=True, timeout=GUARD_S, cwd=self.tmp,
                           env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        err = r.stderr.splitlines()
        self.assertIn("setup: installing libfoo-dev", err)
        self.assertIn("demo:   [ 42%] Building CXX object core/x.o", err)
        self.assertTrue(any(line.startswith("demo: building anyserial") for line in err), err)
        self.assertTrue(r.stdout.startswith("simulated device"), r.stdout)
        self.assertNotIn("setup:", r.stdout)
        self.assertNotIn("%]", r.stdout)
        with open(os.path.join(root, "build", "demo-build.log")) as f:
            self.assertIn("[ 43%] Built target x", f.read())


class Decode(Contract):

    def one_frame(self):
        """One whole broadcast frame of the continuous simulator, CR LF included."""
        sim = self.sim(CONT, "frames", "--interval", "0.05")
        fd = os.open(os.path.realpath(sim.link), os.O_RDWR | os.O_NOCTTY)
        try:
            tty.setraw(fd)
            termios.tcflush(fd, termios.TCIFLUSH)
            buf = b""
            while buf.count(b"\r\n") < 2:  # the first piece may be the tail of a frame
                ready, _, _ = select.select([fd], [], [], GUARD_S)
                self.assertTrue(ready, "the simulator sent nothing")
                buf += os.read(fd, 4096)
        finally:
            os.close(fd)
        return buf.split(b"\r\n")[1] + b"\r\n"

    def test_a_read_failure_is_an_error_with_its_cause(self):
        r = self.run_cli("decode", self.tmp)  # a directory: EISDIR
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("Is a directory", r.stderr)
        self.assertNotIn("frame(s)", r.stdout)

    def test_a_last_frame_without_its_terminator_is_decoded(self):
        frame = self.one_frame()
        path = self.write("cut.raw", frame + frame.rstrip(b"\r\n"))
        r = self.run_cli("decode", "--json", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        frames = [json.loads(line) for line in r.stdout.splitlines()]
        self.assertEqual([f["ok"] for f in frames], [True, True])

    def test_an_over_long_line_is_a_bad_frame_and_memory_stays_bounded(self):
        frame = self.one_frame()
        small = peak_rss(["decode", "--json", "-"], self.tmp, self.env, 0, frame)
        self.assertEqual(small["rc"], 0, small["err"])
        # A 200 MiB line, then a frame: held whole, the line alone would take 200 MiB.
        big = peak_rss(["decode", "--json", "-"], self.tmp, self.env, 200, b"\n" + frame)
        self.assertEqual(big["rc"], 1, big["err"])
        frames = [json.loads(line) for line in big["out"].splitlines()]
        self.assertEqual(len(frames), 2, big["out"][:300])
        self.assertFalse(frames[0]["ok"])
        self.assertIn("longer than 65536 bytes", frames[0]["error"])
        self.assertTrue(frames[1]["ok"])
        self.assertLess(big["maxrss_kib"] - small["maxrss_kib"], 64 << 10)


class RecordRows(Contract):

    def test_a_broadcaster_without_rate_is_recorded_frame_by_frame(self):
        sim = self.sim(CONT, "bc", "--interval", "0.05")
        master, follower, link = done_when.RecordDoneWhen.relay_pty(self)
        path = self.path("bc.csv")
        out = PtyOut()
        proc = subprocess.Popen(
            cli("record", "--port", link, "--protocol", CONT, "--sink", f"csv:{path}"),
            stdout=out.follower, stderr=subprocess.PIPE, cwd=self.tmp, env=self.env)
        out.started()
        try:
            self.assertIn("every frame", read_line(proc.stderr, "record"))
            relayed = done_when.RecordDoneWhen.relay_frames(self, sim, master, 10)
            out.wait_for(rf"recording: {relayed} frames")
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=GUARD_S)
            self.assertEqual(proc.returncode, 0, err.decode())
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
            os.close(master)
            os.close(follower)
        self.assertEqual(len(ticks_of(read_rows("csv", path))), relayed)
        self.assertIn(f"recorded {relayed} frames", out.rest())
        # Sampled when asked: --rate polls the latest frame on its schedule.
        r = self.run_cli("record", "--port", sim.link, "--protocol", CONT, "--rate", "4",
                         "--duration", "0.5", "--json", "--sink", f"jsonl:{self.path('s.jsonl')}")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout.splitlines()[-1])["summary"]["samples_emitted"], 2)
        self.assertIn("frame by frame", self.run_cli("record", "--help").stdout)

    def test_the_failure_summary_counts_the_rows_written(self):
        sim = self.sim(RTU, "dies")
        path = self.path("dies.csv")
        out = PtyOut()
        proc = subprocess.Popen(
            cli("record", "--port", sim.link, "--protocol", RTU, "--rate", "20",
                "--sink", f"csv:{path}"),
            stdout=out.follower, stderr=subprocess.PIPE, cwd=self.tmp, env=self.env)
        out.started()
        try:
            out.wait_for(r"emitted ([3-9]|\d\d+),")
            sim.proc.kill()  # the line goes: the recording fails
            _, err = proc.communicate(timeout=GUARD_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 1, err.decode())
        m = re.search(r"into csv:\S+ \((\d+) rows\)", out.rest())
        self.assertIsNotNone(m, out.text)
        written = len(read_rows("csv", path))
        self.assertGreater(written, 0)
        self.assertEqual(int(m.group(1)), written)

    def test_the_json_summary_has_the_row_count(self):
        sim = self.sim(RTU, "json")
        path = self.path("rows.jsonl")
        r = self.run_cli("record", "--port", sim.link, "--protocol", RTU, "--rate", "4",
                         "--duration", "0.5", "--json", "--sink", f"jsonl:{path}")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout.splitlines()[-1])
        self.assertEqual(doc["rows"], len(read_rows("jsonl", path)))
        self.assertGreater(doc["rows"], 0)


if __name__ == "__main__":
    unittest.main()
