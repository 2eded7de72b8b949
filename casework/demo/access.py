"""Limited access: restricted cases (seen only by their manager and SPO) and exclusions, including one for ``po``.

Planned after every person is allocated (it chooses among the allocated cases), from the same
seeded stream.
"""

from __future__ import annotations

import random

from casework.demo import catalogue
from casework.demo.allocation import Held
from casework.demo.organisation import Organisation, StaffPlan
from casework.demo.scale import Scale
from casework.record.choices import AccessKind
from casework.record.models import Case, CaseAccess


def plan_limited_access(scale: Scale, rng: random.Random, org: Organisation,
                        allocated: list[Held]) -> tuple[list[CaseAccess], list[Case]]:
    """Restricted cases (seen only by their manager and SPO) and exclusions, including one for ``po``."""
    po = org.logins["po"]
    rows: list[CaseAccess] = []
    changed: dict[int, Case] = {}

    def restrict(held: Held) -> None:
        reason = rng.choice(catalogue.RESTRICTION_REASONS)
        held.case.restricted = True
        changed[held.case.pk] = held.case
        for staff in (held.manager.staff, org.spo[held.team.code].staff):
            rows.append(CaseAccess(case=held.case, staff=staff, kind=AccessKind.PERMITTED, reason=reason))

    def exclude(held: Held, staff: StaffPlan) -> None:
        held.case.has_exclusions = True
        changed[held.case.pk] = held.case
        rows.append(CaseAccess(case=held.case, staff=staff.staff, kind=AccessKind.EXCLUDED,
                               reason=rng.choice(catalogue.EXCLUSION_REASONS)))

    own = [held for held in allocated if held.manager is po]
    if own and scale.restricted_cases:
        restrict(rng.choice(own))  # so the demo shows po a case their teammates cannot see
    others = [held for held in allocated if po not in held.held_by]
    for held in rng.sample(others, min(max(scale.restricted_cases - 1, 0), len(others))):
        restrict(held)
    # A case in po's own team that po has never held and may never see.
    teammates = [held for held in others if held.team is org.teams[0] and not held.case.restricted]
    if teammates:
        exclude(rng.choice(teammates), po)
    candidates = [held for held in others if not held.case.restricted and not held.case.has_exclusions]
    for held in rng.sample(candidates, min(scale.excluded_cases, len(candidates))):
        colleagues = [p for p in org.practitioners[held.team.code] if p not in held.held_by]
        if colleagues:
            exclude(held, rng.choice(colleagues))
    return rows, list(changed.values())
