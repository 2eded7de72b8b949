"""``casework manage recompute_enforcement [--pdu CODE] [--workers N]``: bring every sentence's enforcement
signals in step with the policy in force (after a change of the stored enforcement policy, and nightly so a
decision falls due as the days pass), writing only the signals that changed."""

from __future__ import annotations

from casework.core.recompute import RecomputeCommand, RecomputeResult
from casework.enforcement.services import signals_recompute_all


class Command(RecomputeCommand):
    help = ("Recompute every sentence's enforcement signals with the policy in force; writes and audits only the "
            "signals that changed.")
    what = "enforcement"

    def recompute_all(self, *, trigger: str, pdu_id: int | None, workers: int) -> RecomputeResult:
        return signals_recompute_all(trigger=trigger, pdu_id=pdu_id, workers=workers)

    def words(self, result: RecomputeResult) -> str:
        return (f"{result.created} signals raised, {result.updated} updated, {result.closed} closed by what "
                f"answered them")
