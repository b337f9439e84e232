#!/usr/bin/env python3
"""The network sinks (issue 18) against real servers on loopback, started and stopped here
in temporary directories: PostgreSQL 15 (initdb/pg_ctl, as the `postgres` user when run as
root) and mosquitto (a generated config), with `anyserial simulate` as the instrument.

* 2 Hz for 60 ticks into PostgreSQL, MQTT, SQLite and line protocol at once: the table's
  schema (time first, the (run_id, seq, time) unique key), every row in every sink, and the
  line protocol parsed back by the parser below and compared with the SQLite rows;
* the issue's "Done when": 5 Hz for 60 s with both servers stopped in the middle until 100
  batches are spooled, then restarted: PostgreSQL holds every tick exactly once, every MQTT
  sequence number reached a subscriber (duplicates counted), no tick late;
* SIGKILL of a recorder whose spool holds batches; a second run drains them (`replayed`);
* a password in a sink URL is a usage error and is not echoed.

A missing server binary is a failure, not a skip. Readiness and progress are polled
conditions with a deadline (GUARD_S), never sleeps. Environment: ANYSERIAL_CLI,
ANYSERIAL_PLUGIN_DIR, PG_BINDIR.
"""

import glob
import json
import os
import pwd
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import unittest

# The Servomex Modbus RTU plugin id (--protocol and the rows' protocol column).
RTU = "servomex-modbus-rtu"

CLI = os.environ.get("ANYSERIAL_CLI", "anyserial")
PLUGINS = os.environ.get("ANYSERIAL_PLUGIN_DIR")
GUARD_S = 120  # failure guard for hung processes and conditions, never a synchronisation


def cli(*args):
    cmd = [CLI]
    if PLUGINS:
        cmd += ["--plugin-dir", PLUGINS]
    return cmd + list(args)


def wait_for(what, cond, guard=GUARD_S):
    deadline = time.monotonic() + guard
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {guard} s")
        time.sleep(0.05)  # poll interval of a condition with a deadline


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bindir():
    d = os.environ.get("PG_BINDIR")
    cands = [d] if d else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in cands:
        if c and os.path.exists(os.path.join(c, "initdb")):
            return c
    raise AssertionError("PostgreSQL server binaries (initdb, pg_ctl) not found: install "
                         "the Debian package postgresql")


def need(binary):
    path = shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/usr/bin")
    if not path:
        raise AssertionError(f"{binary} not found: install mosquitto and mosquitto-clients")
    return path


class Postgres:
    """A throwaway cluster: trust auth on 127.0.0.1:port, its socket in the temp dir."""

    def __init__(self, tmp):
        self.bin = pg_bindir()
        self.dir = os.path.join(tmp, "pg")
        os.mkdir(self.dir)
        self.as_root = os.geteuid() == 0
        if self.as_root:  # PostgreSQL refuses to run as root
            pw = pwd.getpwnam("postgres")
            os.chmod(tmp, 0o755)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.port = free_port()
        self.run("initdb", "-D", self.dir + "/data", "-A", "trust", "-U", "postgres",
                 "--no-sync", "-E", "UTF8")
        self.start()

    def run(self, tool, *args):
        cmd = [os.path.join(self.bin, tool), *args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        r = subprocess.run(cmd, capture_output=True, timeout=GUARD_S)
        assert r.returncode == 0, f"{tool}: {r.stderr.decode()}{r.stdout.decode()}"

    def start(self):
        self.run("pg_ctl", "-D", self.dir + "/data", "-l", self.dir + "/log", "-w", "-o",
                 f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
                 "start")

    def stop(self):
        self.run("pg_ctl", "-D", self.dir + "/data", "-m", "immediate", "-w", "stop")

    def freeze(self):
        """A hung server: every process stopped, the kernel still accepts and ACKs. The
        postmaster first: stopped, it forks no new child, so its children listed after that
        are all there are; one that exits before its SIGSTOP (a backend whose client just
        left) needs no stopping."""
        with open(os.path.join(self.dir, "data", "postmaster.pid")) as f:
            pid = int(f.readline())
        os.kill(pid, signal.SIGSTOP)
        self.frozen = [pid]
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(c) for c in f.read().split()]
        for p in children:
            try:
                os.kill(p, signal.SIGSTOP)
                self.frozen.append(p)
            except ProcessLookupError:
                pass

    def thaw(self):
        for p in getattr(self, "frozen", []):
            try:
                os.kill(p, signal.SIGCONT)
            except ProcessLookupError:
                pass
        self.frozen = []

    def sql(self, query):
        r = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                            "-d", "postgres", "-At", "-F", "|", "-c", query],
                           capture_output=True, timeout=GUARD_S)
        assert r.returncode == 0, r.stderr.decode()
        return [line.split("|") for line in r.stdout.decode().splitlines()]

    def url(self, table):
        return (f"postgresql://postgres@127.0.0.1:{self.port}/postgres?table={table}"
                "&retry_max=0.5&drain_timeout=60")


class Mosquitto:
    """A broker on 127.0.0.1:port with persistence (a stop keeps the queued messages of a
    persistent subscriber, as a real broker's restart would)."""

    def __init__(self, tmp):
        self.bin = need("mosquitto")
        need("mosquitto_sub")
        self.port = free_port()
        self.dir = os.path.join(tmp, "mqtt")
        os.mkdir(self.dir)
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        with open(self.conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
                    f"persistence true\npersistence_location {self.dir}/\n"
                    "max_queued_messages 0\nmax_inflight_messages 0\nset_tcp_nodelay true\n"
                    f"log_dest file {self.dir}/log\n")
        if os.geteuid() == 0:
            pw = pwd.getpwnam("mosquitto") if "mosquitto" in [p.pw_name for p in pwd.getpwall()] \
                else None
            if pw:
                os.chmod(tmp, 0o755)
                os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen([self.bin, "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

        def up():
            assert self.proc.poll() is None, "mosquitto exited: see " + self.dir + "/log"
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False
        wait_for("mosquitto listening", up)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=GUARD_S)

    def url(self, prefix):
        return f"mqtt://127.0.0.1:{self.port}/{prefix}?retry_max=0.5&drain_timeout=60"


class Subscriber:
    """mosquitto_sub with a persistent session at QoS 1: every message with its topic."""

    def __init__(self, broker, prefix, tmp):
        self.out = os.path.join(tmp, prefix + ".sub")
        self.f = open(self.out, "wb")
        self.proc = subprocess.Popen(
            ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-q", "1", "-c",
             "-i", "sub-" + prefix, "-t", prefix + "/#", "-v"], stdout=self.f,
            stderr=subprocess.DEVNULL)
        # Subscribed once a probe published now comes back.
        probe = prefix + "/probe"

        def seen():
            subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(broker.port), "-q",
                            "1", "-t", probe, "-m", "{}"], check=True, timeout=GUARD_S)
            with open(self.out, "rb") as f:
                return probe.encode() in f.read()
        wait_for("mosquitto_sub subscribed", seen)

    def seqs(self):
        """{(run_id, seq): times seen} of the sample messages."""
        out = {}
        with open(self.out, "rb") as f:
            text = f.read().decode()
        for line in text.splitlines():
            topic, sep, payload = line.partition(' {"')  # a topic may hold spaces
            if topic.endswith("/probe") or not sep:
                continue
            payload = '{"' + payload
            try:
                m = json.loads(payload)
            except ValueError:
                continue  # the last line may be half written
            key = (m["run_id"], m["seq"])
            out[key] = out.get(key, 0) + 1
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=GUARD_S)
        self.f.close()


class Simulator:
    def __init__(self, tmp, name):
        self.link = os.path.join(tmp, name)
        self.proc = subprocess.Popen(
            cli("simulate", "--protocol", RTU, "--link", self.link),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        first = self.proc.stdout.readline().decode()
        assert first.startswith("simulating"), first

    def stop(self):
        self.proc.terminate()
        self.proc.communicate(timeout=GUARD_S)


# ---- an independent line-protocol parser (InfluxDB line protocol reference) ------------

def split_unescaped(text, seps):
    """Splits at the first unescaped char of `seps` outside double quotes."""
    i, quoted = 0, False
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        elif not quoted and c in seps:
            return text[:i], c, text[i + 1:]
        i += 1
    return text, "", ""


def unescape(s):
    return re.sub(r"\\(.)", r"\1", s)


def parse_line(line):
    """(measurement, tags, fields, timestamp ns) of one line; raises on a malformed one."""
    head, sep, rest = split_unescaped(line, " ")
    assert sep == " ", f"no fields: {line!r}"
    fields_text, sep, ts = split_unescaped(rest, " ")
    assert sep == " " and re.fullmatch(r"-?\d+", ts), f"bad timestamp: {line!r}"
    parts = []
    while head:
        item, _, head = split_unescaped(head, ",")
        parts.append(item)
    measurement, tags = unescape(parts[0]), {}
    for t in parts[1:]:
        k, sep, v = split_unescaped(t, "=")
        assert sep and k and v, f"bad tag {t!r}"
        tags[unescape(k)] = unescape(v)
    fields = {}
    while fields_text:
        item, _, fields_text = split_unescaped(fields_text, ",")
        k, sep, v = split_unescaped(item, "=")
        assert sep and k, f"bad field {item!r}"
        if v.startswith('"'):
            assert v.endswith('"') and len(v) >= 2, f"bad string {v!r}"
            fields[unescape(k)] = re.sub(r"\\([\"\\])", r"\1", v[1:-1])
        elif v in ("t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"):
            fields[unescape(k)] = v.lower().startswith("t")
        elif v.endswith("i"):
            fields[unescape(k)] = int(v[:-1])
        else:
            fields[unescape(k)] = float(v)
    assert fields, f"a line needs a field: {line!r}"
    return measurement, tags, fields, int(ts)


def iso_to_ns(text):
    import datetime
    d = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)
    return (int(d.timestamp()) * 1_000_000 + d.microsecond) * 1000


class FleetSinks(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="anyserial-fleet-")
        self.cleanup = []

    def tearDown(self):
        for f in reversed(self.cleanup):
            try:
                f()
            except Exception:  # noqa: BLE001 -- best effort, the test result stands
                pass

    def servers(self):
        pg = Postgres(self.tmp)
        self.cleanup.append(lambda: pg.stop())
        mq = Mosquitto(self.tmp)
        self.cleanup.append(lambda: mq.proc.poll() is None and mq.stop())
        return pg, mq

    def sim(self, name):
        s = Simulator(self.tmp, name)
        self.cleanup.append(s.stop)
        return s

    def record(self, sim, rate, duration, *sinks, spool=None):
        args = ["record", "--port", sim.link, "--protocol", RTU, "--rate", str(rate),
                "--duration", str(duration), "--json",
                "--spool", spool or os.path.join(self.tmp, "spool.db")]
        for s in sinks:
            args += ["--sink", s]
        return subprocess.Popen(cli(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def finish(self, proc):
        out, err = proc.communicate(timeout=GUARD_S * 2)
        self.assertEqual(proc.returncode, 0, err.decode())
        self.assertNotIn("password", err.decode().lower())
        return json.loads(out.decode().strip().splitlines()[-1]), err.decode()

    def delivery(self, doc, kind):
        return next(d for d in doc["delivery"] if d["sink"].startswith(kind))

    def test_2hz_60_ticks_into_every_sink_with_schema_and_line_protocol(self):
        pg, mq = self.servers()
        sub = Subscriber(mq, "steady", self.tmp)
        self.cleanup.append(sub.stop)
        sim = self.sim("steady dev,a=b")  # the device tag needs escaping in line protocol
        db = os.path.join(self.tmp, "steady.sqlite")
        lp = os.path.join(self.tmp, "steady.lp")
        doc, _ = self.finish(self.record(sim, 2, 30, pg.url("steady"), mq.url("steady"),
                                         "sqlite:" + db, "influx:" + lp))
        self.assertEqual(doc["summary"]["samples_emitted"] + doc["summary"]["samples_late"], 60)
        ticks = doc["summary"]["samples_emitted"]
        con = sqlite3.connect(db)
        con.row_factory = sqlite3.Row
        rows = [dict(r) for r in con.execute("SELECT * FROM samples ORDER BY rowid")]
        con.close()
        self.assertEqual(len({r["monotonic_ns"] for r in rows}), ticks)

        # Schema: time first (timestamptz), the unique key that makes replays no-ops.
        cols = pg.sql("SELECT column_name, data_type FROM information_schema.columns WHERE "
                      "table_name = 'steady' ORDER BY ordinal_position")
        self.assertEqual(cols[0], ["time", "timestamp with time zone"])
        self.assertIn(["value", "double precision"], cols)
        self.assertIn(["seq", "bigint"], cols)
        # The generic row: the set flags and their severity, no fixed status columns.
        for col in (["text", "text"], ["flags", "text"], ["ok", "boolean"],
                    ["severity", "text"]):
            self.assertIn(col, cols)
        self.assertNotIn("alarm1", [c[0] for c in cols])
        idx = pg.sql("SELECT indexdef FROM pg_indexes WHERE tablename = 'steady'")
        self.assertTrue(any("UNIQUE" in i[0] and "(run_id, seq, \"time\")" in i[0] for i in idx),
                        idx)
        # Every row, once, with the same values as the SQLite sink.
        got = pg.sql("SELECT count(*), count(DISTINCT tick), max(seq) FROM steady")[0]
        self.assertEqual([int(x) for x in got], [len(rows), ticks, len(rows) - 1])
        pg_rows = pg.sql("SELECT channel, value, monotonic_ns FROM steady ORDER BY seq")
        self.assertEqual([(r[0], float(r[1]), int(r[2])) for r in pg_rows],
                         [(r["channel"], r["value"], r["monotonic_ns"]) for r in rows])
        self.assertEqual(self.delivery(doc, "postgresql")["delivered"], ticks)
        self.assertEqual(self.delivery(doc, "postgresql")["pending"], 0)

        # MQTT: every sequence number of the run.
        seen = wait_for("every MQTT message", lambda: (s := sub.seqs()) and
                        len(s) >= len(rows) and s)
        self.assertEqual(sorted(k[1] for k in seen), list(range(len(rows))))
        self.assertEqual(self.delivery(doc, "mqtt")["delivered"], ticks)

        # Line protocol, parsed back independently, matches the SQLite rows.
        with open(lp) as f:
            lines = [parse_line(line.rstrip("\n")) for line in f]
        self.assertEqual(len(lines), len(rows))
        for (meas, tags, fields, ts), r in zip(lines, rows):
            self.assertEqual(meas, "anyserial")
            self.assertEqual(tags["device"], r["device"])
            self.assertTrue(r["device"].endswith("steady dev,a=b"))
            self.assertEqual(tags["channel"], r["channel"])
            self.assertEqual(tags["protocol"], RTU)
            self.assertEqual(fields["value"], r["value"])
            self.assertIs(fields["ok"], bool(r["ok"]))
            self.assertEqual(fields["monotonic_ns"], r["monotonic_ns"])
            self.assertEqual(ts // 1000 * 1000, iso_to_ns(r["received_at"]))

    def test_done_when_servers_down_in_the_middle_every_tick_arrives(self):
        pg, mq = self.servers()
        sub = Subscriber(mq, "outage", self.tmp)
        self.cleanup.append(sub.stop)
        sim = self.sim("outage")
        db = os.path.join(self.tmp, "outage.sqlite")
        spool = os.path.join(self.tmp, "outage-spool.db")
        proc = self.record(sim, 5, 60, pg.url("outage"), mq.url("outage"), "sqlite:" + db,
                           spool=spool)
        wait_for("rows in PostgreSQL", lambda: int(pg.sql(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'outage'")[0][0]) and int(
            pg.sql("SELECT count(DISTINCT tick) FROM outage")[0][0]) >= 25)
        pg.stop()
        mq.stop()

        def spooled(kind):
            con = sqlite3.connect(spool)
            try:
                return con.execute("SELECT count(*) FROM spool WHERE sink LIKE ?",
                                   (kind + "%",)).fetchone()[0]
            finally:
                con.close()
        # About 20 s of ticks wait in the spool while both servers are down.
        wait_for("100 batches spooled", lambda: spooled("postgresql") >= 100 and
                 spooled("mqtt") >= 100)
        pg.start()
        mq.start()
        doc, err = self.finish(proc)
        summary = doc["summary"]
        self.assertEqual(summary["samples_emitted"], 300, err)  # the schedule never stalled
        self.assertEqual(summary["samples_late"], 0)
        con = sqlite3.connect(db)
        n_rows = con.execute("SELECT count(*) FROM samples").fetchone()[0]
        con.close()
        got = pg.sql("SELECT count(*), count(DISTINCT (run_id, seq)), count(DISTINCT tick) "
                     "FROM outage")[0]
        self.assertEqual([int(x) for x in got], [n_rows, n_rows, 300])
        d = self.delivery(doc, "postgresql")
        self.assertEqual((d["delivered"], d["pending"]), (300, 0))
        self.assertGreaterEqual(d["spooled"], 100)
        d = self.delivery(doc, "mqtt")
        self.assertEqual((d["delivered"], d["pending"]), (300, 0))
        self.assertGreaterEqual(d["spooled"], 100)
        seen = wait_for("every MQTT sequence number", lambda: (s := sub.seqs()) and
                        len(s) >= n_rows and s)
        self.assertEqual(sorted(k[1] for k in seen), list(range(n_rows)))
        dups = sum(v - 1 for v in seen.values())
        print(f"\nMQTT: {n_rows} messages, {dups} duplicates after the outage")

    def test_sigkill_with_a_spooled_backlog_then_a_second_run_drains_it_once(self):
        pg, mq = self.servers()
        pg.stop()
        mq.stop()
        sub_prefix = "killed"
        spool = os.path.join(self.tmp, "kill-spool.db")
        sim = self.sim("killed")
        urls = (pg.url("killed"), mq.url(sub_prefix))
        proc = self.record(sim, 5, 600, *urls, spool=spool)

        def batches():
            if not os.path.exists(spool):
                return 0
            con = sqlite3.connect(spool)
            try:
                return con.execute("SELECT count(*) FROM spool").fetchone()[0]
            except sqlite3.OperationalError:
                return 0
            finally:
                con.close()
        wait_for("batches in the spool", lambda: batches() >= 20)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=GUARD_S)
        self.assertEqual(proc.returncode, -signal.SIGKILL)
        con = sqlite3.connect(spool)
        left = dict(con.execute("SELECT sink, count(*) FROM spool GROUP BY sink").fetchall())
        def rows_of(kind):
            return sum(len(json.loads(r[0])) for r in
                       con.execute("SELECT rows FROM spool WHERE sink LIKE ?", (kind + "%",)))
        rows, mq_rows = rows_of("postgresql"), rows_of("mqtt")
        runs = con.execute("SELECT sink, count(DISTINCT run_id), min(run_id) FROM spool "
                           "GROUP BY sink").fetchall()
        con.close()
        self.assertEqual([r[1] for r in runs], [1, 1])  # one run id per sink and run
        run_a = next(r[2] for r in runs if r[0].startswith("postgresql"))
        run_m = next(r[2] for r in runs if r[0].startswith("mqtt"))
        pg.start()
        mq.start()
        sub = Subscriber(mq, sub_prefix, self.tmp)
        self.cleanup.append(sub.stop)
        # The oldest spooled batch already reached PostgreSQL (as when a recorder dies between
        # COMMIT and removing it from the spool): replaying it must add nothing. Another run
        # with its own spool creates the table first.
        self.finish(self.record(sim, 2, 0.5, pg.url("killed"),
                                spool=os.path.join(self.tmp, "other-spool.db")))
        con = sqlite3.connect(spool)
        first = con.execute("SELECT run_id, tick, first_seq, rows FROM spool WHERE sink LIKE "
                            "'postgresql%' ORDER BY id LIMIT 1").fetchone()
        con.close()
        for i, row in enumerate(json.loads(first[3])):  # row[12]: received_at
            pg.sql("INSERT INTO killed (time, device, run_id, seq, tick) VALUES "
                   f"('{row[12]}', 'already', '{first[0]}', {first[2] + i}, {first[1]})")
        doc, _ = self.finish(self.record(sim, 2, 1, *urls, spool=spool))
        d = self.delivery(doc, "postgresql")
        pg_left = next(v for k, v in left.items() if k.startswith("postgresql"))
        mq_left = next(v for k, v in left.items() if k.startswith("mqtt"))
        self.assertEqual((d["replayed"], d["pending"]), (pg_left, 0))
        self.assertEqual(int(pg.sql(
            f"SELECT count(*) FROM killed WHERE run_id = '{run_a}'")[0][0]), rows)
        d = self.delivery(doc, "mqtt")
        self.assertEqual((d["replayed"], d["pending"]), (mq_left, 0))
        seen = wait_for("the first run's MQTT messages", lambda: (s := sub.seqs()) and len(
            [k for k in s if k[0] == run_m]) >= mq_rows and s)
        self.assertEqual(sorted(k[1] for k in seen if k[0] == run_m), list(range(mq_rows)))
        self.assertEqual(int(pg.sql(f"SELECT count(*) FROM killed WHERE run_id = '{run_a}' "
                                    "AND device = 'already'")[0][0]), len(json.loads(first[3])))
        # Drained in order: the replayed ticks first appear in ascending order.
        order = []
        with open(sub.out, "rb") as f:
            lines = f.read().decode().splitlines()
        for line in lines:
            if run_m in line:
                t = json.loads('{"' + line.partition(' {"')[2])["tick"]
                if t not in order:
                    order.append(t)
        self.assertEqual(order, sorted(order))

    def test_a_hung_server_never_stalls_the_schedule_nor_the_exit(self):
        pg = Postgres(self.tmp)
        self.cleanup.append(pg.stop)
        self.cleanup.append(pg.thaw)
        sim = self.sim("hung")
        spool = os.path.join(self.tmp, "hung-spool.db")
        url = pg.url("hung").replace("drain_timeout=60", "drain_timeout=1")
        proc = self.record(sim, 5, 6, url, spool=spool)
        wait_for("ticks in PostgreSQL", lambda: int(pg.sql(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'hung'")[0][0]) and int(
            pg.sql("SELECT count(DISTINCT tick) FROM hung")[0][0]) >= 5)
        pg.freeze()
        doc, err = self.finish(proc)  # ends although the server never answers again
        pg.thaw()
        self.assertEqual(doc["summary"]["samples_emitted"], 30, err)
        self.assertEqual(doc["summary"]["samples_late"], 0, err)
        d = self.delivery(doc, "postgresql")
        self.assertGreater(d["pending"], 0)
        self.assertEqual(d["delivered"] + d["pending"], 30)
        doc, _ = self.finish(self.record(sim, 2, 0.5, url, spool=spool))
        self.assertEqual(self.delivery(doc, "postgresql")["replayed"], d["pending"])
        got = pg.sql("SELECT count(DISTINCT tick) FROM hung GROUP BY run_id ORDER BY 1 DESC")
        self.assertEqual(int(got[0][0]), 30)  # the first run, whole

    def test_a_password_in_a_sink_url_is_refused_and_not_echoed(self):
        for url in ("postgresql://bob:s3cr3t@127.0.0.1:1/db?table=t",
                    "postgresql://bob@127.0.0.1:1/db?password=s3cr3t",
                    "mqtt://bob:s3cr3t@127.0.0.1:1/x"):
            r = subprocess.run(cli("record", "--port", "/dev/null", "--sink", url),
                               capture_output=True, timeout=GUARD_S)
            self.assertEqual(r.returncode, 2, r.stderr.decode())
            self.assertNotIn(b"s3cr3t", r.stderr + r.stdout)
            self.assertIn(b"PGPASSWORD" if url.startswith("postgresql") else
                          b"ANYSERIAL_MQTT_PASSWORD", r.stderr)


if __name__ == "__main__":
    unittest.main()
