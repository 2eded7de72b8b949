"""docs/reliability.md says on what, when and how it was measured, gives every figure, and flags every failed
expectation plainly (a missing prerequisite is never a pass)."""

from __future__ import annotations

import copy

from benchmarks.reliability import account, check, write_checks
from benchmarks.reliability_report import knee_explanation, write

WRITES = account([{"marker": "a", "kind": "contact", "state": "sent"},
                  {"marker": "a", "kind": "contact", "state": "confirmed"}], {"a": 1})
CONSISTENCY = {"contacts": 1, "inconsistent": []}


def step(users, rps, p50, p95, gunicorn, postgres=0.2, locust=0.1, machine=None):
    ours = gunicorn + postgres + locust
    machine = ours if machine is None else machine
    cpu = {"gunicorn": gunicorn, "postgres": postgres, "locust": locust, "machine": machine, "ours": ours,
           "others": round(machine - ours, 3), "seconds": 60}
    return {"users": users, "rps": rps, "p50_ms": p50, "p95_ms": p95, "p99_ms": p95 * 2, "failures": 0,
            "requests": int(rps * 60), "measured_seconds": 60, "cpu_cores": cpu,
            "cpu_ms_per_request": {k: round(cpu[k] / rps * 1000, 1) for k in ("gunicorn", "postgres", "locust",
                                                                              "ours", "machine")}}


STAMP = {"scale": "national", "measured": "2026-12-06T10:00:00+00:00", "run": "r1", "seconds": 100,
         "load_average": [1.0, 1.0, 1.0]}
CURVE = {**STAMP, "workers": 5, "steps": [step(10, 8.0, 20, 40, 0.3), step(25, 19.0, 22, 60, 0.8),
                                          step(50, 24.0, 150, 900, 1.5, 0.3, 0.15), step(100, 24.5, 2000, 4000, 1.5,
                                                                                          0.3, 0.15)],
         "knee": {"users": 50, "after": 25, "rps_rise": 0.263, "users_rise": 1.0, "p95_ratio": 15.0},
         "writes": WRITES, "consistency": CONSISTENCY, "checks": write_checks(WRITES, CONSISTENCY, "capacity curve")}
LOAD = {**STAMP, **step(100, 24.0, 1900, 4100, 1.5), "users": 100, "seconds": 300, "spawn_rate": 10, "workers": 5,
        "errors": [], "by_name": {"caseload": {"requests": 100, "failures": 0, "p50_ms": 10, "p95_ms": 20}},
        "writes": WRITES, "consistency": CONSISTENCY,
        "checks": [check("100 users for 300 s: 0 errors", True, "0 errors in 7,200 requests"),
                   *write_checks(WRITES, CONSISTENCY, "headline run")]}
OUTAGE = {**STAMP, "workers": 5, "users": 50, "outage_seconds": 20, "cluster": {"version": "15", "name": "main"},
          "prerequisites": {"/healthz": 200, "/readyz": 200},
          "events": {"stop_requested": 0.0, "stopped": 0.4, "start_requested": 20.4, "pg_ready": 21.0},
          "recovery_seconds": {"/readyz": 0.3, "/caseload/": 0.6, "/api/cases/": 0.5},
          "before": {"responses": 10, "statuses": {"200": 10}, "classes": {"ok": 10}},
          "during": {"responses": 400, "statuses": {"503": 380, "200": 20}, "classes": {"clear": 380, "ok": 20},
                     "examples": []},
          "after": {"responses": 50, "statuses": {"200": 50}, "classes": {"ok": 50}},
          "tracebacks": 0, "load": {"requests": 460, "failures": 380}, "writes": WRITES, "consistency": CONSISTENCY,
          "integrity": {"check_integrity": {"command": "casework check-integrity", "missing": False, "ok": True,
                                            "seconds": 8.0},
                        "audit_verify": {"command": "casework audit verify", "missing": True, "ok": False}},
          "checks": [check("outage: no traceback in any response", True, "0 of 460 responses showed a traceback"),
                     check("after the outage: casework audit verify passes", None, "command not available")]}
BACKUP = {**STAMP,
          "sqlite": {"backup": {"command": "casework backup x", "missing": False, "ok": True, "seconds": 41.0},
                     "backup_bytes": 3 * 2**30,
                     "restore": {"command": "casework restore x", "missing": False, "ok": True, "seconds": 63.5},
                     "tables": 60, "rows": 9_000_000, "differ": {},
                     "integrity": {"audit_verify": {"missing": False, "ok": True}}},
          "postgresql": {"backup": {"command": "casework backup y", "missing": False, "ok": False, "returncode": 1,
                                    "seconds": 2.0}},
          "checks": [check("backup and restore (sqlite): casework backup", True, "exit 0 in 41.0 s"),
                     check("backup and restore (postgresql): casework backup", False, "exit 1 in 2.0 s")]}
RESULTS = {
    "started": "2026-12-06T10:00:00+00:00", "finished": "2026-12-06T10:30:00+00:00",
    "command": "make reliability RELIABILITY_STAGES=load",
    "machine": {"cpu": "AMD EPYC 7B13", "cores": 2, "ram_gb": 23.4, "os": "Debian GNU/Linux 12 (bookworm)",
                "kernel": "6.1", "python": "3.11.7", "postgresql": "15.14", "commit": "e3bc234abcdef0123",
                "dirty": False},
    "stages": {"load": LOAD, "curve": CURVE, "outage": OUTAGE, "backup": BACKUP},
}


def report(results, tmp_path):
    out = tmp_path / "reliability.md"
    write(results, out)
    return out.read_text()


def test_says_machine_command_date_and_commit(tmp_path):
    text = report(RESULTS, tmp_path)
    assert "AMD EPYC 7B13, 2 cores, 23.4 GB RAM" in text
    assert "PostgreSQL 15.14" in text
    assert "Command: `make reliability RELIABILITY_STAGES=load`" in text
    assert "2026-12-06T10:00:00+00:00" in text
    assert "commit `e3bc234abcde`" in text


def test_gives_every_figure(tmp_path):
    text = report(RESULTS, tmp_path)
    assert "100 users for 300 s" in text and "**0 errors**" in text
    assert "| 50 | 24.0 | 150 | 900 | 0 |" in text  # a step of the curve
    assert "**The knee is at 50 users**" in text
    assert "`/readyz` 0.30 s, `/caseload/` 0.60 s" in text
    assert "Tracebacks in any response: **0**" in text
    assert "| sqlite | 41.0 s | 3,072 MB | 63.5 s | 60 tables, 9,000,000 rows, 0 differ |" in text


def test_flags_failed_and_unmeasurable_expectations_plainly(tmp_path):
    text = report(RESULTS, tmp_path)
    assert "**2 expectations not met:**" in text
    assert "- backup: backup and restore (postgresql): casework backup — exit 1 in 2.0 s" in text
    assert ("- outage: after the outage: casework audit verify passes — command not available (a prerequisite is "
            "missing, so this could not pass)") in text
    assert ("| outage | after the outage: casework audit verify passes | **NOT MEASURED** (missing prerequisite) |"
            in text)
    assert "Every expectation" not in text


def test_all_met_and_stages_not_yet_measured(tmp_path):
    results = copy.deepcopy(RESULTS)
    results["stages"] = {"load": LOAD}
    text = report(results, tmp_path)
    assert "Every expectation of the stages below was met." in text
    assert "Not measured yet: capacity curve (`RELIABILITY_STAGES=curve`)" in text
    assert "worker killed mid-request (`RELIABILITY_STAGES=kill`)" in text


def test_a_run_below_national_scale_is_flagged(tmp_path):
    results = copy.deepcopy(RESULTS)
    results["stages"]["load"]["scale"] = "region"
    text = report(results, tmp_path)
    assert "**Not measured at national scale: load at region scale.**" in text
    assert "**Not measured at national scale" not in report(RESULTS, tmp_path)


def test_missing_and_duplicated_writes_are_in_the_report(tmp_path):
    results = copy.deepcopy(RESULTS)
    bad = account([{"marker": "LOADMARK-r-c-1", "kind": "contact", "state": "confirmed"}], {})
    results["stages"]["load"]["writes"] = bad
    results["stages"]["load"]["checks"] = write_checks(bad, CONSISTENCY, "headline run")
    text = report(results, tmp_path)
    assert "headline run: every confirmed write is in the database — 0 of 1 confirmed writes present, 1 missing" in text
    assert "Examples, missing: `LOADMARK-r-c-1`" in text


def test_the_knee_is_explained_from_the_measurements():
    text = knee_explanation(CURVE, cores=2)
    # 1.95 cores of our processes at 24 req/s: 81 ms a request, so two cores serve about 25 req/s.
    assert "each request cost 62.5 ms of gunicorn CPU, 12.5 ms of PostgreSQL's and 6.2 ms of Locust's" in text
    assert "2 cores at 81.2 ms a request can serve at most about 25 req/s" in text
    assert ("The CPU was saturated (98% busy): at 81.2 ms a request that serves about 25 req/s, against 24.0 "
            "measured") in text
    assert "5 workers serving one request each" in text


def test_a_busy_machine_is_said_to_be_busy():
    curve = copy.deepcopy(CURVE)
    for s in curve["steps"]:
        s["cpu_cores"]["machine"] = 2.0
        s["cpu_cores"]["others"] = round(2.0 - s["cpu_cores"]["ours"], 3)
    curve["steps"][2]["cpu_cores"]["others"] = 0.5
    text = knee_explanation(curve, cores=2)
    assert "Other processes used 0.50 of the 2 cores meanwhile" in text
    assert "0.50 cores of it taken by other processes, leaving 1.50 for gunicorn, PostgreSQL and Locust" in text


def test_no_knee_within_the_curve():
    curve = copy.deepcopy(CURVE)
    curve["knee"] = {"users": None}
    assert "No knee within the curve: throughput rose at every step, to 24.5 req/s at 100 users" in (
        knee_explanation(curve, cores=2))
