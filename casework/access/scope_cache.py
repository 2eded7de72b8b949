"""The signed-in person's access scope, kept in their session so a page does not work it out again.

A ``Viewer`` comes from the staff record, the current team memberships and the current scope grants.
Those change rarely, so the scope is computed once, kept in the (server-side) session with the date it
was computed for and the staff record's ``access_version``, and reused while both still hold:

- any write to a team membership, scope grant, inspection exercise, staff record or user account bumps
  the ``access_version`` of every staff record it concerns (signals below, so every write path counts:
  services, the admin, data migrations, tests), and the next request of that person recomputes;
- a new day recomputes (memberships and grants start and end on dates);
- a grant that ends at a time, not a date, keeps the scope only until then (``valid_until``).

Reading the version costs nothing: the staff record comes with the user (``casework.account.backends``).
Queryset ``update()`` and ``bulk_create`` bypass signals: code that writes these models in bulk calls
``bump_access_version`` itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import F
from django.utils import timezone

from casework.access.models import Role
from casework.access.viewer import Viewer

SESSION_KEY = "casework_scope"
# Bump when the stored shape changes: older sessions then recompute instead of misreading.
FORMAT = 1

_SETS = ("team_ids", "managed_team_ids", "queue_pdu_ids", "pdu_ids", "region_ids")


def to_session(viewer: Viewer, *, version: int, day: dt.date, is_superuser: bool,
               valid_until: dt.datetime | None = None) -> dict[str, Any]:
    """The JSON-able form of ``viewer`` kept in the session."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "user_id": viewer.user_id,
        "staff_id": viewer.staff_id,
        "version": version,
        "day": day.isoformat(),
        "is_superuser": is_superuser,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "staff_name": viewer.staff_name,
        "grade": viewer.grade,
        "roles": sorted(role.value for role in viewer.roles),
        "national": viewer.national,
        "is_admin": viewer.is_admin,
        "grants": list(viewer.grants),
        "read_only": viewer.read_only,
    }
    for name in _SETS:
        data[name] = sorted(getattr(viewer, name))
    return data


def from_session(data: Any, *, user, version: int, day: dt.date, now: dt.datetime) -> Viewer | None:
    """The kept viewer if it still holds for ``user`` at this ``version`` on ``day``, else ``None``."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    if (data.get("user_id") != user.pk or data.get("version") != version or data.get("day") != day.isoformat()
            or data.get("is_superuser") != bool(user.is_superuser)):
        return None
    valid_until = data.get("valid_until")
    if valid_until and dt.datetime.fromisoformat(valid_until) <= now:
        return None
    return Viewer(
        user_id=user.pk,
        username=user.get_username(),
        staff_id=data["staff_id"],
        staff_name=data["staff_name"],
        grade=data["grade"],
        roles=frozenset(Role(value) for value in data["roles"]),
        national=data["national"],
        is_admin=data["is_admin"],
        grants=tuple(data["grants"]),
        read_only=data["read_only"],
        **{name: frozenset(data[name]) for name in _SETS},
    )


def session_viewer(request, build) -> Viewer:
    """The viewer for the request's signed-in person: from the session if it still holds, else ``build(user)``.

    ``build`` returns ``(viewer, valid_until)``; a person without a staff record is not kept (their viewer
    costs no query).
    """
    user = request.user
    staff = getattr(user, "staff", None) if _has_staff(user) else None
    if staff is None:
        return build(user)[0]
    today = timezone.localdate()
    now = timezone.now()
    session = request.session
    viewer = from_session(session.get(SESSION_KEY), user=user, version=staff.access_version, day=today, now=now)
    if viewer is None:
        viewer, valid_until = build(user)
        session[SESSION_KEY] = to_session(viewer, version=staff.access_version, day=today,
                                          is_superuser=bool(user.is_superuser), valid_until=valid_until)
    return viewer


def _has_staff(user) -> bool:
    from casework.workforce.models import Staff

    try:
        user.staff  # noqa: B018 - loaded with the user by the authentication backend, else one query
    except Staff.DoesNotExist:
        return False
    return True


def bump_access_version(staff_ids: Iterable[int | None]) -> None:
    """Make every kept scope of these staff records stale (they recompute on their next request)."""
    from casework.workforce.models import Staff

    ids = {pk for pk in staff_ids if pk is not None}
    if ids:
        Staff.objects.filter(pk__in=ids).update(access_version=F("access_version") + 1)
