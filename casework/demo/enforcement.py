"""Compliance histories for generated people (issue 14 "Data"): the enforcement engine run per sentence, and
people's decisions on what it raises.

For each case of a chunk, in memory: the engine's signals from the case's appointment outcomes and risk
assessments (the same ``SentenceInput`` and ``plan_for`` the audited recompute uses, so a recompute
afterwards writes nothing), then what people decided — a warning for most first failures on an order within
a few days, a breach or a recorded decision not to take further action for most failures after a warning,
warnings, increased reporting, referrals, extra conditions and recall considerations on licence (the
licence decisions with the SPO's oversight, recent ones still awaiting it) — most on time, some late, and
some left undecided (more of the recent ones), repeated until the signals settle.

Each case draws from its own random stream (seeded by the world's seed and its CRN), so adding compliance
histories changes nothing else the world draws.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from casework.demo.instances import instance
from casework.demo.organisation import Organisation
from casework.enforcement.choices import DecisionKind, OversightStatus, SignalKind, SignalStatus
from casework.enforcement.inputs import READ_OUTCOMES, SentenceInput, current_sentences
from casework.enforcement.letters import warning_letter_text
from casework.enforcement.models import EnforcementDecision, EnforcementSignal
from casework.enforcement.plan import engine_answer, plan_for
from casework.rules import contacts as contact_rules
from casework.rules.enforcement import EnforcementPolicy
from casework.rules.supervision import SupervisionKind
from casework.ruleset.models import RuleConfig
from casework.safeguards.inputs import current_sentence

MAX_ROUNDS = 8
RATIONALES = {
    DecisionKind.WARNING: ["You did not attend and did not contact us to explain why.",
                           "You were told at your last appointment what is expected of you and did not do it."],
    DecisionKind.BREACH: ["A second unacceptable failure within 12 months of a formal warning.",
                          "Further failures after a warning; engagement has broken down."],
    DecisionKind.NO_FURTHER_ACTION: ["Evidence of a hospital admission received after the absence was recorded.",
                                     "Failure was minor and engagement since has been good; recorded for the file."],
    DecisionKind.INCREASED_REPORTING: ["Reporting raised to twice weekly for six weeks to rebuild engagement."],
    DecisionKind.EXTRA_CONDITIONS: ["Curfew condition requested to manage evening risk around the victim's area."],
    DecisionKind.REFERRAL: ["Referred to drug services: missed appointments linked to relapse."],
    DecisionKind.CONSIDER_RECALL: ["Repeated absences and whereabouts unknown for a week: recall to be considered."],
}
LICENCE_CHOICES = [(DecisionKind.WARNING, 45), (DecisionKind.INCREASED_REPORTING, 20), (DecisionKind.REFERRAL, 12),
                   (DecisionKind.EXTRA_CONDITIONS, 8), (DecisionKind.CONSIDER_RECALL, 10),
                   (DecisionKind.NO_FURTHER_ACTION, 5)]
BREACH_CHOICES = [(DecisionKind.BREACH, 80), (DecisionKind.NO_FURTHER_ACTION, 20)]


def _pick(rng: random.Random, choices, kind: SupervisionKind) -> str:
    allowed = [(k, w) for k, w in choices if not (k == DecisionKind.CONSIDER_RECALL and kind != SupervisionKind.LICENCE)
               and not (k in (DecisionKind.INCREASED_REPORTING, DecisionKind.EXTRA_CONDITIONS)
                        and kind not in (SupervisionKind.LICENCE, SupervisionKind.POST_SENTENCE_SUPERVISION))]
    return rng.choices([k for k, _ in allowed], weights=[w for _, w in allowed])[0]


def _when(rng: random.Random, since: dt.date, due: dt.date, today: dt.date) -> dt.date | None:
    """The day a decision owed since ``since`` (due ``due``) was made, or None while it is still owed."""
    overdue_days = (today - due).days
    chance = 0.92 if overdue_days > 60 else 0.7 if overdue_days > 0 else 0.35
    if rng.random() >= chance:
        return None
    late = rng.random() < 0.25
    latest = min(today, due + dt.timedelta(days=rng.randint(3, 40)) if late else due)
    if latest < since:
        return None
    return since + dt.timedelta(days=rng.randint(0, (latest - since).days))


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(11, rng.randint(0, 59))))


def _decide(item: SentenceInput, kind: str, day: dt.date, rng: random.Random, today: dt.date, spo) -> None:
    earlier = max((d.decided_on for d in item.decisions if d.decided_on <= day), default=None)
    failures = [{"date": d.isoformat(), "outcome": o, "contact": None} for d, o, _ in item.contacts
                if contact_rules.is_failure_to_comply(o) and d <= day and (earlier is None or d > earlier)]
    rationale = rng.choice(RATIONALES[DecisionKind(kind)])
    manager = item.case.manager
    decision = instance(EnforcementDecision, case=item.case, sentence=item.sentence, kind=kind, decided_on=day,
                        rationale=rationale, failures=failures, recorded_by=manager, recorded_at=_at(day, rng))
    if kind == DecisionKind.BREACH:
        decision.requirement = "Attend appointments with the responsible officer as instructed"
        decision.recommendation = rng.choice(["Continue the order with an added curfew requirement",
                                              "Revoke and re-sentence", "Continue the order; fine"])
    if kind == DecisionKind.WARNING:
        decision.letter_text = warning_letter_text(case=item.case, sentence=item.sentence, failures=failures,
                                                   rationale=rationale, officer=str(manager) if manager else
                                                   "Probation officer", decided_on=day)
    if item.kind in (SupervisionKind.LICENCE, SupervisionKind.POST_SENTENCE_SUPERVISION):
        if spo is not None and ((today - day).days > 14 or rng.random() < 0.5):
            decision.oversight, decision.oversight_by = OversightStatus.AGREED, spo
            decision.oversight_at = _at(min(today, day + dt.timedelta(days=rng.randint(0, 5))), rng)
            decision.oversight_note = "Agreed: proportionate to the risk and the failures."
        else:
            decision.oversight = OversightStatus.AWAITING
    item.decisions.append(decision)
    item.decisions.sort(key=lambda d: d.decided_on)


def chunk_enforcement(chunk, *, today: dt.date, seed: int, org: Organisation, policy: EnforcementPolicy,
                      config: RuleConfig | None) -> tuple[list[EnforcementDecision], list[EnforcementSignal]]:
    """Every enforcement decision and signal of the chunk's cases, as their records and people's decisions
    leave them."""
    sentences, reviews = defaultdict(list), defaultdict(list)
    for s in chunk.sentences:
        sentences[id(s.case)].append(s)
    for a in chunk.assessments:
        reviews[id(a.case)].append(a.assessed_on)
    contacts = defaultdict(list)
    for c in chunk.contacts:
        if c.outcome in READ_OUTCOMES:
            day = timezone.localtime(c.starts_at).date()
            if day <= today:
                contacts[id(c.case)].append((day, c.outcome, c.sentence))
    decisions: list[EnforcementDecision] = []
    signals: list[EnforcementSignal] = []
    for case in chunk.cases:
        key = id(case)
        if not contacts[key]:
            continue
        newest = current_sentence(sentences[key])
        items = []
        for sentence, kind, start in current_sentences(sentences[key]):
            mine = [(d, o, None) for d, o, s in contacts[key]
                    if s is sentence or (s is None and sentence is newest and d >= start)]
            if mine:
                items.append(SentenceInput(case=case, sentence=sentence, kind=kind, start=start,
                                           contacts=sorted(mine, key=lambda c: c[0]),
                                           reviews=sorted(reviews[key])))
        if not items:
            continue
        rng = random.Random(f"{seed}-enforcement-{case.crn}")
        spo_plan = org.spo.get(case.team.code) if case.team is not None else None
        spo = spo_plan.staff if spo_plan is not None else None
        for item in items:
            considered: set[tuple] = set()
            for _round in range(MAX_ROUNDS):
                plan = plan_for(item, today=today, policy=policy, config=config)
                item.signals += plan.create
                answer = engine_answer(item, today, policy)
                acted = False
                for signal in item.signals:
                    label = (signal.kind, signal.since)
                    if signal.status != SignalStatus.OPEN or label in considered:
                        continue
                    considered.add(label)
                    if signal.kind == SignalKind.RISK_EVENT_NO_REVIEW:
                        continue
                    day = _when(rng, signal.since, signal.due, today)
                    if day is None:
                        continue
                    if signal.kind == SignalKind.REPEATED_ABSENCE_NO_RECALL_CONSIDERATION:
                        kind = DecisionKind.CONSIDER_RECALL
                    elif signal.kind == SignalKind.SECOND_FAILURE_NO_BREACH_DECISION:
                        kind = _pick(rng, BREACH_CHOICES, item.kind)
                    else:
                        kind = _pick(rng, LICENCE_CHOICES, item.kind)
                    _decide(item, kind, day, rng, today, spo)
                    acted = True
                    break  # the engine answers anew before the next decision
                if not acted and answer is not None and answer.required_action is not None \
                        and answer.required_action.value == "WARNING":
                    # The first failure since the last decision: a warning follows it (history runs forward).
                    last = max((d.decided_on for d in item.decisions), default=dt.date.min)
                    failure = min(d for d, o, _ in item.contacts if contact_rules.is_failure_to_comply(o) and d > last)
                    label = ("WARNING", failure)
                    if label not in considered:
                        considered.add(label)
                        day = _when(rng, failure, failure + dt.timedelta(days=7), today)
                        if day is not None:
                            _decide(item, DecisionKind.WARNING, day, rng, today, spo)
                            acted = True
                if not acted and not plan:
                    break
            # What a recompute would leave: the signals the decisions answered closed by them.
            final = plan_for(item, today=today, policy=policy, config=config)
            item.signals += final.create
            decisions += item.decisions
            signals += item.signals
    return decisions, signals
