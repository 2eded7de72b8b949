"""Permissions: what each role may do. Every view declares one with ``@requires``.

Object-level rules (which case) live in ``casework.access.visibility``; this module answers
"may this viewer use this kind of page or action at all?". Deny by default: a permission not
listed in ``RULES`` (people) or ``API_CLIENT_RULES`` (other systems) is refused.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import PermissionDenied

from casework.access.models import ApiScope, Role
from casework.access.viewer import Viewer, request_viewer


class Perm(StrEnum):
    SIGNED_IN = "signed_in"
    CASELOAD_OWN = "caseload.view_own"
    TEAM_VIEW = "team.view"
    CASE_VIEW = "case.view"
    CASE_SEARCH = "case.search"
    CASE_EXPORT = "case.export"
    OVERSIGHT_VIEW = "safeguards.oversight"
    CASE_EDIT = "case.edit"
    CONTACT_RECORD = "contact.record"
    SUPERVISION_RECORD = "supervision.record"
    TASKS_VIEW = "tasks.view"
    ENFORCEMENT_VIEW = "enforcement.view"
    ALLOCATE = "allocation.allocate"
    STAFF_VIEW = "workforce.view"
    REDUCTION_CHANGE = "workforce.reductions"
    ESTABLISHMENT_CHANGE = "workforce.establishment"
    WORKLOAD_VIEW = "workforce.workload"
    RECALL_COUNTERSIGN = "recall.countersign"
    QUALITY_VIEW = "quality.view"
    QUALITY_RUN = "quality.run"
    RULES_USE = "rules.use"
    API_SCHEMA = "api.schema"
    AUDIT_VIEW = "audit.view"
    ACCESS_MANAGE = "access.manage"
    GRANT_APPROVE = "access.approve"
    ADMIN = "admin.access"


def _writes(viewer: Viewer) -> bool:
    return viewer.has_role(Role.PRACTITIONER, Role.SPO) and not viewer.read_only


def _workforce_manager(viewer: Viewer) -> bool:
    """An administrator, an SPO managing a team, or a head of PDU with a PDU."""
    return viewer.is_admin or (viewer.has_role(Role.SPO) and bool(viewer.managed_team_ids)) or (
        viewer.has_role(Role.HEAD_OF_PDU) and bool(viewer.pdu_ids))


RULES: dict[Perm, Callable[[Viewer], bool]] = {
    Perm.SIGNED_IN: lambda v: v.user_id is not None,
    Perm.CASELOAD_OWN: lambda v: v.is_practitioner,
    Perm.TEAM_VIEW: lambda v: bool(v.team_ids or v.pdu_ids or v.region_ids or v.national),
    Perm.CASE_VIEW: lambda v: v.has_case_scope,
    Perm.CASE_SEARCH: lambda v: v.has_case_scope,
    # Lists of cases leave the service in a file: managers, quality assurance and inspectors only.
    Perm.CASE_EXPORT: lambda v: v.has_case_scope and v.has_role(
        Role.SPO, Role.HEAD_OF_PDU, Role.QUALITY_ASSURANCE, Role.INSPECTOR),
    # Safeguard oversight figures by team and practitioner: managers, quality assurance and inspectors.
    Perm.OVERSIGHT_VIEW: lambda v: v.has_case_scope and v.has_role(
        Role.SPO, Role.HEAD_OF_PDU, Role.QUALITY_ASSURANCE, Role.INSPECTOR),
    Perm.CASE_EDIT: _writes,
    Perm.CONTACT_RECORD: _writes,
    # Appointments, registrations, risk assessments and plans, risk events (casework.supervision).
    Perm.SUPERVISION_RECORD: _writes,
    # Safeguard tasks (/tasks/): practitioners their own, SPOs their teams' (casework.safeguards).
    Perm.TASKS_VIEW: lambda v: v.is_practitioner or (v.has_role(Role.SPO) and bool(v.managed_team_ids)),
    # Enforcement signals (/enforcement/): SPOs their teams' open signals and decisions awaiting oversight,
    # heads of PDU the counts by team (casework.enforcement).
    Perm.ENFORCEMENT_VIEW: lambda v: v.has_case_scope and (
        (v.has_role(Role.SPO) and bool(v.managed_team_ids)) or (v.has_role(Role.HEAD_OF_PDU) and bool(v.pdu_ids))),
    # The allocation queue, one-case allocation, batch proposals and the override report
    # (casework.allocation): SPOs for their teams, heads of PDU for their PDU. Never inspectors.
    Perm.ALLOCATE: lambda v: not v.read_only and v.staff_id is not None and (
        (v.has_role(Role.SPO) and bool(v.managed_team_ids)) or (v.has_role(Role.HEAD_OF_PDU) and bool(v.pdu_ids))),
    # Staff records, reductions and team establishments (/staff/, /establishment/): administrators every
    # team's, SPOs their teams', heads of PDU their PDU's (which staff: casework.access.visibility).
    Perm.STAFF_VIEW: lambda v: _workforce_manager(v),
    # Adding, changing and ending workforce reductions (the services decide for which staff).
    Perm.REDUCTION_CHANGE: lambda v: _workforce_manager(v) and not v.read_only,
    # Setting a team's funded posts: administrators and heads of PDU.
    Perm.ESTABLISHMENT_CHANGE: lambda v: not v.read_only and (
        v.is_admin or (v.has_role(Role.HEAD_OF_PDU) and bool(v.pdu_ids))),
    # Practitioners' workload (/workload/): SPOs their teams', heads of PDU their PDU's (which teams:
    # casework.access.visibility.workforce_teams). Not quality assurance or inspectors: the page shows
    # each named member of staff's reductions (sickness, maternity leave, disability) as well as their
    # caseload figures, which is line management information, not case practice; nor administrators,
    # who manage records, not people.
    Perm.WORKLOAD_VIEW: lambda v: not v.read_only and v.staff_id is not None and (
        (v.has_role(Role.SPO) and bool(v.managed_team_ids)) or (v.has_role(Role.HEAD_OF_PDU) and bool(v.pdu_ids))),
    # The recalls waiting for oversight or countersignature (/recalls/): SPOs for their teams, heads of PDU
    # for their PDU (which recalls: casework.access.visibility.recall_oversight_scope). Never inspectors.
    Perm.RECALL_COUNTERSIGN: lambda v: not v.read_only and v.staff_id is not None and (
        (v.has_role(Role.SPO) and bool(v.managed_team_ids)) or (v.has_role(Role.HEAD_OF_PDU) and bool(v.pdu_ids))),
    # Quality assurance exercises (/quality/): quality assurance staff those in their scope, heads of PDU
    # their PDU's results (which exercises: casework.access.visibility.quality_exercise_filter).
    Perm.QUALITY_VIEW: lambda v: v.has_case_scope and v.staff_id is not None and (
        v.has_role(Role.QUALITY_ASSURANCE) or (v.has_role(Role.HEAD_OF_PDU) and bool(v.pdu_ids))),
    # Setting up, sampling, assessing and moderating: quality assurance staff, never inspectors.
    Perm.QUALITY_RUN: lambda v: v.has_case_scope and not v.read_only and v.staff_id is not None
    and v.has_role(Role.QUALITY_ASSURANCE),
    Perm.RULES_USE: lambda v: v.staff_id is not None or v.is_admin,
    Perm.API_SCHEMA: lambda v: v.user_id is not None,
    Perm.AUDIT_VIEW: lambda v: v.is_admin,
    Perm.ACCESS_MANAGE: lambda v: v.is_admin,
    # Deciding on others' access: heads of PDU, and those with a national grant. Which grants exactly
    # is ``casework.access.selectors.approval_authority``; administrators only ask for grants.
    Perm.GRANT_APPROVE: lambda v: v.has_role(Role.HEAD_OF_PDU) or (v.national and v.has_role(Role.QUALITY_ASSURANCE)),
    Perm.ADMIN: lambda v: v.is_admin,
}

# Another system holds only what its token's scopes give; it never uses a page.
API_CLIENT_RULES: dict[Perm, Callable[[Viewer], bool]] = {
    Perm.API_SCHEMA: lambda v: True,
    Perm.RULES_USE: lambda v: ApiScope.RULES in v.api_scopes,
    Perm.CASE_VIEW: lambda v: v.has_case_scope,
}

# Roles that must confirm a time-based one-time password after their password (when enforced).
SECOND_FACTOR_ROLES = (Role.SPO, Role.HEAD_OF_PDU, Role.ADMINISTRATOR)


def has_perm(viewer: Viewer, perm: Perm) -> bool:
    """Whether ``viewer`` holds ``perm`` (False for anything its rules table does not list)."""
    if viewer.user_id is None:
        return False
    rule = (API_CLIENT_RULES if viewer.is_api_client else RULES).get(perm)
    return bool(rule and rule(viewer))


def second_factor_required(viewer: Viewer) -> bool:
    """Whether this person must confirm a one-time password before using Casework."""
    return bool(settings.SECOND_FACTOR_ENFORCED and not viewer.is_api_client
                and viewer.has_role(*SECOND_FACTOR_ROLES))


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
