"""Rule contracts answered with the configuration in force (what the API and pages use).

With the seeded defaults in force the answers are exactly those of the pure engines (and of
``casework rules NAME``). Where an administrator has put a local policy in force, the response
gains a ``config`` list naming the versions used, so an answer always says what produced it.
"""

from __future__ import annotations

from typing import Any

from casework.rules import eligibility, enforcement, rating, registry, safeguards, workload
from casework.ruleset import selectors
from casework.ruleset.kinds import Source
from casework.ruleset.models import RuleConfig


def _mark(result: dict[str, Any], used: list[RuleConfig | None]) -> dict[str, Any]:
    local = [c.label for c in used if c is not None and c.source == Source.LOCAL_POLICY]
    if local:
        result["config"] = local
    return result


def answer_configured(name: str, request: dict[str, Any]) -> dict[str, Any]:
    """Answer contract ``name`` with the stored configuration; raises ContractError on bad input."""
    if name == "workload":
        table, config = selectors.points_table()
        return _mark(workload.handle(request, table=table), [config])
    if name == "rating":
        frameworks, configs = {}, {}
        for key in rating.FRAMEWORKS:
            frameworks[key], configs[key] = selectors.framework(key)
        result = rating.handle(request, frameworks=frameworks)
        return _mark(result, [configs.get(request.get("framework"))])
    if name == "eligibility":
        # A request that brings its own ``policy`` uses it; otherwise the matrix in force.
        matrix, config = selectors.grade_matrix()
        result = eligibility.handle(request, matrix=matrix)
        return _mark(result, [config if request.get("policy") is None else None])
    if name == "enforcement":
        policy, config = selectors.enforcement_policy()
        return _mark(enforcement.handle(request, policy=policy), [config])
    if name == "safeguards":
        # The national schedule in force (a request names no PDU), unless the request brings its own.
        schedule, config = selectors.safeguard_schedule()
        result = safeguards.handle(request, policy=schedule)
        return _mark(result, [config if request.get("policy") is None else None])
    if name == "allocate":
        # The points table and the grade matrix in force, unless the request brings its own matrix. (Imported
        # here: numpy and HiGHS load only for the one contract that needs them.)
        from casework.rules import allocation

        table, table_config = selectors.points_table()
        matrix, matrix_config = selectors.grade_matrix()
        result = allocation.handle(request, matrix=matrix, table=table)
        return _mark(result, [table_config, matrix_config if request.get("policy") is None else None])
    return registry.handler(name)(request)
