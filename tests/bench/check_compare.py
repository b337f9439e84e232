#!/usr/bin/env python3
"""Smoke test of bench/compare --quick: the document is well-formed JSON, every metric and
every implementation has its rows (a value or an error saying why), and the programs that
need nothing beyond this build actually measured something. No timing is ever asserted."""
import json
import math
import subprocess
import sys

IMPLS = {"raw-poll", "boost-asio", "anyserial", "anyserial-static", "anyserial-sync",
         "pyserial", "pyserial-asyncio", "libserialport", "libmodbus", "clock_nanosleep",
         "SCHED_FIFO spin"}
METRICS = {"rtt_1byte_p50_us", "rtt_1byte_p99_us", "fanout_p50_us", "throughput_mib_s",
           "allocs_per_op", "cancel_latency_p99_us", "plugin_overhead_ratio",
           "modbus_fc04_sweep_p50_us", "modbus_session_sweep_p50_us",
           "continuous_decode_mib_s", "recorder_max_drift_ms",
           "recorder_p99_drift_ms", "startup_ms", "rss_mib_128_ports", "instructions_per_rtt",
           "instructions_per_frame", "stream_cpu_percent", "host_max_offcpu_ms"}
# Built from this tree alone: these must produce a value, not an error.
MUST_MEASURE = ["raw-poll", "boost-asio", "anyserial", "anyserial-static", "anyserial-sync"]


def fail(msg):
    print(f"check_compare: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    compare, build = sys.argv[1], sys.argv[2]
    r = subprocess.run([sys.executable, compare, "--quick", "--build-dir", build],
                       capture_output=True, text=True, timeout=600)
    sys.stderr.write(r.stderr)
    if r.returncode != 0:
        fail(f"bench/compare exited {r.returncode}")
    try:
        doc = json.loads(r.stdout)
    except ValueError as e:
        fail(f"output is not JSON: {e}\n{r.stdout[:2000]}")
    for key in ("cpu", "cores", "kernel", "memory_gib", "compiler", "boost", "date"):
        if key not in doc.get("machine", {}):
            fail(f"machine.{key} missing")
    rows = doc.get("results")
    if not isinstance(rows, list) or not rows:
        fail("no results")
    for row in rows:
        for key in ("metric", "impl", "value", "unit", "params"):
            if key not in row:
                fail(f"row without '{key}': {row}")
        if row["metric"] not in METRICS:
            fail(f"unknown metric {row['metric']}")
        v = row["value"]
        if v is None:
            if not isinstance(row.get("error"), str) or not row["error"]:
                fail(f"row with neither value nor error: {row}")
        elif not isinstance(v, (int, float)) or not math.isfinite(v):
            fail(f"value is not a finite number: {row}")
    seen_impls = {row["impl"] for row in rows}
    if seen_impls != IMPLS:
        fail(f"implementations: missing {IMPLS - seen_impls}, unexpected {seen_impls - IMPLS}")
    seen_metrics = {row["metric"] for row in rows}
    if seen_metrics != METRICS:
        fail(f"metrics missing: {METRICS - seen_metrics}")
    ports = {row["params"].get("ports") for row in rows if row["metric"] == "fanout_p50_us"}
    if ports != {1, 8, 32, 128}:
        fail(f"fanout port counts are {ports}")
    for impl in MUST_MEASURE:
        row = next(r for r in rows if r["metric"] == "rtt_1byte_p50_us" and r["impl"] == impl)
        if row["value"] is None:
            fail(f"{impl} could not measure a round trip: {row.get('error')}")
        if impl != "raw-poll" and "ratio_to_raw_poll" not in row:
            fail(f"{impl} round trip has no ratio to raw-poll")
    # The consumers of the continuous broadcast are built from this tree: both must have
    # received frames (a row with an error when none came).
    stream = [r for r in rows if r["metric"] == "stream_cpu_percent"]
    if len(stream) != 2:
        fail(f"stream_cpu_percent has {len(stream)} rows, wanted cli and library")
    for row in stream:
        if row["value"] is None or not row["params"].get("frames_received"):
            fail(f"stream_cpu_percent ({row['params'].get('consumer')}): {row.get('error')}")
    # The analyser session's sweep needs only the libmodbus slave: when libmodbus's own client
    # measured against it, the session must have too (a poll that did not decode fails it).
    sweep = {r["impl"]: r for r in rows if r["metric"] == "modbus_session_sweep_p50_us"}
    if set(sweep) != {"libmodbus", "anyserial"}:
        fail(f"modbus_session_sweep_p50_us rows for {sorted(sweep)}")
    if sweep["libmodbus"]["value"] is not None:
        if sweep["anyserial"]["value"] is None:
            fail(f"the session sweep failed: {sweep['anyserial'].get('error')}")
        if "ratio_to_libmodbus" not in sweep["anyserial"]:
            fail("the session sweep has no ratio to libmodbus")
    # The recorder's rows come with the machine's floor (a bare clock_nanosleep loop under
    # the same load and realtime settings): at least idle and with the other CPU busy, and
    # every floor beside a recorder row of the same load and settings.
    rec = [r for r in rows if r["metric"] == "recorder_max_drift_ms"]
    floors = [r for r in rec if r["impl"] == "clock_nanosleep"]
    if not {"idle", "other CPUs busy, the recorder's CPU free"} <= {r["params"].get("load")
                                                                   for r in floors}:
        fail(f"recorder floors for loads {[r['params'].get('load') for r in floors]}")
    for f in floors:
        twin = [r for r in rec if r["impl"] == "anyserial" and
                r["params"].get("variant") == f["params"].get("floor_of") and
                r["params"].get("load") == f["params"].get("load")]
        if len(twin) != 1:
            fail(f"floor without exactly one recorder row: {f['params']}")
        if f["value"] is not None and twin[0]["value"] is not None and (
                f["params"].get("sched") != twin[0]["params"].get("sched") or
                f["params"].get("timer_slack_ns") != twin[0]["params"].get("timer_slack_ns")):
            fail(f"floor and recorder ran with other settings: {f['params']} {twin[0]['params']}")
        if f["params"]["load"] == "idle" and (f["value"] is None or twin[0]["value"] is None):
            fail(f"idle recorder or floor did not measure: {f.get('error')} {twin[0].get('error')}")
    print(f"check_compare: ok: {len(rows)} rows, {len(seen_impls)} implementations "
          f"({doc['config']['seconds']} s)")


if __name__ == "__main__":
    main()
