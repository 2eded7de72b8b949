"""``make reliability`` (issue 16): load with writes, a capacity curve, a database outage, a killed worker, and
backup and restore at national scale; writes docs/reliability.md and var/reliability/results.json.

Stages (``RELIABILITY_STAGES``, comma-separated, in this order by default): ``curve`` (10, 25, 50, 100 users),
``load`` (the headline run: 100 users for 5 minutes with writes), ``outage`` (PostgreSQL stopped for 20 s in the
middle of a load run), ``kill`` (a gunicorn worker killed with SIGKILL mid-request), ``backup`` (``casework
backup`` and ``casework restore`` on SQLite and PostgreSQL). Running some stages keeps the other stages' figures
from the last run in the report (each says when it was measured) unless ``RELIABILITY_FRESH=1``.

Environment (durations in seconds; the defaults are the issue's):

- ``RELIABILITY_SCALE`` (national; ``region`` for a quicker look), ``RELIABILITY_PG`` (the PostgreSQL database
  for the load stages; default postgres://postgres@127.0.0.1:5432/casework_bench, ``casework_bench_region`` at
  region scale, as ``make bench``), ``RELIABILITY_SQLITE`` (the SQLite file for the backup stage; default
  var/<scale>.sqlite3), ``RELIABILITY_RESTORE_PG`` (the scratch database restores go into; default
  casework_restore_check on the same server; dropped and created again each run).
- ``RELIABILITY_CURVE_USERS`` ("10 25 50 100 150 200": the issue's four, then two more, past the knee on
  two cores), ``RELIABILITY_CURVE_SECONDS`` (60 measured per step, after the
  users have arrived), ``RELIABILITY_LOAD_USERS`` (100), ``RELIABILITY_LOAD_SECONDS`` (300),
  ``RELIABILITY_OUTAGE_USERS`` (50), ``RELIABILITY_OUTAGE_SECONDS`` (20: how long the database is down),
  ``RELIABILITY_OUTAGE_AT`` (30: when, into the run, it is stopped), ``RELIABILITY_OUTAGE_AFTER`` (40: how long
  the run goes on after it is back), ``RELIABILITY_KILL_USERS`` (50), ``RELIABILITY_KILL_SECONDS`` (60),
  ``RELIABILITY_KILL_AT`` (25), ``RELIABILITY_KILLS`` (1: workers killed, 5 s apart), ``RELIABILITY_WORKERS``
  (gunicorn workers; 2 x cores + 1), ``RELIABILITY_RECOVERY_TARGET`` (5), ``RELIABILITY_DOUBLE_SUBMIT`` (0.05).
- ``RELIABILITY_BACKUP_CMD`` / ``RELIABILITY_RESTORE_CMD``: the commands, ``{file}`` standing for the backup
  file (default ``casework backup {file}`` and ``casework restore {file}``; the database is ``DATABASE_URL``'s;
  restores go into an empty scratch database).

The outage stage stops the whole PostgreSQL cluster serving ``RELIABILITY_PG`` (``pg_ctlcluster VERSION NAME
stop -m fast``, found by its port in ``pg_lsclusters``): anything else using that cluster sees the outage
too. It needs root (or the postgres user). Every stage reports a missing prerequisite (a command, /readyz) as a
failed expectation, never as a pass. Exits 1 if an expectation of a stage run now failed, after writing the
report.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import glob
import html
import itertools
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
OUT = VAR / "reliability"
BIN = Path(sys.executable).parent
STAGE_ORDER = ("curve", "load", "outage", "kill", "backup")
SORRY = "Sorry, there is a problem with the service"
TRACEBACK_SIGNS = ("Traceback (most recent call last)", "You're seeing this error because you have <code>DEBUG = True")


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def settings() -> dict:
    scale = os.environ.get("RELIABILITY_SCALE", "national")
    default_pg = "postgres://postgres@127.0.0.1:5432/casework_bench"
    pg = os.environ.get("RELIABILITY_PG") or (default_pg if scale == "national" else f"{default_pg}_{scale}")
    cpus = os.cpu_count() or 2
    return {
        "scale": scale, "pg": pg,
        "sqlite": os.environ.get("RELIABILITY_SQLITE", str(VAR / f"{scale}.sqlite3")),
        "restore_pg": os.environ.get("RELIABILITY_RESTORE_PG", pg.rsplit("/", 1)[0] + "/casework_restore_check"),
        "stages": [s for s in os.environ.get("RELIABILITY_STAGES", ",".join(STAGE_ORDER)).replace(" ", ",").split(",")
                   if s],
        "curve_users": [int(u) for u in os.environ.get("RELIABILITY_CURVE_USERS", "10 25 50 100 150 200").split()],
        "curve_seconds": _env_int("RELIABILITY_CURVE_SECONDS", 60),
        "load_users": _env_int("RELIABILITY_LOAD_USERS", 100),
        "load_seconds": _env_int("RELIABILITY_LOAD_SECONDS", 300),
        "outage_users": _env_int("RELIABILITY_OUTAGE_USERS", 50),
        "outage_seconds": _env_int("RELIABILITY_OUTAGE_SECONDS", 20),
        "outage_at": _env_int("RELIABILITY_OUTAGE_AT", 30),
        "outage_after": _env_int("RELIABILITY_OUTAGE_AFTER", 40),
        "kill_users": _env_int("RELIABILITY_KILL_USERS", 50),
        "kill_seconds": _env_int("RELIABILITY_KILL_SECONDS", 60),
        "kill_at": _env_int("RELIABILITY_KILL_AT", 25),
        "kills": _env_int("RELIABILITY_KILLS", 1),
        "workers": _env_int("RELIABILITY_WORKERS", 2 * cpus + 1),
        "recovery_target": float(os.environ.get("RELIABILITY_RECOVERY_TARGET", "5")),
        "double_submit": os.environ.get("RELIABILITY_DOUBLE_SUBMIT", "0.05"),
        "backup_cmd": os.environ.get("RELIABILITY_BACKUP_CMD", "casework backup {file}"),
        "restore_cmd": os.environ.get("RELIABILITY_RESTORE_CMD", "casework restore {file}"),
    }


# ---------------------------------------------------------------------------------------------------------------
# What the load tool sees of a write (used by benchmarks/locust_writes.py; here so tests need not import Locust)


def classify(status: int | None, location: str, body: str = "") -> str:
    """What the load tool saw of a write: confirmed (the redirect to the contacts page), refused or unknown."""
    if not status:
        return "unknown"  # no answer: the connection was reset or timed out
    if status in (301, 302, 303) and "/contacts/" in location and "/sign-in/" not in location:
        return "confirmed"
    return "refused"


class PostForm(HTMLParser):
    """The inputs of the page's own POST form (the one without an action, or posting to ``path``)."""

    def __init__(self, path: str):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            action = attrs.get("action") or ""
            self._current = {"own": action in ("", self.path), "hidden": {}, "names": set()}
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "textarea", "select") and attrs.get("name"):
            self._current["names"].add(attrs["name"])
            if tag == "input" and (attrs.get("type") or "").lower() == "hidden":
                self._current["hidden"][attrs["name"]] = html.unescape(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def own_form(page: str, path: str) -> dict | None:
    parser = PostForm(path)
    parser.feed(page)
    return next((f for f in parser.forms if f["own"]), None)


# ---------------------------------------------------------------------------------------------------------------
# Marker accounting (pure: the tests call these with made-up logs and counts)


def read_marks(paths: Iterable[Path | str]) -> list[dict]:
    rows = []
    for path in paths:
        with open(path) as lines:
            for line in lines:
                line = line.strip()
                if line:
                    with contextlib.suppress(json.JSONDecodeError):  # a line cut short when Locust was stopped
                        rows.append(json.loads(line))
    return rows


def account(attempts: Iterable[Mapping], present: Mapping[str, int], sample: int = 20) -> dict:
    """What the load tool saw of each write against what the database holds.

    ``attempts``: the load tool's lines, a ``sent`` line before each POST and a ``confirmed``, ``refused`` or
    ``unknown`` line after it (the two POSTs of a double submission share one marker). ``present``: how many
    times each marker is in the database. A marker is *confirmed* if any POST of it was confirmed, *unknown* if
    none was and one had no answer (or no answer line at all), otherwise *refused*. Confirmed and absent is
    *missing*; present more than once is *duplicated*; refused and present is *refused but present*: any of the
    three fails the run. Unknown writes may be either (they are counted, not judged).
    """
    writes: dict[str, dict] = {}
    for row in attempts:
        entry = writes.setdefault(row["marker"], {"kind": row.get("kind", ""), "sent": 0, "answers": [],
                                                  "double": False})
        entry["double"] = entry["double"] or bool(row.get("double"))
        if row.get("state") == "sent":
            entry["sent"] += 1
        else:
            entry["answers"].append(row.get("state", "unknown"))
    counts = Counter()
    lists: dict[str, list[str]] = {"missing": [], "duplicated": [], "refused_present": [], "unlogged_present": []}
    kinds = Counter()
    for marker, entry in writes.items():
        answers = entry["answers"]
        posts = max(entry["sent"], len(answers))
        if "confirmed" in answers:
            state = "confirmed"
        elif "unknown" in answers or len(answers) < posts:
            state = "unknown"
        else:
            state = "refused"
        found = present.get(marker, 0)
        counts["writes"] += 1
        counts["posts"] += posts
        counts[state] += 1
        kinds[entry["kind"]] += 1
        if found > 1:
            counts["duplicated"] += 1
            lists["duplicated"].append(marker)
        if state == "confirmed":
            if found:
                counts["confirmed_present"] += 1
            else:
                counts["missing"] += 1
                lists["missing"].append(marker)
        elif state == "refused" and found:
            counts["refused_present"] += 1
            lists["refused_present"].append(marker)
        elif state == "unknown" and found:
            counts["unknown_present"] += 1
        if entry["double"]:
            counts["double_submitted"] += 1
            counts["double_recorded_once" if found == 1 else "double_recorded_twice" if found > 1
                   else "double_recorded_never"] += 1
    for marker, found in present.items():
        if found and marker not in writes:
            counts["unlogged_present"] += 1
            lists["unlogged_present"].append(marker)
    keys = ("writes", "posts", "confirmed", "confirmed_present", "missing", "duplicated", "refused",
            "refused_present", "unknown", "unknown_present", "unlogged_present", "double_submitted",
            "double_recorded_once", "double_recorded_twice", "double_recorded_never")
    result = {key: counts[key] for key in keys}
    result["by_kind"] = dict(kinds)
    result["ok"] = not (counts["missing"] or counts["duplicated"] or counts["refused_present"])
    result["examples"] = {name: sorted(found)[:sample] for name, found in lists.items() if found}
    return result


def write_checks(accounting: Mapping, consistency: Mapping | None, label: str) -> list[dict]:
    """The expectations a stage's writes must meet, each with what was measured."""
    a = accounting
    checks = [
        check(f"{label}: every confirmed write is in the database", a["missing"] == 0,
              f"{a['confirmed_present']:,} of {a['confirmed']:,} confirmed writes present, {a['missing']:,} missing"),
        check(f"{label}: no write recorded twice", a["duplicated"] == 0,
              f"{a['duplicated']:,} duplicated ({a['double_submitted']:,} double submissions: "
              f"{a['double_recorded_once']:,} recorded once, {a['double_recorded_twice']:,} twice)"),
        check(f"{label}: nothing refused is in the database", a["refused_present"] == 0,
              f"{a['refused']:,} refused, {a['refused_present']:,} of them present"),
        check(f"{label}: the load tool saw writes confirmed", a["confirmed"] > 0,
              f"{a['confirmed']:,} confirmed of {a['writes']:,} writes"),
    ]
    if consistency is not None:
        checks.append(check(f"{label}: nothing half-written (each marked contact and outcome has its audit row "
                            f"and version)", not consistency.get("inconsistent"),
                            f"{consistency.get('contacts', 0):,} marked contacts checked, "
                            f"{len(consistency.get('inconsistent', [])):,} inconsistent"))
    return checks


def check(name: str, ok: bool | None, detail: str) -> dict:
    """One expectation. ``ok`` None means it could not be judged (a prerequisite is missing): a failure."""
    return {"name": name, "ok": bool(ok) if ok is not None else False, "missing": ok is None, "detail": detail}


# ---------------------------------------------------------------------------------------------------------------
# Responses during an outage, recovery, the knee (pure)


def classify_response(row: Mapping) -> str:
    """``ok`` (below 400), ``clear`` (503 with the GOV.UK page, or JSON for the API), ``traceback``,
    ``no answer`` (connection error) or ``other`` (any other error)."""
    status = row.get("status") or 0
    if row.get("traceback"):
        return "traceback"
    if not status:
        return "no answer"
    if status < 400:
        return "ok"
    api = str(row.get("name", "")).startswith(("api", "/api/")) or row.get("target") in ("/readyz", "/healthz")
    if status == 503 and (row.get("json") if api else row.get("sorry")):
        return "clear"
    return "other"


def outage_summary(rows: Iterable[Mapping], start: float, end: float) -> dict:
    """Responses whose request started in ``[start, end)``: statuses and classes."""
    statuses, classes, examples = Counter(), Counter(), []
    for row in rows:
        if start <= row["t"] < end:
            statuses[str(row.get("status") or 0)] += 1
            kind = classify_response(row)
            classes[kind] += 1
            if kind not in ("ok", "clear") and len(examples) < 10:
                examples.append({k: row.get(k) for k in ("name", "target", "status", "exception", "json", "sorry")})
    return {"responses": sum(statuses.values()), "statuses": dict(statuses), "classes": dict(classes),
            "examples": examples}


def first_ok_after(polls: Iterable[Mapping], target: str, after: float) -> float | None:
    """When the first 200 for ``target`` answered, of requests started at or after ``after``."""
    times = [p["t"] + p.get("ms", 0) / 1000 for p in polls
             if p.get("target") == target and p["t"] >= after and p.get("status") == 200]
    return min(times) if times else None


def knee(steps: list[Mapping]) -> dict:
    """Where adding users stops adding throughput: the first step whose throughput rose by less than half the
    rise in users (or fell). None when throughput kept pace. (p95 is not the test: it climbs with queueing well
    before the throughput bends, so it called a knee at 100 users while the CPU still had a third to give.)"""
    for previous, step in itertools.pairwise(steps):
        if not previous.get("rps") or not step.get("rps"):
            continue
        users_rise = step["users"] / previous["users"] - 1
        rps_rise = step["rps"] / previous["rps"] - 1
        p95_ratio = (step.get("p95_ms") or 0) / max(previous.get("p95_ms") or 1, 1)
        if rps_rise < users_rise / 2:
            return {"users": step["users"], "after": previous["users"], "rps_rise": round(rps_rise, 3),
                    "users_rise": round(users_rise, 3), "p95_ratio": round(p95_ratio, 2)}
    return {"users": None}


# ---------------------------------------------------------------------------------------------------------------
# Processes: gunicorn, CPU sampling, the poller, Locust


def _run(cmd: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    print("$", shlex.join(cmd), flush=True)
    return subprocess.run(cmd, env=env, cwd=ROOT, **kwargs)  # noqa: S603


def _cluster_for(url: str) -> dict | None:
    """The local PostgreSQL cluster listening on ``url``'s port (from ``pg_lsclusters``)."""
    port = re.search(r":(\d+)/", url)
    port = port.group(1) if port else "5432"
    try:
        out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout  # noqa: S607
    except (OSError, subprocess.CalledProcessError):
        return None
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 6 and fields[2] == port:
            return {"version": fields[0], "name": fields[1], "port": int(port), "data": fields[5]}
    return None


def _postmaster_pid(cluster: dict | None) -> int | None:
    if not cluster:
        return None
    try:
        return int(Path(cluster["data"], "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class CpuSampler(threading.Thread):
    """CPU seconds used by process groups (a root process and its children), sampled every ``interval``."""

    def __init__(self, groups: Mapping[str, callable], interval: float = 1.0):
        super().__init__(daemon=True)
        self.groups, self.interval = groups, interval
        self.samples: list[tuple[float, dict]] = []
        self._last: dict[int, float] = {}
        self._totals = Counter()
        self._halt = threading.Event()

    def _tick(self) -> None:
        import psutil

        for group, root in self.groups.items():
            pid = root()
            if not pid:
                continue
            try:
                parent = psutil.Process(pid)
                processes = [parent, *parent.children(recursive=True)]
            except psutil.Error:
                continue
            for process in processes:
                try:
                    times = process.cpu_times()
                except psutil.Error:
                    continue
                used = times.user + times.system
                key = (group, process.pid)
                if key in self._last or not self.samples:
                    self._totals[group] += used - self._last.get(key, used)
                else:  # born since the last sample: all its CPU is in this window
                    self._totals[group] += used
                self._last[key] = used
        machine = psutil.cpu_times()
        busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0)
        self.samples.append((time.time(), {**self._totals, "machine": busy}))

    def run(self) -> None:
        while not self._halt.is_set():
            self._tick()
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)
        self._tick()

    def usage(self, start: float, end: float) -> dict:
        """Cores used by each group between ``start`` and ``end`` (2.0 = two cores busy), from the samples."""
        inside = [s for s in self.samples if start - self.interval / 2 <= s[0] <= end + self.interval / 2]
        if len(inside) < 2:
            return {}
        (t0, first), (t1, last) = inside[0], inside[-1]
        seconds = max(t1 - t0, 1e-9)
        cores = {group: round((last.get(group, 0) - first.get(group, 0)) / seconds, 3) for group in {*first, *last}}
        ours = sum(v for k, v in cores.items() if k != "machine")
        # Anything else on the machine (other people's processes, the harness itself) during the window.
        return cores | {"ours": round(ours, 3), "others": round(max(0.0, cores.get("machine", 0) - ours), 3),
                        "seconds": round(seconds, 1)}


class Server:
    """gunicorn on a free loopback port."""

    def __init__(self, env: dict, workers: int, log: Path):
        from benchmarks.run import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), "casework.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
             "--log-level", "warning", "--timeout", "30"],
            env=env, cwd=ROOT, stdout=open(log, "w"), stderr=subprocess.STDOUT)  # noqa: SIM115
        import requests

        for _ in range(200):
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/sign-in/", timeout=5).status_code == 200:
                    return
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start: see {log}")
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer on {self.url}: see {log}")

    def children(self) -> list[int]:
        import psutil

        with contextlib.suppress(psutil.Error):
            return [c.pid for c in psutil.Process(self.process.pid).children()]
        return []

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def signed_in_session(base: str, username: str, password: str = "casework-demo"):  # noqa: S107 - the demo worlds' shared password
    import requests

    session = requests.Session()
    form = session.get(base + "/sign-in/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    session.post(base + "/sign-in/", timeout=30, data={"csrfmiddlewaretoken": token.group(1) if token else "",
                                                       "username": username, "password": password})
    return session


class Poller(threading.Thread):
    """GET ``target`` every ``interval`` seconds; every answer recorded (time, status, and what it was)."""

    def __init__(self, session, base: str, target: str, interval: float = 0.1):
        super().__init__(daemon=True)
        self.session, self.base, self.target, self.interval = session, base, target, interval
        self.rows: list[dict] = []
        self._halt = threading.Event()

    def run(self) -> None:
        import requests

        while not self._halt.is_set():
            started = time.time()
            row = {"t": started, "target": self.target, "name": self.target, "status": 0}
            try:
                response = self.session.get(self.base + self.target, timeout=10, allow_redirects=False)
                text = response.text if response.status_code >= 400 else ""
                row.update(status=response.status_code,
                           json=response.headers.get("Content-Type", "").startswith("application/json"),
                           sorry=SORRY in text, traceback=any(sign in text for sign in TRACEBACK_SIGNS))
            except requests.RequestException as exc:
                row["exception"] = type(exc).__name__
            row["ms"] = round((time.time() - started) * 1000, 1)
            self.rows.append(row)
            self._halt.wait(max(0.0, self.interval - (time.time() - started)))

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=15)


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:  # Locust writes N/A for a request never made since the statistics were reset
        return None


class Locust:
    """Locust headless, one process, with the write mix (``benchmarks/locust_writes.py``), in the background."""

    def __init__(self, *, base: str, env: dict, users: int, seconds: int, run: str, out: Path, usernames: str,
                 reset_stats: bool = False, responses: bool = False, double_submit: str = "0.05"):
        out.mkdir(parents=True, exist_ok=True)
        self.out, self.users = out, users
        self.spawn_rate = max(1, users // 10)  # users arrive over ten seconds, as in make bench
        self.ramp = users / self.spawn_rate
        self.seconds = seconds
        self.started = time.time()
        cmd = [str(BIN / "locust"), "-f", "benchmarks/locust_writes.py", "--headless", "--host", base,
               "-u", str(users), "-r", str(self.spawn_rate), "-t", f"{seconds}s", "--csv", str(out / "locust"),
               "--only-summary", "--exit-code-on-error", "0", "--stop-timeout", "10"]
        if reset_stats:
            cmd.append("--reset-stats")
        extra = {"PYTHONPATH": str(ROOT), "LOCUST_USERNAMES": usernames, "RELIABILITY_RUN": run,
                 "RELIABILITY_OUT": str(out), "RELIABILITY_DOUBLE_SUBMIT": double_submit}
        if responses:
            extra["RELIABILITY_RESPONSE_LOG"] = "1"
        print("$", shlex.join(cmd), flush=True)
        self.process = subprocess.Popen(cmd, env={**env, **extra}, cwd=ROOT,  # noqa: S603
                                        stdout=open(out / "locust.log", "w"), stderr=subprocess.STDOUT)  # noqa: SIM115

    def wait(self) -> dict:
        self.process.wait(timeout=self.seconds + 120)
        self.finished = time.time()
        return self.stats()

    def stats(self) -> dict:
        path = self.out / "locust_stats.csv"
        if not path.exists():
            return {"error": f"Locust wrote no statistics: see {self.out / 'locust.log'}"}
        with open(path) as handle:
            rows = {row["Name"]: row for row in csv.DictReader(handle)}
        total = rows.get("Aggregated")
        if not total:
            return {"error": "Locust's statistics have no aggregate row"}
        errors = []
        failures_csv = self.out / "locust_failures.csv"
        if failures_csv.exists():
            with open(failures_csv) as handle:
                errors = [{"method": r["Method"], "name": r["Name"], "error": r["Error"][:300],
                           "occurrences": int(r["Occurrences"])} for r in csv.DictReader(handle)]
        return {
            "users": self.users, "seconds": self.seconds, "spawn_rate": self.spawn_rate,
            "requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
            "rps": round(_float(total["Requests/s"]) or 0, 2), "p50_ms": _float(total["50%"]),
            "p95_ms": _float(total["95%"]), "p99_ms": _float(total["99%"]), "errors": errors,
            "by_name": {name: {"requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
                               "p50_ms": _float(r["50%"]), "p95_ms": _float(r["95%"])}
                        for name, r in rows.items() if name != "Aggregated"},
        }


# ---------------------------------------------------------------------------------------------------------------
# The database side (``python -m benchmarks.reliability markers RUN`` runs inside Django)


def db_markers(run: str) -> dict:
    """Every load marker of ``run`` in the database, how many times, and whether each marked contact is whole:
    one ``contact.record`` audit row, as many ``contact.record_outcome`` rows as outcome markers, an outcome
    when it has one, and its version moved once per outcome."""
    import django

    django.setup()
    from casework.audit.models import AuditEvent
    from casework.record.models import Contact

    pattern = re.compile(rf"LOADMARK-{re.escape(run)}-[co]-[0-9a-f]{{16}}")
    present: Counter = Counter()
    contacts = {}
    rows = Contact.objects.filter(notes__contains=f"LOADMARK-{run}-").values_list(
        "id", "case__crn", "notes", "outcome", "version")
    for contact_id, crn, notes, outcome, version in rows.iterator():
        markers = pattern.findall(notes)
        present.update(markers)
        contacts[contact_id] = {"crn": crn, "outcome": outcome, "version": version,
                                "created": sum(1 for m in markers if f"-{run}-c-" in m),
                                "outcomes": sum(1 for m in markers if f"-{run}-o-" in m)}
    audits: Counter = Counter()
    ids = [str(i) for i in contacts]
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        crns = {contacts[int(i)]["crn"] for i in chunk}
        for object_id, action in AuditEvent.objects.filter(
                crn__in=crns, action__in=("contact.record", "contact.record_outcome"),
                object_id__in=chunk).values_list("object_id", "action"):
            audits[(int(object_id), action)] += 1
    inconsistent = []
    for contact_id, c in contacts.items():
        recorded, outcomes = audits[(contact_id, "contact.record")], audits[(contact_id, "contact.record_outcome")]
        problems = []
        if c["created"] and recorded != 1:
            problems.append(f"{recorded} contact.record audit rows")
        if c["outcomes"] and (outcomes != c["outcomes"] or not c["outcome"]):
            problems.append(f"{c['outcomes']} outcome markers, {outcomes} outcome audit rows, outcome "
                            f"{c['outcome'] or 'empty'}")
        if c["created"] and c["version"] != 1 + outcomes:
            problems.append(f"version {c['version']} after {outcomes} outcomes")
        if problems:
            inconsistent.append({"contact": contact_id, "crn": c["crn"], "problems": problems})
    return {"present": dict(present), "consistency": {"contacts": len(contacts), "inconsistent": inconsistent}}


def _usernames(env: dict, count: int) -> str:
    script = (
        "import django; django.setup()\n"
        "from django.db.models import Count\n"
        "from casework.workforce.models import Staff\n"
        "names = ['po'] + list(Staff.objects.filter(ended=None, user__is_active=True).exclude(user__username='po')"
        ".annotate(n=Count('caseload')).filter(n__gte=20).order_by('code').values_list('user__username', flat=True)"
        f"[:{max(count, 1) - 1}])\n"
        "print(','.join(names))")
    return subprocess.run([str(BIN / "python"), "-c", script], env=env, cwd=ROOT, check=True,  # noqa: S603
                          capture_output=True, text=True).stdout.strip()


def _json_from(command: list[str], env: dict) -> dict:
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout[done.stdout.index("{"):])


def account_run(env: dict, run: str, out: Path) -> tuple[dict, dict]:
    found = _json_from([str(BIN / "python"), "-m", "benchmarks.reliability", "markers", run], env)
    attempts = [row for row in read_marks(sorted(glob.glob(str(out / "**" / "marks-*.jsonl"), recursive=True)))
                if row.get("marker", "").startswith(f"LOADMARK-{run}-")]
    return account(attempts, found["present"]), found["consistency"]


def casework_command(args: list[str], env: dict, timeout: int = 7200) -> dict:
    """Run ``casework ARGS`` if the command exists; says ``missing`` (never passes) when it does not."""
    # ``casework backup FILE --help`` prints the command's help (exit 0) when the command exists.
    probe = subprocess.run([str(BIN / "casework"), *args, "--help"], env=env, cwd=ROOT,  # noqa: S603
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return {"command": "casework " + shlex.join(args), "missing": True, "ok": False,
                "output": (probe.stderr or probe.stdout)[-500:]}
    clock = time.monotonic()
    print("$ casework", shlex.join(args), flush=True)
    try:
        done = subprocess.run([str(BIN / "casework"), *args], env=env, cwd=ROOT,  # noqa: S603
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"command": "casework " + shlex.join(args), "missing": False, "ok": False,
                "output": f"timed out after {timeout} s", "seconds": timeout}
    return {"command": "casework " + shlex.join(args), "missing": False, "ok": done.returncode == 0,
            "returncode": done.returncode, "seconds": round(time.monotonic() - clock, 1),
            "output": (done.stdout + done.stderr)[-1500:]}


def integrity_checks(env: dict, label: str) -> tuple[dict, list[dict]]:
    results = {"check_integrity": casework_command(["check-integrity"], env),
               "audit_verify": casework_command(["audit", "verify"], env)}
    checks = []
    for key, name in (("check_integrity", "casework check-integrity"), ("audit_verify", "casework audit verify")):
        r = results[key]
        checks.append(check(f"{label}: {name} passes", None if r["missing"] else r["ok"],
                            "command not available" if r["missing"] else
                            f"exit {r.get('returncode')} in {r.get('seconds')} s"))
    return results, checks


# ---------------------------------------------------------------------------------------------------------------
# Stages


class Context:
    def __init__(self, config: dict):
        from benchmarks.run import env_for

        self.config = config
        self.env = env_for("postgresql", DATABASE_URL=config["pg"])
        self.cluster = _cluster_for(config["pg"])
        self._usernames: str | None = None
        self.prepared = False

    def prepare(self) -> None:
        """As ``make bench``: the database, its schema and the dataset (generated once, reused after)."""
        if self.prepared:
            return
        from benchmarks.run import ensure_postgres_database

        ensure_postgres_database(self.config["pg"])
        _run([str(BIN / "casework"), "migrate"], self.env, check=True, stdout=subprocess.DEVNULL)
        _run([str(BIN / "casework"), "generate", "--scale", self.config["scale"], "--no-progress"], self.env,
             check=True)
        self.prepared = True

    def usernames(self) -> str:
        if self._usernames is None:
            users = max(self.config["curve_users"] + [self.config[k] for k in
                                                      ("load_users", "outage_users", "kill_users")])
            self._usernames = _usernames(self.env, users)
        return self._usernames

    def sampler(self, server: Server, locust: Locust | None = None) -> CpuSampler:
        groups = {"gunicorn": lambda: server.process.pid, "postgres": lambda: _postmaster_pid(self.cluster)}
        if locust is not None:
            groups["locust"] = lambda: locust.process.pid
        sampler = CpuSampler(groups)
        sampler.start()
        return sampler


def _cpu_per_request(cpu: Mapping, rps: float) -> dict:
    if not rps or not cpu:
        return {}
    return {group: round(cpu[group] / rps * 1000, 1) for group in ("gunicorn", "postgres", "locust", "ours", "machine")
            if group in cpu}


def stage_curve(ctx: Context, run: str) -> dict:
    config = ctx.config
    out = OUT / "curve"
    steps = []
    server = Server(ctx.env, config["workers"], out / "gunicorn.log")
    try:
        for users in config["curve_users"]:
            ramp = users / max(1, users // 10)
            locust = Locust(base=server.url, env=ctx.env, users=users, seconds=int(ramp + config["curve_seconds"]),
                            run=run, out=out / f"u{users}", usernames=ctx.usernames(), reset_stats=True,
                            double_submit=config["double_submit"])
            sampler = ctx.sampler(server, locust)
            stats = locust.wait()
            sampler.stop()
            cpu = sampler.usage(locust.started + ramp + 1, min(locust.finished, locust.started + locust.seconds + 2))
            steps.append({**stats, "measured_seconds": config["curve_seconds"], "cpu_cores": cpu,
                          "cpu_ms_per_request": _cpu_per_request(cpu, stats.get("rps", 0))})
            print(f"curve {users} users: {stats.get('rps')} req/s, p95 {stats.get('p95_ms')} ms, "
                  f"{stats.get('failures')} errors, CPU {cpu}", flush=True)
    finally:
        server.stop()
    accounting, consistency = account_run(ctx.env, run, out)
    return {"workers": config["workers"], "steps": steps, "knee": knee(steps), "writes": accounting,
            "consistency": consistency, "checks": write_checks(accounting, consistency, "capacity curve")}


def stage_load(ctx: Context, run: str) -> dict:
    config = ctx.config
    out = OUT / "load"
    server = Server(ctx.env, config["workers"], out / "gunicorn.log")
    try:
        locust = Locust(base=server.url, env=ctx.env, users=config["load_users"], seconds=config["load_seconds"],
                        run=run, out=out, usernames=ctx.usernames(), double_submit=config["double_submit"])
        sampler = ctx.sampler(server, locust)
        stats = locust.wait()
        sampler.stop()
    finally:
        server.stop()
    cpu = sampler.usage(locust.started + locust.ramp, locust.finished)
    accounting, consistency = account_run(ctx.env, run, out)
    checks = [check(f"{config['load_users']} users for {config['load_seconds']} s: 0 errors",
                    stats.get("failures") == 0 if "error" not in stats else None,
                    stats.get("error") or f"{stats['failures']:,} errors in {stats['requests']:,} requests"),
              *write_checks(accounting, consistency, "headline run")]
    return {"workers": config["workers"], **stats, "cpu_cores": cpu,
            "cpu_ms_per_request": _cpu_per_request(cpu, stats.get("rps", 0)), "writes": accounting,
            "consistency": consistency, "checks": checks}


def _pg_ready(url: str, timeout: float = 120) -> float | None:
    """Poll until PostgreSQL accepts a connection (every 50 ms); when it did."""
    import psycopg

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with psycopg.connect(url, connect_timeout=1):
                return time.time()
        except psycopg.Error:
            time.sleep(0.05)
    return None


def stage_outage(ctx: Context, run: str) -> dict:
    config = ctx.config
    out = OUT / "outage"
    cluster = ctx.cluster
    if not cluster:
        return {"checks": [check("outage: the PostgreSQL cluster can be stopped and started", None,
                                 f"no local cluster found listening on {config['pg']} (pg_lsclusters)")]}
    control = ["pg_ctlcluster", cluster["version"], cluster["name"]]
    server = Server(ctx.env, config["workers"], out / "gunicorn.log")
    import requests

    prerequisites = {}
    for target in ("/healthz", "/readyz"):
        try:
            prerequisites[target] = requests.get(server.url + target, timeout=10).status_code
        except requests.RequestException as exc:
            prerequisites[target] = type(exc).__name__
    session = signed_in_session(server.url, ctx.usernames().split(",")[0])
    try:  # the poller's page must be served before the outage, or its recovery could never be seen
        prerequisites["/caseload/ signed in"] = session.get(server.url + "/caseload/", timeout=30,
                                                            allow_redirects=False).status_code
    except requests.RequestException as exc:
        prerequisites["/caseload/ signed in"] = type(exc).__name__
    # The API allows a signed-in user 300 requests a minute (API_THROTTLE_USER): its poller signs in as another
    # practitioner and asks four times a second.
    names = ctx.usernames().split(",")
    api_session = signed_in_session(server.url, names[-1]) if len(names) > 1 else session
    pollers = [*(Poller(session, server.url, target) for target in ("/readyz", "/healthz", "/caseload/")),
               Poller(api_session, server.url, "/api/cases/", interval=0.25)]
    seconds = config["outage_at"] + config["outage_seconds"] + config["outage_after"]
    events: dict = {}
    try:
        locust = Locust(base=server.url, env=ctx.env, users=config["outage_users"], seconds=seconds, run=run,
                        out=out, usernames=ctx.usernames(), responses=True, double_submit=config["double_submit"])
        sampler = ctx.sampler(server, locust)
        for poller in pollers:
            poller.start()
        time.sleep(max(0, locust.started + config["outage_at"] - time.time()))
        events["stop_requested"] = time.time()
        stop = _run([*control, "stop", "-m", "fast"], os.environ.copy(), capture_output=True, text=True)
        events["stopped"] = time.time()
        events["stop_output"] = (stop.stdout + stop.stderr)[-500:]
        time.sleep(config["outage_seconds"])
        events["start_requested"] = time.time()
        ready: dict = {}
        waiter = threading.Thread(target=lambda: ready.update(at=_pg_ready(config["pg"])), daemon=True)
        waiter.start()
        start = _run([*control, "start"], os.environ.copy(), capture_output=True, text=True)
        events["start_returned"] = time.time()
        events["start_output"] = (start.stdout + start.stderr)[-500:]
        waiter.join(timeout=130)
        events["pg_ready"] = ready.get("at")
        stats = locust.wait()
        time.sleep(1)
    finally:
        for poller in pollers:
            poller.stop()
        with contextlib.suppress(Exception):
            sampler.stop()
        server.stop()
        if _pg_ready(config["pg"], timeout=1) is None:  # never leave the database stopped
            _run([*control, "start"], os.environ.copy())
    polls = [row for poller in pollers for row in poller.rows]
    responses = read_marks(sorted(out.glob("responses-*.jsonl"))) + polls
    ready_at = events.get("pg_ready")
    recovered = {}
    for target in ("/readyz", "/caseload/", "/api/cases/"):
        first = first_ok_after(polls, target, ready_at) if ready_at else None
        recovered[target] = round(first - ready_at, 2) if first else None
    window_end = max([ready_at or events["start_returned"], *[ready_at + s for s in recovered.values() if s]])
    during = outage_summary(responses, events["stop_requested"], window_end)
    after = outage_summary(responses, window_end, time.time())
    before = outage_summary(responses, 0, events["stop_requested"])
    tracebacks = sum(1 for r in responses if r.get("traceback"))
    with open(out / "responses-all.jsonl", "w") as handle:
        for row in responses:
            handle.write(json.dumps(row) + "\n")
    accounting, consistency = account_run(ctx.env, run, out)
    integrity, integrity_checks_ = integrity_checks(ctx.env, "after the outage")
    target = config["recovery_target"]
    readyz_ok = prerequisites.get("/readyz") == 200
    checks = [
        check("outage: no traceback in any response", tracebacks == 0,
              f"{tracebacks} of {len(responses):,} responses showed a traceback"),
        check("outage: every error while the database was down was the clear 503 (GOV.UK page, JSON for the API)",
              during["responses"] > 0 and not (set(during["classes"]) - {"ok", "clear"}),
              f"{during['responses']:,} responses while down or recovering: {during['classes']}"),
        check("outage: /readyz exists", readyz_ok or None,
              f"/readyz answered {prerequisites.get('/readyz')} before the outage"),
        check(f"outage: /readyz ready again within {target:g} s of PostgreSQL accepting connections",
              (recovered["/readyz"] is not None and recovered["/readyz"] <= target) if readyz_ok and ready_at
              else None, f"{recovered['/readyz']} s" if recovered["/readyz"] is not None else "never recovered"
              if ready_at else "PostgreSQL did not come back"),
        check(f"outage: pages (/caseload/) served again within {target:g} s",
              (recovered["/caseload/"] is not None and recovered["/caseload/"] <= target)
              if prerequisites.get("/caseload/ signed in") == 200 else None,
              f"{recovered['/caseload/']} s" if recovered["/caseload/"] is not None else
              "never recovered" if prerequisites.get("/caseload/ signed in") == 200 else
              f"the poller could not sign in (/caseload/ answered {prerequisites.get('/caseload/ signed in')})"),
        check("outage: no errors once recovered", not (set(after["classes"]) - {"ok"}),
              f"{after['responses']:,} responses after recovery: {after['classes']}"),
        *write_checks(accounting, consistency, "outage"),
        *integrity_checks_,
    ]
    return {"workers": config["workers"], "cluster": cluster, "prerequisites": prerequisites,
            "outage_seconds": config["outage_seconds"], "users": config["outage_users"],
            "events": {k: (round(v - events["stop_requested"], 2) if isinstance(v, float) else v)
                       for k, v in events.items()},
            "recovery_seconds": recovered, "before": before, "during": during, "after": after,
            "tracebacks": tracebacks, "load": stats, "cpu_cores": sampler.usage(locust.started, locust.finished),
            "writes": accounting, "consistency": consistency, "integrity": integrity, "checks": checks}


def _busy_worker(ctx: Context, server: Server, wait: float = 3.0) -> tuple[int | None, str]:
    """A gunicorn worker in the middle of a request: best, one whose PostgreSQL session is running a query or is
    inside a transaction; else one holding a client's connection (a sync worker holds one only while it serves
    it); any worker if neither is seen within ``wait`` seconds."""
    import psutil
    import psycopg

    port = ctx.cluster["port"] if ctx.cluster else 5432
    deadline = time.time() + wait
    serving = None
    with psycopg.connect(ctx.config["pg"], autocommit=True) as conn:
        while time.time() < deadline:
            states = dict(conn.execute("SELECT client_port, state FROM pg_stat_activity WHERE client_port IS NOT NULL"
                                       " AND pid <> pg_backend_pid()").fetchall())
            for pid in server.children():
                with contextlib.suppress(psutil.Error):
                    for connection in psutil.Process(pid).net_connections(kind="tcp"):
                        if connection.status != psutil.CONN_ESTABLISHED or not connection.raddr:
                            continue
                        if connection.raddr.port == port:
                            state = states.get(connection.laddr.port)
                            if state in ("active", "idle in transaction"):
                                return pid, f"mid-request: its database session was {state}"
                        elif connection.laddr.port == server.port:
                            serving = serving or pid
            if serving and time.time() > deadline - wait / 2:
                return serving, "mid-request: serving a client's connection (not seen inside a query)"
            time.sleep(0.005)
    if serving:
        return serving, "mid-request: serving a client's connection (not seen inside a query)"
    children = server.children()
    return (children[0], "no worker was seen mid-request; killed the first") if children else (None, "no workers")


def stage_kill(ctx: Context, run: str) -> dict:
    config = ctx.config
    out = OUT / "kill"
    server = Server(ctx.env, config["workers"], out / "gunicorn.log")
    kills = []
    try:
        locust = Locust(base=server.url, env=ctx.env, users=config["kill_users"], seconds=config["kill_seconds"],
                        run=run, out=out, usernames=ctx.usernames(), responses=True,
                        double_submit=config["double_submit"])
        time.sleep(max(0, locust.started + config["kill_at"] - time.time()))
        for number in range(config["kills"]):
            if number:
                time.sleep(5)
            pid, why = _busy_worker(ctx, server)
            if pid:
                os.kill(pid, signal.SIGKILL)
            kills.append({"pid": pid, "why": why, "at": round(time.time() - locust.started, 2)})
            print(f"killed worker {pid}: {why}", flush=True)
        stats = locust.wait()
        workers_after = len(server.children())
    finally:
        server.stop()
    responses = read_marks(sorted(out.glob("responses-*.jsonl")))
    statuses = Counter(str(r.get("status") or 0) for r in responses)
    accounting, consistency = account_run(ctx.env, run, out)
    checks = [
        check("worker kill: a worker was killed", bool(kills) and all(k["pid"] for k in kills),
              "; ".join(f"pid {k['pid']} at {k['at']} s ({k['why']})" for k in kills) or "none"),
        check("worker kill: gunicorn replaced it", workers_after >= config["workers"],
              f"{workers_after} workers after, {config['workers']} before"),
        *write_checks(accounting, consistency, "worker kill"),
        check("worker kill: no traceback in any response", not any(r.get("traceback") for r in responses),
              f"{sum(1 for r in responses if r.get('traceback'))} tracebacks"),
    ]
    return {"workers": config["workers"], "users": config["kill_users"], "kills": kills,
            "workers_after": workers_after, "statuses": dict(statuses), "load": stats, "writes": accounting,
            "consistency": consistency, "checks": checks}


def _row_counts_script() -> str:
    return ("import django, json; django.setup()\n"
            "from django.apps import apps\n"
            "from django.db import connection\n"
            "counts = {}\n"
            "with connection.cursor() as cursor:\n"
            "    for model in apps.get_models(include_auto_created=True):\n"
            "        table = model._meta.db_table\n"
            "        if table in counts or model._meta.proxy or not model._meta.managed:\n"
            "            continue\n"
            "        cursor.execute('SELECT count(*) FROM ' + connection.ops.quote_name(table))\n"
            "        counts[table] = cursor.fetchone()[0]\n"
            "print(json.dumps(counts))")


def _backup_one(ctx: Context, vendor: str, source: str, target: str, file: Path) -> dict:
    from benchmarks.run import env_for

    config = ctx.config
    source_env = env_for(vendor, DATABASE_URL=source)
    target_env = env_for(vendor, DATABASE_URL=target)
    result: dict = {"source": source, "target": target, "file": str(file)}
    checks: list[dict] = []
    label = f"backup and restore ({vendor})"
    if vendor == "sqlite":
        # As make bench: the schema brought up to date and the dataset generated once (reused after).
        Path(source.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        _run([str(BIN / "casework"), "migrate"], source_env, check=True, stdout=subprocess.DEVNULL)
        _run([str(BIN / "casework"), "generate", "--scale", config["scale"], "--no-progress"], source_env, check=True)
        if Path(target.removeprefix("sqlite:///")).resolve() == Path(source.removeprefix("sqlite:///")).resolve():
            raise RuntimeError("the restore target must not be the source database")
        Path(target.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        import psycopg

        ctx.prepare()
        name = target.rsplit("/", 1)[1]
        if name == source.rsplit("/", 1)[1]:
            raise RuntimeError("the restore target must not be the source database")
        with psycopg.connect(target.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    file.parent.mkdir(parents=True, exist_ok=True)
    file.unlink(missing_ok=True)
    backup = casework_command(shlex.split(config["backup_cmd"].format(file=file))[1:], source_env)
    result["backup"] = backup
    result["backup_bytes"] = file.stat().st_size if file.exists() else None
    checks.append(check(f"{label}: casework backup", None if backup["missing"] else backup["ok"],
                        "command not available" if backup["missing"] else
                        f"exit {backup.get('returncode')} in {backup.get('seconds')} s"))
    if not backup["ok"]:
        result["checks"] = checks
        return result
    restore = casework_command(shlex.split(config["restore_cmd"].format(file=file))[1:], target_env)
    result["restore"] = restore
    checks.append(check(f"{label}: casework restore", None if restore["missing"] else restore["ok"],
                        "command not available" if restore["missing"] else
                        f"exit {restore.get('returncode')} in {restore.get('seconds')} s"))
    if restore["ok"]:
        counts = {}
        for side, env in (("source", source_env), ("restored", target_env)):
            done = subprocess.run([str(BIN / "python"), "-c", _row_counts_script()], env=env, cwd=ROOT,  # noqa: S603
                                  capture_output=True, text=True)
            counts[side] = json.loads(done.stdout) if done.returncode == 0 else {"error": done.stderr[-500:]}
        differ = {t: (n, counts["restored"].get(t)) for t, n in counts["source"].items()
                  if counts["restored"].get(t) != n}
        result["tables"] = len(counts["source"])
        result["rows"] = sum(v for v in counts["source"].values() if isinstance(v, int))
        result["differ"] = differ
        checks.append(check(f"{label}: every table has the same number of rows after the round trip",
                            not differ and "error" not in counts["source"],
                            f"{result['tables']} tables, {result['rows']:,} rows; {len(differ)} differ"
                            + (f": {dict(list(differ.items())[:5])}" if differ else "")))
        integrity, more = integrity_checks(target_env, f"restored {vendor}")
        result["integrity"] = integrity
        checks.extend(more)
    result["checks"] = checks
    return result


def stage_backup(ctx: Context, run: str) -> dict:
    config = ctx.config
    out = OUT / "backup"
    restore_sqlite = f"sqlite:///{out / 'restore-check.sqlite3'}"
    results = {
        "sqlite": _backup_one(ctx, "sqlite", f"sqlite:///{config['sqlite']}", restore_sqlite,
                              out / f"{config['scale']}-sqlite.backup"),
        "postgresql": _backup_one(ctx, "postgresql", config["pg"], config["restore_pg"],
                                  out / f"{config['scale']}-postgresql.backup"),
    }
    return {**results, "checks": results["sqlite"]["checks"] + results["postgresql"]["checks"]}


STAGES = {"curve": stage_curve, "load": stage_load, "outage": stage_outage, "kill": stage_kill,
          "backup": stage_backup}


# ---------------------------------------------------------------------------------------------------------------


def machine(pg_url: str) -> dict:
    import psutil

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    os_name = platform.platform()
    with contextlib.suppress(OSError):
        os_name = next(line.split("=", 1)[1].strip('"') for line in Path("/etc/os-release").read_text().splitlines()
                       if line.startswith("PRETTY_NAME="))
    pg = ""
    with contextlib.suppress(Exception):
        import psycopg

        with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", connect_timeout=5) as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0]
    git = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()  # noqa: S607
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,  # noqa: S607
                                capture_output=True, text=True).stdout.strip())
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "os": os_name, "kernel": platform.release(), "python": platform.python_version(), "postgresql": pg,
            "commit": git, "dirty": dirty}


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")


def main() -> int:
    config = settings()
    unknown = [s for s in config["stages"] if s not in STAGES]
    if unknown:
        print(f"Unknown stage(s) {unknown}; choose from {', '.join(STAGE_ORDER)}", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    results_path = OUT / "results.json"
    results: dict = {"stages": {}}
    if results_path.exists() and not os.environ.get("RELIABILITY_FRESH"):
        with contextlib.suppress(json.JSONDecodeError):
            results["stages"] = json.loads(results_path.read_text()).get("stages", {})
    stamp = _stamp()
    results.update(started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), machine=machine(config["pg"]),
                   config=dict(config),
                   command="make reliability" + "".join(
                       f" {k}={shlex.quote(v)}" for k, v in sorted(os.environ.items()) if k.startswith("RELIABILITY_")))
    ctx = Context(config)
    failed_now = []
    for name in [s for s in STAGE_ORDER if s in config["stages"]]:
        run = f"{stamp}-{name}"
        shutil.rmtree(OUT / name, ignore_errors=True)  # the last run's raw files (its figures are in results.json)
        print(f"\n== {name} (run {run})", flush=True)
        clock = time.monotonic()
        try:
            if name != "backup":
                ctx.prepare()
            entry = STAGES[name](ctx, run)
        except Exception as exc:  # a stage that crashes is reported as failed; the rest still run
            import traceback

            traceback.print_exc()
            entry = {"checks": [check(f"{name}: the stage ran to the end", False, f"{type(exc).__name__}: {exc}")]}
        entry.update(run=run, scale=config["scale"], seconds=round(time.monotonic() - clock, 1),
                     measured=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), load_average=os.getloadavg())
        results["stages"][name] = entry
        failed_now += [c for c in entry["checks"] if not c["ok"]]
        results_path.write_text(json.dumps(results, indent=2, default=str))
    results["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results_path.write_text(json.dumps(results, indent=2, default=str))
    (OUT / f"results-{stamp}.json").write_text(json.dumps(results, indent=2, default=str))
    from benchmarks.reliability_report import write

    write(results, ROOT / "docs" / "reliability.md")
    print(f"\nWrote docs/reliability.md ({results_path})")
    for c in failed_now:
        print(f"NOT MET: {c['name']}: {c['detail']}", file=sys.stderr)
    return 1 if failed_now else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "markers":
        print(json.dumps(db_markers(sys.argv[2])))
    else:
        sys.exit(main())
