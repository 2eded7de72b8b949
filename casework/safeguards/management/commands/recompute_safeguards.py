"""``casework manage recompute_safeguards [--pdu CODE] [--workers N]``: bring every case's safeguard tasks in
step with the policy in force (after a change of the stored safeguard schedule), writing only the tasks that
changed."""

from __future__ import annotations

from casework.core.recompute import RecomputeCommand, RecomputeResult
from casework.safeguards.services import tasks_recompute_all


class Command(RecomputeCommand):
    help = ("Recompute every case's safeguard tasks with the policy in force (after a policy change); "
            "writes and audits only the tasks that changed.")
    what = "safeguard"

    def recompute_all(self, *, trigger: str, pdu_id: int | None, workers: int) -> RecomputeResult:
        return tasks_recompute_all(trigger=trigger, pdu_id=pdu_id, workers=workers)

    def words(self, result: RecomputeResult) -> str:
        return f"{result.created} tasks created, {result.updated} rescheduled, {result.closed} closed by other work"
