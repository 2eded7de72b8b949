"""Every read of the case record. Each takes the ``Viewer`` and returns only what it may see.

Reads of one case take the ``VisibleCase`` that ``case_get_for_user`` returns (never a bare
``Case``: that raises ``TypeError``), so they cannot be reached without the visibility check.
Which cases and teams a viewer may see is decided in ``casework.access.visibility``, never here.

Query counts are fixed per page (prefetches and subquery annotations, never a query per row);
tests hold them with ``django_assert_max_num_queries``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from casework.access.viewer import Viewer, membership_current_on
from casework.access.visibility import VisibleCase, require_visible, visible_case, visible_cases, visible_teams
from casework.audit.models import AuditEvent
from casework.organisation.models import Team
from casework.record import identifiers
from casework.record.choices import SentenceStatus
from casework.record.models import (
    Address,
    Assignment,
    Case,
    Contact,
    Offence,
    Registration,
    RiskAssessment,
    Sentence,
    TierCalculation,
)
from casework.rules.contacts import APPOINTMENT_KINDS
from casework.safeguards.selectors import overdue_count_subquery
from casework.workforce.models import Staff, TeamMembership

PAGE_SIZE = 50

SEARCH_EMPTY = "Enter a name, CRN or PNC number"
SEARCH_TOO_SHORT = "Enter at least 2 characters"


# The case fields that case lists (tables and the CSV export) use; the case manager's name comes as
# two annotations, ``manager_first_name`` and ``manager_last_name`` (empty when unallocated).
LIST_FIELDS = ("crn", "first_name", "last_name", "status", "tier", "rosh", "restricted", "has_exclusions",
               "team", "manager")
EXPORT_FIELDS = ("crn", "last_name", "first_name", "tier", "rosh", "restricted", "has_exclusions", "manager",
                 "manager_first_name", "manager_last_name", "sentence_kind", "sentence_status", "next_appointment",
                 "outcomes_due")


def outcome_due_q(now: dt.datetime) -> Q:
    """Contacts with an outcome due: ``casework.rules.contacts.outcome_due`` as a database filter."""
    return Q(kind__in=APPOINTMENT_KINDS, starts_at__lt=now, outcome="")


def _with_list_columns(qs: QuerySet[Case], now: dt.datetime) -> QuerySet[Case]:
    """Annotate what case lists show: current sentence, next appointment, outstanding tasks."""
    current = Sentence.objects.filter(case=OuterRef("pk")).exclude(status=SentenceStatus.ENDED).order_by(
        "-sentence_date", "-number"
    )
    next_appointment = (
        Contact.objects.filter(case=OuterRef("pk"), kind__in=APPOINTMENT_KINDS, starts_at__gte=now)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    # An appointment in the past with no outcome recorded is a task for the case manager.
    outcomes_due = (
        Contact.objects.filter(outcome_due_q(now), case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # Only the columns lists show (a team export runs to hundreds of rows): every other column of the
    # case would be read and converted for nothing, and the manager's name is two columns of a join
    # rather than a whole Staff model built per row.
    return qs.only(*LIST_FIELDS).annotate(
        manager_first_name=Coalesce(F("manager__first_name"), Value("")),
        manager_last_name=Coalesce(F("manager__last_name"), Value("")),
        sentence_kind=Subquery(current.values("kind")[:1]),
        sentence_status=Subquery(current.values("status")[:1]),
        next_appointment=Subquery(next_appointment),
        outcomes_due=Coalesce(Subquery(outcomes_due, output_field=IntegerField()), Value(0)),
        safeguards_overdue=overdue_count_subquery(timezone.localtime(now).date()),
    )


def caseload_for_user(*, viewer: Viewer, now: dt.datetime) -> list[Case]:
    """The viewer's own current caseload, with list columns."""
    if not viewer.staff_id:
        return []
    qs = visible_cases(viewer).filter(manager_id=viewer.staff_id, status=Case.Status.CURRENT)
    return list(_with_list_columns(qs, now).order_by("last_name", "first_name", "crn"))


def case_get_for_user(*, viewer: Viewer, crn: str) -> VisibleCase:
    """One case by CRN, or 404 — the same 404 whether it does not exist or may not be seen.

    The answer is a ``VisibleCase``: the case (``.case``), whether the viewer may change it
    (``.can_change``), and what the case-scoped reads below accept.
    """
    crn = identifiers.normalise_crn(crn)
    if not identifiers.is_valid_crn(crn):
        raise Http404("No such case")
    visible = visible_case(viewer, Case.objects.select_related("pdu__region", "team", "manager").filter(crn=crn))
    if visible is None:
        raise Http404("No such case")
    return visible


@dataclass(frozen=True)
class CaseOverview:
    case: Case
    current_address: Address | None
    previous_addresses: list[Address]
    sentences: list[Sentence]
    registrations: list[Registration]
    risk: RiskAssessment | None
    upcoming_contacts: list[Contact]  # the next few, soonest first
    recent_contacts: list[Contact]  # the last few that have happened, newest first
    tier_calculation: TierCalculation | None


def case_overview(*, case: VisibleCase, now: dt.datetime | None = None) -> CaseOverview:
    """Everything the case overview shows, for a case fetched with ``case_get_for_user``."""
    case = require_visible(case)
    addresses = list(case.addresses.all())
    current = next((a for a in addresses if a.end_date is None), None)
    sentences = list(
        case.sentences.prefetch_related(
            Prefetch("offences", queryset=Offence.objects.select_related("offence_type")),
            "requirements",
            "licence_conditions",
        )
    )
    registrations = list(
        case.registrations.filter(end_date__isnull=True).select_related("type").order_by("type__group", "-start_date")
    )
    risk = case.risk_assessments.order_by("-assessed_on", "-id").first()
    now = now or dt.datetime.now(dt.UTC)
    contacts = case.contacts.select_related("staff")
    upcoming = list(contacts.filter(starts_at__gte=now).order_by("starts_at", "id")[:5])
    recent = list(contacts.filter(starts_at__lt=now).order_by("-starts_at", "-id")[:5])
    calculation = case.tier_calculations.order_by("-calculated_at", "-id").first()
    return CaseOverview(
        case=case,
        current_address=current,
        previous_addresses=[a for a in addresses if a is not current],
        sentences=sentences,
        registrations=registrations,
        risk=risk,
        upcoming_contacts=upcoming,
        recent_contacts=recent,
        tier_calculation=calculation,
    )


@dataclass(frozen=True)
class ContactFilters:
    kind: str = ""
    outcome: str = ""  # an outcome code, "NONE" for appointments with no outcome yet, or "" for any
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def contact_log(*, case: VisibleCase, filters: ContactFilters, page: int = 1, now: dt.datetime) -> Page:
    """One page of a case's contacts, newest first, filtered."""
    qs = require_visible(case).contacts.select_related("staff").order_by("-starts_at", "-id")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.outcome == "NONE":
        qs = qs.filter(outcome_due_q(now))
    elif filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    if filters.date_from:
        qs = qs.filter(starts_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(starts_at__date__lte=filters.date_to)
    return Paginator(qs, PAGE_SIZE).get_page(page)


def contact_get(*, case: VisibleCase, contact_id: int) -> Contact:
    """One contact of a case fetched with ``case_get_for_user``, or 404."""
    contact = require_visible(case).contacts.select_related("staff").filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No such contact")
    return contact


def assignment_history(*, case: VisibleCase) -> list[Assignment]:
    """Who has managed the case, newest first."""
    return list(require_visible(case).assignments.select_related("staff", "team", "allocated_by"))


# Audit actions that record someone looking at or listing a case, not a change to it.
_NOT_CHANGES = ("case.view_restricted", "case.export")
HISTORY_PAGE_SIZE = 25


def case_change_history(*, case: VisibleCase, page: int = 1) -> Page:
    """One page of every recorded change to a case (its audit rows), newest first, with who made it.

    For a case the caller has already fetched with a selector; the rows say what changed, so they
    are shown to whoever may see the case.
    """
    qs = (AuditEvent.objects.filter(crn=require_visible(case).crn).exclude(action__in=_NOT_CHANGES)
          .select_related("actor__staff").order_by("-at", "-id"))
    return Paginator(qs, HISTORY_PAGE_SIZE).get_page(page)


def tier_history(*, case: VisibleCase, limit: int = 10) -> list[TierCalculation]:
    """The case's latest tier calculations, newest first."""
    return list(require_visible(case).tier_calculations.order_by("-calculated_at", "-id")[:limit])


@dataclass(frozen=True)
class CaseListFilters:
    crn: str = ""
    team: str = ""  # team code
    pdu: str = ""  # PDU code
    tier: str = ""  # protect level letter, A to D
    rosh: str = ""
    status: str = ""


def case_list_for_user(*, viewer: Viewer, filters: CaseListFilters) -> QuerySet[Case]:
    """The cases the viewer may see, filtered, in name order (the API's case list)."""
    qs = visible_cases(viewer).select_related("pdu", "team", "manager")
    if filters.crn:
        qs = qs.filter(crn=identifiers.normalise_crn(filters.crn))
    if filters.team:
        qs = qs.filter(team__code=filters.team)
    if filters.pdu:
        qs = qs.filter(pdu__code=filters.pdu)
    if filters.tier:
        qs = qs.filter(tier__startswith=filters.tier)
    if filters.rosh:
        qs = qs.filter(rosh=filters.rosh)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("last_name", "first_name", "crn")


def cases_by_crn_for_user(*, viewer: Viewer, crns: list[str]) -> list[Case]:
    """The cases among ``crns`` that the viewer may see, in name order."""
    return list(visible_cases(viewer).select_related("pdu", "team", "manager").filter(crn__in=crns)
                .order_by("last_name", "first_name", "crn"))


def case_detail(*, case: VisibleCase) -> tuple[list[Sentence], list[Registration]]:
    """A fetched case's sentences and current registrations (for the API)."""
    case = require_visible(case)
    sentences = list(case.sentences.order_by("-sentence_date", "-number"))
    registrations = list(case.registrations.filter(end_date__isnull=True).select_related("type")
                         .order_by("type__group", "-start_date"))
    return sentences, registrations


# Teams.


def teams_for_user(*, viewer: Viewer) -> list[Team]:
    """Teams whose caseload the viewer may see."""
    if not viewer.staff_id:
        return []
    return list(visible_teams(viewer).select_related("pdu").order_by("pdu__name", "name"))


def team_get_for_user(*, viewer: Viewer, code: str) -> Team:
    """A team the viewer may see, or 404 — the same 404 whether it does not exist or may not be seen."""
    team = visible_teams(viewer, Team.objects.select_related("pdu__region").filter(code=code)).first()
    if team is None:
        raise Http404("No such team")
    return team


@dataclass(frozen=True)
class TeamFilters:
    manager: int | None = None
    tier: str = ""
    rosh: str = ""
    unallocated: bool = False


@dataclass(frozen=True)
class TeamMember:
    staff: Staff
    role: str
    cases: int


def team_members(*, viewer: Viewer, team: Team, today: dt.date, count_cases: bool = True) -> list[TeamMember]:
    """The team's current members with how many of the team's visible cases each holds.

    ``count_cases=False`` skips the count (one query fewer; ``cases`` is then 0), for callers that need
    only who the members are, such as the export checking its case-manager filter.
    """
    memberships = (
        TeamMembership.objects.filter(membership_current_on(today), team=team)
        .select_related("staff")
        .order_by("staff__last_name", "staff__first_name")
    )
    counts = dict(
        visible_cases(viewer)
        .filter(team=team, status=Case.Status.CURRENT, manager__isnull=False)
        .order_by()
        .values_list("manager_id")
        .annotate(n=Count("pk"))
    ) if count_cases else {}
    return [TeamMember(staff=m.staff, role=m.role, cases=counts.get(m.staff_id, 0)) for m in memberships]


def _team_cases(viewer: Viewer, team: Team, filters: TeamFilters, now: dt.datetime) -> QuerySet[Case]:
    qs = visible_cases(viewer).filter(team=team, status=Case.Status.CURRENT)
    if filters.unallocated:
        qs = qs.filter(manager__isnull=True)
    elif filters.manager:
        qs = qs.filter(manager_id=filters.manager)
    if filters.tier:
        qs = qs.filter(tier__startswith=filters.tier)
    if filters.rosh:
        qs = qs.filter(rosh=filters.rosh)
    return _with_list_columns(qs, now).order_by("last_name", "first_name", "crn")


def team_caseload(*, viewer: Viewer, team: Team, filters: TeamFilters, page: int, now: dt.datetime) -> Page:
    """One page of a team's current cases the viewer may see, with list columns."""
    return Paginator(_team_cases(viewer, team, filters, now), PAGE_SIZE).get_page(page)


def team_caseload_all(*, viewer: Viewer, team: Team, filters: TeamFilters, now: dt.datetime) -> list[dict]:
    """Every current case of the team that the viewer may see and the filters match (for export).

    Dicts of ``EXPORT_FIELDS``, not models: an export is hundreds of rows that only become CSV cells.
    """
    return list(_team_cases(viewer, team, filters, now).values(*EXPORT_FIELDS))


# Search.

_CRN_LIKE = re.compile(r"^[A-Za-z]\d+$")
_PNC_LIKE = re.compile(r"^\d{2,4}/?\d{1,7}[A-Za-z]$")


class SearchError(ValueError):
    """A search query that cannot be run; the message is for the user."""


def _name_prefix(prefix: str, field: str = "name_key") -> Q:
    """The search key ``field`` starts with ``prefix``, written so that both databases can use the index.

    SQLite never uses an ordinary index for LIKE (it is case-insensitive; the index is not), so a
    surname search read every case in scope: 100 ms at national scale. The keys are stored
    lower-case without accents (``identifiers.search_text``), so the prefix is also a range, which
    any B-tree index answers; ``startswith`` stays to keep the meaning exact whatever the collation
    (docs/adr/0003-national-scale-query-shapes.md).
    """
    bounds = {f"{field}__gte": prefix, f"{field}__startswith": prefix}
    upper = _after_prefix(prefix)
    if upper is not None:
        bounds[f"{field}__lt"] = upper
    return Q(**bounds)


def _after_prefix(prefix: str) -> str | None:
    """The least text above every text starting with ``prefix`` (None if there is none).

    The last character is moved up by one, skipping the surrogate block (no text can hold those),
    and a last character that is already the highest (U+10FFFF) is dropped and the one before
    moved up instead.
    """
    for end in range(len(prefix) - 1, -1, -1):
        code = ord(prefix[end]) + 1
        if 0xD800 <= code <= 0xDFFF:
            code = 0xE000
        if code <= 0x10FFFF:
            return prefix[:end] + chr(code)
    return None


def case_search(*, viewer: Viewer, query: str, limit: int = PAGE_SIZE) -> list[Case]:
    """Cases matching a CRN, PNC number or name (surname first or last), among those the viewer may see."""
    query = " ".join(query.split())
    if not query:
        raise SearchError(SEARCH_EMPTY)
    if len(query) < 2:
        raise SearchError(SEARCH_TOO_SHORT)
    qs = visible_cases(viewer)
    if _CRN_LIKE.fullmatch(query):
        crn = identifiers.normalise_crn(query)
        if not identifiers.is_valid_crn(crn):
            raise SearchError(identifiers.CRN_ERROR)
        qs = qs.filter(crn=crn)
    elif _PNC_LIKE.fullmatch(query):
        try:
            qs = qs.filter(pnc=identifiers.normalise_pnc(query))
        except ValueError as exc:
            raise SearchError(str(exc)) from None
    else:
        # A surname or a first name alone; "first last", "last first" or "last, first". Accents and
        # case are ignored: "wisniewski" finds Wiśniewski.
        words = identifiers.search_text(query.replace(",", " ")).split()
        if not words:
            raise SearchError(SEARCH_EMPTY)
        if len(words) == 1:
            q = _name_prefix(words[0]) | _name_prefix(words[0], "first_name_key")
        else:
            # "first last" (the last word may be cut short), or "last first" as typed.
            typed = f"{words[0]} {words[-1]}"
            q = _name_prefix(typed, "first_name_key") | _name_prefix(typed)
        qs = qs.filter(q)
    now = dt.datetime.now(dt.UTC)
    return list(_with_list_columns(qs, now).order_by("last_name", "first_name", "crn")[:limit])
