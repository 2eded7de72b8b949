"""``make bench``: load or reuse the national dataset on each database, measure every page, the rule
engines and a load run, and write docs/benchmarks.md.

Environment: ``BENCH_SCALE`` (national; region for a quicker look), ``BENCH_DATABASES`` ("sqlite
postgresql"), ``BENCH_ITERATIONS`` (60), ``BENCH_PG`` (postgres://postgres@127.0.0.1:5432/casework_bench),
``BENCH_LOAD_USERS`` (50), ``BENCH_LOAD_SECONDS`` (60), ``BENCH_APPEND`` (keep the other database's
figures from the last run), ``BENCH_BASELINE`` (a git ref: its code is checked out in a worktree under
var/ and its pages measured in the same run, against the same database, so the report sets CPU and time
per request before and after side by side).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
OUT = VAR / "bench"
BIN = Path(sys.executable).parent
SCALE = os.environ.get("BENCH_SCALE", "national")
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite postgresql").split()
ITERATIONS = os.environ.get("BENCH_ITERATIONS", "60")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/casework_bench")
LOAD_USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
# Users arrive over the first ten seconds, as a morning's sign-ins do, not all in the same instant: 50
# Argon2 password checks at once on two cores measure the hash's cost, not the pages'.
SPAWN_RATE = max(1, LOAD_USERS // 10)
BASELINE = os.environ.get("BENCH_BASELINE", "")
STATISTICS = ("import django; django.setup()\n"
              "from django.db import connection\n"
              "statement = 'VACUUM (ANALYZE)' if connection.vendor == 'postgresql' else 'ANALYZE'\n"
              "connection.cursor().execute(statement); print(statement, 'for the query planner')")


def database_url(vendor: str) -> str:
    if vendor == "sqlite":
        return f"sqlite:///{VAR / (SCALE + '.sqlite3')}"
    return PG if SCALE == "national" else PG.rsplit("/", 1)[0] + f"/casework_bench_{SCALE}"


def env_for(vendor: str, **extra) -> dict:
    return {**os.environ, "DATABASE_URL": database_url(vendor), "DJANGO_SETTINGS_MODULE": "casework.settings.local",
            "DEBUG": "false", **extra}


def run(cmd: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    print("$", shlex.join(cmd), flush=True)
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)  # noqa: S603


def ensure_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def baseline_tree(ref: str) -> tuple[str, Path]:
    """A detached worktree of ``ref`` under var/baseline/ (made once per commit), with this tree's built assets."""
    sha = subprocess.run(["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], cwd=ROOT, check=True,  # noqa: S603,S607
                         capture_output=True, text=True).stdout.strip()
    tree = VAR / "baseline" / sha[:12]
    if not tree.exists():
        tree.parent.mkdir(parents=True, exist_ok=True)
        run(["git", "worktree", "add", "--detach", str(tree), sha], os.environ.copy(), stdout=subprocess.DEVNULL)
    build = tree / "casework" / "static" / "build"
    if not build.exists():
        build.symlink_to(ROOT / "casework" / "static" / "build")
    return sha, tree


def pages(env: dict, tree: Path = ROOT) -> dict:
    """``benchmarks.pages_bench`` run from ``tree`` (this checkout, or a baseline worktree)."""
    if tree != ROOT:
        env = {**env, "PYTHONPATH": str(tree)}
    measured = subprocess.run([str(BIN / "python"), "-m", "benchmarks.pages_bench", "--iterations", ITERATIONS],  # noqa: S603
                              env=env, cwd=tree, check=True, capture_output=True, text=True)
    sys.stderr.write(measured.stderr)
    return json.loads(measured.stdout)


def load_run(vendor: str) -> dict:
    """Gunicorn on loopback, Locust headless against it; requests/s, p95 and failures from Locust's CSV."""
    env = env_for(vendor)
    usernames = subprocess.run(  # noqa: S603
        [str(BIN / "python"), "-c", (
            "import django; django.setup()\n"
            "from django.db.models import Count\n"
            "from casework.workforce.models import Staff\n"
            "names = ['po'] + list(Staff.objects.filter(ended=None, user__is_active=True).exclude(user__username='po')"
            ".annotate(n=Count('caseload')).filter(n__gte=20).order_by('code').values_list('user__username', flat=True)"
            f"[:{LOAD_USERS - 1}])\n"
            "print(','.join(names))")],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    port = free_port()
    workers = max(2, (os.cpu_count() or 2) + 1)
    server = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "casework.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--access-logfile", "-", "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=open(OUT / f"gunicorn-{vendor}.log", "w"), stderr=subprocess.STDOUT)  # noqa: SIM115
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        prefix = OUT / f"locust-{vendor}"
        run([str(BIN / "locust"), "-f", "benchmarks/locustfile.py", "--headless", "--host", f"http://127.0.0.1:{port}",
             "-u", str(LOAD_USERS), "-r", str(SPAWN_RATE), "-t", f"{LOAD_SECONDS}s", "--csv", str(prefix),
             "--only-summary", "--exit-code-on-error", "0"],
            {**env, "LOCUST_USERNAMES": usernames}, stdout=open(OUT / f"locust-{vendor}.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    rows = {row["Name"]: row for row in csv.DictReader(open(f"{prefix}_stats.csv"))}  # noqa: SIM115
    total = rows["Aggregated"]
    return {
        "users": LOAD_USERS, "seconds": LOAD_SECONDS, "spawn_rate": SPAWN_RATE, "workers": workers,
        "requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]), "p50_ms": float(total["50%"]), "p95_ms": float(total["95%"]),
        "by_name": {name: {"requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
                           "p95_ms": float(r["95%"])} for name, r in rows.items() if name != "Aggregated"},
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    results: dict = {"scale": SCALE, "databases": {}, "started": started.isoformat(timespec="seconds"),
                     "load_average_start": os.getloadavg()}
    previous = OUT / "results.json"
    if os.environ.get("BENCH_APPEND") and previous.exists():
        # Measure one database now and keep the other's figures from the last run (each entry says
        # its scale and when it was measured).
        results["databases"] = json.loads(previous.read_text())["databases"]
    for vendor in DATABASES:
        env = env_for(vendor)
        if vendor == "postgresql":
            ensure_postgres_database(database_url(vendor))
        VAR.mkdir(exist_ok=True)
        run([str(BIN / "casework"), "migrate"], env, stdout=subprocess.DEVNULL)
        clock = time.monotonic()
        # Progress bars (stderr) go to the terminal; what was made and how long it took (stdout) is kept
        # for the report, unless the dataset was only reused.
        generated = run([str(BIN / "casework"), "generate", "--scale", SCALE], env, stdout=subprocess.PIPE, text=True)
        print(generated.stdout, flush=True)
        generate_log = OUT / f"generate-{vendor}.txt"
        if "reusing it" not in generated.stdout:
            generate_log.write_text(generated.stdout)
        else:
            # A reused dataset may just have been migrated (new columns filled, new indexes): fresh planner
            # statistics, as after a build, or both databases plan the new indexes blind.
            run([str(BIN / "python"), "-c", STATISTICS], env)
        # Safeguard tasks first (on a dataset generated before tasks existed this creates them), so the
        # task pages below show real lists; then the national recompute after a policy change.
        safeguards = run([str(BIN / "python"), "-m", "benchmarks.safeguards_bench"], env, capture_output=True,
                         text=True)
        sys.stderr.write(safeguards.stdout[:safeguards.stdout.index("{")] if "{" in safeguards.stdout else "")
        safeguard_figures = json.loads(safeguards.stdout[safeguards.stdout.index("{"):])
        # Enforcement signals the same way (issue 14): raised on a dataset generated before they existed, then
        # the national recompute after a policy change.
        enforcement = run([str(BIN / "python"), "-m", "benchmarks.enforcement_bench"], env, capture_output=True,
                          text=True)
        sys.stderr.write(enforcement.stdout[:enforcement.stdout.index("{")] if "{" in enforcement.stdout else "")
        enforcement_figures = json.loads(enforcement.stdout[enforcement.stdout.index("{"):])
        # Quality assurance (issue 15): the demo-sized exercises and the national exercise of 10,000 assessed cases
        # (made on a dataset generated before they existed), then the time to compute its results.
        quality = run([str(BIN / "python"), "-m", "benchmarks.quality_bench"], env, capture_output=True, text=True)
        sys.stderr.write(quality.stdout[:quality.stdout.index("{")] if "{" in quality.stdout else "")
        quality_figures = json.loads(quality.stdout[quality.stdout.index("{"):])
        baseline = None
        if BASELINE:
            # Before and after in one run: the baseline's pages first, then this tree's, same database.
            sha, tree = baseline_tree(BASELINE)
            print(f"Baseline {BASELINE} ({sha[:12]}) from {tree}", file=sys.stderr, flush=True)
            baseline = {"ref": BASELINE, "commit": sha, **pages(env, tree)}
        entry = pages(env)
        entry["safeguards"] = safeguard_figures
        entry["enforcement"] = enforcement_figures
        entry["quality"] = quality_figures
        if baseline:
            entry["baseline"] = baseline
        entry["generate_seconds_this_run"] = round(time.monotonic() - clock, 1)
        entry["scale"] = SCALE
        entry["measured"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        entry["load_average"] = os.getloadavg()
        entry["generate_log"] = generate_log.read_text() if generate_log.exists() else ""
        entry["load"] = load_run(vendor)
        results["databases"][vendor] = entry
        (OUT / "results.json").write_text(json.dumps(results, indent=2))
    rules = run([str(BIN / "python"), "-m", "benchmarks.rules_bench"], env_for(DATABASES[0]),
                capture_output=True, text=True)
    out = rules.stdout
    results["rules"] = json.loads(out[out.index("{"):])
    # Batch allocation (issue 13): pure, CPU-bound, no database.
    allocation = run([str(BIN / "python"), "-m", "benchmarks.allocation_bench"], env_for(DATABASES[0]),
                     capture_output=True, text=True)
    results["allocation"] = json.loads(allocation.stdout[allocation.stdout.index("{"):])
    results["load_average_end"] = os.getloadavg()
    results["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    from benchmarks.report import write

    write(results, ROOT / "docs" / "benchmarks.md")
    print(f"Wrote docs/benchmarks.md ({OUT / 'results.json'})")


if __name__ == "__main__":
    main()
