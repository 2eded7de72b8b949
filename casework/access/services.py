"""Writes of the access context: who may see what, and the audit of reads that must be recorded.

Every change to access — scope grants, limited access on a case, inspection exercises, API clients
and their tokens — goes through here, is made by an administrator and is audited in the same
transaction. Views of limited-access cases and every export of case lists are recorded too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from casework.access.models import ApiClient, ApiScope, ApiToken, GrantStatus, InspectionExercise, Role, ScopeGrant
from casework.access.policy import Perm, has_perm
from casework.access.scope_cache import bump_access_version
from casework.access.selectors import approval_authority
from casework.access.tokens import digest_of, new_token
from casework.access.viewer import viewer_for
from casework.audit.services import AuditEntry, audit_record, audit_record_many
from casework.core.errors import DomainValidationError, NotPermittedError
from casework.organisation.models import Pdu, Region, Team
from casework.record.choices import AccessKind
from casework.record.models import Case, CaseAccess
from casework.workforce.models import Staff

ONLY_ADMINISTRATORS = "Only administrators change who may see what"
ONE_SCOPE = "Select exactly one of a team, a PDU, a region or England and Wales"
AT_MOST_ONE_SCOPE = "Select at most one of a team, a PDU, a region or England and Wales"
REASON_REQUIRED = "Enter the reason"
GRANT_ROLE_UNKNOWN = "Select head of PDU, quality assurance or inspector"
START_REQUIRED = "Enter the start date"
ENDS_BEFORE_START = "The end date must be the same as or after the start date"
INSPECTOR_NEEDS_EXERCISE = "Select the inspection exercise the inspector is part of"
EXERCISE_ONLY_FOR_INSPECTORS = "Only an inspector's access belongs to an inspection exercise"
INSPECTOR_OUTSIDE_SCOPE = "An inspector's access must lie inside the inspection exercise's scope"
INSPECTOR_OUTSIDE_DATES = "An inspector's access must start and end within the inspection exercise's dates"
NAME_REQUIRED = "Enter a name"
NAME_TAKEN = "That name is already in use"
ACCESS_KIND_UNKNOWN = "Select excluded or permitted"
LAST_PERMITTED = ("A restricted case must keep at least one person who may see it: "
                  "lift the restriction instead")
SCOPES_REQUIRED = "Select at least one scope"
SCOPE_UNKNOWN = "Unknown scope {scope!r}: use {choices}"
EXPIRY_IN_PAST = "The expiry must be in the future"
EXPIRY_TOO_FAR = "API tokens last at most a year"
CASES_NEED_CLIENT_SCOPE = "A token that reads cases needs a client with a team, PDU, region or England and Wales"
TOKEN_LIFETIME_MAX = dt.timedelta(days=366)
# A grant lasts at most a year; carrying on means a new grant, approved again.
GRANT_LIFETIME_MAX = dt.timedelta(days=366)
END_REQUIRED = "Enter the end date: access to cases is always for a fixed time"
GRANT_TOO_LONG = "A grant lasts at most a year: give an end date within a year of the start"
NOT_FOR_YOURSELF = "You cannot ask for access to cases for yourself: another administrator has to"
ENDS_ONLY_EARLIER = "A grant's end date can only be brought forward: to extend it, ask for a new grant"
GRANT_NOT_OPEN = "This grant has already been rejected or has expired"
DECISION_UNKNOWN = "Select approve or reject"
NOT_PENDING = "This grant has already been decided"
GRANT_ENDED = "This grant's end date has passed: it can no longer be approved"
OWN_GRANT = "You cannot approve or reject a grant for yourself"
OWN_REQUEST = "You cannot approve or reject a grant you asked for: someone else has to"
NO_AUTHORITY = "Only the head of the PDU, or someone with national authority, may decide on this grant"
FIRST_NATIONAL_ONLY = ("Only the first national grant is approved this way: someone with national authority "
                       "already exists and must decide")
FIRST_MUST_BE_NATIONAL = "Only a national grant can be the first one approved this way"


def _require_admin(by) -> None:
    if not has_perm(viewer_for(by), Perm.ACCESS_MANAGE):
        raise NotPermittedError(ONLY_ADMINISTRATORS)


def _scope_snapshot(obj) -> dict[str, Any]:
    return {"team": obj.team_id, "pdu": obj.pdu_id, "region": obj.region_id, "national": obj.national,
            "scope": obj.scope_label}


def _check_scope(team: Team | None, pdu: Pdu | None, region: Region | None, national: bool, *,
                 allow_none: bool = False) -> str | None:
    chosen = sum(x is not None for x in (team, pdu, region)) + int(bool(national))
    if chosen == 1 or (chosen == 0 and allow_none):
        return None
    return AT_MOST_ONE_SCOPE if allow_none else ONE_SCOPE


def _scopes_containing(team: Team | None, pdu: Pdu | None, region: Region | None, national: bool) -> set:
    """Every scope that contains the given one (itself included)."""
    if national:
        return {("national", None)}
    if team is not None:
        return {("team", team.pk), ("pdu", team.pdu_id), ("region", team.pdu.region_id), ("national", None)}
    if pdu is not None:
        return {("pdu", pdu.pk), ("region", pdu.region_id), ("national", None)}
    return {("region", region.pk), ("national", None)}


def _scope_key(obj) -> tuple[str, int | None]:
    if obj.national:
        return ("national", None)
    if obj.team_id:
        return ("team", obj.team_id)
    if obj.pdu_id:
        return ("pdu", obj.pdu_id)
    return ("region", obj.region_id)


# Scope grants.


@transaction.atomic
def scope_grant_create(
    *,
    staff: Staff,
    role: str,
    by,
    reason: str,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    team: Team | None = None,
    pdu: Pdu | None = None,
    region: Region | None = None,
    national: bool = False,
    exercise: InspectionExercise | None = None,
) -> ScopeGrant:
    """Ask for ``staff`` to have read access in ``role`` over one scope for a dated period; audited.

    The grant is ``PENDING``: it opens nothing until a second person with authority over its scope
    approves it (``scope_grant_decide``). Nobody asks for a grant for themselves. Every grant has an
    end date, at most a year after its start. An inspector's grant needs its inspection exercise, and
    defaults to the exercise's scope and dates.
    """
    _require_admin(by)
    errors: dict[str, str] = {}
    if role not in ScopeGrant.GRANTABLE:
        raise DomainValidationError({"role": GRANT_ROLE_UNKNOWN})
    if staff.user_id is not None and staff.user_id == by.pk:
        raise NotPermittedError(NOT_FOR_YOURSELF)
    if role == Role.INSPECTOR:
        if exercise is None:
            raise DomainValidationError({"exercise": INSPECTOR_NEEDS_EXERCISE})
        if team is None and pdu is None and region is None and not national:
            team, pdu, region, national = exercise.team, exercise.pdu, exercise.region, exercise.national
        starts_on = starts_on or exercise.starts_on
        ends_on = ends_on or exercise.ends_on
    elif exercise is not None:
        errors["exercise"] = EXERCISE_ONLY_FOR_INSPECTORS
    if not reason.strip():
        errors["reason"] = REASON_REQUIRED
    if starts_on is None:
        errors["starts_on"] = START_REQUIRED
    if ends_on is None:
        errors["ends_on"] = END_REQUIRED
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = ENDS_BEFORE_START
    elif starts_on is not None and ends_on - starts_on > GRANT_LIFETIME_MAX:
        errors["ends_on"] = GRANT_TOO_LONG
    scope_error = _check_scope(team, pdu, region, national)
    if scope_error:
        errors["scope"] = scope_error
    elif exercise is not None and role == Role.INSPECTOR:
        if _scope_key(exercise) not in _scopes_containing(team, pdu, region, national):
            errors["scope"] = INSPECTOR_OUTSIDE_SCOPE
        if starts_on and ends_on and not (exercise.starts_on <= starts_on and ends_on <= exercise.ends_on):
            errors["ends_on"] = INSPECTOR_OUTSIDE_DATES
    if errors:
        raise DomainValidationError(errors)
    grant = ScopeGrant.objects.create(
        staff=staff, role=role, team=team, pdu=pdu, region=region, national=national, exercise=exercise,
        starts_on=starts_on, ends_on=ends_on, reason=reason.strip(), created_by=by, status=GrantStatus.PENDING,
    )
    audit_record(actor=by, action="access.grant_request", obj=grant,
                 detail=f"{grant}: {grant.reason} (waiting for approval)",
                 after={"staff": staff.pk, "role": role, **_scope_snapshot(grant), "starts_on": starts_on,
                        "ends_on": ends_on, "exercise": exercise.pk if exercise else None,
                        "status": GrantStatus.PENDING})
    return grant


@transaction.atomic
def scope_grant_decide(*, grant: ScopeGrant, approve: bool, by, reason: str,
                       today: dt.date | None = None) -> ScopeGrant:
    """Approve or reject a pending grant; audited (``access.grant_approve`` or ``access.grant_reject``).

    Only a second person with authority over the grant's scope decides (``casework.access.selectors``):
    never the person the grant is for, never the person who asked for it. A rejection needs a reason;
    an approval may give one. A grant whose end date has passed can no longer be approved.
    """
    today = today or timezone.localdate()
    grant = ScopeGrant.objects.select_for_update(of=("self",)).select_related("staff", "team").get(pk=grant.pk)
    if grant.staff.user_id is not None and grant.staff.user_id == by.pk:
        raise NotPermittedError(OWN_GRANT)
    if grant.created_by_id is not None and grant.created_by_id == by.pk:
        raise NotPermittedError(OWN_REQUEST)
    by_staff_id = getattr(getattr(by, "staff", None), "pk", None)
    if not approval_authority(staff_id=by_staff_id, today=today).covers(grant):
        raise NotPermittedError(NO_AUTHORITY)
    if grant.status != GrantStatus.PENDING:
        raise DomainValidationError({"decision": NOT_PENDING})
    if grant.ends_on < today:
        raise DomainValidationError({"decision": GRANT_ENDED})
    reason = reason.strip()
    if not approve and not reason:
        raise DomainValidationError({"reason": REASON_REQUIRED})
    before = {"status": grant.status}
    grant.status = GrantStatus.APPROVED if approve else GrantStatus.REJECTED
    grant.decided_by, grant.decided_at, grant.decision_reason = by, timezone.now(), reason[:300]
    # save(), not update(): access caches listen for changes to grants.
    grant.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    verb = "approve" if approve else "reject"
    audit_record(actor=by, action=f"access.grant_{verb}", obj=grant,
                 detail=f"{grant}: {reason}" if reason else str(grant), before=before,
                 after={"status": grant.status, "staff": grant.staff_id, "role": grant.role,
                        **_scope_snapshot(grant), "starts_on": grant.starts_on, "ends_on": grant.ends_on})
    return grant


@transaction.atomic
def scope_grant_approve_first_national(*, grant: ScopeGrant, by, reason: str,
                                       today: dt.date | None = None) -> ScopeGrant:
    """Approve the first national grant of a new deployment, from the server's command line; audited.

    Grants are approved by someone with authority over their scope, and national authority itself
    comes only from an approved national grant: on a new deployment nobody has it yet. This one step
    lets a second administrator approve a pending national grant while no approved, current national
    grant exists. Everything else holds: never for yourself, never a grant you asked for, a reason,
    the audit (``access.grant_approve``, its detail saying how it was approved). Once one exists, the
    people it names approve every other grant through the usual page.
    """
    today = today or timezone.localdate()
    _require_admin(by)
    grant = ScopeGrant.objects.select_for_update(of=("self",)).select_related("staff").get(pk=grant.pk)
    if grant.staff.user_id is not None and grant.staff.user_id == by.pk:
        raise NotPermittedError(OWN_GRANT)
    if grant.created_by_id is not None and grant.created_by_id == by.pk:
        raise NotPermittedError(OWN_REQUEST)
    if not grant.national:
        raise DomainValidationError({"grant": FIRST_MUST_BE_NATIONAL})
    if ScopeGrant.objects.filter(national=True, status=GrantStatus.APPROVED, starts_on__lte=today,
                                 ends_on__gte=today).exists():
        raise NotPermittedError(FIRST_NATIONAL_ONLY)
    if grant.status != GrantStatus.PENDING:
        raise DomainValidationError({"decision": NOT_PENDING})
    if grant.ends_on < today:
        raise DomainValidationError({"decision": GRANT_ENDED})
    reason = reason.strip()
    if not reason:
        raise DomainValidationError({"reason": REASON_REQUIRED})
    before = {"status": grant.status}
    grant.status = GrantStatus.APPROVED
    grant.decided_by, grant.decided_at, grant.decision_reason = by, timezone.now(), reason[:300]
    grant.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_record(actor=by, action="access.grant_approve", obj=grant,
                 detail=f"{grant}: first national grant, approved from the command line: {reason}",
                 before=before,
                 after={"status": grant.status, "staff": grant.staff_id, "role": grant.role,
                        **_scope_snapshot(grant), "starts_on": grant.starts_on, "ends_on": grant.ends_on})
    return grant


@transaction.atomic
def scope_grant_end(*, grant: ScopeGrant, ends_on: dt.date, by, reason: str) -> ScopeGrant:
    """Bring forward the last day of a grant (pending or approved); audited. Grants are ended, never deleted.

    An end date is never moved later: longer access is a new grant, approved again.
    """
    _require_admin(by)
    grant = ScopeGrant.objects.select_for_update(of=("self",)).select_related("exercise").get(pk=grant.pk)
    errors = {}
    if not reason.strip():
        errors["reason"] = REASON_REQUIRED
    if grant.status == GrantStatus.REJECTED:
        errors["ends_on"] = GRANT_NOT_OPEN
    elif ends_on < grant.starts_on:
        errors["ends_on"] = ENDS_BEFORE_START
    elif ends_on > grant.ends_on:
        errors["ends_on"] = ENDS_ONLY_EARLIER
    if errors:
        raise DomainValidationError(errors)
    before = {"ends_on": grant.ends_on}
    grant.ends_on = ends_on
    grant.save(update_fields=["ends_on"])
    audit_record(actor=by, action="access.grant_end", obj=grant, detail=f"{grant}: {reason.strip()}",
                 before=before, after={"ends_on": ends_on})
    return grant


# Inspection exercises.


@transaction.atomic
def inspection_exercise_create(
    *,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    by,
    team: Team | None = None,
    pdu: Pdu | None = None,
    region: Region | None = None,
    national: bool = False,
) -> InspectionExercise:
    """Set up an inspection exercise: a name, fixed dates and one scope; audited."""
    _require_admin(by)
    errors = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = NAME_REQUIRED
    elif InspectionExercise.objects.filter(name=name).exists():
        errors["name"] = NAME_TAKEN
    if ends_on < starts_on:
        errors["ends_on"] = ENDS_BEFORE_START
    scope_error = _check_scope(team, pdu, region, national)
    if scope_error:
        errors["scope"] = scope_error
    if errors:
        raise DomainValidationError(errors)
    exercise = InspectionExercise.objects.create(name=name, starts_on=starts_on, ends_on=ends_on, team=team,
                                                 pdu=pdu, region=region, national=national, created_by=by)
    audit_record(actor=by, action="access.exercise_create", obj=exercise, detail=str(exercise),
                 after={"name": name, "starts_on": starts_on, "ends_on": ends_on, **_scope_snapshot(exercise)})
    return exercise


@transaction.atomic
def inspection_exercise_end(*, exercise: InspectionExercise, ends_on: dt.date, by) -> InspectionExercise:
    """Change an exercise's last day; its inspectors lose access after it whatever their grants say. Audited."""
    _require_admin(by)
    exercise = InspectionExercise.objects.select_for_update().get(pk=exercise.pk)
    if ends_on < exercise.starts_on:
        raise DomainValidationError({"ends_on": ENDS_BEFORE_START})
    before = {"ends_on": exercise.ends_on}
    InspectionExercise.objects.filter(pk=exercise.pk).update(ends_on=ends_on)
    exercise.ends_on = ends_on
    # A queryset update sends no signal: the inspectors' kept access scopes are made stale here.
    bump_access_version(ScopeGrant.objects.filter(exercise=exercise).values_list("staff_id", flat=True))
    audit_record(actor=by, action="access.exercise_end", obj=exercise, detail=str(exercise), before=before,
                 after={"ends_on": ends_on})
    return exercise


# Limited access on a case.


def _refresh_limited_access_flags(case: Case) -> None:
    rules = CaseAccess.objects.filter(case=case)
    Case.objects.filter(pk=case.pk).update(
        restricted=rules.filter(kind=AccessKind.PERMITTED).exists(),
        has_exclusions=rules.filter(kind=AccessKind.EXCLUDED).exists(),
    )


@transaction.atomic
def case_access_set(*, case: Case, staff: Staff, kind: str, reason: str, by) -> CaseAccess:
    """Exclude ``staff`` from a case, or permit them to see it (which makes the case restricted); audited.

    A case with any PERMITTED rule is restricted: only the permitted staff see it. An EXCLUDED
    member of staff never sees it, in any list, search, count, export or API response.
    """
    _require_admin(by)
    errors = {}
    if kind not in AccessKind.values:
        errors["kind"] = ACCESS_KIND_UNKNOWN
    if not reason.strip():
        errors["reason"] = REASON_REQUIRED
    if errors:
        raise DomainValidationError(errors)
    Case.objects.select_for_update().filter(pk=case.pk).first()
    existing = CaseAccess.objects.filter(case=case, staff=staff).first()
    before = {"staff": staff.pk, "kind": existing.kind, "reason": existing.reason} if existing else None
    if existing is not None and existing.kind == AccessKind.PERMITTED and kind != AccessKind.PERMITTED and \
            not CaseAccess.objects.filter(case=case, kind=AccessKind.PERMITTED).exclude(pk=existing.pk).exists():
        raise DomainValidationError({"kind": LAST_PERMITTED})
    rule, _ = CaseAccess.objects.update_or_create(case=case, staff=staff,
                                                  defaults={"kind": kind, "reason": reason.strip()})
    _refresh_limited_access_flags(case)
    audit_record(actor=by, action="access.case_rule_set", obj=rule, crn=case.crn, detail=reason.strip(),
                 before=before, after={"staff": staff.pk, "kind": kind, "reason": reason.strip()})
    return rule


@transaction.atomic
def case_access_remove(*, rule: CaseAccess, by, reason: str) -> None:
    """Remove one exclusion or permission from a case; audited. The last permission cannot go this way."""
    _require_admin(by)
    if not reason.strip():
        raise DomainValidationError({"reason": REASON_REQUIRED})
    rule = CaseAccess.objects.select_for_update().select_related("case").get(pk=rule.pk)
    case = rule.case
    if rule.kind == AccessKind.PERMITTED and not CaseAccess.objects.filter(
            case=case, kind=AccessKind.PERMITTED).exclude(pk=rule.pk).exists():
        raise DomainValidationError({"kind": LAST_PERMITTED})
    before = {"staff": rule.staff_id, "kind": rule.kind, "reason": rule.reason}
    audit_record(actor=by, action="access.case_rule_remove", obj=rule, crn=case.crn, detail=reason.strip(),
                 before=before, after=None)
    rule.delete()
    _refresh_limited_access_flags(case)


@transaction.atomic
def case_restriction_lift(*, case: Case, by, reason: str) -> int:
    """Make a restricted case visible again to everyone in scope (exclusions stay); audited."""
    _require_admin(by)
    if not reason.strip():
        raise DomainValidationError({"reason": REASON_REQUIRED})
    permitted = CaseAccess.objects.filter(case=case, kind=AccessKind.PERMITTED)
    before = {"permitted": sorted(permitted.values_list("staff_id", flat=True))}
    removed, _ = permitted.delete()
    _refresh_limited_access_flags(case)
    audit_record(actor=by, action="access.case_restriction_lift", obj=case, crn=case.crn, detail=reason.strip(),
                 before=before, after={"permitted": []})
    return removed


# API clients and tokens.


@transaction.atomic
def api_client_create(
    *,
    name: str,
    by,
    team: Team | None = None,
    pdu: Pdu | None = None,
    region: Region | None = None,
    national: bool = False,
) -> ApiClient:
    """Register another system, with the account its calls are recorded against; audited."""
    _require_admin(by)
    errors = {}
    name = " ".join(name.split())
    username = f"api.{slugify(name)}"[:150]
    if not slugify(name):
        errors["name"] = NAME_REQUIRED
    elif ApiClient.objects.filter(name=name).exists() or get_user_model().objects.filter(username=username).exists():
        errors["name"] = NAME_TAKEN
    scope_error = _check_scope(team, pdu, region, national, allow_none=True)
    if scope_error:
        errors["scope"] = scope_error
    if errors:
        raise DomainValidationError(errors)
    user = get_user_model()(username=username, is_active=True)
    user.set_unusable_password()  # the account exists to be named in the audit log; it never signs in
    user.save()
    client = ApiClient.objects.create(name=name, user=user, team=team, pdu=pdu, region=region, national=national,
                                      created_by=by)
    audit_record(actor=by, action="access.api_client_create", obj=client, detail=name,
                 after={"name": name, "username": username, **_scope_snapshot(client)})
    return client


@transaction.atomic
def api_token_issue(*, client: ApiClient, scopes: list[str], expires_at: dt.datetime, by,
                    now: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for ``client``: the stored row and the token itself, which is shown once and never kept."""
    _require_admin(by)
    now = now or timezone.now()
    errors = {}
    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if s not in ApiScope.values]
    if not scopes:
        errors["scopes"] = SCOPES_REQUIRED
    elif unknown:
        errors["scopes"] = SCOPE_UNKNOWN.format(scope=unknown[0], choices=", ".join(ApiScope.values))
    elif ApiScope.CASES_READ in scopes and not client.has_scope:
        errors["scopes"] = CASES_NEED_CLIENT_SCOPE
    if expires_at <= now:
        errors["expires_at"] = EXPIRY_IN_PAST
    elif expires_at - now > TOKEN_LIFETIME_MAX:
        errors["expires_at"] = EXPIRY_TOO_FAR
    if errors:
        raise DomainValidationError(errors)
    secret, prefix = new_token()
    token = ApiToken.objects.create(client=client, prefix=prefix, digest=digest_of(secret), scopes=scopes,
                                    expires_at=expires_at, created_by=by)
    audit_record(actor=by, action="access.api_token_issue", obj=token, detail=f"{client.name} token {prefix}",
                 after={"client": client.pk, "prefix": prefix, "scopes": scopes, "expires_at": expires_at})
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by, now: dt.datetime | None = None) -> ApiToken:
    """Stop a token working at once; audited."""
    _require_admin(by)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    before = {"revoked_at": token.revoked_at}
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.revoked_at)
    audit_record(actor=by, action="access.api_token_revoke", obj=token, detail=f"token {token.prefix}",
                 before=before, after={"revoked_at": token.revoked_at})
    return token


# Reads that are recorded.


def restricted_case_viewed(*, case: Case, by, page: str) -> None:
    """Record that ``by`` opened ``page`` of a limited-access case (one statement: no transaction needed)."""
    audit_record(actor=by, action="case.view_restricted", obj=case, crn=case.crn, detail=page)


def _limited(case) -> tuple[str, bool]:
    if isinstance(case, dict):
        return case["crn"], bool(case.get("restricted") or case.get("has_exclusions"))
    return case.crn, bool(case.restricted or case.has_exclusions)


def _restricted_entries(cases, page: str) -> list[AuditEntry]:
    return [AuditEntry(obj=case if isinstance(case, Case) else None, before=None, after=None, crn=crn,
                       detail=f"listed in {page}")
            for case in cases for crn, is_limited in [_limited(case)] if is_limited]


def restricted_cases_listed(*, cases, by, page: str) -> int:
    """Record every limited-access case among ``cases`` (models or dicts with ``crn``, ``restricted``
    and ``has_exclusions``) that ``page`` — a list, search results, an API answer — gave ``by``.

    One ``case.view_restricted`` row per such case, as when its own page is opened, written in one
    statement; the count written. A list with no such case costs nothing.
    """
    entries = _restricted_entries(cases, page)
    return audit_record_many(actor=by, action="case.view_restricted", entries=entries) if entries else 0


def case_list_exported(*, by, what: str, filters: dict[str, Any], cases: list[dict[str, Any]]) -> None:
    """Record an export of a list of cases: what, with which filters, every CRN in it, and a
    ``case.view_restricted`` row for each limited-access case in it, together (all or none)."""
    crns = [case["crn"] for case in cases]
    entries = _restricted_entries(cases, what)
    with transaction.atomic():
        audit_record(actor=by, action="case.export", detail=what,
                     after={"filters": filters, "count": len(crns), "crns": crns})
        if entries:
            audit_record_many(actor=by, action="case.view_restricted", entries=entries)
