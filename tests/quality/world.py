"""A small PDU to inspect: two teams, a PO, a PQiP and two PSOs holding cases that started in the window,
a quality assurance lead and an assessor with region grants, and a head of PDU."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from casework.access.models import Role
from casework.quality import services
from casework.quality.models import Exercise
from casework.record.choices import Gender, RiskLevel
from casework.workforce.models import Grade, Staff
from tests import factories

WINDOW = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
AS_OF = dt.date(2026, 9, 1)


@dataclass
class World:
    pdu: object
    teams: list
    practitioners: list[Staff]
    lead: Staff
    assessor: Staff
    second_assessor: Staff
    head: Staff
    cases: list


def build(n_cases: int = 48) -> World:
    region = factories.RegionFactory()
    pdu = factories.PduFactory(region=region)
    teams = [factories.TeamFactory(pdu=pdu), factories.TeamFactory(pdu=pdu)]
    practitioners = [
        factories.StaffFactory(team=teams[0], grade=Grade.PO),
        factories.StaffFactory(team=teams[0], grade=Grade.PQIP),
        factories.StaffFactory(team=teams[1], grade=Grade.PSO),
        factories.StaffFactory(team=teams[1], grade=Grade.PSO),
    ]
    cases = []
    rosh = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]
    for i in range(n_cases):
        manager = practitioners[i % len(practitioners)]
        case = factories.AllocatedCaseFactory(manager=manager, gender=Gender.FEMALE if i % 5 == 0 else Gender.MALE,
                                              rosh=rosh[i % 3])
        start = WINDOW[0] + dt.timedelta(days=(i * 3) % 170)
        if i % 2:
            factories.CommunityOrderFactory(case=case, start_date=start, sentence_date=start)
        else:
            factories.LicenceFactory(case=case, start_date=start - dt.timedelta(days=300),
                                     sentence_date=start - dt.timedelta(days=300), release_date=start)
        cases.append(case)
    lead = factories.QualityAssuranceFactory()
    assessor = factories.QualityAssuranceFactory()
    second = factories.QualityAssuranceFactory()
    for staff in (lead, assessor, second):
        factories.grant(staff, Role.QUALITY_ASSURANCE, region=region)
    head = factories.HeadOfPduFactory()
    factories.grant(head, Role.HEAD_OF_PDU, pdu=pdu)
    return World(pdu=pdu, teams=teams, practitioners=practitioners, lead=lead, assessor=assessor,
                 second_assessor=second, head=head, cases=cases)


def exercise(world: World, *, size: int | None = 12, seed: int = 7, standards=("2.1", "2.2", "2.3", "2.4"),
             framework: str = "PROBATION_2018") -> Exercise:
    return services.exercise_create(
        by=world.lead.user, name="PDU self-inspection", framework=framework, scope=services.Scope(pdu=world.pdu),
        window_start=WINDOW[0], window_end=WINDOW[1], as_of=AS_OF, case_standards=list(standards),
        requested_size=size, seed=seed)
