"""Allocation decisions in the demo and generated worlds, made through the real allocation service.

The worlds hold each case's history of case managers (``record.Assignment``) but no allocation
decisions: those carry the workload each allocation caused and any SPO override, which only the
service computes. So after the world is built, in each of the first ``teams`` teams that have an SPO
and a queue, the SPO allocates two waiting cases through ``casework.allocation.services``: the first to
the practitioner ranked first, the second, where one exists, to a practitioner who needs an override
(a PSO for a case outside the grade matrix, or someone taken over 110%), with a written reason. The
override report and the case histories then show real decisions; the queue keeps the rest.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db.models import Exists, OuterRef

from casework.access.viewer import viewer_for
from casework.allocation import selectors, services
from casework.organisation.models import Team
from casework.record.models import Case
from casework.workforce.models import TeamMembership

OVERRIDE_REASONS = (
    "Only practitioner with the language the person needs; the SPO will co-work the risk review",
    "Knows the family from a previous order; PO to co-work and review in 4 weeks",
    "Temporary while the PO returns from leave; to be reallocated by the end of the month",
    "Team at capacity this week; caseload adjustment agreed at supervision",
)


def allocate_in_teams(*, today: dt.date, teams: int, seed: int, log: Callable[[str], None] = lambda _: None) -> int:
    """Two allocations by the SPO in each of the first ``teams`` teams with an SPO and a queue; how many made."""
    rng = random.Random(seed)
    managed = TeamMembership.objects.filter(team_id=OuterRef("pk"), role=TeamMembership.Role.MANAGER,
                                            end_date__isnull=True, staff__user__isnull=False)
    queued = Case.objects.filter(team_id=OuterRef("pk"), manager__isnull=True, status=Case.Status.CURRENT)
    chosen = list(Team.objects.filter(Exists(managed), Exists(queued)).order_by("pk")[:teams])
    made = 0
    for team in chosen:
        spo = (TeamMembership.objects.filter(team=team, role=TeamMembership.Role.MANAGER, end_date__isnull=True,
                                             staff__user__isnull=False).select_related("staff__user").first().staff)
        viewer = viewer_for(spo.user, today=today)
        waiting = list(selectors.queue(viewer, team_id=team.pk)[:2])
        facts = selectors.case_facts(waiting, as_of=today)
        for number, case in enumerate(waiting):
            ranked = selectors.candidates(viewer, facts[case.pk], as_of=today)
            if not ranked:
                continue
            override = [c for c in ranked if c.needs_override and c.projected is not None]
            pick = override[0] if number == 1 and override else ranked[0]
            note = rng.choice(OVERRIDE_REASONS) if pick.needs_override else ""
            services.case_allocate(case=case, staff_id=pick.staff.pk, by=spo.user, expected_version=case.version,
                                   override_note=note, today=today)
            made += 1
    log(f"  Allocation decisions  {made} cases allocated by their SPOs through the allocation service")
    return made
