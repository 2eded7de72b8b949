"""Build the demo world: the organisation, its staff, people on probation and their records.

Generation is deterministic: a seeded ``random.Random`` and ``now`` in, unsaved model instances
out, with no database reads. Every date is an offset from ``now``, so the world is the same every
day, only shifted. Writing is ``bulk_create`` in dependency order, one chunk of people at a time, so
the same code can build the national-scale dataset without holding it all in memory.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import itertools
import math
import random
import statistics
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple, TextIO

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from casework.access.models import Role, ScopeGrant
from casework.account.models import User
from casework.demo import catalogue
from casework.demo.instances import instance
from casework.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from casework.demo.reductions import plan_reductions
from casework.organisation.models import Pdu, Provider, Region, Team
from casework.record.choices import (
    AbsenceReason,
    AccessKind,
    AllocationReason,
    ContactKind,
    ContactOutcome,
    CustodialType,
    DcSrpBand,
    Gender,
    LicenceConditionKind,
    Need,
    NeedSeverity,
    ProgressStatus,
    RequirementKind,
    RequirementUnit,
    RiskLevel,
    RiskSource,
    SentenceKind,
    SentenceStatus,
    YesNoUnknown,
)
from casework.record.identifiers import pnc_check_letter
from casework.record.models import (
    Address,
    Assignment,
    Case,
    CaseAccess,
    Contact,
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
from casework.record.services import name_key, years_before
from casework.record.tiers import tier_recalculate_all
from casework.workforce.models import Grade, Reduction, Staff, TeamMembership

LOW, MEDIUM, HIGH, VERY_HIGH = RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.VERY_HIGH


@dataclass(frozen=True)
class Scale:
    """How big a world to build and the shares it should reproduce (shared/reference/scale.md)."""

    name: str
    regions: int
    pdus_per_region: int
    teams_per_pdu: int
    # Practitioners in each team by grade; every team also has one SPO managing it.
    team_make_up: tuple[tuple[str, int], ...]
    people: int
    months_of_contacts: int = 18
    weeks_ahead: int = 6
    unallocated_share: float = 0.08
    # Of the unallocated: the share given to a team but not yet to a case manager (the rest wait
    # in their PDU's queue with no team).
    team_queue_share: float = 0.5
    restricted_cases: int = 4
    excluded_cases: int = 5  # besides the one case in po's team that po is excluded from
    leavers_per_pdu: int = 1
    head_for_every_pdu: bool = False
    # Caseload sizes of the demo logins that hold cases (the rest are shared out to fill demand).
    po_caseload: int = 40
    new_pso_caseload: int = 6
    rosh_shares: tuple[tuple[str, float], ...] = ((LOW, 0.30), (MEDIUM, 0.50), (HIGH, 0.18), (VERY_HIGH, 0.02))
    women_share: float = 0.10
    young_share: float = 0.15
    domestic_abuse_share: float = 0.30
    child_registration_share: float = 0.20
    outstanding_outcome_share: float = 0.03
    sensitive_share: float = 0.03
    seed: int = 20210626  # unification of probation services, 26 June 2021
    chunk_people: int = 1000
    batch_size: int = 2000
    # Stretches the gaps between contacts (1.0: the national standard's weekly-then-fortnightly
    # rhythm). The national dataset uses it to land on scale.md's 5,000,000 contacts in two years.
    contact_spacing: float = 1.0
    # When set, po's first case gets exactly this many contacts: the benchmarks' heavy case.
    heavy_case_contacts: int = 0


DEMO = Scale(
    name="demo", regions=1, pdus_per_region=2, teams_per_pdu=3,
    team_make_up=((Grade.PO, 5), (Grade.PSO, 3), (Grade.PQIP, 1)), people=2000,
)
# A few dozen people in two small teams: for tests and for a quick look at a fresh checkout.
SMALL = Scale(
    name="small", regions=1, pdus_per_region=2, teams_per_pdu=1,
    team_make_up=((Grade.PO, 2), (Grade.PSO, 2), (Grade.PQIP, 1)), people=36, months_of_contacts=6,
    restricted_cases=1, excluded_cases=1, po_caseload=5, new_pso_caseload=2, chunk_people=20,
)
SCALES: dict[str, Scale] = {scale.name: scale for scale in (DEMO, SMALL)}

# Shapes below are working assumptions (scale.md says which are published); they are conditional
# on RoSH so the overall shares come out as the Scale asks: court orders about half, MAPPA level
# 2/3 about 2%, sexual offending about 6%.
CUSTODY_BY_ROSH = {LOW: 0.38, MEDIUM: 0.53, HIGH: 0.68, VERY_HIGH: 0.85}
CUSTODY_STATUS = ((SentenceStatus.PRE_RELEASE, 35), (SentenceStatus.LICENCE, 57),
                  (SentenceStatus.POST_SENTENCE_SUPERVISION, 8))
SEXUAL_BY_ROSH = {LOW: 0.01, MEDIUM: 0.04, HIGH: 0.15, VERY_HIGH: 0.30}
LIFER_BY_ROSH = {LOW: 0.0, MEDIUM: 0.01, HIGH: 0.10, VERY_HIGH: 0.40}
MAPPA_23_BY_ROSH = {LOW: 0.0, MEDIUM: 0.002, HIGH: 0.05, VERY_HIGH: 0.60}
# (low, high, mode) of a triangular draw; RSR 3+ and 7+ lift the protect level (rules.md §1.1).
RSR_BY_ROSH = {LOW: (0.2, 5.0, 1.8), MEDIUM: (0.8, 8.5, 3.0), HIGH: (2.5, 11.0, 5.5), VERY_HIGH: (5.0, 12.0, 8.0)}
ARP_BY_ROSH = {LOW: (3, 45, 15), MEDIUM: (10, 70, 35), HIGH: (35, 92, 60), VERY_HIGH: (65, 98, 85)}
COMPLEXITY_SHARES = (("RMDO", 0.15), ("ALSH", 0.10), ("RVLN", 0.06), ("RVAD", 0.02), ("STRG", 0.03),
                     ("RPIR", 0.005), ("RTAO", 0.002))
COMMUNITY_MONTHS = ((6, 8), (12, 35), (18, 25), (24, 25), (36, 7))
SHORT_CUSTODY_MONTHS = ((3, 10), (4, 10), (6, 15), (8, 10), (10, 10), (12, 15), (16, 10), (18, 10), (20, 10))
CUSTODY_MONTHS = ((24, 18), (30, 14), (36, 18), (48, 16), (60, 12), (72, 8), (96, 7), (120, 4), (144, 3))
# Automatic release point as a share of the sentence, by custodial type.
RELEASE_POINT = {CustodialType.DETERMINATE: 0.5, CustodialType.YOUTH_DETERMINATE: 0.5,
                 CustodialType.EXTENDED: 0.4, CustodialType.SOPC: 0.6}
ABSENCE_REASONS = ((AbsenceReason.MEDICAL, 45), (AbsenceReason.EMPLOYMENT, 20), (AbsenceReason.FAMILY, 15),
                   (AbsenceReason.COURT, 5), (AbsenceReason.HOLIDAY, 5), (AbsenceReason.RELIGIOUS, 2),
                   (AbsenceReason.PROFESSIONAL_JUDGEMENT, 8))
REALLOCATION_REASONS = ((AllocationReason.CASELOAD_ADJUSTMENT, 45), (AllocationReason.CHANGE_IN_TIER_OR_RISK, 20),
                        (AllocationReason.CHANGE_OF_ADDRESS, 15), (AllocationReason.RISK_TO_STAFF, 5),
                        (AllocationReason.OTHER, 5))
SPECIALISM = {"PSO_NEW": 12, "PSO": 3, "PQIP": 2, "ANY": 1}
NICKNAMES = {"Christopher": "Chris", "Anthony": "Tony", "Daniel": "Dan", "Michael": "Mike", "Matthew": "Matt",
             "Jessica": "Jess", "Samantha": "Sam", "Rebecca": "Becky", "Nicola": "Nikki", "Stephen": "Steve",
             "Robert": "Rob", "Joshua": "Josh", "Alexander": "Alex", "Victoria": "Vicky"}


# --- Small helpers ------------------------------------------------------------------------------


class Weighted:
    """A fixed weighted choice, drawn with one ``random()`` call."""

    def __init__(self, pairs: Sequence[tuple[object, float]]):
        self.values = [value for value, _ in pairs]
        self.cumulative = []
        total = 0.0
        for _, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months (clamped to the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=int(n))


def weekday_on_or_after(day: dt.date) -> dt.date:
    """Appointments fall on working days: a Saturday or Sunday moves to the Monday."""
    weekday = day.weekday()
    return day + dt.timedelta(days=7 - weekday) if weekday >= 5 else day


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters only, for usernames and email addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalpha())


def two_dp(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


# --- The organisation and its staff ---------------------------------------------------------------


@dataclass(eq=False)
class StaffPlan:
    """A member of staff with what the generator needs to share out cases."""

    staff: Staff
    user: User
    team: Team | None = None
    capability: str = ""  # ANY, PQIP, PSO, PSO_NEW or "" (holds no cases)
    target: int = 0
    load: int = 0
    pinned: bool = False  # a demo login whose caseload size is set, not shared out
    login: str = ""

    def can_hold(self, person: Profile) -> bool:
        """Whether the grade matrix (rules.md §3.2, defaults) lets this practitioner hold the case."""
        if self.capability == "ANY":
            return True
        if self.capability == "PQIP":
            return person.rosh != VERY_HIGH and not person.mappa_23 and not person.lifer
        if self.capability == "PSO":
            return person.rosh in (LOW, MEDIUM) and not person.mappa_23 and not person.lifer
        if self.capability == "PSO_NEW":
            return person.safe_for_new_pso
        return False


@dataclass
class Organisation:
    provider: Provider
    regions: list[Region] = field(default_factory=list)
    region_places: dict[str, catalogue.RegionPlace] = field(default_factory=dict)
    pdus: list[Pdu] = field(default_factory=list)
    pdu_places: dict[str, catalogue.PduPlace] = field(default_factory=dict)
    teams: list[Team] = field(default_factory=list)
    teams_by_pdu: dict[str, list[Team]] = field(default_factory=lambda: defaultdict(list))
    staff: list[StaffPlan] = field(default_factory=list)
    practitioners: dict[str, list[StaffPlan]] = field(default_factory=lambda: defaultdict(list))
    spo: dict[str, StaffPlan] = field(default_factory=dict)
    leavers: dict[str, list[StaffPlan]] = field(default_factory=lambda: defaultdict(list))
    memberships: list[TeamMembership] = field(default_factory=list)
    grants: list[ScopeGrant] = field(default_factory=list)
    logins: dict[str, StaffPlan] = field(default_factory=dict)
    reductions: list[Reduction] = field(default_factory=list)


class _StaffNames:
    """Unique staff codes, usernames and made-up names."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.usernames: set[str] = {login.username for login in DEMO_LOGINS}
        self.count = 0

    def person(self) -> tuple[str, str]:
        female = self.rng.random() < 0.6  # most probation staff are women
        first = self.rng.choice(catalogue.FEMALE_FIRST_NAMES if female else catalogue.MALE_FIRST_NAMES)
        return first, self.rng.choice(catalogue.SURNAMES)

    def username(self, first: str, last: str) -> str:
        base = f"{ascii_slug(first)}.{ascii_slug(last)}"
        name, n = base, 1
        while name in self.usernames:
            n += 1
            name = f"{base}{n}"
        self.usernames.add(name)
        return name


def plan_organisation(scale: Scale, rng: random.Random, today: dt.date, password_hash: str) -> Organisation:
    """The provider, regions, PDUs, teams and staff (unsaved), with each practitioner's caseload target."""
    org = Organisation(provider=Provider(code="PS", name="Probation Service"))
    names = _StaffNames(rng)

    def new_staff(grade: str, region: Region, *, login: str = "", started: dt.date, trained: dt.date | None,
                  hours: Decimal | None = None, left: dt.date | None = None, admin: bool = False) -> StaffPlan:
        first, last = names.person()
        names.count += 1
        username = login or names.username(first, last)
        email = f"{ascii_slug(first)}.{ascii_slug(last)}{names.count}@probation.example"
        user = User(username=username, first_name=first, last_name=last, email=email, password=password_hash,
                    is_staff=admin, is_superuser=admin, is_active=left is None)
        if hours is None:
            hours = Decimal("37") if rng.random() < 0.85 else rng.choice(
                (Decimal("18.50"), Decimal("22.50"), Decimal("30"), Decimal("33.50")))
        staff = Staff(user=user, code=f"{region.code}S{names.count:05d}", first_name=first, last_name=last,
                      email=email, grade=grade, contracted_hours=hours, started_in_post=started,
                      core_training_completed=trained, ended=left)
        plan = StaffPlan(staff=staff, user=user, login=login)
        org.staff.append(plan)
        if login:
            org.logins[login] = plan
        return plan

    def join(plan: StaffPlan, team: Team, role: str = TeamMembership.Role.MEMBER) -> None:
        plan.team = team
        org.memberships.append(TeamMembership(staff=plan.staff, team=team, role=role,
                                              start_date=plan.staff.started_in_post, end_date=plan.staff.ended))

    def years_ago(low: float, high: float) -> dt.date:
        return today - days(rng.uniform(low, high) * 365.25)

    for r in range(scale.regions):
        place = catalogue.REGIONS[r % len(catalogue.REGIONS)]
        suffix = "" if r < len(catalogue.REGIONS) else str(r // len(catalogue.REGIONS) + 1)
        region = Region(provider=org.provider, code=place.code + suffix, name=place.name + suffix)
        org.regions.append(region)
        org.region_places[region.code] = place
        for p in range(scale.pdus_per_region):
            pdu_place = place.pdus[p % len(place.pdus)]
            pdu_name = pdu_place.name if p < len(place.pdus) else f"{pdu_place.name} {p // len(place.pdus) + 1}"
            pdu = Pdu(region=region, code=f"{region.code}P{p + 1:02d}", name=pdu_name)
            org.pdus.append(pdu)
            org.pdu_places[pdu.code] = pdu_place
            for t in range(scale.teams_per_pdu):
                if t < len(pdu_place.teams):
                    team_name = pdu_place.teams[t]
                else:
                    team_name = f"{pdu_place.name} {catalogue.TEAM_SUFFIXES[t % len(catalogue.TEAM_SUFFIXES)]}"
                    if t >= len(catalogue.TEAM_SUFFIXES):
                        team_name += f" {t // len(catalogue.TEAM_SUFFIXES) + 1}"
                team = Team(pdu=pdu, code=f"{pdu.code}T{t + 1:02d}", name=team_name)
                org.teams.append(team)
                org.teams_by_pdu[pdu.code].append(team)

    first_team = org.teams[0]
    for team in org.teams:
        region = team.pdu.region
        is_first = team is first_team
        spo = new_staff(Grade.SPO, region, login="spo" if is_first else "", started=years_ago(6, 22),
                        trained=None)
        join(spo, team, TeamMembership.Role.MANAGER)
        org.spo[team.code] = spo
        for grade, count in scale.team_make_up:
            for k in range(count):
                plan = _new_practitioner(new_staff, rng, today, scale, grade, region, is_first, k, years_ago)
                join(plan, team)
                org.practitioners[team.code].append(plan)

    for pdu in org.pdus:
        teams = org.teams_by_pdu[pdu.code]
        for k in range(scale.leavers_per_pdu):
            team = teams[(k + 1) % len(teams)]
            left = today - days(rng.uniform(20, 90))
            plan = new_staff(Grade.PO, pdu.region, started=years_ago(3, 15), trained=None, left=left)
            plan.capability = "ANY"
            join(plan, team)
            org.leavers[team.code].append(plan)

    heads = org.pdus if scale.head_for_every_pdu else org.pdus[:1]
    for pdu in heads:
        head = new_staff(Grade.ACO, pdu.region, login="head" if pdu is first_team.pdu else "",
                         started=years_ago(12, 25), trained=None, hours=Decimal("37"))
        org.grants.append(ScopeGrant(staff=head.staff, role=Role.HEAD_OF_PDU, pdu=pdu,
                                     starts_on=years_ago(1, 6), reason=f"Head of {pdu.name} PDU"))
    for region in org.regions:
        qa = new_staff(Grade.QA, region, login="qa" if region is first_team.pdu.region else "",
                       started=years_ago(8, 20), trained=None, hours=Decimal("37"))
        org.grants.append(ScopeGrant(staff=qa.staff, role=Role.QUALITY_ASSURANCE, region=region,
                                     starts_on=years_ago(1, 4), reason=f"Quality assurance lead, {region.name}"))
    new_staff(Grade.ADMIN, org.regions[0], login="admin", started=years_ago(2, 10), trained=None,
              hours=Decimal("37"), admin=True)

    _share_out_caseloads(org, scale)
    # Workload reductions (rules.md §2.3) from a stream of their own, so that adding or changing them
    # leaves every other generated record as it was.
    org.reductions = plan_reductions([plan.staff for plan in org.staff], random.Random(f"{scale.seed}:reductions"),
                                     today)
    return org


def _new_practitioner(new_staff, rng, today, scale, grade, region, is_first, k, years_ago) -> StaffPlan:
    """One practitioner; in the first team the first of each grade are the demo logins."""
    if grade == Grade.PO:
        started = years_ago(1, 25)
        plan = new_staff(grade, region, login="po" if is_first and k == 0 else "", started=started,
                         trained=started + days(180), hours=Decimal("37") if is_first and k == 0 else None)
        plan.capability = "ANY"
        roll = rng.random()
        # Most between 35 and 50 cases; some up to 60; a few well over (scale.md: quality falls above 50).
        if roll < 0.80:
            plan.target = rng.randint(35, 50)
        else:
            plan.target = rng.randint(51, 60) if roll < 0.94 else rng.randint(61, 72)
        if plan.login == "po":
            plan.target, plan.pinned = scale.po_caseload, True
    elif grade == Grade.PSO:
        login = ("pso", "pso.new")[k] if is_first and k < 2 else ""
        trained = login == "pso" or (login == "" and rng.random() < 0.7)
        if login == "pso.new":
            started = today - days(61)
        elif trained:
            started = years_ago(1.5, 12)
        else:
            started = today - days(rng.uniform(30, 330))
        plan = new_staff(grade, region, login=login, started=started,
                         trained=started + days(rng.uniform(200, 300)) if trained else None,
                         hours=Decimal("37") if login else None)
        plan.capability = "PSO" if trained else "PSO_NEW"
        plan.target = rng.randint(18, 32) if trained else rng.randint(5, 12)
        if login == "pso.new":
            plan.target, plan.pinned = scale.new_pso_caseload, True
    else:
        started = today - days(rng.uniform(60, 540))
        plan = new_staff(grade, region, login="pqip" if is_first and k == 0 else "", started=started,
                         trained=None, hours=Decimal("37"))
        plan.capability = "PQIP"
        months = (today - started).days / 30.4
        plan.target = rng.randint(6, 10) if months < 6 else rng.randint(10, 16) if months < 12 else rng.randint(14, 22)
    if plan.target and plan.staff.contracted_hours < 37:
        plan.target = max(1, round(plan.target * float(plan.staff.contracted_hours) / 37))
    return plan


def _share_out_caseloads(org: Organisation, scale: Scale) -> None:
    """Scale caseload targets so that together they hold the allocated people, no more."""
    holders = [p for plans in org.practitioners.values() for p in plans]
    demand = round(scale.people * (1 - scale.unallocated_share))
    pinned = sum(p.target for p in holders if p.pinned)
    free = sum(p.target for p in holders if not p.pinned)
    factor = max(demand - pinned, 0) / free if free else 0
    for plan in holders:
        if not plan.pinned:
            plan.target = max(1, round(plan.target * factor))


# --- One person on probation ------------------------------------------------------------------------


@dataclass
class Profile:
    """Who the person is and what risks they present; the records are generated from this."""

    gender: str
    age: int
    rosh: str
    sexual: bool
    domestic: str  # "", "ADVP" or "REG30"
    status: str  # the current sentence's SentenceStatus
    custodial_type: str
    main_offence: str
    ogrs: int
    rsr: float
    arp: float
    csrp: float
    mappa: tuple[int, int] | None
    child: tuple[str, ...]
    stalking: bool
    complexity: tuple[str, ...]
    iiom: bool
    no_fixed_abode: bool
    chaotic: bool

    @property
    def mappa_23(self) -> bool:
        return bool(self.mappa and self.mappa[0] >= 2)

    @property
    def lifer(self) -> bool:
        return self.custodial_type in (CustodialType.LIFE, CustodialType.IPP)

    @property
    def custody(self) -> bool:
        return self.status != SentenceStatus.COMMUNITY

    @property
    def safe_for_new_pso(self) -> bool:
        """Within what a PSO without core training may hold: low RoSH, protect level C or D, no DA/child."""
        # Conservative without computing the tier: RSR under 3 and at most two complexity flags keep
        # the protect points under 20 (level C or D) even with every women-only factor.
        return (self.rosh == LOW and self.rsr < 3 and self.mappa is None and not self.domestic
                and not self.child and not self.stalking and not self.sexual and len(self.complexity) <= 2)


@dataclass(slots=True)
class ContactRow:
    """A contact before it is written (the case and sentence get their ids on write)."""

    case: Case
    sentence: Sentence | None
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    staff: Staff | None
    location: str = ""
    outcome: str = ""
    absence_reason: str = ""
    notes: str = ""
    sensitive: bool = False


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
    contacts: list[ContactRow] = field(default_factory=list)


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


@dataclass
class Supervision:
    """The current sentence's shape, as the contact schedule needs it."""

    sentence: Sentence
    start: dt.date
    release: dt.date | None = None  # leaves custody on (None: not in custody, or no date yet)
    in_custody_now: bool = False
    unpaid_work: list[dt.date] = field(default_factory=list)
    programme: list[dt.date] = field(default_factory=list)
    programme_name: str = ""


class PeopleGenerator:
    """Generates people on probation with their records, deterministically from ``rng``."""

    def __init__(self, scale: Scale, rng: random.Random, org: Organisation, now: dt.datetime,
                 offence_types: dict[str, OffenceType], registration_types: dict[str, RegistrationType]):
        self.scale, self.rng, self.org, self.now = scale, rng, org, now
        self.tz = timezone.get_default_timezone()
        self.today = timezone.localdate(now)
        self.window_start = add_months(self.today, -scale.months_of_contacts)
        self.horizon = self.today + dt.timedelta(weeks=scale.weeks_ahead)
        self.offence_types = offence_types
        self.registration_types = registration_types
        self.rosh = Weighted(scale.rosh_shares)
        self.pdu_choice = Weighted([(pdu, sum(p.target for t in org.teams_by_pdu[pdu.code]
                                              for p in org.practitioners[t.code]) or 1) for pdu in org.pdus])
        self.crn_counters: Counter[str] = Counter()
        self.allocated: list[Held] = []
        self.outstanding_by_login: Counter[str] = Counter()
        self._weighted_cache: dict[tuple, Weighted] = {}
        self.heavy_case: Case | None = None

    def pick(self, pairs: tuple[tuple[object, float], ...]) -> object:
        """A weighted choice from ``((value, weight), ...)``; each table's cumulative weights are kept."""
        table = self._weighted_cache.get(pairs)
        if table is None:
            table = self._weighted_cache[pairs] = Weighted(pairs)
        return table.pick(self.rng)

    def chunk(self, count: int) -> Chunk:
        """The next ``count`` people and all their records."""
        out = Chunk()
        for _ in range(count):
            self._person(out)
        return out

    # The person -------------------------------------------------------------------------------------

    def _person(self, out: Chunk) -> None:
        rng, scale = self.rng, self.scale
        pdu = self.pdu_choice.pick(rng)
        waiting = rng.random() < scale.unallocated_share
        in_team_queue = waiting and rng.random() < scale.team_queue_share
        leaver = None
        if in_team_queue and rng.random() < 0.4:
            # Some of a team's waiting cases belonged to someone who has left.
            leavers = [p for t in self.org.teams_by_pdu[pdu.code] for p in self.org.leavers[t.code]]
            leaver = rng.choice(leavers) if leavers else None
        new = waiting and leaver is None
        person = self._profile(new=new)
        region = pdu.region
        place = self.org.region_places[region.code]
        pdu_place = self.org.pdu_places[pdu.code]

        current, previous, supervision = self._sentences(person, new=new, pdu_place=pdu_place)
        dob = self._date_of_birth(person, min(s.sentence_date for s in [current, *previous]))

        team, manager, periods = None, None, []
        if not waiting:
            manager, team = self._choose_manager(person, pdu)
            periods = self._periods(person, supervision.start, manager, team)
        elif in_team_queue:
            team = leaver.team if leaver else rng.choice(self.org.teams_by_pdu[pdu.code])
            if leaver and leaver.staff.ended > supervision.start:
                periods = [Period(leaver, team, max(supervision.start, leaver.staff.started_in_post),
                                  leaver.staff.ended, AllocationReason.INITIAL_ALLOCATION)]

        case = self._case(person, region, pdu, team, manager, dob)
        out.cases.append(case)
        if manager:
            self.allocated.append(Held(case, manager, team, tuple(p.staff for p in periods)))
        for sentence in [*previous, current]:
            sentence.case = case
        out.sentences.extend(previous)
        out.sentences.append(current)
        self._offences(out, person, previous, current)
        self._requirements_and_conditions(out, person, current, supervision, pdu_place)
        assessments = self._assessments(out, case, person, supervision, periods)
        self._registrations(out, case, person, supervision, assessments, manager)
        self._addresses(out, case, person, supervision, pdu_place)
        self._assignments(out, case, periods)
        self._contacts(out, case, person, supervision, periods, manager, pdu_place, place, team)

    def _profile(self, *, new: bool) -> Profile:
        rng, scale = self.rng, self.scale
        roll = rng.random()
        if roll < scale.women_share:
            gender = Gender.FEMALE
        elif roll < scale.women_share + 0.003:
            gender = Gender.OTHER
        elif roll < scale.women_share + 0.005:
            gender = Gender.NOT_KNOWN
        else:
            gender = Gender.MALE
        female = gender == Gender.FEMALE
        # 18–24s are their own band (scale.md); older ages skew towards the late twenties and thirties.
        # A few more are drawn young because _date_of_birth ages up anyone sentenced before 18.
        young = rng.random() < scale.young_share * 1.05
        age = rng.randint(18, 24) if young else 25 + int(rng.betavariate(2.0, 4.0) * 46)
        rosh = self.rosh.pick(rng)
        sexual = rng.random() < SEXUAL_BY_ROSH[rosh] * (0.1 if female else 1.0)
        # Women are less often domestic abuse perpetrators; the factors keep the overall share.
        domestic = ""
        if rng.random() < scale.domestic_abuse_share * (0.55 if female else 1.05):
            domestic = "ADVP" if rng.random() < 0.7 else "REG30"

        custody = rng.random() < CUSTODY_BY_ROSH[rosh] * (0.75 if female else 1.0)
        custodial_type = ""
        if new:
            status = SentenceStatus.PRE_RELEASE if custody and rng.random() < 0.6 else SentenceStatus.COMMUNITY
        else:
            status = self.pick(CUSTODY_STATUS) if custody else SentenceStatus.COMMUNITY
        if status != SentenceStatus.COMMUNITY:
            if status != SentenceStatus.POST_SENTENCE_SUPERVISION and rng.random() < LIFER_BY_ROSH[rosh]:
                custodial_type = CustodialType.LIFE if rng.random() < 0.6 else CustodialType.IPP
            elif status != SentenceStatus.POST_SENTENCE_SUPERVISION and (rosh in (HIGH, VERY_HIGH) or sexual) \
                    and rng.random() < 0.08:
                custodial_type = CustodialType.EXTENDED if rng.random() < 0.85 else CustodialType.SOPC
            elif age <= 21 and rng.random() < 0.2:
                custodial_type = CustodialType.YOUTH_DETERMINATE
            else:
                custodial_type = CustodialType.DETERMINATE

        if custodial_type == CustodialType.LIFE and rng.random() < 0.7:
            main = "00101"
        elif sexual:
            main = self.pick(catalogue.SEXUAL_OFFENCES_BY_ROSH[rosh])
        elif domestic and rng.random() < 0.6:
            main = self.pick(catalogue.DOMESTIC_OFFENCES)
        else:
            main = self.pick(catalogue.OFFENCES_BY_ROSH[rosh])
        acquisitive = main in catalogue.ACQUISITIVE_OFFENCES

        ogrs = rng.betavariate(2.2, 3.0) * 100 + (15 if age < 25 else -15 if age > 50 else 0)
        ogrs = int(min(max(ogrs + (15 if acquisitive else 0), 1), 98))
        low, high, mode = RSR_BY_ROSH[rosh]
        rsr = round(rng.triangular(low, high, mode), 2)
        low, high, mode = ARP_BY_ROSH[rosh]
        arp = round(min(rng.triangular(low, high, mode) + (5 if domestic else 0), 99), 2)
        csrp = round(min(max(rsr * rng.uniform(0.8, 1.2), 0.05), 20), 2)

        mappa = None
        if rng.random() < MAPPA_23_BY_ROSH[rosh]:
            level = 3 if rng.random() < 0.15 else 2
            mappa = (level, 1 if sexual else 2 if status != SentenceStatus.COMMUNITY else 3)
        elif sexual:
            mappa = (1, 1)  # registered sexual offenders are MAPPA category 1
        elif rosh == HIGH and custodial_type and rng.random() < 0.3:
            mappa = (1, 2)

        child: tuple[str, ...] = ()
        if sexual and main in catalogue.CHILD_VICTIM_OFFENCES:
            child = ("RCHD", "RCPR") if rng.random() < 0.3 else ("RCHD",)
        elif rng.random() < scale.child_registration_share * (1.75 if domestic else 0.68):
            child = ("RCPR",) if rng.random() < 0.4 else ("RCCO",)
        stalking = main == "00809" or (bool(domestic) and rng.random() < 0.03)

        complexity = []
        for code, share in COMPLEXITY_SHARES:
            share *= 3 if code == "STRG" and age < 25 and not female else 1
            share *= 3 if code == "RVLN" and female else 1
            if rng.random() < share:
                complexity.append(code)
        if mappa and mappa[1] == 4:
            complexity.append("RTAO")
        iiom = (acquisitive and ogrs >= 55 and rng.random() < 0.45) or rng.random() < 0.01
        return Profile(
            gender=gender, age=age, rosh=rosh, sexual=sexual, domestic=domestic, status=status,
            custodial_type=custodial_type, main_offence=main, ogrs=ogrs, rsr=rsr, arp=arp, csrp=csrp,
            mappa=mappa, child=child, stalking=stalking, complexity=tuple(complexity), iiom=iiom,
            no_fixed_abode=rng.random() < 0.03, chaotic=rng.random() < 0.2,
        )

    def _date_of_birth(self, person: Profile, first_sentence: dt.date) -> dt.date:
        """A birthday giving ``person.age`` today, moved earlier if they would have been under 18 when sentenced."""
        rng = self.rng
        dob = years_before(self.today, person.age) - days(rng.uniform(0, 364))
        adult_from = 15 if person.custodial_type == CustodialType.YOUTH_DETERMINATE else 18
        if years_before(first_sentence, adult_from) < dob:
            # Just old enough, so the young stay young and the age shape holds.
            dob = years_before(first_sentence, adult_from + rng.randint(0, 2)) - days(rng.uniform(0, 364))
            person.age = (self.today - dob).days // 365
        return dob

    # Sentences ---------------------------------------------------------------------------------

    def _sentences(self, person: Profile, *, new: bool, pdu_place):
        """The current sentence and any ended earlier ones (oldest first), numbered as events."""
        rng, today = self.rng, self.today
        court_name = pdu_place.towns[0].name
        crown = pdu_place.crown_court or f"{court_name} Crown Court"
        magistrates = f"{court_name} Magistrates' Court"
        status = person.status
        if status == SentenceStatus.COMMUNITY:
            kind = SentenceKind.SUSPENDED_SENTENCE_ORDER if rng.random() < 0.35 else SentenceKind.COMMUNITY_ORDER
            length = self.pick(COMMUNITY_MONTHS)
            sentenced = today - days(rng.uniform(1, 21) if new else rng.uniform(2, length * 30.4 - 7))
            court = crown if person.rosh in (HIGH, VERY_HIGH) else magistrates
            current = instance(Sentence, kind=kind, status=status, court=court,
                               length_months=length, sentence_date=sentenced, start_date=sentenced,
                               expected_end_date=add_months(sentenced, length))
            supervision = Supervision(sentence=current, start=sentenced)
        elif person.lifer:
            current, supervision = self._indeterminate(person, crown, new)
        else:
            current, supervision = self._determinate(person, crown, magistrates, new)

        previous = []
        if not person.lifer:
            count = self.pick(((0, 50), (1, 30), (2, 14), (3, 6)))
            cursor = current.sentence_date
            for _ in range(count):
                ended = cursor - days(rng.uniform(30, 700))
                length = self.pick(COMMUNITY_MONTHS)
                started = add_months(ended, -length)
                if years_before(today, person.age - 18) > started:
                    break  # no earlier adult sentence for someone this young
                kind = self.pick(((SentenceKind.COMMUNITY_ORDER, 50), (SentenceKind.SUSPENDED_SENTENCE_ORDER, 25),
                                  (SentenceKind.CUSTODY, 25)))
                sentence = instance(Sentence, kind=kind, status=SentenceStatus.ENDED, court=magistrates,
                                    length_months=length, sentence_date=started, start_date=started,
                                    expected_end_date=ended, termination_date=ended,
                                    termination_reason=rng.choice(catalogue.PREVIOUS_TERMINATIONS))
                if kind == SentenceKind.CUSTODY:
                    sentence.custodial_type = CustodialType.DETERMINATE
                    sentence.release_date = started + days(length * 15.2)
                    sentence.licence_expiry_date = ended
                    sentence.termination_reason = "Licence expired"
                previous.append(sentence)
                cursor = started
            previous.reverse()
        for number, sentence in enumerate([*previous, current], start=1):
            sentence.number = number
        return current, previous, supervision

    def _determinate(self, person: Profile, crown: str, magistrates: str, new: bool):
        rng, today = self.rng, self.today
        status = person.status
        ctype = person.custodial_type
        if status == SentenceStatus.POST_SENTENCE_SUPERVISION or (ctype == CustodialType.DETERMINATE
                                                                  and rng.random() < 0.35):
            length = self.pick(SHORT_CUSTODY_MONTHS)
        else:
            length = self.pick(CUSTODY_MONTHS)
        if ctype in (CustodialType.EXTENDED, CustodialType.SOPC):
            length = max(length, 96)
        if ctype == CustodialType.YOUTH_DETERMINATE:
            length = min(length, 24)
        to_release = days(length * 30.4 * RELEASE_POINT[ctype])
        if status == SentenceStatus.POST_SENTENCE_SUPERVISION:
            licence_end = today - days(rng.uniform(1, 340))
            sentenced = add_months(licence_end, -length)
        elif status == SentenceStatus.PRE_RELEASE:
            ahead = rng.uniform(7, min(to_release.days - 1, 730)) if not new else to_release.days - rng.uniform(1, 21)
            sentenced = today + days(ahead) - to_release
        else:
            on_licence = days(length * 30.4) - to_release
            since = rng.uniform(1, min(to_release.days, on_licence.days, 730) - 1)
            sentenced = today - days(since) - to_release
        release = sentenced + to_release
        licence_end = add_months(sentenced, length)
        sentence = instance(Sentence, kind=SentenceKind.CUSTODY, custodial_type=ctype, status=status,
                            court=crown if length > 6 else magistrates, length_months=length,
                            sentence_date=sentenced, start_date=sentenced, release_date=release,
                            licence_expiry_date=licence_end, expected_end_date=licence_end)
        if status == SentenceStatus.POST_SENTENCE_SUPERVISION:
            # Post-sentence supervision runs 12 months from the end of the sentence.
            sentence.expected_end_date = add_months(licence_end, 12)
        return sentence, Supervision(sentence=sentence, start=sentenced, release=release,
                                     in_custody_now=status == SentenceStatus.PRE_RELEASE)

    def _indeterminate(self, person: Profile, crown: str, new: bool):
        rng, today = self.rng, self.today
        tariff_years = rng.uniform(12, 25) if person.custodial_type == CustodialType.LIFE else rng.uniform(3, 12)
        if person.status == SentenceStatus.PRE_RELEASE:
            sentenced = today - days(rng.uniform(1, 21) if new else tariff_years * 365.25 * rng.uniform(0.7, 1.1))
            # Only a Parole Board direction gives a lifer a release date.
            release = today + days(rng.uniform(14, 180)) if not new and rng.random() < 0.4 else None
        else:
            release = today - days(rng.uniform(30, (15 if person.custodial_type == CustodialType.LIFE else 10) * 365))
            sentenced = release - days(tariff_years * 365.25)
        sentence = instance(Sentence, kind=SentenceKind.CUSTODY, custodial_type=person.custodial_type,
                            status=person.status, court=crown, sentence_date=sentenced, start_date=sentenced,
                            release_date=release)
        return sentence, Supervision(sentence=sentence, start=sentenced, release=release,
                                     in_custody_now=person.status == SentenceStatus.PRE_RELEASE)

    def _offences(self, out: Chunk, person: Profile, previous: list[Sentence], current: Sentence) -> None:
        rng = self.rng
        types = self.offence_types
        for sentence in [*previous, current]:
            main = person.main_offence if sentence is current else self.pick(catalogue.OFFENCES_BY_ROSH[LOW])
            when = sentence.sentence_date - days(rng.uniform(14, 300))
            count = rng.choice((1, 1, 1, 2, 3)) if main in catalogue.ACQUISITIVE_OFFENCES else 1
            out.offences.append(instance(Offence, sentence=sentence, offence_type=types[main], main=True,
                                         offence_date=when, count=count))
            if rng.random() < 0.35:
                for code in rng.sample(("11100", "08100", "09202", "80700", "00832", "05800"), rng.randint(1, 2)):
                    if code != main:
                        out.offences.append(instance(Offence, sentence=sentence, offence_type=types[code],
                                                offence_date=when))

    def _requirements_and_conditions(self, out: Chunk, person: Profile, sentence: Sentence,
                                     supervision: Supervision, pdu_place) -> None:
        if person.status == SentenceStatus.COMMUNITY:
            self._requirements(out, person, sentence, supervision, pdu_place)
        elif person.status in (SentenceStatus.LICENCE, SentenceStatus.POST_SENTENCE_SUPERVISION):
            self._licence_conditions(out, person, sentence)

    def _requirements(self, out: Chunk, person: Profile, sentence: Sentence, supervision: Supervision,
                      pdu_place) -> None:
        rng, today = self.rng, self.today
        start, end = sentence.start_date, sentence.expected_end_date
        made: list[Requirement] = []

        def add(kind, length, unit, detail="", months=None, status=None):
            finish = add_months(start, months) if months else end
            if status is None:
                status = ProgressStatus.COMPLETED if finish <= today else ProgressStatus.ACTIVE
            made.append(instance(Requirement, sentence=sentence, kind=kind, detail=detail, length=length, unit=unit,
                                    start_date=start, end_date=finish, status=status))

        acquisitive = person.main_offence in catalogue.ACQUISITIVE_OFFENCES
        drugs = person.main_offence.startswith("092") or person.iiom
        if rng.random() < 0.70:
            rar_days = rng.choice((5, 10, 15, 20, 20, 25, 30, 40))
            add(RequirementKind.REHABILITATION_ACTIVITY, rar_days, RequirementUnit.DAYS, f"Up to {rar_days} days")
        if rng.random() < (0.55 if acquisitive else 0.40):
            hours = rng.choice((40, 60, 80, 80, 100, 120, 120, 150, 200, 250, 300))
            first = weekday_on_or_after(start + days(rng.uniform(7, 28)))
            sessions = [first + dt.timedelta(weeks=n) for n in range(math.ceil(hours / 7))]
            supervision.unpaid_work = sessions
            add(RequirementKind.UNPAID_WORK, hours, RequirementUnit.HOURS, f"{hours} hours",
                status=ProgressStatus.COMPLETED if sessions[-1] < today else ProgressStatus.ACTIVE)
        programme = None
        if person.domestic and rng.random() < 0.4:
            programme = catalogue.PROGRAMMES["domestic"]
        elif person.sexual and rng.random() < 0.6:
            programme = catalogue.PROGRAMMES["sexual"]
        elif person.rosh in (HIGH, VERY_HIGH) and rng.random() < 0.15:
            programme = catalogue.PROGRAMMES["violent"]
        elif rng.random() < 0.08:
            programme = catalogue.PROGRAMMES["general"]
        if programme:
            name, count = programme
            first = weekday_on_or_after(start + days(rng.uniform(30, 90)))
            sessions = [first + dt.timedelta(weeks=n) for n in range(count)]
            supervision.programme, supervision.programme_name = sessions, name
            add(RequirementKind.ACCREDITED_PROGRAMME, count, RequirementUnit.SESSIONS, name,
                status=ProgressStatus.COMPLETED if sessions[-1] < today else ProgressStatus.ACTIVE)
        if rng.random() < 0.20:
            months = rng.randint(1, 6)
            add(RequirementKind.CURFEW, months, RequirementUnit.MONTHS,
                "19:00 to 07:00 at home address, electronically monitored", months=months)
        if (drugs and rng.random() < 0.4) or rng.random() < 0.03:
            add(RequirementKind.DRUG_TREATMENT, 6, RequirementUnit.MONTHS, "Monthly drug testing and court reviews",
                months=6)
        if rng.random() < (0.25 if person.main_offence == "80300" or person.domestic else 0.04):
            add(RequirementKind.ALCOHOL_TREATMENT, 6, RequirementUnit.MONTHS,
                "Alcohol treatment with the local service", months=6)
        if rng.random() < (0.3 if "RMDO" in person.complexity else 0.01):
            add(RequirementKind.MENTAL_HEALTH_TREATMENT, 12, RequirementUnit.MONTHS,
                "Primary care mental health treatment", months=12)
        if rng.random() < 0.05:
            months = rng.randint(3, 12)
            add(RequirementKind.EXCLUSION, months, RequirementUnit.MONTHS,
                f"Not to enter {pdu_place.towns[0].name} city centre (area marked on the map)", months=months)
        if rng.random() < 0.05:
            add(RequirementKind.RESIDENCE, 6, RequirementUnit.MONTHS,
                "Reside at an address approved by the responsible officer", months=6)
        if not made:
            add(RequirementKind.REHABILITATION_ACTIVITY, 15, RequirementUnit.DAYS, "Up to 15 days")
        if rng.random() < 0.01:
            made[-1].status = ProgressStatus.TERMINATED
        out.requirements.extend(made)

    def _licence_conditions(self, out: Chunk, person: Profile, sentence: Sentence) -> None:
        rng = self.rng
        start, end = sentence.release_date, sentence.licence_expiry_date

        def add(kind, text):
            out.conditions.append(instance(LicenceCondition, sentence=sentence, kind=kind, description=text,
                                                   start_date=start, end_date=end))

        if person.status == SentenceStatus.POST_SENTENCE_SUPERVISION:
            start, end = sentence.licence_expiry_date, sentence.expected_end_date
            for text in catalogue.PSS_REQUIREMENTS:
                add(LicenceConditionKind.POST_SENTENCE_SUPERVISION, text)
            if person.iiom or person.main_offence.startswith("092"):
                add(LicenceConditionKind.POST_SENTENCE_SUPERVISION, catalogue.ADDITIONAL_CONDITIONS["drug_testing"])
            return
        for text in catalogue.STANDARD_LICENCE_CONDITIONS:
            add(LicenceConditionKind.STANDARD, text)
        high = person.rosh in (HIGH, VERY_HIGH)
        violent_or_sexual = self.offence_types[person.main_offence].violent or person.sexual
        chances = {
            "approved_premises": 0.5 if high else 0.03,
            "no_contact": 0.6 if person.domestic or violent_or_sexual else 0.05,
            "exclusion": 0.25 if high or person.domestic else 0.05,
            "curfew": 0.15,
            "relationships": 0.7 if person.domestic or person.sexual else 0.0,
            "children": 0.8 if person.sexual or "RCPR" in person.child or "RCHD" in person.child else 0.0,
            "polygraph": 0.5 if person.sexual else 0.0,
            "internet": 0.9 if person.main_offence in catalogue.CHILD_VICTIM_OFFENCES else 0.0,
            "drug_testing": 0.4 if person.iiom or person.main_offence.startswith("092") else 0.03,
            "mental_health": 0.4 if "RMDO" in person.complexity else 0.0,
            "alcohol_tag": 0.05,
            "work_programme": 0.2,
        }
        for key, chance in chances.items():
            if rng.random() < chance:
                add(LicenceConditionKind.ADDITIONAL, catalogue.ADDITIONAL_CONDITIONS[key])
        if rng.random() < 0.03:
            add(LicenceConditionKind.BESPOKE, "Not to enter licensed premises in the town centre")

    # Staff and case management -------------------------------------------------------------------

    def _choose_manager(self, person: Profile, pdu: Pdu) -> tuple[StaffPlan, Team]:
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

    def _periods(self, person: Profile, start: dt.date, manager: StaffPlan, team: Team) -> list[Period]:
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

    def _case(self, person: Profile, region: Region, pdu: Pdu, team, manager, dob: dt.date) -> Case:
        rng = self.rng
        place = self.org.region_places[region.code]
        self.crn_counters[region.code] += 1
        # A stride coprime with 10^6 walks every six-digit number once: unique, not sequential-looking.
        serial = (104_729 + self.crn_counters[region.code] * 386_117) % 1_000_000
        crn = f"{place.crn_letter}{serial:06d}"
        female = person.gender == Gender.FEMALE or (person.gender != Gender.MALE and rng.random() < 0.5)
        first = rng.choice(catalogue.FEMALE_FIRST_NAMES if female else catalogue.MALE_FIRST_NAMES)
        last = rng.choice(catalogue.SURNAMES + catalogue.WOMENS_SURNAMES if female else catalogue.SURNAMES)
        middle = rng.choice(catalogue.FEMALE_FIRST_NAMES if female else catalogue.MALE_FIRST_NAMES) \
            if rng.random() < 0.4 else ""
        preferred = NICKNAMES.get(first, "") if rng.random() < 0.4 else ""
        pnc = ""
        if rng.random() < 0.8:
            year = rng.randint(max(dob.year + 12, 1990), max(self.today.year - 1, dob.year + 12))
            serial_pnc = rng.randint(1_000, 999_999)
            pnc = f"{year:04d}/{serial_pnc:07d}{pnc_check_letter(year, serial_pnc)}"
        if person.child:
            children = YesNoUnknown.YES
        else:
            children = self.pick(((YesNoUnknown.YES, 55 if female else 35), (YesNoUnknown.NO, 30 if female else 45),
                                  (YesNoUnknown.UNKNOWN, 15 if female else 20)))
        mobile = f"{catalogue.MOBILE_PREFIX}{rng.randint(0, 999):03d}" if rng.random() < 0.85 else ""
        phone = f"{place.phone_prefix}{rng.randint(0, 999):03d}" if rng.random() < 0.25 else ""
        email = f"{ascii_slug(first)}.{ascii_slug(last)}{rng.randint(1, 99)}@example.com" if rng.random() < 0.35 else ""
        return instance(Case, crn=crn, pnc=pnc, first_name=first, middle_names=middle, last_name=last,
                        preferred_name=preferred, name_key=name_key(first, last), date_of_birth=dob,
                        gender=person.gender, phone=phone, mobile=mobile, email=email, children_contact=children,
                        pdu=pdu, team=team, manager=manager.staff if manager else None)

    def _assignments(self, out: Chunk, case: Case, periods: list[Period]) -> None:
        for period in periods:
            spo = self.org.spo.get(period.team.code)
            # Handovers happen at 10:00: one assignment ends as the next starts.
            out.assignments.append(instance(Assignment,
                case=case, staff=period.staff.staff, team=period.team, start=self._at(period.start, 10, 0),
                end=None if period.end is None else self._at(period.end, 10, 0), reason=period.reason,
                allocated_by=spo.staff if spo else None,
                notes="Allocated on tier, risk and capacity." if period.reason == AllocationReason.INITIAL_ALLOCATION
                else "",
            ))

    # Risk ---------------------------------------------------------------------------------------

    def _assessments(self, out: Chunk, case: Case, person: Profile, supervision: Supervision,
                     periods: list[Period]) -> list[RiskAssessment]:
        rng, today = self.rng, self.today
        start = supervision.start
        recent = (today - start).days < 60
        # New cases come with the pre-sentence report's assessment; a few older ones have none on file.
        count = 1 if recent else self.pick(((1, 55), (2, 36), (3, 8), (0, 1)))
        if count == 0:
            return []
        assessor = periods[-1].staff.staff if periods else None
        if recent:
            latest_day, source = start - days(rng.uniform(3, 20)), RiskSource.PRE_SENTENCE_REPORT
        else:
            earliest = max(start - days(20), today - days(330))
            latest_day = earliest + days(rng.uniform(0, max((today - days(7) - earliest).days, 1)))
            source = self.pick(((RiskSource.OASYS_LAYER_3, 75), (RiskSource.OASYS_LAYER_1, 17),
                                (RiskSource.ROSH_SCREENING, 5), (RiskSource.PRE_SENTENCE_REPORT, 3)))
        made = []
        day, rosh = latest_day, person.rosh
        for n in range(count):
            made.append(self._assessment(case, person, day, source if n == 0 else RiskSource.OASYS_LAYER_3,
                                         rosh, assessor, latest=n == 0))
            day -= days(rng.uniform(90, 400))
            if rng.random() < 0.25:
                # Earlier assessments were usually a level lower: risk rose, which is why it was reviewed.
                rank = RiskLevel.rank(rosh) + (-1 if rng.random() < 0.7 else 1)
                rosh = [LOW, MEDIUM, HIGH, VERY_HIGH][min(max(rank, 1), 4) - 1]
        made.reverse()
        out.assessments.extend(made)
        return made

    def _assessment(self, case, person: Profile, day: dt.date, source: str, rosh: str, assessor,
                    *, latest: bool) -> RiskAssessment:
        rng = self.rng
        jitter = 1.0 if latest else rng.uniform(0.8, 1.2)
        full = source in (RiskSource.OASYS_LAYER_3, RiskSource.OASYS_LAYER_1)
        # Screenings and reports usually carry the predictor scores too; without them the
        # single-scale tier is MISSING, which should be the exception.
        predictors = full or rng.random() < 0.8
        groups = {"public": rosh}
        for group in ("known_adult", "children", "staff", "prisoners"):
            groups[group] = [LOW, MEDIUM, HIGH, VERY_HIGH][max(RiskLevel.rank(rosh) - rng.randint(0, 2), 1) - 1]
        if person.domestic:
            groups["known_adult"] = rosh
        if person.child:
            groups["children"] = rosh
        if not person.custody:
            groups["prisoners"] = ""
        dc_band, dc_score = "", None
        if person.sexual:
            dc_band, low, high = {LOW: (DcSrpBand.LOW, 0.1, 1.1), MEDIUM: (DcSrpBand.MEDIUM, 1.12, 3.35),
                                  HIGH: (DcSrpBand.HIGH, 3.36, 6.9), VERY_HIGH: (DcSrpBand.VERY_HIGH, 6.9, 12.0)}[rosh]
            dc_score = two_dp(rng.uniform(low, high))
        needs = self._needs(person, source)
        parenting = impulsive = None
        if person.gender == Gender.FEMALE and full:
            # Women-only tier factors (rules.md §1.1), recorded in a full assessment.
            parenting = case.children_contact == YesNoUnknown.YES and rng.random() < 0.8
            impulsive = needs.get(Need.THINKING_AND_BEHAVIOUR) != NeedSeverity.NO_NEED and rng.random() < 0.6
        return instance(RiskAssessment,
            case=case, assessed_on=day, source=source, rosh_overall=rosh, rosh_public=groups["public"],
            rosh_known_adult=groups["known_adult"], rosh_children=groups["children"], rosh_staff=groups["staff"],
            rosh_prisoners=groups["prisoners"],
            ogrs=min(int(person.ogrs * jitter), 99) if predictors else None,
            rsr=two_dp(min(person.rsr * jitter, 99)) if predictors else None,
            arp=two_dp(min(person.arp * jitter, 99)) if predictors else None,
            arp_static=predictors and (source == RiskSource.OASYS_LAYER_1 or rng.random() < 0.12),
            csrp=two_dp(min(person.csrp * jitter, 99)) if predictors else None,
            csrp_static=predictors and (source == RiskSource.OASYS_LAYER_1 or rng.random() < 0.10),
            dc_srp_band=dc_band if predictors else "", dc_srp_score=dc_score if predictors else None,
            parenting_responsibilities=parenting, impulsivity_or_temper=impulsive, needs=needs, assessor=assessor,
        )

    def _needs(self, person: Profile, source: str) -> dict[str, str]:
        """Criminogenic needs: all ten in a full OASyS, six in a basic one, none in a screening."""
        if source not in (RiskSource.OASYS_LAYER_3, RiskSource.OASYS_LAYER_1):
            return {}
        rng = self.rng
        acquisitive = person.main_offence in catalogue.ACQUISITIVE_OFFENCES
        drugs = person.iiom or person.main_offence.startswith("092")
        chances = {  # (standard, severe)
            Need.ACCOMMODATION: (0.0, 1.0) if person.no_fixed_abode else (0.30, 0.10),
            Need.EDUCATION_TRAINING_EMPLOYMENT: (0.50, 0.15),
            Need.RELATIONSHIPS: (0.50, 0.35) if person.domestic else (0.35, 0.10),
            Need.LIFESTYLE_AND_ASSOCIATES: (0.50, 0.25) if acquisitive or person.age < 25 else (0.30, 0.08),
            Need.DRUG_MISUSE: (0.40, 0.45) if drugs else (0.20, 0.10),
            Need.ALCOHOL_MISUSE: (0.40, 0.25) if person.domestic or person.main_offence == "80300" else (0.20, 0.05),
            Need.THINKING_AND_BEHAVIOUR: (0.50, 0.30) if person.rosh in (HIGH, VERY_HIGH) else (0.55, 0.15),
            Need.ATTITUDES: (0.40, 0.10),
            Need.FINANCE: (0.40, 0.10),
            Need.EMOTIONAL_WELLBEING: (0.40, 0.50) if "RMDO" in person.complexity else (0.30, 0.10),
        }
        needs = {}
        keys = list(chances) if source == RiskSource.OASYS_LAYER_3 else list(chances)[:6]
        for need in keys:
            standard, severe = chances[need]
            roll = rng.random()
            needs[need.value] = (NeedSeverity.SEVERE if roll < severe else NeedSeverity.STANDARD
                                 if roll < severe + standard else NeedSeverity.NO_NEED).value
        return needs

    def _registrations(self, out: Chunk, case: Case, person: Profile, supervision: Supervision,
                       assessments: list[RiskAssessment], manager) -> None:
        rng, today = self.rng, self.today
        by = manager.staff if manager else None
        types = self.registration_types
        start = supervision.start

        def register(code, begun, *, level=None, category=None, ended=None, historic=False):
            begun = min(begun, today)
            weeks = types[code].review_period_weeks
            review = None
            if weeks and ended is None:
                period = dt.timedelta(weeks=weeks)
                review = begun + period * max(math.ceil((today - begun) / period), 1)
                if rng.random() < 0.08 and review - period > begun:
                    review -= period  # a review that is overdue
            out.registrations.append(instance(Registration,
                case=case, type=types[code], level=level, category=category, start_date=begun,
                next_review_date=review, end_date=ended, historic=historic, registered_by=by,
                notes=catalogue.REGISTRATION_NOTES.get(code, ""),
            ))

        rosh_code = {LOW: "RLRH", MEDIUM: "RMRH", HIGH: "RHRH", VERY_HIGH: "RVHR"}
        # The RoSH registration follows the risk record: one per change of level, the latest open.
        runs: list[tuple[str, dt.date]] = []
        for assessment in assessments:
            if not runs or runs[-1][0] != assessment.rosh_overall:
                runs.append((assessment.rosh_overall, assessment.assessed_on))
        for n, (level, begun) in enumerate(runs):
            ended = runs[n + 1][1] if n + 1 < len(runs) else None
            register(rosh_code[level], begun, ended=ended)

        if person.mappa:
            level, category = person.mappa
            register("MAPP", (supervision.release or start) - days(rng.uniform(0, 60)), level=level, category=category)
        if person.domestic:
            register(person.domestic, start - days(rng.uniform(0, 1500)))
        elif rng.random() < 0.04:
            old = start - days(rng.uniform(1200, 3000))
            register("REG30", old, ended=old + days(rng.uniform(200, 700)), historic=True)
        if person.stalking:
            register("SPO", start - days(rng.uniform(0, 200)))
        for code in person.child:
            register(code, today - days(rng.uniform(30, 700)))
        for code in person.complexity:
            begun = start - days(rng.uniform(-60, 700))
            if code == "ALSH" and rng.random() < 0.3:
                register(code, begun, ended=min(begun + days(rng.uniform(60, 400)), today - days(1)))
            else:
                register(code, begun)
        if person.iiom:
            register("IIOM", start + days(rng.uniform(0, 60)))
        if person.lifer:
            register("INLL", start)

    def _addresses(self, out: Chunk, case: Case, person: Profile, supervision: Supervision, pdu_place) -> None:
        rng, today = self.rng, self.today
        town = rng.choice(pdu_place.towns)
        released = supervision.release and supervision.release <= today
        if person.no_fixed_abode:
            current_from = today - days(rng.uniform(7, 200))
            out.addresses.append(instance(Address, case=case, no_fixed_abode=True, kind="No fixed abode",
                                         start_date=current_from))
        elif released and (today - supervision.release).days < 84 and person.rosh in (HIGH, VERY_HIGH):
            current_from = supervision.release
            street = rng.choice(catalogue.STREET_NAMES)
            out.addresses.append(instance(Address,
                case=case, line_1=f"{street} House", line_2=f"{rng.randint(1, 80)} {street} Road", town=town.name,
                postcode=self._postcode(town), kind="Approved premises", start_date=current_from))
        else:
            moved_after_release = released and rng.random() < 0.6
            current_from = supervision.release if moved_after_release else today - days(rng.uniform(60, 3650))
            out.addresses.append(self._address(case, town, current_from, None))
        moved_in = current_from
        for _ in range(self.pick(((0, 60), (1, 25), (2, 10), (3, 5)))):
            moved_out = moved_in - days(1)
            moved_in = moved_out - days(rng.uniform(120, 1500))
            out.addresses.append(self._address(case, rng.choice(pdu_place.towns), moved_in, moved_out))

    def _address(self, case: Case, town, start: dt.date, end: dt.date | None) -> Address:
        rng = self.rng
        street = f"{rng.choice(catalogue.STREET_NAMES)} {rng.choice(catalogue.STREET_KINDS)}"
        kind = self.pick(catalogue.ADDRESS_KINDS)
        line_1 = f"{rng.randint(1, 180)} {street}"
        line_2 = ""
        if kind in ("Social housing", "Private rented", "Supported housing") and rng.random() < 0.4:
            line_1, line_2 = rng.choice(catalogue.FLAT_PREFIXES), line_1
        return instance(Address, case=case, line_1=line_1, line_2=line_2, town=town.name, postcode=self._postcode(town),
                       kind=kind, start_date=start, end_date=end)

    def _postcode(self, town) -> str:
        rng = self.rng
        low, high = town.districts
        letters = catalogue.INWARD_LETTERS
        inward = f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        return f"{town.postcode_area}{rng.randint(low, high)} {inward}"

    # Contacts -----------------------------------------------------------------------------------

    def _at(self, day: dt.date, hour: int, minute: int) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)

    def _contacts(self, out: Chunk, case: Case, person: Profile, supervision: Supervision, periods: list[Period],
                  manager, pdu_place, region_place, team) -> None:
        rng, today = self.rng, self.today
        sentence = supervision.sentence
        rows: list[ContactRow] = []
        if not periods:
            # Waiting for allocation: the court's paperwork has arrived and nothing else yet.
            rows.append(ContactRow(case, sentence, ContactKind.CASE_NOTE,
                                   self._at(max(supervision.start, today - days(2)), 9, 30), None, None,
                                   notes="Case received from court; awaiting allocation."))
            out.contacts.extend(rows)
            return
        town = pdu_place.towns[0].name
        prison_list = catalogue.WOMENS_PRISONS if person.gender == Gender.FEMALE else region_place.prisons
        prison = rng.choice(prison_list)
        spo = self.org.spo.get(team.code) if team else None
        high = person.rosh in (HIGH, VERY_HIGH)
        safeguarding = bool(person.domestic or person.child)

        for day, in_custody in self._schedule(person, supervision):
            period = next((p for p in periods if p.start <= day and (p.end is None or day < p.end)), None)
            if period is None:
                continue
            staff = period.staff.staff
            if in_custody:
                kind = self.pick(((ContactKind.VIDEO, 40), (ContactKind.THIRD_PARTY, 40), (ContactKind.CASE_NOTE, 20)))
                starts = self._at(day, rng.choice((10, 11, 14, 15)), 0)
                future = starts >= self.now
                if kind == ContactKind.VIDEO:
                    rows.append(ContactRow(case, sentence, kind, starts, starts + dt.timedelta(minutes=30), staff,
                                           location=prison, outcome="" if future else ContactOutcome.ATTENDED_COMPLIED,
                                           notes="" if future else rng.choice(catalogue.CUSTODY_NOTES)))
                elif not future:
                    rows.append(ContactRow(case, sentence, kind, starts, None, staff,
                                           notes=rng.choice(catalogue.CUSTODY_NOTES if kind == ContactKind.CASE_NOTE
                                                            else catalogue.PRISON_LIAISON_NOTES)))
                continue
            kind = self.pick(((ContactKind.OFFICE_APPOINTMENT, 72), (ContactKind.PHONE, 10), (ContactKind.VIDEO, 4),
                              (ContactKind.HOME_VISIT, 14 if high or safeguarding else 7)))
            hour, minute = divmod(rng.randrange(9 * 60, 16 * 60 + 1, 30), 60)
            starts = self._at(day, hour, minute)
            future = starts >= self.now
            length = {ContactKind.OFFICE_APPOINTMENT: 45, ContactKind.HOME_VISIT: 60, ContactKind.PHONE: 15,
                      ContactKind.VIDEO: 30}[kind]
            location = {ContactKind.OFFICE_APPOINTMENT: f"{town} probation office",
                        ContactKind.HOME_VISIT: "Home address"}.get(kind, "")
            row = ContactRow(case, sentence, kind, starts, starts + dt.timedelta(minutes=length), staff,
                             location=location)
            if not future:
                self._outcome(row, person)
            rows.append(row)
            if future:
                continue
            if rng.random() < 0.15:
                rows.append(ContactRow(case, sentence, ContactKind.EMAIL_OR_TEXT, starts - dt.timedelta(days=1), None,
                                       None, notes=catalogue.REMINDER_NOTE))
            if rng.random() < 0.35:
                self._note(rows, case, sentence, ContactKind.CASE_NOTE, starts + dt.timedelta(hours=2), staff,
                           catalogue.CASE_NOTES)
            if rng.random() < (0.30 if safeguarding or high else 0.15):
                self._note(rows, case, sentence, ContactKind.THIRD_PARTY,
                           starts + dt.timedelta(days=rng.randint(1, 3), hours=1), staff, catalogue.THIRD_PARTY_NOTES)
            if spo and rng.random() < (0.12 if high else 0.03):
                self._note(rows, case, sentence, ContactKind.MANAGEMENT_OVERSIGHT, starts + dt.timedelta(days=2),
                           spo.staff, catalogue.OVERSIGHT_NOTES)

        if not supervision.in_custody_now:
            self._sessions(rows, case, person, sentence, supervision.unpaid_work, ContactKind.UNPAID_WORK_SESSION,
                           catalogue.UPW_PROJECTS)
            self._sessions(rows, case, person, sentence, supervision.programme, ContactKind.PROGRAMME_SESSION,
                           (f"{town} programmes hub: {supervision.programme_name}",))
        if manager and rng.random() < self._outstanding_share(manager):
            self._leave_without_outcome(rows, manager.staff)
        if self.scale.heavy_case_contacts and self.heavy_case is None and manager is self.org.logins.get("po"):
            self.heavy_case = case
            self._make_heavy(rows, case, sentence, manager.staff)
        out.contacts.extend(rows)

    def _make_heavy(self, rows: list[ContactRow], case: Case, sentence: Sentence, staff: Staff) -> None:
        """Bring one case to exactly ``heavy_case_contacts`` contacts with notes and calls over the window."""
        rng, wanted = self.rng, self.scale.heavy_case_contacts
        span = max((self.today - self.window_start).days, 1)
        while len(rows) < wanted:
            day = weekday_on_or_after(self.window_start + days(rng.uniform(0, span - 3)))
            starts = self._at(day, rng.randint(9, 16), rng.choice((0, 15, 30, 45)))
            if rng.random() < 0.5:
                rows.append(ContactRow(case, sentence, ContactKind.PHONE, starts, starts + dt.timedelta(minutes=15),
                                       staff, outcome=ContactOutcome.ATTENDED_COMPLIED,
                                       notes=rng.choice(catalogue.PHONE_NOTES)))
            else:
                rows.append(ContactRow(case, sentence, ContactKind.CASE_NOTE, starts, None, staff,
                                       notes=rng.choice(catalogue.CASE_NOTES)))
        del rows[wanted:]

    def _outstanding_share(self, manager: StaffPlan) -> float:
        """Demo logins that hold cases always have a couple of outcomes to record."""
        if manager.login in ("po", "pso", "pqip") and self.outstanding_by_login[manager.login] < 2:
            return 1.0
        return self.scale.outstanding_outcome_share

    def _leave_without_outcome(self, rows: list[ContactRow], staff: Staff) -> None:
        """The manager's latest past appointment in the last fortnight, not yet given an outcome."""
        cutoff = self.now - dt.timedelta(days=14)
        for row in reversed(rows):
            if (row.staff is staff and row.outcome and cutoff <= row.starts_at < self.now
                    and ContactKind(row.kind).is_appointment):
                row.outcome, row.absence_reason, row.notes = "", "", ""
                for login, plan in self.org.logins.items():
                    if plan.staff is staff:
                        self.outstanding_by_login[login] += 1
                return

    def _schedule(self, person: Profile, supervision: Supervision):
        """Appointment days from sentence to the horizon, denser early on and for higher risk."""
        rng = self.rng
        release = supervision.release
        custody_until = release if person.custody else None
        if person.status == SentenceStatus.PRE_RELEASE and release is None:
            custody_until = dt.date.max
        day = supervision.start
        if custody_until:
            while day < min(custody_until, self.horizon):
                if day >= self.window_start:
                    yield weekday_on_or_after(day), True
                day += days(rng.uniform(21, 35) * self.scale.contact_spacing)
            if custody_until >= self.horizon:
                return
            day = custody_until
        phase_start = day
        while day <= self.horizon:
            if day >= self.window_start:
                yield weekday_on_or_after(day), False
            since = (day - phase_start).days
            if since < 84:
                gap = 7  # weekly for the first twelve weeks
            elif person.rosh in (HIGH, VERY_HIGH):
                gap = 7 if since < 182 else 14
            elif person.rosh == MEDIUM:
                gap = 14
            else:
                gap = 14 if since < 182 else 28
            day += days((gap + rng.choice((-1, 0, 0, 1))) * self.scale.contact_spacing)

    def _outcome(self, row: ContactRow, person: Profile) -> None:
        rng = self.rng
        roll = rng.random()
        unacceptable = 0.12 if person.chaotic else 0.035
        failed = 0.03 if person.chaotic else 0.008
        if roll < unacceptable:
            row.outcome, row.notes = ContactOutcome.UNACCEPTABLE_ABSENCE, rng.choice(catalogue.UNACCEPTABLE_NOTES)
        elif roll < unacceptable + failed:
            row.outcome, row.notes = ContactOutcome.ATTENDED_FAILED_TO_COMPLY, rng.choice(catalogue.FAILED_NOTES)
        elif roll < unacceptable + failed + 0.06:
            reason = self.pick(ABSENCE_REASONS)
            row.outcome, row.absence_reason = ContactOutcome.ACCEPTABLE_ABSENCE, reason
            row.notes = catalogue.ACCEPTABLE_NOTES[reason]
        elif roll < unacceptable + failed + 0.085:
            row.outcome, row.notes = ContactOutcome.RESCHEDULED, "Rescheduled at the person's request."
        else:
            row.outcome = ContactOutcome.ATTENDED_COMPLIED
            row.notes = rng.choice(catalogue.HOME_VISIT_NOTES if row.kind == ContactKind.HOME_VISIT
                                   else catalogue.PHONE_NOTES if row.kind == ContactKind.PHONE
                                   else catalogue.APPOINTMENT_NOTES)

    def _note(self, rows, case, sentence, kind, at: dt.datetime, staff, texts) -> None:
        """A note written after an appointment (dropped if that would be in the future); a few are sensitive."""
        sensitive = kind != ContactKind.MANAGEMENT_OVERSIGHT and self.rng.random() < self.scale.sensitive_share
        if at >= self.now:
            return
        rows.append(ContactRow(case, sentence, kind, at, None, staff, sensitive=sensitive,
                               notes=self.rng.choice(catalogue.SENSITIVE_NOTES if sensitive else texts)))

    def _sessions(self, rows, case, person: Profile, sentence, session_days: list[dt.date], kind, locations) -> None:
        """Unpaid work or programme sessions, run by staff outside the case manager's team."""
        rng = self.rng
        for day in session_days:
            if day < self.window_start or day > self.horizon:
                continue
            upw = kind == ContactKind.UNPAID_WORK_SESSION
            starts = self._at(day, 8 if upw else 10, 30 if upw else 0)
            row = ContactRow(case, sentence, kind, starts, starts + dt.timedelta(hours=7 if upw else 2.5), None,
                             location=rng.choice(locations))
            if day < self.today:
                self._outcome(row, person)
                if upw and row.outcome == ContactOutcome.ATTENDED_FAILED_TO_COMPLY and rng.random() < 0.5:
                    row.outcome, row.notes = ContactOutcome.SENT_HOME, "Sent home by the supervisor for poor behaviour."
                elif row.outcome == ContactOutcome.ATTENDED_COMPLIED:
                    row.notes = "Completed the session." if upw else "Attended and participated in the group session."
            rows.append(row)


# --- Limited access --------------------------------------------------------------------------------


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


# --- Writing --------------------------------------------------------------------------------------


@dataclass
class BuildReport:
    """What was built and how long each stage took."""

    scale: Scale
    today: dt.date
    timings: list[tuple[str, float]] = field(default_factory=list)
    tiers_changed: int = 0


def world_exists() -> bool:
    """Whether any organisation, staff or case data is already loaded."""
    return Team.objects.exists() or Staff.objects.exists() or Case.objects.exists()


def delete_world() -> None:
    """Delete every case, staff and organisation record; reference data stays."""
    user_ids = list(Staff.objects.exclude(user=None).values_list("user_id", flat=True))
    # Children first, each a single DELETE; the cascades from Case then find nothing left to collect.
    for model in (TierCalculation, Contact, Assignment, RiskAssessment, Registration, LicenceCondition,
                  Requirement, Offence, Sentence, Address, CaseAccess):
        model.objects.all().delete()
    Case.objects.all().delete()
    ScopeGrant.objects.all().delete()
    Reduction.objects.all().delete()
    Staff.objects.all().delete()
    for model in (Team, Pdu, Region, Provider):
        model.objects.all().delete()
    # Accounts still referenced by records that stay (the append-only audit log, rule configuration,
    # inspection exercises) cannot be deleted; they are kept and reused by the next build.
    kept: set[int] = set()
    for relation in User._meta.get_fields(include_hidden=True):
        if relation.is_relation and relation.auto_created and getattr(relation, "on_delete", None) is models.PROTECT:
            kept.update(relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": user_ids})
                        .values_list(relation.field.attname, flat=True))
    User.objects.filter(pk__in=user_ids).exclude(pk__in=kept).delete()


def _write_organisation(org: Organisation, batch: int) -> None:
    Provider.objects.bulk_create([org.provider])
    Region.objects.bulk_create(org.regions, batch_size=batch)
    Pdu.objects.bulk_create(org.pdus, batch_size=batch)
    Team.objects.bulk_create(org.teams, batch_size=batch)
    users = [plan.user for plan in org.staff]
    existing = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    reused = []
    for plan in org.staff:
        old = existing.get(plan.user.username)
        if old is not None:
            # Accounts kept from an earlier build (see delete_world) take the new person's details.
            for name in ("first_name", "last_name", "email", "password", "is_staff", "is_superuser", "is_active"):
                setattr(old, name, getattr(plan.user, name))
            plan.user = plan.staff.user = old
            reused.append(old)
    User.objects.bulk_create([u for u in (p.user for p in org.staff) if u.pk is None], batch_size=batch)
    User.objects.bulk_update(reused, ["first_name", "last_name", "email", "password", "is_staff", "is_superuser",
                                      "is_active"], batch_size=batch)
    Staff.objects.bulk_create([plan.staff for plan in org.staff], batch_size=batch)
    TeamMembership.objects.bulk_create(org.memberships, batch_size=batch)
    ScopeGrant.objects.bulk_create(org.grants, batch_size=batch)
    Reduction.objects.bulk_create(org.reductions, batch_size=batch)


def _contact(row: ContactRow, columns: list[str], defaults: dict) -> Contact:
    """A ``Contact`` built from positional values: half the cost of keywords, which adds up at 100,000s."""
    values = dict(defaults, case_id=row.case.pk, sentence_id=row.sentence.pk if row.sentence else None,
                  kind=row.kind, starts_at=row.starts_at, ends_at=row.ends_at,
                  staff_id=row.staff.pk if row.staff else None, location=row.location, outcome=row.outcome,
                  absence_reason=row.absence_reason, notes=row.notes, sensitive=row.sensitive,
                  created_by_id=row.staff.user_id if row.staff else None)
    return Contact(*[values[name] for name in columns])


def _write_chunk(chunk: Chunk, batch: int) -> None:
    Case.objects.bulk_create(chunk.cases, batch_size=batch)
    for model, rows in ((Address, chunk.addresses), (Sentence, chunk.sentences), (Offence, chunk.offences),
                        (Requirement, chunk.requirements), (LicenceCondition, chunk.conditions),
                        (Registration, chunk.registrations), (RiskAssessment, chunk.assessments),
                        (Assignment, chunk.assignments)):
        model.objects.bulk_create(rows, batch_size=batch)
    fields = Contact._meta.concrete_fields
    columns = [f.attname for f in fields]
    defaults = {f.attname: f.get_default() for f in fields}
    Contact.objects.bulk_create([_contact(row, columns, defaults) for row in chunk.contacts], batch_size=batch)


def build_world(*, scale: Scale = DEMO, now: dt.datetime | None = None, reset: bool = False,
                log: Callable[[str], None] = lambda line: None) -> BuildReport:
    """Build the world for ``scale`` in one transaction (deleting the old one first if ``reset``)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    report = BuildReport(scale=scale, today=today)
    clock = time.monotonic()

    def stage(name: str, detail: str) -> None:
        nonlocal clock
        elapsed = time.monotonic() - clock
        clock = time.monotonic()
        report.timings.append((name, elapsed))
        log(f"  {name:<16} {detail} ({elapsed:.1f}s)")

    rng = random.Random(scale.seed)
    with transaction.atomic():
        if reset:
            delete_world()
            stage("Reset", "deleted the previous world")
        password_hash = make_password(DEMO_PASSWORD)  # hashed once: Argon2 per account would take minutes
        org = plan_organisation(scale, rng, today, password_hash)
        _write_organisation(org, scale.batch_size)
        stage("Organisation", f"{len(org.regions)} region(s), {len(org.pdus)} PDUs, {len(org.teams)} teams, "
                              f"{len(org.staff)} staff with accounts")

        offence_types = {o.code: o for o in OffenceType.objects.all()}
        registration_types = {r.code: r for r in RegistrationType.objects.all()}
        people = PeopleGenerator(scale, rng, org, now, offence_types, registration_types)
        for first in range(0, scale.people, scale.chunk_people):
            count = min(scale.chunk_people, scale.people - first)
            chunk = people.chunk(count)
            _write_chunk(chunk, scale.batch_size)
            stage("People", f"{first + count:,} of {scale.people:,} with {len(chunk.contacts):,} contacts")

        rows, changed = plan_limited_access(scale, rng, org, people.allocated)
        CaseAccess.objects.bulk_create(rows, batch_size=scale.batch_size)
        Case.objects.bulk_update(changed, ["restricted", "has_exclusions"], batch_size=scale.batch_size)
        stage("Limited access", f"{sum(c.restricted for c in changed)} restricted, "
                                f"{sum(c.has_exclusions for c in changed)} with exclusions")

        report.tiers_changed = tier_recalculate_all(as_of=today, trigger="demo data")
        stage("Tiers", f"calculated for {Case.objects.count():,} cases")
    return report


# --- Reporting -------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def summary_lines(today: dt.date) -> list[str]:
    """Counts and distributions of the loaded world, beside the shapes scale.md asks for."""
    cases = Case.objects.all()
    total = cases.count()
    lines = ["Summary (target shapes from shared/reference/scale.md in brackets)"]
    counts = [("people", total), ("staff", Staff.objects.count()), ("sentences", Sentence.objects.count()),
              ("requirements", Requirement.objects.count()), ("licence conditions", LicenceCondition.objects.count()),
              ("registrations", Registration.objects.count()), ("risk assessments", RiskAssessment.objects.count()),
              ("assignments", Assignment.objects.count()), ("contacts", Contact.objects.count())]
    lines.append("  Records: " + ", ".join(f"{n:,} {label}" for label, n in counts))
    now = timezone.now()
    future = Contact.objects.filter(starts_at__gt=now).count()
    outstanding = Contact.objects.filter(
        starts_at__lt=now, outcome="",
        kind__in=[k for k in ContactKind if ContactKind(k).is_appointment]).count()
    current = cases.filter(status=Case.Status.CURRENT).count()
    lines.append(f"  Contacts: {Contact.objects.count() / max(current, 1):.0f} per current case; {future:,} booked "
                 f"ahead; {outstanding:,} past appointments awaiting an outcome")

    def distribution(label: str, values: Counter, order, targets=None) -> str:
        parts = []
        for key in order:
            target = f" ({targets[key]})" if targets and key in targets else ""
            parts.append(f"{key} {_share(values.get(key, 0), total)}{target}")
        return f"  {label}: " + ", ".join(parts)

    rosh = Counter(dict(cases.values_list("rosh").annotate(n=Count("pk"))))
    lines.append(distribution("RoSH", Counter({RiskLevel(k).label.lower() if k else "not assessed": v
                                               for k, v in rosh.items()}),
                              ["low", "medium", "high", "very high", "not assessed"],
                              {"low": "~30%", "medium": "~50%", "high": "~18%", "very high": "~2%"}))
    tiers = Counter()
    for tier, n in cases.values_list("tier").annotate(n=Count("pk")):
        tiers[tier[:1] or "none"] += n
    lines.append(distribution("Protect level", tiers, ["A", "B", "C", "D", "none"], {"B": "B and C most",
                                                                                    "C": "B and C most"}))
    single = Counter(dict(cases.values_list("tier_single").annotate(n=Count("pk"))))
    lines.append(distribution("Single-scale tier", single, [*"ABCDEFG", "MISSING", "NOT_SUPERVISED"]))
    genders = Counter(dict(cases.values_list("gender").annotate(n=Count("pk"))))
    lines.append(distribution("Gender", Counter({Gender(k).label.lower(): v for k, v in genders.items()}),
                              ["male", "female", "other", "not known"], {"female": "~10%"}))
    ages = Counter()
    for dob in cases.values_list("date_of_birth", flat=True):
        age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        ages["18–24" if age < 25 else "25–34" if age < 35 else "35–49" if age < 50 else "50+"] += 1
    lines.append(distribution("Age", ages, ["18–24", "25–34", "35–49", "50+"], {"18–24": "~15%"}))
    statuses = Counter(dict(Sentence.objects.exclude(status=SentenceStatus.ENDED).values_list("status")
                            .annotate(n=Count("pk"))))
    community = statuses.get(SentenceStatus.COMMUNITY, 0)
    lines.append(f"  Sentences: court orders {_share(community, sum(statuses.values()))}, pre/post-release "
                 f"{_share(sum(statuses.values()) - community, sum(statuses.values()))} (about half each); "
                 + ", ".join(f"{SentenceStatus(k).label.lower()} {v:,}" for k, v in sorted(statuses.items())))
    active = Registration.objects.filter(end_date=None, historic=False)
    mappa_23 = active.filter(type__code="MAPP", level__gte=2).values("case").distinct().count()
    domestic = active.filter(type__code__in=["ADVP", "REG30"]).values("case").distinct().count()
    child = active.filter(type__code__in=["RCPR", "RCCO"]).values("case").distinct().count()
    lines.append(f"  Registrations: MAPPA level 2/3 {_share(mappa_23, total)} (~2%), domestic abuse "
                 f"{_share(domestic, total)} (~30%), child concerns/protection {_share(child, total)} (~20%)")
    allocated = cases.exclude(manager=None).count()
    in_team = cases.filter(manager=None).exclude(team=None).count()
    in_pdu = cases.filter(team=None).count()
    lines.append(f"  Allocation: {_share(allocated, total)} allocated; waiting in a team {in_team}, "
                 f"in a PDU queue {in_pdu}")
    loads = defaultdict(list)
    for grade, trained, n in (Staff.objects.filter(ended=None, grade__in=Grade.practitioner_grades())
                              .annotate(n=Count("caseload")).values_list("grade", "core_training_completed", "n")):
        loads["PSO (no core training)" if grade == Grade.PSO and not trained else Grade(grade).short].append(n)
    parts = []
    for label in ("PO", "PQiP", "PSO", "PSO (no core training)"):
        values = loads.get(label)
        if values:
            over = sum(v > 50 for v in values)
            parts.append(f"{label} {min(values)}–{max(values)} (median {statistics.median(values):g}"
                         + (f", {over} over 50" if over and label == "PO" else "") + ")")
    lines.append("  Caseloads: " + "; ".join(parts))
    lines.append(f"  Limited access: {cases.filter(restricted=True).count()} restricted, "
                 f"{cases.filter(has_exclusions=True).count()} with exclusions")
    by_login = {s.user.username: s for s in Staff.objects.filter(
        user__username__in=[d.username for d in DEMO_LOGINS]).select_related("user").annotate(
        n=Count("caseload", filter=Q(caseload__status=Case.Status.CURRENT)))}
    held = [f"{name} {by_login[name].n}" for name in ("po", "pso", "pso.new", "pqip") if name in by_login]
    lines.append("  Demo caseloads: " + ", ".join(held))
    return lines


def print_logins(stdout: TextIO) -> None:
    """The demo logins table: username, role and the shared password."""
    width = max(len("username"), *(len(login.username) for login in DEMO_LOGINS))
    role_width = max(len(login.role) for login in DEMO_LOGINS)
    stdout.write("Demo logins (every one uses the same password):\n")
    stdout.write(f"  {'username':<{width}}  {'role':<{role_width}}  password\n")
    for login in DEMO_LOGINS:
        stdout.write(f"  {login.username:<{width}}  {login.role:<{role_width}}  {DEMO_PASSWORD}\n")
