"""Which cases, teams and staff records a viewer may read or change. The single place these rules live.

A case-scoped read takes a ``VisibleCase``: the case together with the proof that this viewer's
visibility rules let it through. Only ``visible_case`` makes one (``casework.record.selectors``
``case_get_for_user`` calls it), so a case read any other way cannot reach those reads: they raise
``TypeError`` for a bare ``Case``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from casework.access.models import Role
from casework.access.viewer import Viewer, membership_current_on
from casework.organisation.models import Team
from casework.record.choices import AccessKind
from casework.record.models import Case, CaseAccess
from casework.rules.safeguard_deciders import Decider
from casework.workforce.models import Staff, TeamMembership


def scope_filter(viewer: Viewer) -> Q:
    """Cases inside the viewer's organisational scope (before limited-access rules)."""
    if not viewer.has_case_scope:
        return Q(pk__in=[])
    if viewer.national:
        return Q()
    q = Q(pk__in=[])
    if viewer.staff_id and viewer.is_practitioner:
        q |= Q(manager_id=viewer.staff_id)
    if viewer.team_ids:
        q |= Q(team_id__in=viewer.team_ids)
    if viewer.queue_pdu_ids:
        # The PDU's allocation queue: cases waiting for a team, in the PDUs of the teams they lead.
        q |= Q(team__isnull=True, pdu_id__in=viewer.queue_pdu_ids)
    if viewer.pdu_ids:
        q |= Q(pdu_id__in=viewer.pdu_ids)
    if viewer.region_ids:
        if viewer.region_pdu_ids is not None:
            q |= Q(pdu_id__in=viewer.region_pdu_ids)
        else:
            q |= Q(pdu__region_id__in=viewer.region_ids)
    return q


def visible_cases(viewer: Viewer, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """``queryset`` (default: all cases) narrowed to what ``viewer`` may see.

    Limited access: a viewer with an EXCLUDED rule never sees the case; a restricted case is seen
    only with a PERMITTED rule. Both apply in every role, including national ones. Another system
    (an API client) never receives a limited-access case at all: it cannot apply rules about people.
    """
    qs = Case.objects.all() if queryset is None else queryset
    if not viewer.has_case_scope:
        return qs.none()
    scoped = qs.filter(scope_filter(viewer))
    if viewer.is_api_client:
        return scoped.filter(restricted=False, has_exclusions=False)
    rules = CaseAccess.objects.filter(case_id=OuterRef("pk"), staff_id=viewer.staff_id)
    return scoped.exclude(
        Q(has_exclusions=True) & Exists(rules.filter(kind=AccessKind.EXCLUDED))
    ).filter(Q(restricted=False) | Exists(rules.filter(kind=AccessKind.PERMITTED)))


def can_see(viewer: Viewer, case: Case) -> bool:
    """Whether ``viewer`` may read ``case``."""
    return visible_cases(viewer, Case.objects.filter(pk=case.pk)).exists()


def _may_write(viewer: Viewer, case: Case) -> bool:
    """The role half of ``can_change``: the case manager, or the SPO of the case's team (never an inspector)."""
    if not viewer.staff_id or viewer.read_only:
        return False
    holds = viewer.is_practitioner and case.manager_id == viewer.staff_id
    manages = case.team_id is not None and case.team_id in viewer.managed_team_ids
    return holds or manages


def can_change(viewer: Viewer, case: Case) -> bool:
    """Whether ``viewer`` may write to ``case``: its case manager, or the SPO of its team (never an inspector)."""
    return _may_write(viewer, case) and can_see(viewer, case)


def not_required_deciders(viewer: Viewer, case: Case) -> frozenset[Decider]:
    """The roles in which ``viewer`` may decide for ``case`` that a safeguard is not required (which
    roles are entitled is configuration, ``casework.rules.safeguard_deciders``): its practitioner (the
    case manager), the SPO of its team, the head of its PDU. Never an inspector."""
    if not viewer.staff_id or viewer.read_only:
        return frozenset()
    roles = set()
    if viewer.is_practitioner and case.manager_id == viewer.staff_id:
        roles.add(Decider.PRACTITIONER)
    if case.team_id is not None and case.team_id in viewer.managed_team_ids:
        roles.add(Decider.SPO)
    if viewer.has_role(Role.HEAD_OF_PDU) and case.pdu_id in viewer.pdu_ids:
        roles.add(Decider.HEAD_OF_PDU)
    return frozenset(roles)


# A case that passed the visibility rules.

_SEAL = object()  # held by this module only: a VisibleCase made anywhere else is refused


@dataclass(frozen=True, slots=True)
class VisibleCase:
    """A case read through ``visible_case`` for ``viewer``, with whether that viewer may change it."""

    case: Case
    viewer: Viewer
    can_change: bool
    _seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self._seal is not _SEAL:
            raise TypeError("A VisibleCase comes only from visible_case (case_get_for_user), never made by hand")


def visible_case(viewer: Viewer, queryset: QuerySet[Case]) -> VisibleCase | None:
    """The first case of ``queryset`` that ``viewer`` may see, as a ``VisibleCase`` (None if there is none)."""
    case = visible_cases(viewer, queryset).first()
    if case is None:
        return None
    # Read through visible_cases just above: only the role half of can_change is left to decide.
    return VisibleCase(case=case, viewer=viewer, can_change=_may_write(viewer, case), _seal=_SEAL)


def require_visible(visible: VisibleCase) -> Case:
    """The case inside ``visible``; a bare ``Case`` (or anything else) is refused with ``TypeError``."""
    if type(visible) is not VisibleCase:
        raise TypeError(f"expected the VisibleCase that case_get_for_user returns, not {type(visible).__name__}")
    return visible.case


# Teams.


def team_scope_filter(viewer: Viewer) -> Q:
    """Teams whose caseload ``viewer`` may see (a filter on ``Team``): their own and managed teams, and
    every team in a PDU, region or England and Wales that a grant gives them."""
    if not viewer.staff_id:
        return Q(pk__in=[])
    if viewer.national:
        return Q()
    q = Q(pk__in=viewer.team_ids | viewer.managed_team_ids)
    if viewer.pdu_ids:
        q |= Q(pdu_id__in=viewer.pdu_ids)
    if viewer.region_ids:
        q |= Q(pdu__region_id__in=viewer.region_ids)
    return q


def manages_any_team(viewer: Viewer) -> bool:
    """Whether ``viewer`` manages a team (as an SPO): their task list and filters are the teams'."""
    return bool(viewer.managed_team_ids)


def in_managed_teams(viewer: Viewer, field: str = "team_id") -> Q:
    """A filter on ``field`` (a team id) for the teams ``viewer`` manages (nothing when none)."""
    return Q(**{f"{field}__in": viewer.managed_team_ids})


def oversight_team_scope(viewer: Viewer) -> QuerySet[Team]:
    """The teams whose safeguard figures ``viewer`` sees: an SPO's managed teams, every team a PDU,
    region or national grant covers (a head of PDU's PDU, quality assurance, inspectors)."""
    teams = visible_teams(viewer)
    if viewer.managed_team_ids and not (viewer.pdu_ids or viewer.region_ids or viewer.national):
        teams = teams.filter(pk__in=viewer.managed_team_ids)
    return teams


def visible_teams(viewer: Viewer, queryset: QuerySet[Team] | None = None) -> QuerySet[Team]:
    """``queryset`` (default: all teams) narrowed to the teams ``viewer`` may see."""
    return (Team.objects.all() if queryset is None else queryset).filter(team_scope_filter(viewer))


def manages_team(viewer: Viewer, team: Team) -> bool:
    """Whether ``viewer`` manages ``team`` as its SPO (changes its cases; sees it as theirs to run)."""
    return team.pk in viewer.managed_team_ids and not viewer.read_only


def led_pdu_ids(viewer: Viewer) -> frozenset[int]:
    """The PDUs ``viewer`` leads as head of PDU (none for anyone else)."""
    return viewer.pdu_ids if viewer.has_role(Role.HEAD_OF_PDU) else frozenset()


def manages_case_team(viewer: Viewer, case: Case) -> bool:
    """Whether ``viewer`` manages the team ``case`` is held in (as its SPO)."""
    return case.team_id is not None and case.team_id in viewer.managed_team_ids


# Allocation.


def allocation_team_filter(viewer: Viewer) -> Q:
    """Teams ``viewer`` may allocate cases into (a filter on ``Team``): an SPO's managed teams, and every
    team of the PDU a head of PDU leads. Nothing for read-only viewers (inspectors)."""
    if not viewer.staff_id or viewer.read_only:
        return Q(pk__in=[])
    q = Q(pk__in=viewer.managed_team_ids)
    if viewer.has_role(Role.HEAD_OF_PDU) and viewer.pdu_ids:
        q |= Q(pdu_id__in=viewer.pdu_ids)
    return q


def allocation_queue(viewer: Viewer) -> QuerySet[Case]:
    """The unallocated cases ``viewer`` may allocate: current cases with no case manager in the teams they
    allocate into, and those waiting for a team in those teams' PDUs — always through ``visible_cases``,
    so a case the viewer is excluded from (or restricted without permission) never appears."""
    teams = Team.objects.filter(allocation_team_filter(viewer))
    waiting = Q(team__isnull=True, pdu_id__in=teams.values("pdu_id"))
    return visible_cases(viewer, Case.objects.filter(manager__isnull=True, status=Case.Status.CURRENT)
                         .filter(Q(team_id__in=teams.values("pk")) | waiting))


def may_allocate(viewer: Viewer, case: Case, team: Team) -> bool:
    """Whether ``viewer`` may allocate ``case`` into ``team``: a team they allocate into, in the case's
    PDU, and the case's own team if it has one (and a case they can see)."""
    if team.pdu_id != case.pdu_id or (case.team_id is not None and case.team_id != team.pk):
        return False
    return Team.objects.filter(allocation_team_filter(viewer), pk=team.pk).exists() and can_see(viewer, case)


# Staff records.


def can_manage_staff(viewer: Viewer, staff: Staff, *, today: dt.date) -> bool:
    """Whether ``viewer`` may change ``staff``'s working arrangements (workload reductions): an
    administrator, the SPO of a team ``staff`` is in on ``today``, or the head of that team's PDU."""
    if viewer.read_only:
        return False
    if viewer.is_admin:
        return True
    spo, head = viewer.has_role(Role.SPO), viewer.has_role(Role.HEAD_OF_PDU)
    if not (spo or head):
        return False
    teams = list(TeamMembership.objects.filter(membership_current_on(today), staff=staff)
                 .values_list("team_id", "team__pdu_id"))
    return ((spo and any(team in viewer.managed_team_ids for team, _ in teams))
            or (head and any(pdu in viewer.pdu_ids for _, pdu in teams)))


# Workforce records: staff, their reductions and team memberships, and team establishments.


def workforce_team_filter(viewer: Viewer) -> Q:
    """Teams whose staff records and establishment ``viewer`` may read (a filter on ``Team``): every team
    for an administrator, an SPO's managed teams, every team of a head of PDU's PDU. The same people
    ``can_manage_staff`` lets change reductions."""
    if viewer.is_admin:
        return Q()
    if not viewer.staff_id:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    if viewer.has_role(Role.SPO) and viewer.managed_team_ids:
        q |= Q(pk__in=viewer.managed_team_ids)
    if viewer.has_role(Role.HEAD_OF_PDU) and viewer.pdu_ids:
        q |= Q(pdu_id__in=viewer.pdu_ids)
    return q


def workforce_teams(viewer: Viewer, queryset: QuerySet[Team] | None = None) -> QuerySet[Team]:
    """``queryset`` (default: all teams) narrowed to the teams whose workforce ``viewer`` may read."""
    return (Team.objects.all() if queryset is None else queryset).filter(workforce_team_filter(viewer))


def visible_staff(viewer: Viewer, *, today: dt.date, queryset: QuerySet[Staff] | None = None) -> QuerySet[Staff]:
    """``queryset`` (default: all staff) narrowed to the staff records ``viewer`` may read: every one for an
    administrator; otherwise those with a team membership current on ``today`` in a team of
    ``workforce_teams``."""
    qs = Staff.objects.all() if queryset is None else queryset
    if viewer.is_admin:
        return qs
    members = TeamMembership.objects.filter(membership_current_on(today), team__in=workforce_teams(viewer),
                                            staff_id=OuterRef("pk"))
    return qs.filter(Exists(members))


def can_change_establishment(viewer: Viewer, team: Team) -> bool:
    """Whether ``viewer`` may set ``team``'s funded posts: an administrator, or the head of its PDU."""
    if viewer.read_only or not viewer.user_id:
        return False
    return viewer.is_admin or (viewer.has_role(Role.HEAD_OF_PDU) and team.pdu_id in viewer.pdu_ids)


# Recall (casework.recall).


def recall_actors(viewer: Viewer, case: Case) -> frozenset:
    """The roles in which ``viewer`` may act on ``case``'s recall (``casework.rules.recall_workflow.Actor``):
    its practitioner (the case manager), the SPO of its team, the head of its PDU. Never an inspector."""
    from casework.rules.recall_workflow import Actor

    if not viewer.staff_id or viewer.read_only:
        return frozenset()
    roles = set()
    if viewer.is_practitioner and case.manager_id == viewer.staff_id:
        roles.add(Actor.PRACTITIONER)
    if case.team_id is not None and case.team_id in viewer.managed_team_ids:
        roles.add(Actor.SPO)
    if viewer.has_role(Role.HEAD_OF_PDU) and case.pdu_id in viewer.pdu_ids:
        roles.add(Actor.ACO)
    return frozenset(roles)


def recall_oversight_scope(viewer: Viewer) -> tuple[frozenset[int], frozenset[int]]:
    """(team ids, PDU ids): the teams whose recalls ``viewer`` oversees and countersigns as their SPO, and
    the PDUs whose recalls they countersign as head of PDU. Nothing for read-only viewers."""
    if not viewer.staff_id or viewer.read_only:
        return frozenset(), frozenset()
    pdus = viewer.pdu_ids if viewer.has_role(Role.HEAD_OF_PDU) else frozenset()
    return frozenset(viewer.managed_team_ids), frozenset(pdus)


# Quality assurance exercises (casework.quality).


def quality_exercise_filter(viewer: Viewer) -> Q:
    """Exercises ``viewer`` may read (a filter on ``quality.Exercise``): quality assurance staff those whose
    scope lies inside their grant's, a head of PDU their PDU's and its teams'. Nothing for anyone else."""
    if not viewer.staff_id or not viewer.has_role(Role.QUALITY_ASSURANCE, Role.HEAD_OF_PDU):
        return Q(pk__in=[])
    if viewer.national and viewer.has_role(Role.QUALITY_ASSURANCE):
        return Q()
    pdus = set(viewer.pdu_ids)
    q = Q(pk__in=[])
    if pdus:
        q |= Q(pdu_id__in=pdus) | Q(team__pdu_id__in=pdus)
    if viewer.has_role(Role.QUALITY_ASSURANCE):
        if viewer.region_ids:
            q |= (Q(region_id__in=viewer.region_ids) | Q(pdu__region_id__in=viewer.region_ids)
                  | Q(team__pdu__region_id__in=viewer.region_ids))
        if viewer.team_ids:
            q |= Q(team_id__in=viewer.team_ids)
    return q


def may_run_quality(viewer: Viewer) -> bool:
    """Whether ``viewer`` may set up, sample, assess and moderate quality assurance exercises: quality
    assurance staff, never read-only viewers (inspectors) or heads of PDU (who read their PDU's results)."""
    return bool(viewer.staff_id) and not viewer.read_only and viewer.has_role(Role.QUALITY_ASSURANCE)


def quality_scope_choices(viewer: Viewer) -> tuple[frozenset[int], frozenset[int], frozenset[int], bool]:
    """The regions, PDUs and teams ``viewer`` may set an exercise over, and whether the whole country:
    a quality assurance grant's own scope (a team grant gives that team, and so on down)."""
    if not may_run_quality(viewer):
        return frozenset(), frozenset(), frozenset(), False
    return viewer.region_ids, viewer.pdu_ids, viewer.team_ids, viewer.national


def quality_scope_allowed(viewer: Viewer, *, team: Team | None = None, pdu=None, region=None,
                          country: bool = False) -> bool:
    """Whether ``viewer`` may set an exercise over this team, PDU, region or the whole country: inside their
    quality assurance grant's scope."""
    regions, pdus, teams, national = quality_scope_choices(viewer)
    if national:
        return True
    if country:
        return False
    if region is not None:
        return region.pk in regions
    if pdu is not None:
        return pdu.pk in pdus or pdu.region_id in regions
    if team is not None:
        return team.pk in teams or team.pdu_id in pdus or team.pdu.region_id in regions
    return False
