"""The organisation and its staff: provider, regions, PDUs, teams, staff with accounts, grants, reductions.

``plan_organisation`` returns everything unsaved, with each practitioner's caseload target for the
people stage to share cases out by. It is the first stage (``casework.demo.stages``) and the first
draws from the seeded stream.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from casework.access.models import GrantStatus, Role, ScopeGrant
from casework.account.models import User
from casework.demo import catalogue
from casework.demo.draw import ascii_slug, days
from casework.demo.establishment import plan_funded_posts
from casework.demo.logins import DEMO_LOGINS
from casework.demo.reductions import plan_reductions
from casework.demo.scale import LOW, MEDIUM, VERY_HIGH, Scale
from casework.organisation.models import FundedPost, Pdu, Provider, Region, Team
from casework.workforce.models import Grade, Reduction, Staff, TeamMembership

if TYPE_CHECKING:
    from casework.demo.people import Profile


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
    funded_posts: list[FundedPost] = field(default_factory=list)


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
                                     **_renewed_yearly(years_ago(1, 6), today), reason=f"Head of {pdu.name} PDU"))
    for region in org.regions:
        qa = new_staff(Grade.QA, region, login="qa" if region is first_team.pdu.region else "",
                       started=years_ago(8, 20), trained=None, hours=Decimal("37"))
        org.grants.append(ScopeGrant(staff=qa.staff, role=Role.QUALITY_ASSURANCE, region=region,
                                     **_renewed_yearly(years_ago(1, 4), today),
                                     reason=f"Quality assurance lead, {region.name}"))
    new_staff(Grade.ADMIN, org.regions[0], login="admin", started=years_ago(2, 10), trained=None,
              hours=Decimal("37"), admin=True)

    _share_out_caseloads(org, scale)
    # Workload reductions (rules.md §2.3) from a stream of their own, so that adding or changing them
    # leaves every other generated record as it was.
    org.reductions = plan_reductions([plan.staff for plan in org.staff], random.Random(f"{scale.seed}:reductions"),
                                     today)
    # Funded posts (with vacancies) likewise from a stream of their own.
    org.funded_posts = plan_funded_posts(org, random.Random(f"{scale.seed}:establishment"), today)
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
    """Scale caseload targets so that together they hold the allocated people, no more.

    With ``scale.po_caseload_mean`` set, probation officers' targets are scaled to that mean (scale.md's
    35–37 cases per PO) and the other grades share the rest; otherwise all by one factor.
    """
    holders = [p for plans in org.practitioners.values() for p in plans]
    demand = round(scale.people * (1 - scale.unallocated_share))
    if scale.po_caseload_mean is None:
        _scale_targets(holders, demand)
        return
    officers = [p for p in holders if p.staff.grade == Grade.PO]
    po_demand = min(round(scale.po_caseload_mean * len(officers)), demand)
    _scale_targets(officers, po_demand)
    _scale_targets([p for p in holders if p.staff.grade != Grade.PO], demand - po_demand)


def _scale_targets(holders: list[StaffPlan], demand: int) -> None:
    """Scale the targets of ``holders`` (but not the pinned demo logins') so that they add up to ``demand``."""
    pinned = sum(p.target for p in holders if p.pinned)
    free = sum(p.target for p in holders if not p.pinned)
    factor = max(demand - pinned, 0) / free if free else 0
    for plan in holders:
        if not plan.pinned:
            plan.target = max(1, round(plan.target * factor))




def _renewed_yearly(appointed: dt.date, today: dt.date) -> dict:
    """A grant renewed (and approved) each year on the appointment date: this year's dates and status.

    Grants last at most a year (``casework.access.services.GRANT_LIFETIME_MAX``), so the current one
    started on the last anniversary of the appointment.
    """
    starts_on = today - dt.timedelta(days=(today - appointed).days % 365)
    return {"starts_on": starts_on, "ends_on": starts_on + dt.timedelta(days=365), "status": GrantStatus.APPROVED,
            "decision_reason": "Renewed for the year"}

