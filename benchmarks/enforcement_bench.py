"""Recomputing every sentence's enforcement signals in the country after a policy change (issue 14: under
60 s, writing only the signals that changed), against the loaded (national) dataset.

Four timed runs of ``signals_recompute_all`` with one worker process per core, as
``casework manage recompute_enforcement`` runs it:

1. **fill**: brings the stored signals in step with the policy in force (on a dataset generated before
   signals existed this raises them all; afterwards it writes nothing), then fresh planner statistics;
2. **unchanged**: the same again: every sentence read and run through the engine, nothing written;
3. **policy change**: a new national version of the enforcement policy (a licence decision due in 7
   working days instead of 5), put in force through the audited service, then a recompute: only the
   open licence-failure signals move;
4. **policy restored**: the previous policy back as a newer version, and a recompute.

Prints JSON. Run under the database to measure (``DATABASE_URL``):

    DATABASE_URL=... .venv/bin/python -m benchmarks.enforcement_bench
"""

from __future__ import annotations

import json
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings.local")
os.environ.setdefault("DEBUG", "false")

TARGET_SECONDS = 60.0
CHANGED_FIELD = "licence_decision_working_days"


def main() -> dict:
    import django

    django.setup()
    from django.db import connection

    from casework.account.models import User
    from casework.enforcement.models import EnforcementDecision, EnforcementSignal
    from casework.enforcement.services import signals_recompute_all
    from casework.record.models import Case
    from casework.ruleset.kinds import ConfigKind
    from casework.ruleset.selectors import config_in_force
    from casework.ruleset.services import rule_config_change

    workers = int(os.environ.get("ENFORCEMENT_BENCH_WORKERS", "0")) or os.cpu_count() or 1
    admin = User.objects.get(username="admin")
    runs = []

    def recompute(name: str) -> None:
        started = time.perf_counter()
        result = signals_recompute_all(trigger=f"benchmark: {name}", workers=workers)
        seconds = time.perf_counter() - started
        runs.append({"run": name, "seconds": round(seconds, 1), "created": result.created,
                     "updated": result.updated, "closed": result.closed})
        print(f"{name:<18} {seconds:6.1f} s  raised {result.created:,}  updated {result.updated:,}  "
              f"closed {result.closed:,}", flush=True)

    recompute("fill")
    statement = "VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(statement)
    recompute("unchanged")
    original = config_in_force(ConfigKind.ENFORCEMENT_POLICY, "default").data
    changed = {**original, CHANGED_FIELD: original[CHANGED_FIELD] + 2}
    rule_config_change(kind=ConfigKind.ENFORCEMENT_POLICY, key="default", data=changed, by=admin,
                       reason="Benchmark: licence decisions due 2 working days later")
    recompute("policy change")
    rule_config_change(kind=ConfigKind.ENFORCEMENT_POLICY, key="default", data=original, by=admin,
                       reason="Benchmark: policy restored")
    recompute("policy restored")
    return {
        "vendor": connection.vendor, "workers": workers, "cases": Case.objects.count(),
        "signals": EnforcementSignal.objects.count(),
        "open_signals": EnforcementSignal.objects.filter(status="OPEN").count(),
        "decisions": EnforcementDecision.objects.count(), "target_seconds": TARGET_SECONDS, "runs": runs,
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
