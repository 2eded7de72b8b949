"""Recalls in the demo and benchmark worlds: about one licence case in 25 has a recall, spread over every
step of the flow (considered, overseen, recommended, countersigned by the SPO, by the head of PDU) and
its ends (issued, decided not to recall), so ``/recalls/`` and the recall pages show real queues.

Made-up records written in bulk (like the rest of the generator): no service, no audit. Each step is
taken by whoever the workflow says: the case manager, the SPO of the case's team, the head of its PDU.
The demo logins' own licence cases come first, so "po", "spo" and "head" each have something to do.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from casework.access.models import GrantStatus, Role, ScopeGrant
from casework.recall import content
from casework.recall.facts import NO, Answers, engine_decision, group_of, known_answers, with_record
from casework.recall.models import CustodyStatus, Recall, RecallStep
from casework.record.models import Address, LicenceCondition, Registration, Sentence
from casework.rules.recall import EXCLUSION_LABELS, YOUTH_LABELS, RecallType
from casework.rules.recall_workflow import Actor, State, Step
from casework.workforce.models import Staff, TeamMembership

EVERY = 25  # one licence case in this many gets a recall
BATCH = 2000
# The states handed out in turn, and the steps behind each.
STATES = (State.CONSIDERED, State.SPO_OVERSIGHT, State.RECOMMENDED, State.SPO_COUNTERSIGNED, State.ACO_COUNTERSIGNED,
          State.ISSUED, State.ISSUED, State.NOT_RECALLED)
PATH = (Step.CONSIDER, Step.OVERSIGHT, Step.RECOMMEND, Step.SPO_COUNTERSIGN, Step.ACO_COUNTERSIGN, Step.ISSUE)
STEPS = {State.CONSIDERED: PATH[:1], State.SPO_OVERSIGHT: PATH[:2], State.RECOMMENDED: PATH[:3],
         State.SPO_COUNTERSIGNED: PATH[:4], State.ACO_COUNTERSIGNED: PATH[:5], State.ISSUED: PATH,
         State.NOT_RECALLED: (Step.CONSIDER, Step.OVERSIGHT, Step.NOT_RECALL_AT_RECOMMENDATION)}
ROLE = {Step.CONSIDER: Actor.PRACTITIONER, Step.OVERSIGHT: Actor.SPO, Step.RECOMMEND: Actor.PRACTITIONER,
        Step.SPO_COUNTERSIGN: Actor.SPO, Step.ACO_COUNTERSIGN: Actor.ACO, Step.ISSUE: Actor.SPO,
        Step.NOT_RECALL_AT_RECOMMENDATION: Actor.PRACTITIONER}
REASONS = (
    "Missed three appointments in a month and has not been at the approved address when visited.",
    "Arrested for assault on a former partner; released under investigation.",
    "Police intelligence of contact with the victim, against an exclusion-zone condition.",
    "Positive drug test after two warnings; stopped engaging with the drug service.",
)
TEXTS = {
    Step.OVERSIGHT: "Risk is escalating and previous enforcement has not changed behaviour: proceed to a "
                    "recommendation.",
    Step.RECOMMEND: "Risk of serious harm can no longer be managed in the community.",
    Step.SPO_COUNTERSIGN: "Agree with the recommendation.",
    Step.ACO_COUNTERSIGN: "Recall authorised.",
    Step.NOT_RECALL_AT_RECOMMENDATION: "You explained your absences, have been at the approved address since, "
                                       "and are engaging with the accommodation service. Increased reporting "
                                       "instead of recall.",
}
ALL_NO = Answers(new_offence="NO", exclusions=tuple((n, NO) for n in EXCLUSION_LABELS),
                 youth=tuple((n, NO) for n in YOUTH_LABELS))


def _chosen(demo_staff: set[int]) -> list[Sentence]:
    """One licence sentence per chosen case: the demo logins' cases first, then every ``EVERY``-th case."""
    rows = (Sentence.objects.filter(kind="CUSTODY", status="LICENCE", case__manager__isnull=False,
                                    case__team__isnull=False, case__restricted=False, case__has_exclusions=False)
            .order_by("case_id", "number").values_list("pk", "case_id", "case__manager_id"))
    seen, first, rest = set(), [], []
    for pk, case_id, manager_id in rows.iterator(chunk_size=BATCH):
        if case_id in seen:
            continue
        seen.add(case_id)
        (first if manager_id in demo_staff else rest).append(pk)
    # A small world still gets every step: there, every case in turn until each state has a few.
    every = EVERY if len(rest) >= EVERY * len(STATES) * 2 else max(1, len(rest) // (len(STATES) * 2))
    chosen = first[:len(STATES)] + rest[::every]
    by_pk = Sentence.objects.select_related("case").in_bulk(chosen)
    return [by_pk[pk] for pk in chosen]


def build_recalls(*, today: dt.date, now: dt.datetime, seed: int) -> int:
    """Write the world's recalls; returns how many."""
    rng = random.Random(seed + 17)
    demo_staff = set(TeamMembership.objects.filter(staff__user__username__in=["po", "pso", "pqip"])
                     .values_list("staff_id", flat=True))
    sentences = _chosen(demo_staff)
    if not sentences:
        return 0
    case_ids = [s.case_id for s in sentences]
    spos = {}
    for team_id, staff_id in (TeamMembership.objects.filter(role=TeamMembership.Role.MANAGER,
                                                            team_id__in={s.case.team_id for s in sentences})
                              .order_by("team_id", "start_date", "pk").values_list("team_id", "staff_id")):
        spos.setdefault(team_id, staff_id)
    heads = {}
    for pdu_id, staff_id in (ScopeGrant.objects.filter(role=Role.HEAD_OF_PDU, status=GrantStatus.APPROVED,
                                                       pdu_id__in={s.case.pdu_id for s in sentences})
                             .order_by("pdu_id", "pk").values_list("pdu_id", "staff_id")):
        heads.setdefault(pdu_id, staff_id)
    names = {staff.pk: staff.name for staff in Staff.objects.filter(
        pk__in={*spos.values(), *heads.values(), *(s.case.manager_id for s in sentences)})}
    registrations = defaultdict(list)
    for registration in Registration.objects.filter(case_id__in=case_ids).select_related("type"):
        registrations[registration.case_id].append(registration)
    conditions = defaultdict(list)
    for condition in LicenceCondition.objects.filter(sentence_id__in=[s.pk for s in sentences]).order_by("pk"):
        conditions[condition.sentence_id].append(condition)
    addresses = {}
    for address in Address.objects.filter(case_id__in=case_ids, end_date__isnull=True,
                                          no_fixed_abode=False).order_by("start_date", "pk"):
        addresses[address.case_id] = address

    recalls, steps_of = [], []
    turns = {True: STATES.index(State.ACO_COUNTERSIGNED), False: 0}
    for sentence in sentences:
        case = sentence.case
        people = {Actor.PRACTITIONER: case.manager_id, Actor.SPO: spos.get(case.team_id),
                  Actor.ACO: heads.get(case.pdu_id)}
        if people[Actor.SPO] is None or not conditions[sentence.pk]:
            continue
        # The next state in turn that this case's people can reach: a PDU with no head of PDU stops short of
        # the head's countersignature. Cases with a head start at it, so a small world still shows it.
        has_head = people[Actor.ACO] is not None
        states = STATES if has_head else tuple(s for s in STATES if Step.ACO_COUNTERSIGN not in STEPS[s])
        state = states[turns[has_head] % len(states)]
        turns[has_head] += 1
        path = STEPS[state]
        started = now - dt.timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 6))
        at = started
        rows = []
        for step in path:
            by = people[ROLE[step]]
            text = rng.choice(REASONS) if step is Step.CONSIDER else TEXTS.get(step, "")
            rows.append(RecallStep(step=step, by_id=by, by_name=names[by], role=ROLE[step], at=at, text=text))
            at += dt.timedelta(days=rng.randint(0, 2), hours=rng.randint(1, 5))
        last = rows[-1].at
        recall = Recall(case=case, sentence=sentence, state=state, version=len(path), started_at=started,
                        updated_at=last)
        if Step.RECOMMEND in path:
            group = group_of(sentence)
            answers = with_record(ALL_NO, known_answers(sentence, registrations[case.pk], today=today))
            decision = engine_decision(group, answers)
            recall.recall_type = (decision.mandatory or RecallType.STANDARD).value
            recall.emergency = False
            recall.custody_status = rng.choice([CustodyStatus.IN_COMMUNITY, CustodyStatus.IN_POLICE_CUSTODY,
                                                CustodyStatus.WHEREABOUTS_UNKNOWN]).value
            recall.conditions_breached = [{"id": c.pk, "kind": c.get_kind_display(), "description": c.description}
                                          for c in conditions[sentence.pk][:2]]
            recall.alternatives_tried = "Two warnings, then weekly reporting and a referral to the drug service."
            recall.new_offence = answers.new_offence
            recall.engine = {"group": group.value, "answers": answers.as_dict(),
                             "mandatory": decision.mandatory.value if decision.mandatory else None,
                             "allowed": [t.value for t in decision.allowed],
                             "emergency_offered": decision.emergency_offered, "reasons": list(decision.reasons),
                             "rules_version": decision.rules_version}
        if state is State.ISSUED:
            recall.decided_on = last.date()
            recall.document = content.recall_document(case=case, sentence=sentence, recall=recall, steps=rows[:-1],
                                                      issued_by=rows[-1].by_name, issued_at=last)
        elif state is State.NOT_RECALLED:
            recall.decided_on = last.date()
            recall.document = content.not_recalled_letter(case=case, sentence=sentence, reasons=rows[-1].text,
                                                          decided_by=rows[-1].by_name, decided_on=last.date(),
                                                          address=addresses.get(case.pk))
        recalls.append(recall)
        steps_of.append(rows)
    Recall.objects.bulk_create(recalls, batch_size=BATCH)
    for recall, rows in zip(recalls, steps_of, strict=True):
        for row in rows:
            row.recall_id = recall.pk
    RecallStep.objects.bulk_create([row for rows in steps_of for row in rows], batch_size=BATCH)
    return len(recalls)
