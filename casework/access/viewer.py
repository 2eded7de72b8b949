"""Who is asking: a user's roles and scopes, worked out once per request.

Every selector and service that touches case data takes a ``Viewer``; visibility is decided here
and in ``casework.access.visibility``, never in a view or template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from casework.access.models import ApiScope, ApiToken, GrantStatus, Role, ScopeGrant
from casework.organisation.models import Pdu
from casework.workforce.models import Grade, Staff, TeamMembership


@dataclass(frozen=True)
class Viewer:
    """A signed-in user's identity, roles and the scopes those roles give."""

    user_id: int | None
    username: str
    staff_id: int | None = None
    staff_name: str = ""
    grade: str = ""
    roles: frozenset[Role] = frozenset()
    # Teams whose cases the viewer may read (membership, SPO management, team-level grants).
    team_ids: frozenset[int] = frozenset()
    # Teams the viewer manages as an SPO (write access to the team's cases, team caseload page).
    managed_team_ids: frozenset[int] = frozenset()
    # PDUs whose allocation queue (cases not yet given a team) the viewer may read, as an SPO.
    queue_pdu_ids: frozenset[int] = frozenset()
    pdu_ids: frozenset[int] = frozenset()
    region_ids: frozenset[int] = frozenset()
    # The PDUs of ``region_ids``, resolved when the viewer is built (kept with it in the session), so case
    # lists filter on the case's own PDU instead of joining every case to its PDU. None: not resolved (an
    # API client's viewer, built per request), and the filter joins instead.
    region_pdu_ids: frozenset[int] | None = None
    national: bool = False
    is_admin: bool = False
    grants: tuple[str, ...] = field(default_factory=tuple)
    # Inspectors read and never write, whatever else they hold.
    read_only: bool = False
    # Set for another system calling the API with a token; ``api_scopes`` are the token's scopes.
    api_client_id: int | None = None
    api_scopes: frozenset[str] = frozenset()

    @property
    def is_practitioner(self) -> bool:
        return Role.PRACTITIONER in self.roles

    @property
    def is_api_client(self) -> bool:
        return self.api_client_id is not None

    @property
    def has_case_scope(self) -> bool:
        """Whether the viewer can see any case at all."""
        organisational = bool(self.team_ids or self.pdu_ids or self.region_ids or self.national)
        if self.is_api_client:
            return ApiScope.CASES_READ in self.api_scopes and organisational
        return bool(self.staff_id and (self.is_practitioner or organisational))

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


ANONYMOUS = Viewer(user_id=None, username="")


def membership_current_on(today: dt.date) -> Q:
    """Team memberships that hold on ``today`` (a filter on ``TeamMembership``): the one definition."""
    return Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))


def staff_of(user) -> Staff | None:
    """``user``'s staff record or ``None``; no query when the backend loaded it with the user."""
    try:
        return user.staff
    except Staff.DoesNotExist:
        return None


def viewer_for(user, *, today: dt.date | None = None) -> Viewer:
    """Build the ``Viewer`` for ``user`` as of ``today`` (defaults to the local date)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    today = today or timezone.localdate()
    staff = staff_of(user)
    roles: set[Role] = set()
    is_admin = bool(user.is_superuser)
    if staff is None or not staff.is_active_on(today):
        if is_admin:
            roles.add(Role.ADMINISTRATOR)
        return Viewer(user_id=user.pk, username=user.get_username(), roles=frozenset(roles), is_admin=is_admin)

    if staff.grade == Grade.ADMIN:
        is_admin = True
    if is_admin:
        roles.add(Role.ADMINISTRATOR)
    if staff.grade in Grade.practitioner_grades() and staff.grade != Grade.SPO:
        roles.add(Role.PRACTITIONER)

    current = membership_current_on(today)
    # The team's PDU comes with each membership (a join, not a query of its own): an SPO's allocation
    # queue is the PDUs of the teams they manage, and those are always teams they are a member of.
    memberships = list(
        TeamMembership.objects.filter(current, staff=staff).values_list("team_id", "role", "team__pdu_id")
    )
    team_ids = {team_id for team_id, _, _ in memberships}
    managed = {team_id for team_id, role, _ in memberships if role == TeamMembership.Role.MANAGER}
    if staff.grade == Grade.SPO or managed:
        roles.add(Role.SPO)
        if staff.grade == Grade.SPO:
            managed |= team_ids

    pdu_ids: set[int] = set()
    region_ids: set[int] = set()
    national = False
    grants = []
    # Only an approved grant opens case data (one waiting for a second person's approval, or rejected, never).
    grant_current = Q(status=GrantStatus.APPROVED, starts_on__lte=today, ends_on__gte=today)
    # An inspector's grant counts only while its inspection exercise runs.
    exercise_running = Q(exercise__isnull=True) | Q(exercise__starts_on__lte=today, exercise__ends_on__gte=today)
    current_grants = ScopeGrant.objects.filter(grant_current, exercise_running, staff=staff).select_related(
        "team", "pdu", "region", "exercise"
    )
    for grant in current_grants:
        roles.add(Role(grant.role))
        label = f"{grant.get_role_display()}: {grant.scope_label}"
        grants.append(f"{label} ({grant.exercise.name})" if grant.exercise else label)
        if grant.national:
            national = True
        elif grant.region_id:
            region_ids.add(grant.region_id)
        elif grant.pdu_id:
            pdu_ids.add(grant.pdu_id)
        elif grant.team_id:
            team_ids.add(grant.team_id)

    region_pdu_ids = (frozenset(Pdu.objects.filter(region_id__in=region_ids).values_list("pk", flat=True))
                      if region_ids else frozenset())

    # ``managed`` holds membership teams only (grants above add readable teams, never managed ones).
    queue_pdu_ids = {pdu_id for team_id, _, pdu_id in memberships if team_id in managed}

    return Viewer(
        user_id=user.pk,
        username=user.get_username(),
        staff_id=staff.pk,
        staff_name=staff.name,
        grade=staff.grade,
        roles=frozenset(roles),
        team_ids=frozenset(team_ids),
        managed_team_ids=frozenset(managed),
        queue_pdu_ids=frozenset(queue_pdu_ids),
        pdu_ids=frozenset(pdu_ids),
        region_ids=frozenset(region_ids),
        region_pdu_ids=region_pdu_ids,
        national=national,
        is_admin=is_admin,
        grants=tuple(grants),
        read_only=Role.INSPECTOR in roles,
    )


def viewer_for_token(token: ApiToken) -> Viewer:
    """The ``Viewer`` for another system calling with ``token``: its client's scope, the token's scopes."""
    client = token.client
    return Viewer(
        user_id=client.user_id,
        username=client.user.get_username(),
        roles=frozenset({Role.API_CLIENT}),
        team_ids=frozenset({client.team_id} if client.team_id else ()),
        pdu_ids=frozenset({client.pdu_id} if client.pdu_id else ()),
        region_ids=frozenset({client.region_id} if client.region_id else ()),
        national=client.national,
        read_only=True,
        api_client_id=client.pk,
        api_scopes=frozenset(token.scopes),
    )


def request_viewer(request) -> Viewer:
    """The request's ``Viewer``, computed once and cached on the request.

    An API request authenticated with a token (``request.auth``, set by Django REST framework) gets
    the token's viewer; everything else gets the signed-in person's, kept in their session.
    """
    from casework.access.scope_cache import kept_viewer

    viewer = getattr(request, "_casework_viewer", None)
    if viewer is None or viewer.user_id != getattr(request.user, "pk", None):
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            viewer = viewer_for_token(token)
        elif not request.user.is_authenticated:
            viewer = ANONYMOUS
        else:
            # Kept in the session while nothing that decides it has changed (casework.access.scope_cache).
            viewer = kept_viewer(getattr(request, "session", None), request.user, viewer_for)
        request._casework_viewer = viewer
    return viewer
