"""The signed-in person's access scope, kept in their session so a page does not work it out again.

A ``Viewer`` comes from the staff record, the current team memberships and the current scope grants.
Those change rarely, so the scope is computed once, kept in the (server-side) session with the date it
was computed for and the staff record's ``access_version``, and reused while both still hold:

- any write to a team membership, scope grant, inspection exercise, staff record, user account or PDU gives
  every staff record it concerns a new ``access_version`` (signals in ``connect_signals``, so every write
  path counts: services, the admin, tests), and that person's next request recomputes;
- a new day recomputes (memberships, grants and inspection exercises start and end on dates).

The version is a fresh random number, not a counter: a stale copy of a staff record saved later cannot
bring back a version a kept scope was stamped with (the staff record's own save draws a new one after it).

Reading the version costs nothing: the staff record comes with the user (``casework.account.backends``).
Queryset ``update()`` and ``bulk_create`` bypass signals: code that writes these models in bulk calls
``bump_access_version`` itself.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from casework.access.models import Role
from casework.access.viewer import Viewer, staff_of

SESSION_KEY = "casework_scope"
# Bump when the stored shape changes: older sessions then recompute instead of misreading.
FORMAT = 2

_SETS = ("team_ids", "managed_team_ids", "queue_pdu_ids", "pdu_ids", "region_ids")


def to_session(viewer: Viewer, *, version: int, day: dt.date, is_superuser: bool) -> dict[str, Any]:
    """The JSON-able form of ``viewer`` kept in the session."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "user_id": viewer.user_id,
        "staff_id": viewer.staff_id,
        "version": version,
        "day": day.isoformat(),
        "is_superuser": is_superuser,
        "staff_name": viewer.staff_name,
        "grade": viewer.grade,
        "roles": sorted(role.value for role in viewer.roles),
        "national": viewer.national,
        "is_admin": viewer.is_admin,
        "grants": list(viewer.grants),
        "read_only": viewer.read_only,
        "region_pdu_ids": sorted(viewer.region_pdu_ids) if viewer.region_pdu_ids is not None else None,
    }
    for name in _SETS:
        data[name] = sorted(getattr(viewer, name))
    return data


def from_session(data: Any, *, user, version: int, day: dt.date) -> Viewer | None:
    """The kept viewer if it still holds for ``user`` at this ``version`` on ``day``, else ``None``."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    if (data.get("user_id") != user.pk or data.get("version") != version or data.get("day") != day.isoformat()
            or data.get("is_superuser") != bool(user.is_superuser)):
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
        region_pdu_ids=frozenset(data["region_pdu_ids"]) if data["region_pdu_ids"] is not None else None,
        **{name: frozenset(data[name]) for name in _SETS},
    )


def kept_viewer(session, user, build) -> Viewer:
    """``user``'s viewer: the one kept in ``session`` while it holds, else ``build(user)`` (then kept).

    Someone without a staff record is not kept: their viewer costs no query.
    """
    staff = staff_of(user)
    if staff is None or session is None:
        return build(user)
    today = timezone.localdate()
    viewer = from_session(session.get(SESSION_KEY), user=user, version=staff.access_version, day=today)
    if viewer is None:
        viewer = build(user)
        session[SESSION_KEY] = to_session(viewer, version=staff.access_version, day=today,
                                          is_superuser=bool(user.is_superuser))
    return viewer


def bump_access_version(staff_ids: Iterable[int | None]) -> int | None:
    """Make every kept scope of these staff records stale (they recompute on their next request)."""
    from casework.workforce.models import Staff

    ids = {pk for pk in staff_ids if pk is not None}
    if not ids:
        return None
    version = secrets.randbits(62)
    Staff.objects.filter(pk__in=ids).update(access_version=version)
    return version


def _staff_changed(sender, instance, **kwargs) -> None:
    version = bump_access_version([instance.pk])
    if version is not None:
        instance.access_version = version


def _user_changed(sender, instance, **kwargs) -> None:
    from casework.workforce.models import Staff

    version = bump_access_version(Staff.objects.filter(user_id=instance.pk).values_list("pk", flat=True))
    # The staff record loaded with this user (sign-in saves last_login) carries the new version too.
    if version is not None and type(instance).staff.is_cached(instance) and instance.staff is not None:
        instance.staff.access_version = version


def _membership_or_grant_changed(sender, instance, **kwargs) -> None:
    bump_access_version([instance.staff_id])


def _exercise_changed(sender, instance, **kwargs) -> None:
    from casework.access.models import ScopeGrant

    bump_access_version(ScopeGrant.objects.filter(exercise_id=instance.pk).values_list("staff_id", flat=True))


def _pdu_changed(sender, instance, **kwargs) -> None:
    from casework.access.models import ScopeGrant

    # Region-wide grants hold their region's PDUs as a list: a PDU added, moved or removed changes it.
    bump_access_version(ScopeGrant.objects.filter(region__isnull=False).values_list("staff_id", flat=True))


def connect_signals() -> None:
    """Every save or delete of what decides access makes the scopes it concerns stale (``AccessConfig.ready``)."""
    from django.contrib.auth import get_user_model

    from casework.access.models import InspectionExercise, ScopeGrant
    from casework.organisation.models import Pdu
    from casework.workforce.models import Staff, TeamMembership

    for signal in (post_save, post_delete):
        uid = "save" if signal is post_save else "delete"
        signal.connect(_staff_changed, sender=Staff, dispatch_uid=f"scope-staff-{uid}")
        signal.connect(_user_changed, sender=get_user_model(), dispatch_uid=f"scope-user-{uid}")
        signal.connect(_membership_or_grant_changed, sender=TeamMembership, dispatch_uid=f"scope-membership-{uid}")
        signal.connect(_membership_or_grant_changed, sender=ScopeGrant, dispatch_uid=f"scope-grant-{uid}")
        signal.connect(_exercise_changed, sender=InspectionExercise, dispatch_uid=f"scope-exercise-{uid}")
        signal.connect(_pdu_changed, sender=Pdu, dispatch_uid=f"scope-pdu-{uid}")
