"""Safeguard tasks for generated people (issue 12 "Data"): the engine run per case, and people's work on them.

For each case of a chunk, in memory: the engine's schedule from the case's records (the same
``build_request`` and ``plan_for`` the audited recompute uses, so a recompute afterwards writes
nothing), then what people did about each open task — most done by their due date or a little
after, some recorded as not required with a reason by someone entitled to decide, and some left
overdue (more of the recent ones than the old ones) — repeated until the schedule settles (a review
done moves the periodic review on; one review closes the earlier ones).

Each case draws from its own random stream (seeded by the world's seed and its CRN), so adding
tasks changes nothing else the world draws.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from casework.demo.organisation import Organisation
from casework.record.choices import ContactKind, YesNoUnknown
from casework.rules import contacts as contact_rules
from casework.rules.safeguards import SafeguardSchedule
from casework.ruleset.models import RuleConfig
from casework.safeguards.choices import SafeguardCode, TaskStatus, TriggerCode
from casework.safeguards.inputs import ATTENDED, build_request, current_sentence
from casework.safeguards.models import SafeguardTask
from casework.safeguards.schedule import earliest_done_date, plan_for

OUTCOMES = {
    SafeguardCode.DOMESTIC_ABUSE_ENQUIRY: [
        "Police: no domestic abuse call-outs recorded", "Police: 1 call-out in 2 years, no further action",
        "Police: 3 call-outs in 2 years, latest to the current address; shared with the risk plan",
        "Police: 2 call-outs involving a previous partner; victim now supported by an IDVA"],
    SafeguardCode.SAFEGUARDING_ENQUIRY: [
        "Children's services: not known", "Children's services: closed case from 2019, no current involvement",
        "Children's services: child in need plan for a child in the household; social worker contact agreed",
        "Children's services: child protection plan; attending core group meetings"],
    SafeguardCode.INITIAL_ROSH_ASSESSMENT: [
        "Initial assessment completed and countersigned", "Assessment completed; RoSH confirmed at current level"],
    SafeguardCode.HOME_VISIT: [
        "Visited; address suitable, no concerns", "Visited with a police officer; partner seen alone, no concerns",
        "Visited; children present and well, shared with children's services"],
    SafeguardCode.RISK_REVIEW: [
        "Risk reviewed; no change to RoSH or plan", "Risk reviewed after the event; plan updated with new contingency",
        "Reviewed with the police; RoSH raised and oversight requested"],
    SafeguardCode.MANAGEMENT_OVERSIGHT: [
        "Oversight recorded: plan proportionate, contact level agreed",
        "Oversight recorded: home visit to be brought forward"],
}
NOT_REQUIRED = {
    SafeguardCode.HOME_VISIT: [
        "Lives in approved premises; visits by the hostel keyworker instead",
        "In custody on remand; visit to be arranged on release"],
    SafeguardCode.RISK_REVIEW: [
        "Review held at the MAPPA meeting on the same day; recorded there",
        "Transferred out of the area; the receiving team reviews"],
    SafeguardCode.SAFEGUARDING_ENQUIRY: [
        "Lives alone; no children in the family and no contact with children",
        "No children; confirmed with the person and their partner"],
}
SPO_DECIDES = {SafeguardCode.HOME_VISIT, SafeguardCode.RISK_REVIEW}
MAX_ROUNDS = 6


def _decide(task: SafeguardTask, rng: random.Random, today: dt.date, case, spo) -> None:
    """What people did about one open task (it stays open, or is closed as done or not required)."""
    if task.safeguard == SafeguardCode.SAFEGUARDING_ENQUIRY and case.children_contact == YesNoUnknown.NO:
        not_required, done = 0.6, 0.3  # no children: mostly a recorded decision rather than an enquiry
    elif task.due < today:
        not_required, done = (0.06, 0.9) if (today - task.due).days > 90 else (0.08, 0.6)
    else:
        not_required, done = 0.0, 0.2
    roll = rng.random()
    if roll < not_required:
        _not_required(task, rng, today, case, spo)
    elif roll < not_required + done:
        _done(task, rng, today, case)


def _done(task: SafeguardTask, rng: random.Random, today: dt.date, case) -> None:
    earliest = earliest_done_date(task)
    latest = min(today, task.due + dt.timedelta(days=15 if rng.random() < 0.3 else 0))
    start = max(task.created_on, earliest)
    if latest < start:
        return
    task.status, task.done_on = TaskStatus.DONE, start + dt.timedelta(days=rng.randint(0, (latest - start).days))
    task.outcome = rng.choice(OUTCOMES[SafeguardCode(task.safeguard)])
    task.decided_by = case.manager
    task.decided_at = _at(task.done_on, rng)


def _not_required(task: SafeguardTask, rng: random.Random, today: dt.date, case, spo) -> None:
    safeguard = SafeguardCode(task.safeguard)
    if task.trigger == TriggerCode.PERIODIC:
        return  # only ever due or overdue (rules.md §4.1): it moves on when a review is done
    if safeguard in SPO_DECIDES and spo is not None:
        task.decided_by = spo
    elif safeguard is SafeguardCode.SAFEGUARDING_ENQUIRY and case.children_contact == YesNoUnknown.NO:
        task.decided_by = case.manager
    else:
        return
    task.status = TaskStatus.NOT_REQUIRED
    task.not_required_reason = rng.choice(NOT_REQUIRED[safeguard])
    task.decided_at = _at(max(task.created_on, min(today, task.due)), rng)


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(15, rng.randint(0, 59))))


def chunk_safeguards(chunk, *, today: dt.date, seed: int, org: Organisation, policy: SafeguardSchedule,
                     config: RuleConfig | None) -> list[SafeguardTask]:
    """Every safeguard task of the chunk's cases, as their records and people's work leave them."""
    sentences, registrations, assessments = defaultdict(list), defaultdict(list), defaultdict(list)
    failures, visits, oversight = defaultdict(list), defaultdict(list), defaultdict(list)
    for s in chunk.sentences:
        sentences[id(s.case)].append(s)
    for r in chunk.registrations:
        registrations[id(r.case)].append(r)
    for a in chunk.assessments:
        assessments[id(a.case)].append(a.assessed_on)
    for c in chunk.contacts:
        day = timezone.localtime(c.starts_at).date()
        if day > today or (not c.outcome and c.kind != ContactKind.MANAGEMENT_OVERSIGHT):
            continue
        if contact_rules.is_failure_to_comply(c.outcome):
            failures[id(c.case)].append(day)
        if c.kind == ContactKind.HOME_VISIT and c.outcome in ATTENDED:
            visits[id(c.case)].append(day)
        elif c.kind == ContactKind.MANAGEMENT_OVERSIGHT:
            oversight[id(c.case)].append(day)
    tasks: list[SafeguardTask] = []
    for case in chunk.cases:
        key = id(case)
        rng = random.Random(f"{seed}-safeguards-{case.crn}")
        spo_plan = org.spo.get(case.team.code) if case.team is not None else None
        spo = spo_plan.staff if spo_plan is not None else None
        mine: list[SafeguardTask] = []
        decided: set[int] = set()
        for _round in range(MAX_ROUNDS):
            item = build_request(case=case, sentence=current_sentence(sentences[key]),
                                 registrations=registrations[key], events=(), failures=failures[key],
                                 assessments=assessments[key], home_visits=visits[key],
                                 oversight_contacts=oversight[key], tasks=mine)
            plan = plan_for(item, today=today, policy=policy, config=config)
            for task in plan.create + plan.update + plan.close:
                met = plan.met_by.get(id(task))
                if met is not None:
                    task.met_by = met
            mine += plan.create
            undecided = [t for t in mine if t.status == TaskStatus.OPEN and id(t) not in decided]
            if not undecided and not (plan.create or plan.update or plan.close):
                break
            for task in undecided:
                decided.add(id(task))
                _decide(task, rng, today, case, spo)
        tasks += mine
    return tasks

