"""Permissions: what each role may do. Every view declares one with ``@requires``.

Object-level rules (which case) live in ``casework.access.visibility``; this module answers
"may this viewer use this kind of page or action at all?". Deny by default: a permission not
listed in ``RULES`` is refused to everyone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum

from django.core.exceptions import PermissionDenied

from casework.access.models import Role
from casework.access.viewer import Viewer, request_viewer


class Perm(StrEnum):
    SIGNED_IN = "signed_in"
    CASELOAD_OWN = "caseload.view_own"
    TEAM_VIEW = "team.view"
    CASE_VIEW = "case.view"
    CASE_SEARCH = "case.search"
    CASE_EDIT = "case.edit"
    CONTACT_RECORD = "contact.record"
    RULES_USE = "rules.use"
    ADMIN = "admin.access"


RULES: dict[Perm, Callable[[Viewer], bool]] = {
    Perm.SIGNED_IN: lambda v: v.user_id is not None,
    Perm.CASELOAD_OWN: lambda v: v.is_practitioner,
    Perm.TEAM_VIEW: lambda v: bool(v.team_ids or v.pdu_ids or v.region_ids or v.national),
    Perm.CASE_VIEW: lambda v: v.has_case_scope,
    Perm.CASE_SEARCH: lambda v: v.has_case_scope,
    Perm.CASE_EDIT: lambda v: v.has_role(Role.PRACTITIONER, Role.SPO),
    Perm.CONTACT_RECORD: lambda v: v.has_role(Role.PRACTITIONER, Role.SPO),
    Perm.RULES_USE: lambda v: v.staff_id is not None or v.is_admin,
    Perm.ADMIN: lambda v: v.is_admin,
}


def has_perm(viewer: Viewer, perm: Perm) -> bool:
    """Whether ``viewer`` holds ``perm`` (False for anything not in ``RULES``)."""
    rule = RULES.get(perm)
    return bool(rule and viewer.user_id is not None and rule(viewer))


def requires(perm: Perm):
    """Declare and enforce the permission a view needs; refuses with 403 otherwise."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            viewer = request_viewer(request)
            if not has_perm(viewer, perm):
                raise PermissionDenied(f"This page needs the {perm.value} permission")
            request.viewer = viewer
            return view(request, *args, **kwargs)

        wrapped.casework_permission = perm
        return wrapped

    return decorate
