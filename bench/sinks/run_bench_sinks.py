#!/usr/bin/env python3
"""Starts a throwaway PostgreSQL and mosquitto (the fleet test's helpers) and runs
bench-sinks against each sink: PostgreSQL with COPY and with a multi-row INSERT, MQTT,
line protocol. One JSON object per line.  Usage: run_bench_sinks.py BUILD_DIR [ROWS]"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "record"))
import test_fleet  # noqa: E402

build = sys.argv[1]
rows = sys.argv[2] if len(sys.argv) > 2 else "20"
bench = os.path.join(build, "bench", "bench-sinks")
tmp = tempfile.mkdtemp(prefix="anyserial-bench-sinks-")
pg, mq = test_fleet.Postgres(tmp), test_fleet.Mosquitto(tmp)
try:
    for name, spec in (("copy", pg.url("bench_copy").replace("drain_timeout=60", "drain_timeout=600") + "&method=copy"),
                       ("insert", pg.url("bench_insert").replace("drain_timeout=60", "drain_timeout=600") + "&method=insert"),
                       ("mqtt", mq.url("bench").replace("drain_timeout=60", "drain_timeout=600")),
                       ("influx", "influx:" + os.path.join(tmp, "bench.lp"))):
        r = subprocess.run([bench, spec, "--rows", rows, "--spool", os.path.join(tmp, name + ".db")],
                           capture_output=True, text=True)
        line = r.stdout.strip() or r.stderr.strip()
        print(line.replace('"sink":"postgresql"', f'"sink":"postgresql-{name}"'), flush=True)
finally:
    pg.stop()
    mq.stop()
