#!/usr/bin/python3
"""Interop with independent peers: libmodbus, mbpoll, pymodbus, over socat pty pairs and
`anyserial simulate`. Readiness is always a line a process prints (never a sleep); every
process a test starts is killed when the test ends."""
import csv as csv_module
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

CLI = os.environ.get("ANYSERIAL_CLI", "anyserial")
PLUGIN_DIR = os.environ.get("ANYSERIAL_PLUGIN_DIR", "")
PEERS = os.environ.get("ANYSERIAL_PEERS", os.path.join(os.path.dirname(__file__), "peers"))
LM_SERVER = os.environ.get("LIBMODBUS_SERVER", "")
LM_CLIENT = os.environ.get("LIBMODBUS_CLIENT", "")
PYTHON = "/usr/bin/python3"
READY_TIMEOUT = 20.0  # an upper bound on waiting for a peer's readiness line, not a delay


def have(tool):
    return shutil.which(tool) is not None


def pymodbus_available():
    return subprocess.run([PYTHON, "-c", "import pymodbus"], capture_output=True).returncode == 0


def requires(available, what):
    """A peer that is missing fails every test of the class: CI installs every peer
    (scripts/setup), so a skip would hide a test that never ran."""
    def wrap(cls):
        original = cls.setUp

        def setUp(self):
            if not available:
                self.fail(f"interop peer missing: {what} (scripts/setup installs it)")
            original(self)

        cls.setUp = setUp
        return cls
    return wrap


def cli(*args):
    base = [CLI] + (["--plugin-dir", PLUGIN_DIR] if PLUGIN_DIR else [])
    return base + list(args)


class PeerTest(unittest.TestCase):
    def setUp(self):
        self.pending = {}
        self.tmp = tempfile.mkdtemp(prefix="anyserial-interop-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def spawn(self, argv, stream="stdout"):
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

        def stop():
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            proc.stdout.close()
            proc.stderr.close()

        self.addCleanup(stop)
        return proc

    def wait_line(self, proc, stream, needle):
        """Reads `stream` of `proc` until a line containing `needle` (bounded). Unbuffered:
        select() on a buffered file object would miss lines already read ahead."""
        fd = getattr(proc, stream).fileno()
        pending = self.pending.setdefault((proc.pid, stream), bytearray())
        deadline = time.monotonic() + READY_TIMEOUT
        seen = []
        while True:
            while b"\n" in pending:
                line, _, rest = bytes(pending).partition(b"\n")
                pending[:] = rest
                text = line.decode(errors="replace")
                seen.append(text.strip())
                if needle in text:
                    return text
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail(f"{proc.args[0]}: no '{needle}' line; saw {seen}")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                self.fail(f"{proc.args[0]} exited ({proc.wait()}) before '{needle}': {seen}")
            pending += chunk

    def simulate(self, mode, *extra):
        link = os.path.join(self.tmp, f"sim-{mode}")
        proc = self.spawn(cli("simulate", "--protocol", mode, "--link", link, *extra))
        line = self.wait_line(proc, "stdout", "simulating")
        self.assertIn(f"(link {link})", line)
        self.assertTrue(os.path.islink(link))
        return link

    def socat_pair(self):
        a, b = os.path.join(self.tmp, "a"), os.path.join(self.tmp, "b")
        proc = self.spawn(["socat", "-d", "-d", f"pty,raw,echo=0,link={a}",
                           f"pty,raw,echo=0,link={b}"])
        self.wait_line(proc, "stderr", "starting data transfer loop")
        return a, b

    def read_json(self, port, protocol):
        r = subprocess.run(cli("read", "--port", port, "--protocol", protocol, "--json"),
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        return json.loads(r.stdout)

    def assert_bench(self, doc, subscript=True):
        readings = {x["channel"]: x for x in doc["readings"]}
        self.assertEqual(readings["I1"]["name"], "Oxygen")
        self.assertAlmostEqual(readings["I1"]["value"], 20.376, places=3)
        self.assertEqual(readings["I1"]["unit"], "%")
        self.assertEqual(readings["I3"]["name"], "CO\u2082" if subscript else "CO2")
        self.assertAlmostEqual(readings["I3"]["value"], 0.25, places=3)
        self.assertIsNone(readings["E1"]["name"])


@requires(have("socat") and LM_SERVER, "socat and libmodbus (LIBMODBUS_SERVER)")
class LibmodbusServer(PeerTest):
    def test_a_our_client_reads_a_libmodbus_rtu_server(self):
        a, b = self.socat_pair()
        server = self.spawn([LM_SERVER, b])
        self.wait_line(server, "stdout", "ready")
        doc = self.read_json(a, "servomex-modbus-rtu")
        self.assertEqual(doc["protocol"], "servomex-modbus-rtu")
        self.assertEqual(doc["mode"], "modbus-rtu")
        self.assert_bench(doc)
        readings = {x["channel"]: x for x in doc["readings"]}
        # the plugin's declared flags by id: alarm 1 of I3 only
        self.assertEqual(readings["I3"]["flags"], ["alarm1"])
        self.assertEqual(readings["I3"]["severity"], "warning")
        self.assertIn("maintenance", doc["device_flags"])


@requires(LM_CLIENT, "libmodbus (LIBMODBUS_CLIENT)")
class LibmodbusClient(PeerTest):
    def test_b_libmodbus_rtu_client_reads_our_simulator(self):
        link = self.simulate("servomex-modbus-rtu")
        r = subprocess.run([LM_CLIENT, link], capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        self.assertIn("I1 20.376", out)
        self.assertIn("I3 43 4F 82 20 20 20", out)


@requires(have("mbpoll"), "mbpoll")
class Mbpoll(PeerTest):
    def test_c_mbpoll_reads_our_simulator(self):
        link = self.simulate("servomex-modbus-rtu")
        # -B: big-endian word order, the 4100's high word first.
        r = subprocess.run(["mbpoll", "-m", "rtu", "-a", "1", "-b", "19200", "-P", "none",
                            "-t", "3:float", "-B", "-r", "1", "-c", "1", "-1", link],
                           capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("[1]: \t20.376", r.stdout.decode())


@requires(have("socat") and pymodbus_available(), "socat and python3-pymodbus")
class Pymodbus(PeerTest):
    def test_d1_our_client_reads_a_pymodbus_ascii_server(self):
        a, b = self.socat_pair()
        server = self.spawn([PYTHON, os.path.join(PEERS, "pymodbus_ascii_server.py"), b])
        self.wait_line(server, "stdout", "ready")
        doc = self.read_json(a, "servomex-modbus-ascii")
        self.assertEqual(doc["protocol"], "servomex-modbus-ascii")
        self.assert_bench(doc)

    def test_d2_pymodbus_ascii_client_reads_our_simulator(self):
        link = self.simulate("servomex-modbus-ascii")
        r = subprocess.run([PYTHON, os.path.join(PEERS, "pymodbus_ascii_client.py"), link],
                           capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("I1 20.376", r.stdout.decode())


class Issue13States(PeerTest):
    """The reference's semantics against independent slaves loaded with the states of
    issue 13: an invalid E1 named ||||||, a range-limited map answering exception 02."""

    def libmodbus(self, state):
        if not (have("socat") and LM_SERVER):
            self.skipTest("socat and libmodbus needed")
        a, b = self.socat_pair()
        server = self.spawn([LM_SERVER, b, state])
        self.wait_line(server, "stdout", "ready")
        return a

    def pymodbus(self, state):
        if not (have("socat") and pymodbus_available()):
            self.skipTest("socat and pymodbus needed")
        a, b = self.socat_pair()
        server = self.spawn([PYTHON, os.path.join(PEERS, "pymodbus_ascii_server.py"), b, state])
        self.wait_line(server, "stdout", "ready")
        return a

    def assert_invalid_e1(self, port, protocol):
        doc = self.read_json(port, protocol)
        e1 = {x["channel"]: x for x in doc["readings"]}["E1"]
        self.assertIsNone(e1["name"])  # "||||||" is unlabelled
        self.assertIn("fault", e1["flags"])
        self.assertIn("invalid", e1["flags"])
        self.assertFalse(e1["ok"])
        self.assertEqual(e1["severity"], "fault")
        table = subprocess.run(cli("read", "--port", port, "--protocol", protocol),
                               capture_output=True, timeout=60)
        self.assertEqual(table.returncode, 0, table.stderr)
        row = [ln for ln in table.stdout.decode().splitlines() if ln.startswith("E1 ")]
        self.assertEqual(len(row), 1, table.stdout)
        self.assertTrue(row[0].rstrip().endswith("invalid"), row[0])
        csv = os.path.join(self.tmp, "rows.csv")
        rec = subprocess.run(cli("record", "--port", port, "--protocol", protocol, "--rate", "10",
                                 "--duration", "1", "--sink", "csv:" + csv),
                             capture_output=True, timeout=60)
        self.assertEqual(rec.returncode, 0, rec.stderr)
        with open(csv, newline="") as f:
            rows = [row for row in csv_module.DictReader(f) if row["channel"] == "E1"]
        self.assertTrue(rows)
        self.assertEqual(rows[0]["flags"].split(","), ["fault", "invalid"])
        self.assertEqual(rows[0]["severity"], "fault")
        self.assertEqual(rows[0]["ok"], "0")

    def assert_narrow(self, port, protocol):
        doc = self.read_json(port, protocol)
        self.assert_bench(doc)
        readings = {x["channel"]: x for x in doc["readings"]}
        self.assertEqual(sorted(readings), ["E1", "E2", "I1", "I2", "I3"])

    def test_f1_libmodbus_invalid_e1(self):
        self.assert_invalid_e1(self.libmodbus("invalid-e1"), "servomex-modbus-rtu")

    def test_f2_pymodbus_invalid_e1(self):
        self.assert_invalid_e1(self.pymodbus("invalid-e1"), "servomex-modbus-ascii")

    def test_f3_libmodbus_range_limited_map(self):
        self.assert_narrow(self.libmodbus("narrow"), "servomex-modbus-rtu")

    def test_f4_pymodbus_range_limited_map(self):
        self.assert_narrow(self.pymodbus("narrow"), "servomex-modbus-ascii")

    def test_f5_libmodbus_empty_slot_reads_by_channel(self):
        port = self.libmodbus("bench")
        doc = json.loads(subprocess.run(
            cli("read", "--port", port, "--protocol", "servomex-modbus-rtu", "--channel", "I4",
                "--json"),
            capture_output=True, timeout=60, check=True).stdout)
        self.assertEqual(len(doc["readings"]), 1)
        self.assertEqual(doc["readings"][0]["channel"], "I4")
        self.assertIsNone(doc["readings"][0]["name"])
        self.assertEqual(doc["readings"][0]["value"], 0.0)

    def test_f6_libmodbus_confirmed_calibration_pulse(self):
        port = self.libmodbus("bench")
        r = subprocess.run(cli("calibrate", "start", "--port", port, "--protocol",
                               "servomex-modbus-rtu", "--group", "2", "--confirm"),
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)


class AutoAgainstSimulate(PeerTest):
    def auto(self, mode, *extra):
        link = self.simulate("servomex-" + mode, *extra)
        # AUTO within the family (another family, Alicat, is loaded beside it)
        doc = self.read_json(link, "servomex-4100:auto")
        self.assertEqual(doc["protocol"], "servomex-" + mode)
        self.assertEqual(doc["mode"], mode)
        self.assert_bench(doc, subscript=mode != "continuous")

    def test_e1_auto_finds_modbus_rtu(self):
        self.auto("modbus-rtu")

    def test_e2_auto_finds_modbus_ascii(self):
        self.auto("modbus-ascii")

    def test_e3_auto_finds_continuous(self):
        self.auto("continuous", "--interval", "0.2")


if __name__ == "__main__":
    unittest.main()
