"""The people stage's generator: one person at a time, each job drawn by its own part, in a fixed order.

``PeopleGenerator.chunk`` returns the next batch of people with every record (unsaved), and each
case's tier worked out from those records in memory (``casework.record.tiers.tier_outcome``, the
engine the audited recalculation uses), so no case is read back. ``world_parts`` is the whole
generation after the organisation: the chunks of people, then limited access.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from casework.demo.access import plan_limited_access
from casework.demo.allocation import Allocation, Held, Period
from casework.demo.contacts import ContactRow, Contacts
from casework.demo.draw import Setting, Weighted
from casework.demo.enforcement import chunk_enforcement
from casework.demo.instances import instance
from casework.demo.organisation import Organisation
from casework.demo.people import People
from casework.demo.risk import Risk
from casework.demo.safeguards import chunk_safeguards
from casework.demo.scale import Scale
from casework.demo.sentences import Sentences
from casework.enforcement.models import EnforcementDecision, EnforcementSignal
from casework.record.choices import AllocationReason
from casework.record.models import (
    Address,
    Assignment,
    Case,
    CaseAccess,
    LicenceCondition,
    Offence,
    OffenceType,
    Registration,
    RegistrationType,
    Requirement,
    RiskAssessment,
    Sentence,
    TierCalculation,
)
from casework.record.tiers import SentenceInputs, tier_outcome, tier_request
from casework.rules.calendar import years_before
from casework.ruleset.selectors import enforcement_policy, safeguard_schedule
from casework.safeguards.models import SafeguardTask

TIER_TRIGGER = "generated data"


@dataclass
class Chunk:
    """Everything generated for one batch of people, in write order."""

    cases: list[Case] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    offences: list[Offence] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    conditions: list[LicenceCondition] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    assessments: list[RiskAssessment] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    calculations: list[TierCalculation] = field(default_factory=list)
    contacts: list[ContactRow] = field(default_factory=list)
    tasks: list[SafeguardTask] = field(default_factory=list)
    decisions: list[EnforcementDecision] = field(default_factory=list)
    signals: list[EnforcementSignal] = field(default_factory=list)


# The records of a chunk written after its cases, in order: (model, Chunk attribute).
CHILD_MODELS = ((Address, "addresses"), (Sentence, "sentences"), (Offence, "offences"),
                (Requirement, "requirements"), (LicenceCondition, "conditions"), (Registration, "registrations"),
                (RiskAssessment, "assessments"), (Assignment, "assignments"), (TierCalculation, "calculations"),
                (SafeguardTask, "tasks"), (EnforcementDecision, "decisions"), (EnforcementSignal, "signals"))


@dataclass
class LimitedAccess:
    """The last part of a world: access rules, and the cases whose ``restricted``/``has_exclusions`` changed."""

    rows: list[CaseAccess]
    changed: list[Case]
    heavy_case: Case | None


class PeopleGenerator:
    """Generates people on probation with their records, deterministically from ``rng``."""

    def __init__(self, scale: Scale, rng: random.Random, org: Organisation, now: dt.datetime,
                 offence_types: dict[str, OffenceType], registration_types: dict[str, RegistrationType]):
        setting = Setting(scale, rng, org, now, offence_types, registration_types)
        self.setting, self.scale, self.rng, self.org, self.now = setting, scale, rng, org, now
        self.today = setting.today
        self.people = People(setting)
        self.sentences = Sentences(setting)
        self.allocation = Allocation(setting)
        self.risk = Risk(setting)
        self.contacts = Contacts(setting)
        self.pdu_choice = Weighted([(pdu, sum(p.target for t in org.teams_by_pdu[pdu.code]
                                              for p in org.practitioners[t.code]) or 1) for pdu in org.pdus])
        self.allocated: list[Held] = []
        self.safeguard_policy, self.safeguard_config = safeguard_schedule()  # the national policy, read once
        self.enforcement_policy, self.enforcement_config = enforcement_policy()

    @property
    def heavy_case(self) -> Case | None:
        return self.contacts.heavy_case

    def chunk(self, count: int) -> Chunk:
        """The next ``count`` people, all their records, and their tiers."""
        out = Chunk()
        for _ in range(count):
            self._person(out)
        out.decisions, out.signals = chunk_enforcement(out, today=self.today, seed=self.scale.seed, org=self.org,
                                                       policy=self.enforcement_policy, config=self.enforcement_config)
        out.calculations = chunk_tiers(out, self.today, self.now)
        out.tasks = chunk_safeguards(out, today=self.today, seed=self.scale.seed, org=self.org,
                                     policy=self.safeguard_policy, config=self.safeguard_config)
        return out

    def _person(self, out: Chunk) -> None:
        rng, scale, org = self.rng, self.scale, self.org
        pdu = self.pdu_choice.pick(rng)
        waiting = rng.random() < scale.unallocated_share
        in_team_queue = waiting and rng.random() < scale.team_queue_share
        leaver = None
        if in_team_queue and rng.random() < 0.4:
            # Some of a team's waiting cases belonged to someone who has left.
            leavers = [p for t in org.teams_by_pdu[pdu.code] for p in org.leavers[t.code]]
            leaver = rng.choice(leavers) if leavers else None
        new = waiting and leaver is None
        person = self.people.profile(new=new)
        region = pdu.region
        place = org.region_places[region.code]
        pdu_place = org.pdu_places[pdu.code]

        current, previous, supervision = self.sentences.sentences(person, new=new, pdu_place=pdu_place)
        dob = self.people.date_of_birth(person, min(s.sentence_date for s in [current, *previous]))

        team, manager, periods = None, None, []
        if not waiting:
            manager, team = self.allocation.choose_manager(person, pdu)
            periods = self.allocation.periods(person, supervision.start, manager, team)
        elif in_team_queue:
            team = leaver.team if leaver else rng.choice(org.teams_by_pdu[pdu.code])
            if leaver and leaver.staff.ended > supervision.start:
                periods = [Period(leaver, team, max(supervision.start, leaver.staff.started_in_post),
                                  leaver.staff.ended, AllocationReason.INITIAL_ALLOCATION)]

        case = self.people.case(person, region, pdu, team, manager, dob)
        out.cases.append(case)
        if manager:
            self.allocated.append(Held(case, manager, team, tuple(p.staff for p in periods)))
        for sentence in [*previous, current]:
            sentence.case = case
        out.sentences.extend(previous)
        out.sentences.append(current)
        self.sentences.offences(out, person, previous, current)
        self.sentences.requirements_and_conditions(out, person, current, supervision, pdu_place)
        assessments = self.risk.assessments(out, case, person, supervision, periods)
        self.risk.registrations(out, case, person, supervision, assessments, manager)
        self.people.addresses(out, case, person, supervision, pdu_place)
        self.allocation.assignments(out, case, periods)
        self.contacts.contacts(out, case, person, supervision, periods, manager, pdu_place, place, team)


def chunk_tiers(chunk: Chunk, as_of: dt.date, now: dt.datetime) -> list[TierCalculation]:
    """Each case's tier from its records in memory; sets the case's tier fields, returns the calculations."""
    requirements, offences = defaultdict(list), defaultdict(list)
    for r in chunk.requirements:
        requirements[id(r.sentence)].append(r)
    for o in chunk.offences:
        offences[id(o.sentence)].append(o)
    sentences, registrations, latest = defaultdict(list), defaultdict(list), {}
    for s in chunk.sentences:
        sentences[id(s.case)].append(SentenceInputs(s, requirements[id(s)], offences[id(s)]))
    for r in chunk.registrations:
        registrations[id(r.case)].append(r)
    for a in chunk.assessments:
        # In date order within a case and numbered in this order, so the last of the latest date wins,
        # as it does for the recalculation service (ordered by date, then id).
        key = id(a.case)
        if key not in latest or a.assessed_on >= latest[key].assessed_on:
            latest[key] = a
    # The women's factor "breach or recall in the last year" (rules.md §1): the chunk's breach decisions.
    since = years_before(as_of, 1)
    breached = {id(d.case) for d in chunk.decisions if d.kind == "BREACH" and since < d.decided_on <= as_of}
    calculations = []
    for case in chunk.cases:
        key = id(case)
        request = tier_request(case=case, as_of=as_of, sentences=sentences[key], registrations=registrations[key],
                               assessment=latest.get(key), breach_or_recall_last_year=key in breached)
        case.tier, case.tier_single, case.rosh, result = tier_outcome(request)
        calculations.append(instance(TierCalculation, case=case, calculated_at=now, as_of=as_of, trigger=TIER_TRIGGER,
                                     rules_version=result["rules_version"], tier=case.tier,
                                     tier_single=case.tier_single, inputs=request, result=result))
    return calculations


def world_parts(people: PeopleGenerator) -> Iterator[Chunk | LimitedAccess]:
    """The world after the organisation, in write order: each chunk of people, then limited access.

    Lazy: limited access is planned once every chunk has been taken (and written, or numbered), so
    it can refer to the cases by id.
    """
    scale = people.scale
    for first in range(0, scale.people, scale.chunk_people):
        yield people.chunk(min(scale.chunk_people, scale.people - first))
    rows, changed = plan_limited_access(scale, people.rng, people.org, people.allocated)
    yield LimitedAccess(rows, changed, people.heavy_case)
