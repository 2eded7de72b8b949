"""Case management: who holds each case, who held it before, and the assignments that record it.

A case goes to a practitioner in its PDU whose grade may hold it (rules.md §3.2 defaults),
favouring those furthest below their caseload target; earlier periods come from leavers,
reallocations and transfers in.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from casework.demo.draw import Part, Weighted, days
from casework.demo.instances import instance
from casework.organisation.models import Pdu, Team
from casework.record.choices import AllocationReason
from casework.record.models import Assignment, Case

if TYPE_CHECKING:
    from casework.demo.generator import Chunk
    from casework.demo.organisation import StaffPlan
    from casework.demo.people import Profile

REALLOCATION_REASONS = ((AllocationReason.CASELOAD_ADJUSTMENT, 45), (AllocationReason.CHANGE_IN_TIER_OR_RISK, 20),
                        (AllocationReason.CHANGE_OF_ADDRESS, 15), (AllocationReason.RISK_TO_STAFF, 5),
                        (AllocationReason.OTHER, 5))
SPECIALISM = {"PSO_NEW": 12, "PSO": 3, "PQIP": 2, "ANY": 1}


class Held(NamedTuple):
    """An allocated case with its manager, team and everyone who has managed it."""

    case: Case
    manager: StaffPlan
    team: Team
    held_by: tuple[StaffPlan, ...]


@dataclass
class Period:
    """A stretch of case management by one practitioner."""

    staff: StaffPlan
    team: Team
    start: dt.date
    end: dt.date | None
    reason: str


class Allocation(Part):
    """Chooses each allocated case's manager and draws its history of case managers."""

    def choose_manager(self, person: Profile, pdu: Pdu) -> tuple[StaffPlan, Team]:
        """A practitioner in the PDU who may hold the case, favouring those furthest below their target."""
        rng = self.rng
        teams = self.org.teams_by_pdu[pdu.code]
        room = [sum(max(p.target - p.load, 0) for p in self.org.practitioners[t.code] if p.can_hold(person))
                for t in teams]
        if sum(room):
            team = teams[bisect.bisect_right(list(itertools.accumulate(room)), rng.random() * sum(room))]
        else:
            team = rng.choice(teams)
        members = [p for p in self.org.practitioners[team.code] if p.can_hold(person)]
        # Allocators give the cases a PSO or PQiP may hold to them first and keep POs for the rest;
        # without this the few cases a new PSO may hold are taken by everyone else.
        with_room = [(p, (p.target - p.load) * SPECIALISM[p.capability] * (4 if p.pinned else 1))
                     for p in members if p.load < p.target]
        if with_room:
            plan = Weighted(with_room).pick(rng)
        else:
            # Everyone eligible is full: the case goes over someone's target, as in real teams,
            # but never to a demo login whose caseload size is fixed.
            spare = [p for p in members if not p.pinned] or members
            plan = min(spare, key=lambda p: (p.load / max(p.target, 1), p.staff.code))
        plan.load += 1
        return plan, team

    def periods(self, person: Profile, start: dt.date, manager: StaffPlan, team: Team) -> list[Period]:
        """Who has managed the case since sentence, ending with ``manager`` (open-ended)."""
        rng, today = self.rng, self.today
        yesterday = today - days(1)
        first = min(start + days(rng.uniform(0, 10)), yesterday)
        manager_from = manager.staff.started_in_post
        leavers = [p for p in self.org.leavers[team.code]
                   if p.can_hold(person) and p.staff.started_in_post <= first < p.staff.ended]
        if leavers and rng.random() < 0.35:
            leaver = rng.choice(leavers)
            handed_over = min(max(leaver.staff.ended + days(rng.uniform(1, 21)), manager_from), yesterday)
            return [Period(leaver, team, max(first, leaver.staff.started_in_post), leaver.staff.ended,
                           AllocationReason.INITIAL_ALLOCATION),
                    Period(manager, team, handed_over, None, AllocationReason.OFFICER_LEFT)]
        if manager_from > first or (first < yesterday - days(30) and rng.random() < 0.25):
            taken_over = min(today - days(rng.uniform(1, max((today - max(manager_from, first)).days, 2))), yesterday)
            taken_over = max(taken_over, manager_from, first)
            reason = self.pick(REALLOCATION_REASONS)
            pool_team = team
            if reason == AllocationReason.CHANGE_OF_ADDRESS:
                pool_team = rng.choice(self.org.teams_by_pdu[team.pdu.code])
            before = [p for p in self.org.practitioners[pool_team.code]
                      if p is not manager and p.can_hold(person) and p.staff.started_in_post <= first]
            if before and taken_over > first:
                return [Period(rng.choice(before), pool_team, first, taken_over, AllocationReason.INITIAL_ALLOCATION),
                        Period(manager, team, taken_over, None, reason)]
            # Nobody here held it before: the case arrived from another provider.
            return [Period(manager, team, max(first, manager_from), None, AllocationReason.TRANSFER_IN)]
        reason = AllocationReason.TRANSFER_IN if rng.random() < 0.06 else AllocationReason.INITIAL_ALLOCATION
        return [Period(manager, team, first, None, reason)]


    def assignments(self, out: Chunk, case: Case, periods: list[Period]) -> None:
        for period in periods:
            spo = self.org.spo.get(period.team.code)
            # Handovers happen at 10:00: one assignment ends as the next starts.
            out.assignments.append(instance(Assignment,
                case=case, staff=period.staff.staff, team=period.team, start=self.at(period.start, 10, 0),
                end=None if period.end is None else self.at(period.end, 10, 0), reason=period.reason,
                allocated_by=spo.staff if spo else None,
                notes="Allocated on tier, risk and capacity." if period.reason == AllocationReason.INITIAL_ALLOCATION
                else "",
            ))
