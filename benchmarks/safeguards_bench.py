"""Recomputing every safeguard task in the country after a policy change (issue 12: under 60 s, writing
only the tasks that changed), against the loaded (national) dataset.

Four timed runs of ``tasks_recompute_all`` with one worker process per core, as
``casework manage recompute_safeguards`` runs it:

1. **fill**: brings the stored tasks in step with the policy in force (on a dataset generated before
   tasks existed this creates them all; afterwards it writes nothing), then fresh planner statistics;
2. **unchanged**: the same again — every case read and scheduled, nothing written;
3. **policy change**: a new national version of the safeguard schedule (home visits due in 25 working
   days instead of 20), put in force through the audited service, then a recompute: only the open
   home-visit tasks move;
4. **policy restored**: the previous schedule back as a newer version, and a recompute.

Prints JSON. Run under the database to measure (``DATABASE_URL``):

    DATABASE_URL=... .venv/bin/python -m benchmarks.safeguards_bench
"""

from __future__ import annotations

import json
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings.local")
os.environ.setdefault("DEBUG", "false")

TARGET_SECONDS = 60.0
CHANGED_FIELD = "home_visit_working_days"


def main() -> dict:
    import django

    django.setup()
    from django.db import connection

    from casework.account.models import User
    from casework.record.models import Case
    from casework.ruleset.kinds import ConfigKind
    from casework.ruleset.selectors import config_in_force
    from casework.ruleset.services import rule_config_change
    from casework.safeguards.models import SafeguardTask
    from casework.safeguards.services import tasks_recompute_all

    workers = os.cpu_count() or 1
    admin = User.objects.get(username="admin")
    runs = []

    def recompute(name: str) -> None:
        started = time.perf_counter()
        result = tasks_recompute_all(trigger=f"benchmark: {name}", workers=workers)
        seconds = time.perf_counter() - started
        runs.append({"run": name, "seconds": round(seconds, 1), "created": result.created,
                     "updated": result.updated, "closed": result.closed})
        print(f"{name:<18} {seconds:6.1f} s  created {result.created:,}  updated {result.updated:,}  "
              f"closed {result.closed:,}", flush=True)

    recompute("fill")
    # Fresh planner statistics after what may have been a bulk load of a million tasks (as after any
    # bulk load; PostgreSQL's autovacuum would get there by itself, at a time of its own choosing).
    statement = "VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(statement)
    recompute("unchanged")
    original = config_in_force(ConfigKind.SAFEGUARD_POLICY, "default").data
    changed = {**original, CHANGED_FIELD: original[CHANGED_FIELD] + 5}
    rule_config_change(kind=ConfigKind.SAFEGUARD_POLICY, key="default", data=changed, by=admin,
                       reason="Benchmark: home visits due 5 working days later")
    recompute("policy change")
    rule_config_change(kind=ConfigKind.SAFEGUARD_POLICY, key="default", data=original, by=admin,
                       reason="Benchmark: schedule restored")
    recompute("policy restored")
    return {
        "vendor": connection.vendor, "workers": workers, "cases": Case.objects.count(),
        "tasks": SafeguardTask.objects.count(), "target_seconds": TARGET_SECONDS, "runs": runs,
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
