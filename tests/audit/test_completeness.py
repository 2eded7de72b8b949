"""Every service that writes leaves exactly one audit row, with the right actor, in the same transaction.

Services are found by module name (``casework.<app>.services``); a new public function there fails
``test_every_service_is_exercised_here`` until it is added to ``CALLS`` (or, if it writes nothing,
to ``HELPERS``).
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from django.db import IntegrityError
from django.utils import timezone
from django_otp.oath import TOTP

import casework
from casework.access import services as access
from casework.access.models import ScopeGrant
from casework.account import services as account
from casework.audit import services as audit
from casework.audit.models import AuditEvent
from casework.core.errors import NotPermittedError
from casework.record.models import CaseAccess, Contact
from casework.ruleset.selectors import active_config
from tests import factories

pytestmark = pytest.mark.django_db

# Public functions in services modules that are not writes themselves.
HELPERS = {
    "casework.audit.services.changes",
    "casework.record.services.name_key",
    "casework.record.services.years_before",
}


def discovered_services() -> set[str]:
    found = set()
    for module_info in pkgutil.walk_packages(casework.__path__, "casework."):
        if not module_info.name.endswith(".services"):
            continue
        module = importlib.import_module(module_info.name)
        for name, obj in inspect.getmembers(module, inspect.isfunction):
            if obj.__module__ == module.__name__ and not name.startswith("_"):
                found.add(f"{module.__name__}.{name}")
    return found


@pytest.fixture
def w(db):
    """A small world: a team with a PO holding a case, an administrator, a PDU for grants."""
    team = factories.TeamFactory()
    po = factories.StaffFactory(team=team)
    admin = factories.AdminStaffFactory()
    case = factories.AllocatedCaseFactory(manager=po)
    return {"team": team, "po": po, "admin": admin, "case": case, "contact": factories.AppointmentFactory(case=case),
            "other": factories.StaffFactory(team=team)}


def _exercise(w):
    return access.inspection_exercise_create(name="Inspection", starts_on=dt.date(2026, 1, 5),
                                             ends_on=dt.date(2026, 3, 31), pdu=w["team"].pdu, by=w["admin"].user)


def _client(w):
    return access.api_client_create(name="Court system", pdu=w["team"].pdu, by=w["admin"].user)


def _token(w):
    return access.api_token_issue(client=_client(w), scopes=["cases:read"], by=w["admin"].user,
                                  expires_at=timezone.now() + dt.timedelta(days=30))[0]


def _device(w):
    return factories.authenticator_for(w["po"].user)


# name → (set-up returning kwargs for the call, the expected actor, the expected action)
CALLS = {
    "casework.access.services.scope_grant_create": (
        lambda w: {"staff": w["other"], "role": "HEAD_OF_PDU", "pdu": w["team"].pdu, "starts_on": dt.date(2026, 1, 1),
                   "reason": "Acting head", "by": w["admin"].user}, "admin", "access.grant_create"),
    "casework.access.services.scope_grant_end": (
        lambda w: {"grant": factories.grant(w["other"], "HEAD_OF_PDU", pdu=w["team"].pdu),
                   "ends_on": dt.date(2026, 2, 1), "reason": "Left", "by": w["admin"].user}, "admin",
        "access.grant_end"),
    "casework.access.services.inspection_exercise_create": (
        lambda w: {"name": "Inspection", "starts_on": dt.date(2026, 1, 5), "ends_on": dt.date(2026, 3, 31),
                   "region": w["team"].pdu.region, "by": w["admin"].user}, "admin", "access.exercise_create"),
    "casework.access.services.inspection_exercise_end": (
        lambda w: {"exercise": _exercise(w), "ends_on": dt.date(2026, 2, 28), "by": w["admin"].user}, "admin",
        "access.exercise_end"),
    "casework.access.services.case_access_set": (
        lambda w: {"case": w["case"], "staff": w["other"], "kind": "EXCLUDED", "reason": "Neighbour",
                   "by": w["admin"].user}, "admin", "access.case_rule_set"),
    "casework.access.services.case_access_remove": (
        lambda w: {"rule": CaseAccess.objects.create(case=w["case"], staff=w["other"], kind="EXCLUDED", reason="x"),
                   "reason": "Moved away", "by": w["admin"].user}, "admin", "access.case_rule_remove"),
    "casework.access.services.case_restriction_lift": (
        lambda w: {"case": factories.restrict(w["case"], permitted=[w["po"]]), "reason": "No longer needed",
                   "by": w["admin"].user}, "admin", "access.case_restriction_lift"),
    "casework.access.services.api_client_create": (
        lambda w: {"name": "Court system", "national": True, "by": w["admin"].user}, "admin",
        "access.api_client_create"),
    "casework.access.services.api_token_issue": (
        lambda w: {"client": _client(w), "scopes": ["rules"], "expires_at": timezone.now() + dt.timedelta(days=9),
                   "by": w["admin"].user}, "admin", "access.api_token_issue"),
    "casework.access.services.api_token_revoke": (
        lambda w: {"token": _token(w), "by": w["admin"].user}, "admin", "access.api_token_revoke"),
    "casework.access.services.restricted_case_viewed": (
        lambda w: {"case": w["case"], "by": w["po"].user, "page": "overview"}, "po", "case.view_restricted"),
    "casework.access.services.case_list_exported": (
        lambda w: {"by": w["po"].user, "what": "team caseload", "filters": {}, "crns": [w["case"].crn]}, "po",
        "case.export"),
    "casework.account.services.sign_in_record": (lambda w: {"user": w["po"].user}, "po", "auth.sign_in"),
    "casework.account.services.sign_in_failure_record": (
        lambda w: {"username": w["po"].user.username, "user": w["po"].user,
                   "failure": account.SignInFailure.WRONG_CREDENTIALS}, "po", "auth.sign_in_failed"),
    "casework.account.services.sign_out_record": (
        lambda w: {"user": w["po"].user, "reason": account.SignOutReason.USER}, "po", "auth.sign_out"),
    "casework.account.services.second_factor_enrol": (
        lambda w: {"user": w["po"].user, "key": "ab" * 20, "token": _code_for("ab" * 20)}, "po",
        "auth.second_factor_enrolled"),
    "casework.account.services.second_factor_verify": (
        lambda w: {"user": w["po"].user, "token": factories.current_code(_device(w))}, "po",
        "auth.second_factor_verified"),
    "casework.account.services.second_factor_reset": (
        lambda w: {"user": _device(w).user, "by": w["admin"].user}, "admin", "auth.second_factor_reset"),
    "casework.audit.services.audit_record": (
        lambda w: {"actor": w["po"].user, "action": "test.action"}, "po", "test.action"),
    "casework.audit.services.admin_change_record": (
        lambda w: {"by": w["admin"].user, "obj": w["po"], "verb": "change", "message": "Changed grade.",
                   "before": {"grade": "PO"}, "after": {"grade": "SPO"}}, "admin", "admin.change"),
    "casework.audit.services.audit_log_exported": (
        lambda w: {"by": w["admin"].user, "filters": {}, "count": 0}, "admin", "audit.export"),
    "casework.record.services.case_update_personal_details": (
        lambda w: {"case": w["case"], "by": w["po"].user, "expected_version": w["case"].version,
                   "first_name": "Renamed"}, "po", "case.update_personal_details"),
    "casework.record.services.contact_record": (
        lambda w: {"case": w["case"], "by": w["po"].user, "kind": "PHONE",
                   "starts_at": timezone.now() - dt.timedelta(hours=1)}, "po", "contact.record"),
    "casework.record.services.contact_record_outcome": (
        lambda w: {"contact": w["contact"], "by": w["po"].user, "expected_version": w["contact"].version,
                   "outcome": "ATTENDED_COMPLIED"}, "po", "contact.record_outcome"),
    "casework.workforce.services.add_reduction": (
        lambda w: {"staff": w["po"], "reason": "LONG_TERM_SICKNESS", "start": dt.date(2026, 6, 1),
                   "by": w["admin"].user}, "admin", "workforce.reduction_add"),
    "casework.workforce.services.change_reduction": (
        lambda w: {"reduction": (r := factories.ReductionFactory(staff=w["po"])), "expected_version": r.version,
                   "notes": "Fit note to the end of the month", "by": w["admin"].user}, "admin",
        "workforce.reduction_change"),
    "casework.workforce.services.end_reduction": (
        lambda w: {"reduction": factories.ReductionFactory(staff=w["po"]), "end": dt.date(2026, 9, 30),
                   "by": w["admin"].user}, "admin", "workforce.reduction_end"),
    "casework.ruleset.services.rule_config_change": (
        lambda w: {"kind": "POINTS_TABLE", "key": "default", "data": active_config("POINTS_TABLE", "default").data,
                   "reason": "Review", "by": w["admin"].user}, "admin", "rules.config_change"),
}


def _code_for(key: str) -> str:
    return f"{TOTP(bytes.fromhex(key)).token():06d}"


def test_every_service_is_exercised_here():
    found = discovered_services()
    assert found - HELPERS - set(CALLS) == set(), "services with no audit test: add them to CALLS"
    assert set(CALLS) - found == set(), "CALLS names services that no longer exist"


def _function(name: str):
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_write_leaves_exactly_one_audit_row_with_its_actor(w, name):
    set_up, actor, action = CALLS[name]
    kwargs = set_up(w)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    _function(name)(**kwargs)
    new = list(AuditEvent.objects.exclude(pk__in=before))
    assert len(new) == 1, [e.action for e in new]
    expected_actor = w[actor].user
    assert (new[0].action, new[0].actor, new[0].actor_label) == (action, expected_actor, expected_actor.username)


def test_a_failed_sign_in_for_an_unknown_name_is_recorded_against_the_name(db):
    account.sign_in_failure_record(username="guess", user=None, failure=account.SignInFailure.LOCKED_OUT)
    event = AuditEvent.objects.get()
    assert (event.actor, event.actor_label, event.action) == (None, "unknown: guess", "auth.locked_out")


@pytest.mark.parametrize("name", ["casework.access.services.scope_grant_create",
                                  "casework.access.services.case_access_set",
                                  "casework.record.services.contact_record"])
def test_if_the_audit_row_cannot_be_written_nothing_is_written(w, name, monkeypatch):
    set_up, _, _ = CALLS[name]
    kwargs = set_up(w)
    counts = (ScopeGrant.objects.count(), CaseAccess.objects.count(), Contact.objects.count())

    def broken(**kwargs):
        raise IntegrityError("audit table unavailable")

    monkeypatch.setattr(audit.AuditEvent.objects, "create", broken)
    with pytest.raises(IntegrityError):
        _function(name)(**kwargs)
    assert (ScopeGrant.objects.count(), CaseAccess.objects.count(), Contact.objects.count()) == counts


@pytest.mark.parametrize("name, kwargs", [
    ("scope_grant_create", {"staff": "other", "role": "HEAD_OF_PDU", "reason": "x", "starts_on": dt.date(2026, 1, 1),
                            "national": True}),
    ("case_access_set", {"case": "case", "staff": "other", "kind": "EXCLUDED", "reason": "x"}),
    ("api_client_create", {"name": "Somebody's system"}),
])
def test_access_changes_are_refused_to_anyone_but_administrators(w, name, kwargs):
    resolved = {k: w[v] if isinstance(v, str) and v in w else v for k, v in kwargs.items()}
    with pytest.raises(NotPermittedError):
        getattr(access, name)(by=w["po"].user, **resolved)
    assert not AuditEvent.objects.exists()
