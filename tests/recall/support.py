"""Set-up for the recall tests: a licence case with its case manager, SPO and head of PDU."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from casework.recall.facts import NO, Answers
from casework.recall.models import Recall, RecallStep
from casework.record.models import Case, LicenceCondition, Registration, RegistrationType, Sentence
from casework.rules.recall import EXCLUSION_LABELS, YOUTH_LABELS
from casework.rules.recall_workflow import Actor, State, Step
from casework.workforce.models import Staff
from tests import factories

ALL_NO = Answers(new_offence="NO", exclusions=tuple((n, NO) for n in EXCLUSION_LABELS),
                 youth=tuple((n, NO) for n in YOUTH_LABELS))


@dataclass
class World:
    team: object
    po: Staff
    spo: Staff
    head: Staff
    case: Case
    sentence: Sentence
    conditions: list[LicenceCondition]


def licence_case(po: Staff, *, custodial_type: str = "DETERMINATE", length_months: int = 24, **case_fields) -> tuple:
    case = factories.AllocatedCaseFactory(manager=po, pnc="2019/0123456A", **case_fields)
    sentence = factories.LicenceFactory(case=case, custodial_type=custodial_type, length_months=length_months)
    conditions = [
        LicenceCondition.objects.create(sentence=sentence, kind="STANDARD", description="Be of good behaviour"),
        LicenceCondition.objects.create(sentence=sentence, kind="ADDITIONAL",
                                        description="Not to contact Jane Doe directly or indirectly"),
    ]
    return case, sentence, conditions


def make_world(*, custodial_type: str = "DETERMINATE", **case_fields) -> World:
    team = factories.TeamFactory()
    po = factories.StaffFactory(team=team)
    spo = factories.SpoFactory(team=team)
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    case, sentence, conditions = licence_case(po, custodial_type=custodial_type, **case_fields)
    return World(team, po, spo, head, case, sentence, conditions)


def mappa(case: Case, *, level: int, category: int = 1) -> Registration:
    kind = RegistrationType.objects.filter(group="MAPPA").first()
    return Registration.objects.create(case=case, type=kind, level=level, category=category,
                                       start_date=timezone.localdate() - dt.timedelta(days=30))


STATE_BEFORE = {State.CONSIDERED: [Step.CONSIDER], State.SPO_OVERSIGHT: [Step.CONSIDER, Step.OVERSIGHT],
                State.RECOMMENDED: [Step.CONSIDER, Step.OVERSIGHT, Step.RECOMMEND],
                State.SPO_COUNTERSIGNED: [Step.CONSIDER, Step.OVERSIGHT, Step.RECOMMEND, Step.SPO_COUNTERSIGN],
                State.ACO_COUNTERSIGNED: [Step.CONSIDER, Step.OVERSIGHT, Step.RECOMMEND, Step.SPO_COUNTERSIGN,
                                          Step.ACO_COUNTERSIGN],
                State.ISSUED: [Step.CONSIDER, Step.OVERSIGHT, Step.RECOMMEND, Step.SPO_COUNTERSIGN,
                               Step.ACO_COUNTERSIGN, Step.ISSUE],
                State.NOT_RECALLED: [Step.CONSIDER, Step.NOT_RECALL_AT_OVERSIGHT]}
ROLE_OF = {Step.CONSIDER: Actor.PRACTITIONER, Step.OVERSIGHT: Actor.SPO, Step.RECOMMEND: Actor.PRACTITIONER,
           Step.SPO_COUNTERSIGN: Actor.SPO, Step.ACO_COUNTERSIGN: Actor.ACO, Step.ISSUE: Actor.ACO,
           Step.NOT_RECALL_AT_OVERSIGHT: Actor.SPO}


def written_recall(case: Case, sentence: Sentence, state: State, *, people: dict[Actor, Staff]) -> Recall:
    """A recall written straight to ``state`` (test set-up: not through the services, not audited)."""
    now = timezone.now()
    recall = Recall.objects.create(case=case, sentence=sentence, state=state, started_at=now, updated_at=now)
    steps = STATE_BEFORE[state]
    for step in steps:
        staff = people[ROLE_OF[step]]
        RecallStep.objects.create(recall=recall, step=step, by=staff, by_name=staff.name, role=ROLE_OF[step], at=now,
                                  text=f"{step.value.lower()} text")
    if Step.RECOMMEND in steps:
        recall.recall_type, recall.emergency, recall.custody_status = "STANDARD", False, "IN_COMMUNITY"
        recall.conditions_breached = [{"id": 1, "kind": "Standard", "description": "Be of good behaviour"}]
        recall.alternatives_tried = "Two warnings"
        recall.engine = {"reasons": ["Extended sentence: standard recall is mandatory"], "rules_version": "test"}
    if state in (State.ISSUED, State.NOT_RECALLED):
        recall.decided_on = timezone.localdate()
        person = {"name": case.name, "crn": case.crn, "pnc": case.pnc, "date_of_birth": "31 March 1990",
                  "sentence": "Event 1: Standard determinate sentence, 24 months"}
        if state == State.ISSUED:
            recall.document = {**person, "recall_type": "standard", "emergency": False,
                               "custody_status": "In the community", "conditions": recall.conditions_breached,
                               "alternatives_tried": "Two warnings", "engine_reasons": [], "rules_version": "test",
                               "steps": [], "issued_by": "Test", "issued_at": "1 January 2026 at 10:00",
                               "issued_on": recall.decided_on.isoformat()}
        else:
            recall.document = {**person, "reasons": "Complied since", "decided_by": "Test",
                               "decided_on": recall.decided_on.isoformat(), "decided_on_words": "1 January 2026",
                               "address": []}
    recall.save()
    return recall


def issued_recall(case: Case) -> Recall:
    """An issued recall on ``case`` (for the permission matrix): a licence sentence and steps by its manager."""
    sentence = factories.LicenceFactory(case=case)
    staff = case.manager
    return written_recall(case, sentence, State.ISSUED, people=dict.fromkeys(Actor, staff))
