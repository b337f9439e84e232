#!/usr/bin/env python3
"""The issue's "Done when", end to end through the CLI, against `anyserial simulate` on
kernel ptys:

* `anyserial record` at 2 Hz for 5 s against a simulated Modbus RTU analyser writes 10
  ticks, none late, with I1 = 20.376 in every tick -- into SQLite, CSV and JSONL;
* a passive continuous stream captures every broadcast frame (the simulator's frames are
  relayed by this script onto a second pty, counted exactly, and compared);
* `diag tap` writes a log that `decode` reads back; SIGINT ends a recording with every
  acquired tick in the sink; `demo` records into a file and says where; a manager of two
  ports records both.

Readiness is always a process's first line (stdout of simulate, stderr of record/stream/
tap), never a sleep. Environment: ANYSERIAL_CLI, ANYSERIAL_PLUGIN_DIR.
"""

import csv
import json
import os
import pty
import re
import select
import signal
import sqlite3
import subprocess
import tempfile
import termios
import time
import tty
import unittest

# The Servomex protocol plugin ids (--protocol and the rows' protocol column).
RTU = "servomex-modbus-rtu"
CONT = "servomex-continuous"

CLI = os.environ.get("ANYSERIAL_CLI", "anyserial")
PLUGINS = os.environ.get("ANYSERIAL_PLUGIN_DIR")
GUARD_S = 30  # a failure guard for hung processes, never a synchronisation


def cli(*args):
    cmd = [CLI]
    if PLUGINS:
        cmd += ["--plugin-dir", PLUGINS]
    return cmd + list(args)


class Lines:
    """Lines of a child's pipe, read with select + os.read (a buffered readline would hide
    lines already read from the next select)."""

    def __init__(self, pipe, what):
        self.fd, self.what, self.buf = pipe.fileno(), what, b""

    def next(self):
        deadline = time.monotonic() + GUARD_S
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.fd], [], [], max(left, 0))
            if not ready:
                raise AssertionError(f"no line from {self.what} within {GUARD_S} s")
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise AssertionError(f"{self.what} ended without a line")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def rest(self):
        """What was read beyond the last line returned."""
        return self.buf


def read_line(pipe, what):
    """The first line of a child's pipe (readiness), or a failure after GUARD_S."""
    return Lines(pipe, what).next()


class Simulator:
    """`anyserial simulate` on a pty, ready once it printed its first line."""

    def __init__(self, tmp, protocol, name, *extra):
        self.link = os.path.join(tmp, name)
        self.proc = subprocess.Popen(
            cli("simulate", "--protocol", protocol, "--link", self.link, *extra),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = read_line(self.proc.stdout, "simulate")
        assert first.startswith("simulating"), first

    def stop(self):
        """SIGTERM; returns the counters line ("simulate: N requests, N replies, N frames")."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=GUARD_S)
        return err.decode()


def ticks_of(rows):
    """{monotonic_ns: {channel: value}} of the sample rows (dicts)."""
    out = {}
    for r in rows:
        out.setdefault(int(r["monotonic_ns"]), {})[r["channel"]] = r
    return out


def demo_ticks(stdout):
    """(recorded, late) from the demo's summary line."""
    m = re.search(r"^summary: (\d+) ticks \((\d+) late,", stdout, re.M)
    if not m:
        raise AssertionError("no summary line in:\n" + stdout)
    return int(m.group(1)), int(m.group(2))


def read_rows(kind, path):
    if kind == "sqlite":
        con = sqlite3.connect(path)
        con.row_factory = sqlite3.Row
        rows = [dict(r) for r in con.execute("SELECT * FROM samples")]
        con.close()
        return rows
    if kind == "csv":
        with open(path, newline="") as f:
            return list(csv.DictReader(f))
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class RecordDoneWhen(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="anyserial-rec-")
        self.sims = []

    def tearDown(self):
        for s in self.sims:
            s.stop()

    def sim(self, protocol, name, *extra):
        s = Simulator(self.tmp, protocol, name, *extra)
        self.sims.append(s)
        return s

    def test_record_modbus_at_2hz_for_5s_into_every_sink(self):
        # One simulator per sink, the three recordings at once (each is 5 s).
        runs = {}
        for kind in ("sqlite", "csv", "jsonl"):
            sim = self.sim(RTU, "mb-" + kind)
            path = os.path.join(self.tmp, "run." + kind)
            proc = subprocess.Popen(
                cli("record", "--port", sim.link, "--protocol", RTU, "--rate", "2",
                    "--duration", "5", "--sink", f"{kind}:{path}", "--json"),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            runs[kind] = (proc, path)
        for kind, (proc, path) in runs.items():
            out, err = proc.communicate(timeout=GUARD_S)
            self.assertEqual(proc.returncode, 0, err.decode())
            doc = json.loads(out.decode().strip().splitlines()[-1])
            self.assertEqual(doc["sink"], f"{kind}:{path}")
            summary = doc["summary"]
            self.assertEqual(summary["samples_emitted"], 10, kind)
            self.assertEqual(summary["samples_late"], 0, kind)
            self.assertEqual(summary["disconnects"], 0)
            self.assertIsNotNone(summary["finished_at"])
            rows = read_rows(kind, path)
            ticks = ticks_of(rows)
            self.assertEqual(len(ticks), 10, kind)
            for ns, channels in ticks.items():
                self.assertIn("I1", channels, f"{kind}: tick {ns} has no I1")
                i1 = channels["I1"]
                # Exactly what the analyser displays, in every sink (not 20.375999...).
                self.assertEqual(float(i1["value"]), 20.376, kind)
                self.assertEqual(i1["protocol"], RTU)
                self.assertIn(i1["error"], (None, ""))
                self.assertEqual(int(i1["ok"]), 1)

    def test_sink_thread_and_realtime_record_every_tick_and_say_what_was_applied(self):
        """--sink-thread writes the same rows as the loop would; --realtime and
        --timer-slack-us are applied (root, as CI runs) or refused with a warning, and the
        recording runs either way; the summary line reports drift max and p99."""
        sim = self.sim(RTU, "mb-rt")
        db = os.path.join(self.tmp, "rt.sqlite")
        r = subprocess.run(
            cli("record", "--port", sim.link, "--protocol", RTU, "--rate", "2",
                "--duration", "3", "--sink", f"sqlite:{db}", "--sink-thread", "--realtime",
                "--timer-slack-us", "5", "--lock-memory"),
            capture_output=True, text=True, timeout=GUARD_S)
        self.assertEqual(r.returncode, 0, r.stderr)
        if os.geteuid() == 0:
            self.assertIn("anyserial record: SCHED_FIFO priority 10", r.stderr)
            self.assertIn("anyserial record: memory locked (mlockall)", r.stderr)
        else:
            self.assertIn("warning: SCHED_FIFO priority 10 not permitted", r.stderr)
        self.assertIn("anyserial record: timer slack 5000 ns", r.stderr)
        self.assertRegex(r.stdout, r"recorded 6 ticks \(0 late, drift max [0-9.]+ ms p99 "
                                   r"[0-9.]+ ms, ")
        ticks = ticks_of(read_rows("sqlite", db))
        self.assertEqual(len(ticks), 6)
        for channels in ticks.values():
            self.assertEqual(float(channels["I1"]["value"]), 20.376)
            self.assertIn(channels["I1"]["error"], (None, ""))

    def test_passive_record_with_a_sink_thread_keeps_every_frame(self):
        path = os.path.join(self.tmp, "passive.jsonl")
        doc, relayed = self.record_relayed_frames("cont-thread", 5, f"jsonl:{path}",
                                                  "--sink-thread")
        self.assertEqual(doc["passive"]["frames"], relayed)
        rows = read_rows("jsonl", path)
        self.assertEqual(len(ticks_of(rows)), relayed)
        self.assertEqual(doc["rows"], len(rows))

    def relay_frames(self, sim, master, count):
        """Copies `count` whole frames from the simulator onto the pty `master`; returns
        count. The listener on the other side gets exactly these frames."""
        src = os.open(os.path.realpath(sim.link), os.O_RDWR | os.O_NOCTTY)
        tty.setraw(src)
        termios.tcflush(src, termios.TCIFLUSH)
        buf, relayed, synced = b"", 0, False
        deadline = time.monotonic() + GUARD_S
        while relayed < count:
            self.assertLess(time.monotonic(), deadline, "the simulator stopped sending")
            ready, _, _ = select.select([src], [], [], GUARD_S)
            self.assertTrue(ready)
            buf += os.read(src, 4096)
            while b"\r\n" in buf and relayed < count:
                frame, buf = buf.split(b"\r\n", 1)
                if not synced:  # the first piece may be the tail of a frame
                    synced = True
                    continue
                os.write(master, frame + b"\r\n")
                relayed += 1
        os.close(src)
        return relayed

    def relay_pty(self):
        """A raw pty pair and a link to its follower: what the CLI under test listens on."""
        master, follower = pty.openpty()
        tty.setraw(follower)
        link = os.path.join(self.tmp, "relay")
        os.symlink(os.ttyname(follower), link)
        return master, follower, link

    def record_relayed_frames(self, name, count, sink, *extra):
        """`record --passive --frames COUNT --json` on a relay pty fed exactly COUNT frames
        of a continuous simulator; returns (the summary document, frames relayed)."""
        sim = self.sim(CONT, name, "--interval", "0.2")
        master, follower, link = self.relay_pty()
        proc = subprocess.Popen(
            cli("record", "--port", link, "--protocol", CONT, "--passive", "--frames",
                str(count), "--sink", sink, "--json", *extra),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            self.assertIn("passively", read_line(proc.stderr, "record"))
            relayed = self.relay_frames(sim, master, count)
            out, err = proc.communicate(timeout=GUARD_S)  # it ends after the last frame
            self.assertEqual(proc.returncode, 0, err.decode())
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
            os.close(master)
            os.close(follower)
        return json.loads(out.decode().strip().splitlines()[-1]), relayed

    def test_passive_record_captures_every_broadcast_frame_into_sqlite(self):
        db = os.path.join(self.tmp, "passive.sqlite")
        doc, relayed = self.record_relayed_frames("cont-rec", 10, f"sqlite:{db}")
        self.assertEqual(doc["passive"]["frames"], relayed)
        self.assertEqual(doc["passive"]["bad_frames"], 0)
        self.assertEqual(doc["passive"]["lost_samples"], 0)
        ticks = ticks_of(read_rows("sqlite", db))
        self.assertEqual(len(ticks), relayed)  # one batch per frame, every frame
        for channels in ticks.values():
            self.assertEqual(sorted(channels), ["E1", "E2", "I1", "I2", "I3"])
            self.assertEqual(channels["I1"]["value"], 20.376)
            self.assertEqual(channels["I1"]["protocol"], CONT)
            self.assertIsNone(channels["I1"]["requested_at"])  # nobody asked: passive

    def test_stream_polls_a_modbus_analyser_through_the_recorder(self):
        sim = self.sim(RTU, "stream-mb")
        r = subprocess.run(
            cli("stream", "--port", sim.link, "--protocol", RTU, "--rate", "5",
                "--duration", "1", "--json"),
            capture_output=True, text=True, timeout=GUARD_S)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [json.loads(line) for line in r.stdout.splitlines()]
        ticks = ticks_of(rows)
        self.assertGreaterEqual(len(ticks), 1)
        self.assertIn(f"{len(rows)} samples in {len(ticks)} frames/ticks, 0 error samples",
                      r.stderr)
        for channels in ticks.values():
            self.assertEqual(sorted(channels), ["E1", "E2", "I1", "I2", "I3"])
            i1 = channels["I1"]
            self.assertEqual(i1["value"], 20.376)
            self.assertEqual(i1["protocol"], RTU)
            self.assertIsNotNone(i1["requested_at"])  # polled: each tick asked
            self.assertGreater(i1["latency_s"], 0)

    def test_passive_continuous_stream_captures_every_broadcast_frame(self):
        sim = self.sim(CONT, "cont", "--interval", "0.2")
        # A second pty the stream listens on; this script relays the simulator's frames
        # onto it and counts exactly what it relayed.
        master, follower, relay_link = self.relay_pty()
        stream = subprocess.Popen(
            cli("stream", "--port", relay_link, "--protocol", CONT, "--json"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out_lines = Lines(stream.stdout, "stream samples")
        try:
            banner = read_line(stream.stderr, "stream")
            self.assertIn(f"streaming {CONT} (autoprint)", banner)

            relayed = self.relay_frames(sim, master, 10)

            frames, samples = set(), 0
            while len(frames) < relayed:
                s = json.loads(out_lines.next())
                self.assertIsNone(s["error"])
                frames.add(s["monotonic_ns"])
                samples += 1
                if s["channel"] == "I1":
                    self.assertAlmostEqual(s["value"], 20.376, places=3)
            stream.send_signal(signal.SIGINT)
            out, err = stream.communicate(timeout=GUARD_S)
            self.assertEqual(stream.returncode, 0, err.decode())
            for line in (out_lines.rest() + out).decode().splitlines():  # the last frame's rest
                self.assertIn(json.loads(line)["monotonic_ns"], frames)
            self.assertIn(f"in {relayed} frames/ticks, 0 error samples, 0 lost, 0 bad frames",
                          err.decode())
        finally:
            if stream.poll() is None:
                stream.kill()
                stream.communicate()
            os.close(master)
            os.close(follower)
        counters = sim.stop()
        frames_sent = int(counters.strip().split()[-2])
        self.assertGreaterEqual(frames_sent, relayed)

    def test_tap_log_is_read_back_by_decode(self):
        sim = self.sim(CONT, "tapped", "--interval", "0.1")
        log = os.path.join(self.tmp, "tap.log")
        tap = subprocess.Popen(cli("diag", "tap", "--port", sim.link, "--duration", "1",
                                   "--output", log),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertIn("tapping", read_line(tap.stderr, "diag tap"))
        _, err = tap.communicate(timeout=GUARD_S)
        self.assertEqual(tap.returncode, 0, err.decode())
        with open(log) as f:
            lines = f.read().splitlines()
        self.assertTrue(lines[0].startswith("# anyserial diag tap"))
        self.assertRegex(lines[1], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z( [0-9a-f]{2})+  \|.*\|$")
        dec = subprocess.run(cli("decode", "--json", log), capture_output=True, timeout=GUARD_S)
        frames = [json.loads(l) for l in dec.stdout.decode().splitlines()]
        # Frames cut by the start of the capture are resynchronised over, not decoded.
        good = [f for f in frames if f["ok"]]
        self.assertGreaterEqual(len(good), 5)
        for f in good:
            i1 = next(r for r in f["readings"] if r["channel"] == "I1")
            self.assertAlmostEqual(i1["value"], 20.376, places=3)

    def test_sigint_ends_a_recording_with_every_tick_flushed(self):
        sim = self.sim(RTU, "mb-int")
        path = os.path.join(self.tmp, "int.csv")
        proc = subprocess.Popen(
            cli("record", "--port", sim.link, "--protocol", RTU, "--rate", "20",
                "--sink", f"csv:{path}", "--json"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertIn("recording", read_line(proc.stderr, "record"))
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=GUARD_S)
        self.assertEqual(proc.returncode, 0, err.decode())
        summary = json.loads(out.decode().strip().splitlines()[-1])["summary"]
        ticks = ticks_of(read_rows("csv", path))
        self.assertEqual(len(ticks), summary["samples_emitted"])

    def test_a_second_sigint_quits_at_once_while_a_poll_hangs(self):
        # The analyser is frozen, so the first poll waits out its 60 s timeout: the orderly
        # end after one SIGINT cannot finish before the second one arrives.
        sim = self.sim(RTU, "mb-frozen")
        os.kill(sim.proc.pid, signal.SIGSTOP)
        path = os.path.join(self.tmp, "frozen.sqlite")
        proc = subprocess.Popen(
            cli("record", "--port", sim.link, "--protocol", RTU, "--timeout", "60",
                "--sink", f"sqlite:{path}"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            err = Lines(proc.stderr, "record")
            self.assertIn("recording", err.next())
            proc.send_signal(signal.SIGINT)
            self.assertIn("interrupt again to quit at once", err.next())
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=GUARD_S)
            self.assertEqual(proc.returncode, 130)
            con = sqlite3.connect(path)  # opened with the analyser: a valid, empty table
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            self.assertEqual(con.execute("SELECT COUNT(*) FROM samples").fetchone()[0], 0)
            con.close()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            os.kill(sim.proc.pid, signal.SIGCONT)

    def test_record_a_manager_of_two_ports(self):
        a = self.sim(RTU, "mgr-a")
        b = self.sim(RTU, "mgr-b", "--address", "2")
        path = os.path.join(self.tmp, "mgr.jsonl")
        run = subprocess.run(
            cli("record", "--port", a.link, "--address", "1", "--port", b.link, "--address", "2",
                "--protocol", RTU, "--rate", "4", "--duration", "1", "--sink",
                f"jsonl:{path}", "--json"),
            capture_output=True, timeout=GUARD_S)
        self.assertEqual(run.returncode, 0, run.stderr.decode())
        summary = json.loads(run.stdout.decode().strip().splitlines()[-1])["summary"]
        self.assertEqual(summary["samples_emitted"], 4)
        rows = read_rows("jsonl", path)
        per_device = {}
        for r in rows:
            if r["channel"] == "I1":
                per_device.setdefault(r["device"], []).append(r["value"])
        self.assertEqual(sorted(per_device), sorted([a.link + "@1", b.link + "@2"]))
        for values in per_device.values():
            self.assertEqual(len(values), 4)
        usage = subprocess.run(
            cli("record", "--port", a.link, "--port", b.link, "--protocol", "auto", "--sink",
                f"csv:{path}"), capture_output=True, timeout=GUARD_S)
        self.assertEqual(usage.returncode, 2)

    def record_one_line_of_two(self, protocol, link, addresses, path):
        """record --port LINK --address X --address Y: the manager polls both units."""
        run = subprocess.run(
            cli("record", "--port", link, "--protocol", protocol, "--address", addresses[0],
                "--address", addresses[1], "--rate", "5", "--duration", "2", "--sink",
                f"sqlite:{path}", "--json"),
            capture_output=True, timeout=GUARD_S)
        self.assertEqual(run.returncode, 0, run.stderr.decode())
        rows = read_rows("sqlite", path)
        self.assertEqual([r for r in rows if r["error"]], [])
        per_device = {}
        for r in rows:
            per_device.setdefault(r["device"], []).append(r)
        self.assertEqual(sorted(per_device), sorted(f"{link}@{a}" for a in addresses))
        return per_device

    def test_two_alicat_controllers_on_one_line_record_through_the_manager(self):
        line = self.sim("alicat", "two-alicat", "--address", "A", "--address", "b")
        run = subprocess.run(
            cli("command", "--port", line.link, "--protocol", "alicat", "--address", "B",
                "setpoint.set", "42", "--confirm"), capture_output=True, timeout=GUARD_S)
        self.assertEqual(run.returncode, 0, run.stderr.decode())
        per_device = self.record_one_line_of_two(
            "alicat", line.link, ["A", "B"], os.path.join(self.tmp, "two-alicat.db"))
        for address, setpoint in (("A", 0.0), ("B", 42.0)):
            values = [r["value"] for r in per_device[f"{line.link}@{address}"]
                      if r["channel"] == "mass_flow_setpt"]
            self.assertTrue(values, f"no setpoint row of unit {address}")
            self.assertEqual(set(values), {setpoint}, address)
        counters = line.stop()
        self.assertIn("address A: ", counters)
        self.assertIn("address B: ", counters)

    def test_two_modbus_units_on_one_line_record_through_the_manager(self):
        line = self.sim(RTU, "two-rtu", "--address", "1", "--address", "2")
        per_device = self.record_one_line_of_two(
            RTU, line.link, ["1", "2"], os.path.join(self.tmp, "two-rtu.db"))
        for rows in per_device.values():
            self.assertTrue(any(r["channel"] == "I1" for r in rows))

    def test_simulate_refuses_duplicate_or_needless_addresses(self):
        for protocol, addresses, message in (
                ("alicat", ["A", "a"], "--address 'a' is given twice (as 'A')"),
                (RTU, ["2", "02"], "is given twice"),
                (CONT, ["1", "2"], "takes no address")):
            link = os.path.join(self.tmp, "refused")
            extra = [x for a in addresses for x in ("--address", a)]
            run = subprocess.run(cli("simulate", "--protocol", protocol, "--link", link, *extra),
                                 capture_output=True, timeout=GUARD_S)
            self.assertEqual(run.returncode, 2, run.stderr.decode())
            self.assertIn(message, run.stderr.decode())
            self.assertFalse(os.path.lexists(link))

    def test_bad_arguments_are_refused_before_any_io(self):
        """Exit 2 with the option named, and no sink file created, for values that could
        only fail later (or never): non-finite rates and durations, one analyser twice."""
        with tempfile.TemporaryDirectory() as d:
            sink = os.path.join(d, "never.csv")
            link = os.path.join(d, "link")
            os.symlink("/dev/null", link)
            cases = [
                (["record", "--port", "/dev/null", "--rate", "inf"], "--rate"),
                (["record", "--port", "/dev/null", "--rate", "nan"], "--rate"),
                (["record", "--port", "/dev/null", "--duration", "1e300"], "--duration"),
                (["record", "--port", "/dev/null", "--port", link, "--protocol", RTU],
                 "given twice"),
                (["record", "--port", "/dev/null", "--passive", "--rate", "3", "--protocol",
                  "servomex-4100:auto"], "--rate"),
                (["record", "--port", "/dev/null", "--passive", "--timeout", "1", "--protocol",
                  "servomex-4100:auto"], "--timeout"),
                (["record", "--port", "/dev/null", "--passive", "--protocol", RTU],
                 "broadcasting"),
                (["record", "--port", "/dev/null", "--frames", "3", "--protocol",
                  "servomex-4100:auto"], "--frames needs --passive"),
                (["record", "--port", "/dev/null", "--passive", "--frames", "0"], "--frames"),
                (["record", "--port", "/dev/null", "--realtime", "100"], "--realtime"),
                (["record", "--port", "/dev/null", "--realtime", "0"], "--realtime"),
                (["record", "--port", "/dev/null", "--timer-slack-us", "0"], "--timer-slack-us"),
                (["record", "--port", "/dev/null", "--timer-slack-us", "0.0001"],
                 "--timer-slack-us"),
                (["stream", "--port", "/dev/null", "--rate", "inf"], "--rate"),
                (["stream", "--port", "/dev/null", "--duration", "-1"], "--duration"),
                (["diag", "tap", "--port", "/dev/null", "--duration", "inf"], "--duration"),
            ]
            for args, named in cases:
                if args[0] == "record":
                    args = args + ["--sink", "csv:" + sink]
                r = subprocess.run(cli(*args), capture_output=True, text=True, timeout=GUARD_S)
                self.assertEqual(r.returncode, 2, (args, r.stderr))
                self.assertIn(named, r.stderr, args)
            self.assertFalse(os.path.exists(sink))

    def test_an_unwritable_sink_fails_before_the_analyser_is_touched(self):
        sim = self.sim(RTU, "untouched")
        db = os.path.join(self.tmp, "no-such-dir", "run.sqlite")
        r = subprocess.run(
            cli("record", "--port", sim.link, "--protocol", RTU, "--duration", "1",
                "--sink", "sqlite:" + db),
            capture_output=True, text=True, timeout=GUARD_S)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"sqlite sink '{db}'", r.stderr)
        self.assertNotIn("recorded", r.stdout)
        counters = sim.stop()  # "simulate: N requests, N replies, N frames"
        self.assertIn("simulate: 0 requests", counters)

    def test_diag_jitter_of_a_poll_loop_and_of_a_broadcast(self):
        # Each simulator starts just before its run: a broadcast nobody reads fills the pty,
        # and the frames queued meanwhile (one of them cut where the buffer ran full) would
        # be measured as if they had just arrived.
        for make, protocol, mode in ((lambda: self.sim(RTU, "jit-mb"), RTU, "poll"),
                                     (lambda: self.sim(CONT, "jit-cont", "--interval", "0.2"),
                                      CONT, "broadcast")):
            link = make().link
            with self.subTest(mode=mode):
                r = subprocess.run(
                    cli("diag", "jitter", "--port", link, "--protocol", protocol, "--rate", "5",
                        "--duration", "1.5", "--json"),
                    capture_output=True, text=True, timeout=GUARD_S)
                self.assertEqual(r.returncode, 0, r.stderr)
                doc = json.loads(r.stdout.strip().splitlines()[-1])
                self.assertEqual(doc["mode"], mode)
                self.assertEqual(doc["protocol"], protocol)
                self.assertGreaterEqual(doc["frames"], 2)
                self.assertEqual(doc["count"], doc["frames"] - 1)  # intervals between frames
                self.assertEqual((doc["bad"], doc["lost"]), (0, 0))
                self.assertLessEqual(doc["min_ms"], doc["p50_ms"])
                self.assertLessEqual(doc["p50_ms"], doc["p99_ms"])
                self.assertLessEqual(doc["p99_ms"], doc["max_ms"])
                if mode == "poll":
                    self.assertEqual(doc["expected_ms"], 200.0)
                else:
                    self.assertNotIn("expected_ms", doc)

    def test_demo_records_to_a_file_and_says_where(self):
        path = os.path.join(self.tmp, "demo.sqlite")
        run = subprocess.run(cli("demo", "--seconds", "1", "--sink", f"sqlite:{path}"),
                             capture_output=True, timeout=GUARD_S)
        self.assertEqual(run.returncode, 0, run.stderr.decode())
        self.assertIn(f"into sqlite:{path}", run.stdout.decode())
        # 1 s at 2 Hz is two slots; a slot whose poll could not start in time (a slow first
        # frame on a loaded machine) is counted late, never recorded twice or lost silently.
        recorded, late = demo_ticks(run.stdout.decode())
        self.assertEqual(recorded + late, 2)
        self.assertGreaterEqual(recorded, 1)
        rows = read_rows("sqlite", path)
        printed = int(re.search(r"^recorded (\d+) rows", run.stdout.decode(), re.M).group(1))
        self.assertEqual(len(rows), printed)
        self.assertEqual(printed % recorded, 0)  # every tick writes the same channels
        # The demo's device broadcasts every 0.5 s: a tick that comes before the next frame
        # records the latest one again, with its own arrival time (monotonic_ns). On a
        # loaded machine both ticks can carry the same frame.
        self.assertTrue(1 <= len(ticks_of(rows)) <= recorded, len(ticks_of(rows)))
        default = subprocess.run(cli("demo", "--seconds", "0.5"), capture_output=True,
                                 timeout=GUARD_S)
        self.assertEqual(default.returncode, 0, default.stderr.decode())
        last = default.stdout.decode().strip().splitlines()[-1]
        self.assertRegex(last, r"^recorded \d+ rows into csv:")
        csv_path = last.split("into csv:", 1)[1]
        self.assertTrue(os.path.isfile(csv_path), csv_path)
        self.assertEqual(demo_ticks(default.stdout.decode()), (1, 0))  # the first slot runs
        self.assertEqual(len(ticks_of(read_rows("csv", csv_path))), 1)
        os.remove(csv_path)
        os.rmdir(os.path.dirname(csv_path))


if __name__ == "__main__":
    unittest.main()
