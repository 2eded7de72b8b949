"""Every write in casework/ is made by an audited service, in the same transaction as its audit row.

Two halves. ``test_no_write_outside_services`` reads the source (an AST scan of every module in
casework/) for ORM and SQL write calls and fails for any outside a services module, a migration or
the allowances listed with their reasons in ``ALLOWED``. Then every public function of a services
module is called here (``CALLS``) and must leave exactly one audit row with the right actor;
``test_every_service_is_exercised_here`` fails for a new one until it is added (or, if it writes
nothing, listed in ``HELPERS``).
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import pathlib
import pkgutil

import pytest
from django.apps import apps
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
from casework.record.models import Case, CaseAccess, Contact
from casework.ruleset.selectors import active_config
from tests import factories

pytestmark = pytest.mark.django_db

# Public functions in services modules that are not writes themselves.
HELPERS = {
    "casework.audit.services.changes",
    "casework.record.services.name_key",
    "casework.workforce.services.membership_problems",
    # Hooks that ask for a recompute once the caller's transaction commits (the recompute is exercised).
    "casework.safeguards.services.recompute_on_commit",
    "casework.safeguards.services.recompute_after_contact",
    "casework.enforcement.services.recompute_on_commit",
    "casework.enforcement.services.recompute_after_contact",
}

# --- Finding writes in the source ----------------------------------------------------------------

ROOT = pathlib.Path(casework.__file__).parent
# Always a write to the database, whatever they are called on.
WRITE_METHODS = {"save", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
# ``Manager.create`` and ``QuerySet.update`` take keyword arguments only; with a positional argument
# the call is a dict's or a set's (``attrs.update({...})``), which writes nothing.
KEYWORD_ONLY_WRITES = {"create", "update"}
# Raw SQL through a cursor (``copy`` is psycopg's COPY, which always names its statement).
SQL_METHODS = {"execute", "executemany", "executescript"}
# Writes through a many-to-many relation (``user.groups.add(group)``): every list and set has these
# methods too, so they count only on the name of a many-to-many field or its reverse.
RELATION_METHODS = {"add", "remove", "set", "clear"}
RELATIONS = {name for model in apps.get_models() for field in model._meta.get_fields() if field.many_to_many
             for name in (field.name, getattr(field, "get_accessor_name", lambda: None)()) if name}

# Where writes may be made without going through a service, and why. Everything else must call one.
SERVICES = "an audited service: one transaction with its audit row (exercised one by one below)"
MIGRATIONS = "a schema or seed-data migration, run by whoever deploys before anyone signs in"
DEMO = ("the demo world generator (`casework demo`): writes made-up staff and people in bulk into a database "
        "holding no real data; nothing real to audit")
ALLOWED: dict[tuple[str, str | None], str] = {
    ("demo/builder.py", None): DEMO,
    ("demo/world.py", None): DEMO,
    ("demo/recalls.py", None): DEMO,
    ("demo/quality.py", "_lead_and_assessor"): DEMO + "; here the second quality assurance officer and their grant",
    ("quality/tally.py", None): "the counts the quality services keep, written inside the service's transaction "
                                "from the audited submission or moderation that changes them (derived data)",
    ("quality/exports.py", "answers_xlsx"): "openpyxl's Workbook.save writes the XLSX into memory, not the database",
    ("demo/national.py", None): "the national-scale generator (`casework generate`): made-up rows in bulk and "
                                "COPY into an empty database, for benchmarks; nothing real to audit",
    ("access/scope_cache.py", "bump_access_version"): "a counter that makes kept access scopes stale, bumped when "
                                                      "a membership, grant or staff record changes; that change "
                                                      "is the audited write, this is derived from it",
    ("core/backup.py", None): "`casework backup` and `restore`: reads (row counts, the migrations applied, "
                              "pg_export_snapshot) and SQLite pragmas on copies; a restore replaces the whole "
                              "database with a verified backup, audit log included, rather than writing rows",
    ("audit/models.py", "AuditEvent.save"): "the audit row's own save refusing any change to a stored row "
                                            "(append-only) before Django inserts it: the write audit_record makes",
    ("core/health.py", "database_check"): "not a write: the readiness check's SELECT 1 (/readyz)",
}


def _is_write(call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    name = call.func.attr
    if name in WRITE_METHODS:
        # ``form.save(commit=False)`` builds an unsaved instance (the service then writes it).
        return not any(k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False
                       for k in call.keywords)
    if name in KEYWORD_ONLY_WRITES:
        return not call.args
    if name in RELATION_METHODS:
        return isinstance(call.func.value, ast.Attribute) and call.func.value.attr in RELATIONS
    return name in SQL_METHODS or (name == "copy" and bool(call.args))


class _WriteFinder(ast.NodeVisitor):
    """Every write call in a module, with the qualified name of the function it is in."""

    def __init__(self):
        self.scope: list[str] = []
        self.found: list[tuple[str | None, int, str]] = []

    def _nested(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _nested

    def visit_Call(self, node: ast.Call):
        if _is_write(node):
            self.found.append((".".join(self.scope) or None, node.lineno, ast.unparse(node)[:100]))
        self.generic_visit(node)


def writes_in_source() -> list[tuple[str, str | None, int, str]]:
    """``(path under casework/, function, line, call)`` for every write call in casework/'s modules."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        finder = _WriteFinder()
        finder.visit(ast.parse(path.read_text(), filename=str(path)))
        found += [(path.relative_to(ROOT).as_posix(), *write) for write in finder.found]
    return found


def allowance(path: str, function: str | None) -> str | None:
    """Why a write at ``path`` in ``function`` is allowed, or None if it must go through a service."""
    parts = path.split("/")
    if parts[-1] == "services.py" or "services" in parts[:-1]:
        return SERVICES
    if "migrations" in parts:
        return MIGRATIONS
    return ALLOWED.get((path, None)) or ALLOWED.get((path, function))


def test_no_write_outside_services():
    outside = [f"casework/{path}:{line} in {function or 'module'}: {call}"
               for path, function, line, call in writes_in_source() if allowance(path, function) is None]
    assert outside == [], "writes outside services: move them into an audited service\n" + "\n".join(outside)


def test_every_allowance_is_still_needed():
    used = {(path, function) for path, function, _, _ in writes_in_source()}
    stale = [key for key in ALLOWED if not any(p == key[0] and key[1] in (None, f) for p, f in used)]
    assert stale == []


def test_the_scan_finds_each_kind_of_write():
    """The scan itself: each shape of write is found, and look-alikes that write nothing are not."""
    source = """
def f(case, qs, cursor, form, attrs):
    case.save()
    qs.delete()
    Case.objects.create(crn="X")
    qs.filter(pk=1).update(tier="A1")
    Case.objects.bulk_create([])
    Case.objects.bulk_update([], ["tier"])
    Case.objects.get_or_create(crn="X")
    Case.objects.update_or_create(crn="X")
    cursor.execute("DELETE FROM record_case")
    cursor.copy("COPY record_case FROM STDIN")
    user.groups.add(group)
    form.save(commit=False)
    attrs.update({"a": 1})
    request.GET.copy()
    roles.add(role)
"""
    finder = _WriteFinder()
    finder.visit(ast.parse(source))
    assert [line for _, line, _ in finder.found] == list(range(3, 14))
    assert allowance("record/views.py", "f") is None
    assert allowance("record/services.py", "f") == SERVICES


def test_many_to_many_relations_are_known_to_the_scan():
    assert {"groups", "user_permissions"} <= RELATIONS


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


def _head(w):
    """A head of the team's PDU (who may approve grants there), kept in ``w`` as "head"."""
    w["head"] = factories.HeadOfPduFactory()
    factories.grant(w["head"], "HEAD_OF_PDU", pdu=w["team"].pdu)
    return w["head"]


def _newcomer(w):
    """Someone with a work email and no authenticator app yet, kept in ``w`` as "new"."""
    w["new"] = factories.StaffFactory(email="new.officer@probation.example")
    return w["new"]


def _second_admin(w):
    """Another administrator, kept in ``w`` as "second_admin"."""
    w["second_admin"] = factories.AdminStaffFactory()
    return w["second_admin"]


def _device(w):
    return factories.authenticator_for(w["po"].user)


def _fingerprint(name, record):
    """The workforce form's digest of ``record`` as read (``casework.workforce.selectors``)."""
    from casework.workforce import selectors

    return getattr(selectors, name)(type(record).objects.get(pk=record.pk))


def _waiting(w):
    """A case waiting in the world's team for a case manager, kept in ``w`` as "waiting"."""
    w["waiting"] = factories.TeamCaseFactory(team=w["team"])
    factories.CommunityOrderFactory(case=w["waiting"])
    return w["waiting"]


def _proposal(w):
    """A batch proposal by the team's SPO for the world's team queue (one waiting case)."""
    from casework.allocation.services import proposal_create

    _waiting(w)
    return proposal_create(by=_spo(w).user, team=w["team"])


# name → (set-up returning kwargs for the call, the expected actor, the expected action)
CALLS = {
    "casework.allocation.services.case_allocate": (
        lambda w: {"case": _waiting(w), "staff_id": w["po"].pk, "by": _spo(w).user,
                   "expected_version": w["waiting"].version}, "spo", "case.allocate"),
    "casework.allocation.services.case_reallocate": (
        lambda w: {"case": w["case"], "staff_id": w["other"].pk, "by": _spo(w).user,
                   "expected_version": w["case"].version, "reason": "CASELOAD_ADJUSTMENT"}, "spo", "case.reallocate"),
    "casework.allocation.services.proposal_create": (
        lambda w: {"team": _waiting(w).team, "by": _spo(w).user}, "spo",
        "allocation.proposal_create"),
    "casework.allocation.services.proposal_change_line": (
        lambda w: {"line": (p := _proposal(w)).lines.get(), "staff_id": None, "by": w["spo"].user,
                   "expected_version": p.version}, "spo", "allocation.proposal_change"),
    "casework.allocation.services.proposal_accept": (
        lambda w: {"proposal": (p := _proposal(w)), "by": w["spo"].user, "expected_version": p.version}, "spo",
        "allocation.proposal_accept"),
    "casework.allocation.services.proposal_discard": (
        lambda w: {"proposal": (p := _proposal(w)), "by": w["spo"].user, "expected_version": p.version}, "spo",
        "allocation.proposal_discard"),
    "casework.access.services.scope_grant_create": (
        lambda w: {"staff": w["other"], "role": "HEAD_OF_PDU", "pdu": w["team"].pdu, "starts_on": dt.date(2026, 1, 1),
                   "ends_on": dt.date(2026, 12, 31), "reason": "Acting head", "by": w["admin"].user}, "admin",
        "access.grant_request"),
    "casework.access.services.scope_grant_decide": (
        lambda w: {"grant": factories.grant(w["other"], "HEAD_OF_PDU", pdu=w["team"].pdu, status="PENDING"),
                   "approve": True, "reason": "", "by": _head(w).user}, "head", "access.grant_approve"),
    "casework.access.services.scope_grant_approve_first_national": (
        lambda w: {"grant": factories.grant(w["other"], "QUALITY_ASSURANCE", national=True, status="PENDING",
                                            starts_on=dt.date(2020, 1, 1)),
                   "reason": "First national lead", "by": _second_admin(w).user}, "second_admin",
        "access.grant_approve"),
    "casework.access.services.restricted_cases_listed": (
        lambda w: {"cases": [w["case"], factories.restrict(factories.AllocatedCaseFactory(manager=w["po"]),
                                                           permitted=[w["po"]])],
                   "by": w["po"].user, "page": "search results"}, "po", "case.view_restricted"),
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
        lambda w: {"by": w["po"].user, "what": "team caseload", "filters": {},
                   "cases": [{"crn": w["case"].crn, "restricted": False, "has_exclusions": False}]}, "po",
        "case.export"),
    "casework.account.services.sign_in_record": (lambda w: {"user": w["po"].user}, "po", "auth.sign_in"),
    "casework.account.services.sign_in_failure_record": (
        lambda w: {"username": w["po"].user.username, "user": w["po"].user,
                   "failure": account.SignInFailure.WRONG_CREDENTIALS}, "po", "auth.sign_in_failed"),
    "casework.account.services.sign_out_record": (
        lambda w: {"user": w["po"].user, "reason": account.SignOutReason.USER}, "po", "auth.sign_out"),
    "casework.account.services.second_factor_enrol": (
        lambda w: {"user": w["po"].user, "key": "ab" * 20, "token": _code_for("ab" * 20),
                   "enrolment_code": account.enrolment_code_issue(user=w["po"].user, by=w["admin"].user)}, "po",
        "auth.second_factor_enrolled"),
    "casework.account.services.enrolment_code_send": (
        lambda w: {"user": _newcomer(w).user}, "new", "auth.enrolment_code_sent"),
    "casework.account.services.enrolment_code_issue": (
        lambda w: {"user": w["po"].user, "by": w["admin"].user}, "admin", "auth.enrolment_code_issued"),
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
    "casework.workforce.services.add_court_report": (
        lambda w: {"staff": w["po"], "kind": "STANDARD", "requested_on": timezone.localdate(),
                   "due_on": timezone.localdate() + dt.timedelta(days=21), "case": w["case"], "by": _spo(w).user},
        "spo", "workforce.court_report_add"),
    "casework.workforce.services.complete_court_report": (
        lambda w: {"report": _court_report(w), "by": _spo(w).user}, "spo", "workforce.court_report_complete"),
    "casework.workforce.services.workload_snapshot_take": (
        lambda w: {"today": timezone.localdate()}, None, "workforce.workload_snapshot"),
    "casework.account.services.administrator_create": (
        lambda w: {"username": "new-admin", "password": "a long pass phrase 4 tests", "email": "a@example.org"},
        None, "account.administrator_create"),
    "casework.audit.services.audit_record_many": (
        lambda w: {"actor": w["po"].user, "action": "test.bulk",
                   "entries": [audit.AuditEntry(obj=w["case"], crn=w["case"].crn, before={"a": 1}, after={"a": 2})]},
        "po", "test.bulk"),
    "casework.record.services.tier_recalculate": (
        lambda w: {"case": _stale_tier(w), "trigger": "test", "by": w["po"].user}, "po", "case.tier_recalculated"),
    "casework.record.services.tier_recalculate_many": (
        lambda w: {"case_ids": [_stale_tier(w).pk], "as_of": dt.date(2026, 11, 27), "trigger": "test"}, None,
        "case.tier_recalculated"),
    "casework.record.services.tier_recalculate_all": (
        lambda w: {"as_of": dt.date(2026, 11, 27), "trigger": "nightly", "by": _stale_tier(w) and None}, None,
        "case.tier_recalculated"),
    "casework.workforce.services.staff_add": (
        lambda w: {"by": w["admin"].user, "code": "N01A999", "first_name": "Ada", "last_name": "Newly", "grade": "PSO",
                   "started_in_post": dt.date(2026, 1, 5)}, "admin", "workforce.staff_add"),
    "casework.workforce.services.staff_change": (
        lambda w: {"staff": w["other"], "by": w["admin"].user, "grade": "SPO"}, "admin", "workforce.staff_change"),
    "casework.workforce.services.membership_add": (
        lambda w: {"staff": w["other"], "team": factories.TeamFactory(), "start_date": dt.date(2026, 1, 5),
                   "by": w["admin"].user}, "admin", "workforce.membership_add"),
    "casework.workforce.services.membership_change": (
        lambda w: {"membership": w["other"].memberships.get(), "end_date": dt.date(2026, 12, 31),
                   "by": w["admin"].user}, "admin", "workforce.membership_change"),
    "casework.workforce.services.membership_remove": (
        lambda w: {"membership": w["other"].memberships.get(), "by": w["admin"].user}, "admin",
        "workforce.membership_remove"),
    "casework.workforce.services.staff_change_if_unchanged": (
        lambda w: {"staff": w["other"], "by": w["admin"].user, "contracted_hours": 30,
                   "fingerprint": _fingerprint("staff_fingerprint", w["other"])}, "admin", "workforce.staff_change"),
    "casework.workforce.services.membership_change_if_unchanged": (
        lambda w: {"membership": (m := w["other"].memberships.get()), "by": w["admin"].user, "role": "MANAGER",
                   "fingerprint": _fingerprint("membership_fingerprint", m)}, "admin", "workforce.membership_change"),
    "casework.organisation.services.establishment_set": (
        lambda w: {"team": w["team"], "by": w["admin"].user, "posts": {"PO": "6", "PSO": "4"},
                   "expected_versions": {}}, "admin", "organisation.establishment_change"),
    "casework.supervision.services.case_event_record": (
        lambda w: {"case": w["case"], "by": w["po"].user, "type": "ARREST", "occurred_on": timezone.localdate(),
                   "notes": "Arrested for assault"}, "po", "case_event.record"),
    "casework.supervision.services.appointment_arrange": (
        lambda w: {"case": w["case"], "by": w["po"].user, "kind": "HOME_VISIT",
                   "starts_at": timezone.now() + dt.timedelta(days=3)}, "po", "appointment.arrange"),
    "casework.supervision.services.appointment_reschedule": (
        lambda w: {"contact": (c := factories.FutureAppointmentFactory(case=w["case"])), "by": w["po"].user,
                   "expected_version": c.version, "starts_at": c.starts_at + dt.timedelta(days=1),
                   "reason": "Asked to move it"}, "po", "appointment.reschedule"),
    "casework.supervision.services.registration_add": (
        lambda w: {"case": w["case"], "by": w["po"].user, "type_code": "RCCO", "start_date": timezone.localdate(),
                   "reason": "Children's services referral"}, "po", "registration.add"),
    "casework.supervision.services.registration_review": (
        lambda w: {"registration": factories.RegistrationFactory(case=w["case"]), "by": w["po"].user,
                   "expected_version": 0, "reviewed_on": timezone.localdate(),
                   "next_review_date": timezone.localdate() + dt.timedelta(weeks=26), "notes": "No change"}, "po",
        "registration.review"),
    "casework.supervision.services.registration_deregister": (
        lambda w: {"registration": factories.RegistrationFactory(case=w["case"]), "by": w["po"].user,
                   "expected_version": 0, "ended_on": timezone.localdate(), "reason": "Risk no longer present"},
        "po", "registration.deregister"),
    "casework.supervision.services.risk_assessment_record": (
        lambda w: {"case": w["case"], "by": w["po"].user, "assessed_on": timezone.localdate(),
                   "source": "OASYS_LAYER_3", "rosh_overall": "HIGH", "rosh_public": "HIGH"}, "po",
        "risk_assessment.record"),
    "casework.supervision.services.risk_management_plan_record": (
        lambda w: {"case": w["case"], "by": w["po"].user, "expected_version": 0, "agreed_on": timezone.localdate(),
                   "next_review_on": timezone.localdate() + dt.timedelta(weeks=16), "risks": "Partner",
                   "supervision": "Weekly", "contingency": "Recall"}, "po", "risk_management_plan.record"),
    "casework.safeguards.services.tasks_recompute": (
        lambda w: {"case": _arrested(w), "trigger": "arrest recorded", "by": w["po"].user}, "po",
        "safeguard_task.create"),
    "casework.safeguards.services.tasks_recompute_many": (
        lambda w: {"case_ids": [_arrested(w).pk], "trigger": "arrest recorded"}, None, "safeguard_task.create"),
    "casework.safeguards.services.tasks_recompute_all": (
        lambda w: {"trigger": "policy changed", "by": _arrested(w) and None}, None, "safeguard_task.create"),
    "casework.safeguards.services.task_close_done": (
        lambda w: {"task": (t := _safeguard_task(w, "DOMESTIC_ABUSE_ENQUIRY")), "by": w["po"].user,
                   "expected_version": t.version, "done_on": timezone.localdate(), "outcome": "Police: none"}, "po",
        "safeguard_task.close_done"),
    "casework.safeguards.services.task_mark_not_required": (
        lambda w: {"task": (t := _safeguard_task(w, "RISK_REVIEW", _arrested(w))), "by": _spo(w).user,
                   "expected_version": t.version, "reason": "Reviewed at MAPPA"}, "spo",
        "safeguard_task.mark_not_required"),
    "casework.safeguards.services.reminders_send": (
        lambda w: {"today": _safeguard_task(w, "DOMESTIC_ABUSE_ENQUIRY") and timezone.localdate()}, None,
        "safeguard_reminder.send"),
    "casework.enforcement.services.signals_recompute": (
        lambda w: {"case": _failed_on_licence(w), "trigger": "absence recorded", "by": w["po"].user}, "po",
        "enforcement_signal.raise"),
    "casework.enforcement.services.signals_recompute_many": (
        lambda w: {"case_ids": [_failed_on_licence(w).pk], "trigger": "absence recorded"}, None,
        "enforcement_signal.raise"),
    "casework.enforcement.services.signals_recompute_all": (
        lambda w: {"trigger": "policy changed", "by": _failed_on_licence(w) and None}, None,
        "enforcement_signal.raise"),
    "casework.enforcement.services.decision_record": (
        lambda w: {"case": (c := _failed_on_licence(w)), "sentence": c.sentences.get(), "by": w["po"].user,
                   "kind": "WARNING", "decided_on": timezone.localdate(), "rationale": "Missed without reason"},
        "po", "enforcement_decision.record"),
    "casework.enforcement.services.decision_oversee": (
        lambda w: {"decision": (d := _licence_decision(w)), "by": _spo(w).user, "expected_version": d.version,
                   "agreed": True, "note": "Proportionate"}, "spo", "enforcement_decision.oversee"),
    "casework.ruleset.services.rule_config_change": (
        lambda w: {"kind": "POINTS_TABLE", "key": "default", "data": active_config("POINTS_TABLE", "default").data,
                   "reason": "Review", "by": w["admin"].user}, "admin", "rules.config_change"),
}


# Services that write other audited records through another service first: the rows those write, in order,
# before the service's own (accepting a proposal allocates each of its lines through case_allocate).
ALSO_AUDITED = {
    "casework.allocation.services.proposal_accept": ["case.allocate"],
}


# Who the audit row names when nobody signed in made the change (``actor`` None in CALLS).
ACTOR_LABELS = {
    "casework.account.services.administrator_create": account.COMMAND_LINE,
    "casework.record.services.tier_recalculate_many": "system",
    "casework.record.services.tier_recalculate_all": "system",
    "casework.safeguards.services.tasks_recompute_many": "system",
    "casework.enforcement.services.signals_recompute_many": "system",
    "casework.enforcement.services.signals_recompute_all": "system",
    "casework.safeguards.services.tasks_recompute_all": "system",
    "casework.safeguards.services.reminders_send": "system",
    "casework.workforce.services.workload_snapshot_take": "system",
}


def _safeguarded(w) -> Case:
    """The world's case on a community order that started 30 days ago, with its safeguard tasks (and the PO's
    email address, for reminders)."""
    from casework.safeguards.services import tasks_recompute
    from casework.workforce.models import Staff

    start = timezone.localdate() - dt.timedelta(days=30)
    factories.CommunityOrderFactory(case=w["case"], sentence_date=start, start_date=start)
    Staff.objects.filter(pk=w["po"].pk).update(email="po@probation.example")
    tasks_recompute(case=w["case"], trigger="test")
    return w["case"]


def _arrested(w) -> Case:
    """``_safeguarded``'s case with an arrest yesterday that no task yet answers."""
    from casework.supervision.models import CaseEvent

    case = _safeguarded(w)
    CaseEvent.objects.create(case=case, type="ARREST", occurred_on=timezone.localdate() - dt.timedelta(days=1),
                             notes="Arrested")
    return case


def _safeguard_task(w, safeguard: str, case: Case | None = None):
    from casework.safeguards.models import SafeguardTask
    from casework.safeguards.services import tasks_recompute

    if case is None:
        case = _safeguarded(w)
    else:
        tasks_recompute(case=case, trigger="test")
    return SafeguardTask.objects.filter(case=case, safeguard=safeguard).exclude(trigger="PERIODIC").get()


def _failed_on_licence(w) -> Case:
    """The world's case on licence, with an unacceptable absence three days ago (no signal stored yet)."""
    case = w["case"]
    sentence = factories.LicenceFactory(case=case, release_date=timezone.localdate() - dt.timedelta(days=90))
    factories.AppointmentFactory(case=case, sentence=sentence, outcome="UNACCEPTABLE_ABSENCE",
                                 starts_at=timezone.now() - dt.timedelta(days=3))
    return case


def _licence_decision(w):
    """An increased-reporting decision on ``_failed_on_licence``'s case by its PO, awaiting the SPO's oversight."""
    from casework.enforcement.services import decision_record

    case = _failed_on_licence(w)
    return decision_record(case=case, sentence=case.sentences.get(), by=w["po"].user, kind="INCREASED_REPORTING",
                           decided_on=timezone.localdate(), rationale="Weekly reporting")


def _spo(w):
    """The SPO of the world's team, kept in ``w`` as "spo"."""
    w["spo"] = factories.SpoFactory(team=w["team"])
    return w["spo"]


def _stale_tier(w) -> Case:
    """The world's case with a stored tier the engine will not give it, so recalculating changes it."""
    Case.objects.filter(pk=w["case"].pk).update(tier="", tier_single="?", rosh="")
    return Case.objects.get(pk=w["case"].pk)


def _court_report(w):
    """A court report the world's PO is writing (test set-up, written directly)."""
    from casework.workforce.models import CourtReport

    today = timezone.localdate()
    return CourtReport.objects.create(staff=w["po"], kind="FAST", requested_on=today - dt.timedelta(days=3),
                                      due_on=today + dt.timedelta(days=2))


def _code_for(key: str) -> str:
    return f"{TOTP(bytes.fromhex(key)).token():06d}"


# Recall (casework.recall): each step from the state before it, written directly (set-up, not audited).
HELPERS.add("casework.recall.services.check_step")  # reads whether a step may be taken; writes nothing


def _recall(w, state):
    """A recall of the world's case in ``state``; the case gets a licence, the team an SPO, the PDU a head."""
    from tests.recall.support import written_recall

    sentence = factories.LicenceFactory(case=w["case"])
    people = {"PRACTITIONER": w["po"], "SPO": w.get("spo") or _spo(w), "ACO": w.get("head") or _head(w)}
    return written_recall(w["case"], sentence, state, people=people)


def _recall_kwargs(w, state, who, **extra):
    recall = _recall(w, state)
    return {"recall": recall, "by": w[who].user, "expected_version": recall.version, **extra}


def _recommend_kwargs(w):
    from casework.recall.facts import Answers

    kwargs = _recall_kwargs(w, "SPO_OVERSIGHT", "po")
    condition = kwargs["recall"].sentence.licence_conditions.create(kind="STANDARD", description="Good behaviour")
    return {**kwargs, "answers": Answers(), "recall_type": "STANDARD", "emergency": False,
            "custody_status": "IN_COMMUNITY", "condition_ids": [condition.pk], "alternatives_tried": "Warnings",
            "rationale": "Risk"}


CALLS.update({
    "casework.recall.services.recall_start": (
        lambda w: {"case": w["case"], "by": w["po"].user, "sentence_id": factories.LicenceFactory(case=w["case"]).pk,
                   "reason": "Arrested"}, "po", "recall.consider"),
    "casework.recall.services.record_oversight": (
        lambda w: _recall_kwargs(w, "CONSIDERED", "spo", rationale="Recommend"), "spo", "recall.oversight"),
    "casework.recall.services.decide_not_to_recall": (
        lambda w: _recall_kwargs(w, "CONSIDERED", "spo", reasons="Complying now"), "spo",
        "recall.not_recall_at_oversight"),
    "casework.recall.services.recommend": (lambda w: _recommend_kwargs(w), "po", "recall.recommend"),
    "casework.recall.services.countersign": (
        lambda w: _recall_kwargs(w, "RECOMMENDED", "spo", comment="Agreed", as_role="SPO"), "spo",
        "recall.spo_countersign"),
    "casework.recall.services.issue": (
        lambda w: _recall_kwargs(w, "ACO_COUNTERSIGNED", "po"), "po", "recall.issue"),
})


# Quality assurance (casework.quality): the exercise and its sample written directly (set-up, not audited).


def _qa(w, key="qa"):
    """A quality assurance lead with a grant over the world's region, kept in ``w`` as ``key``."""
    if key not in w:
        w[key] = factories.QualityAssuranceFactory()
        factories.grant(w[key], "QUALITY_ASSURANCE", region=w["team"].pdu.region)
    return w[key]


def _qa_exercise(w, *, sampled=True):
    from casework.quality.models import Exercise, SampledCase

    factories.CommunityOrderFactory(case=w["case"], start_date=dt.date(2026, 2, 2), sentence_date=dt.date(2026, 2, 2))
    exercise = Exercise.objects.create(
        name="QA", framework="PROBATION_2018", case_standards=["2.1"], pdu=w["team"].pdu,
        window_start=dt.date(2026, 1, 1), window_end=dt.date(2026, 6, 30), as_of=dt.date(2026, 9, 1), seed=3,
        status="SAMPLED" if sampled else "SETUP", created_by=_qa(w))
    if sampled:
        w["sampled"] = SampledCase.objects.create(
            exercise=exercise, case=w["case"], stratum="MALE_COMMUNITY_HIGHER", role="SAMPLE", position=0,
            practitioner=w["po"], practitioner_name=w["po"].name, grade="PO", team=w["team"])
        w["reserve"] = SampledCase.objects.create(
            exercise=exercise, case=factories.AllocatedCaseFactory(manager=w["po"]), stratum="MALE_COMMUNITY_HIGHER",
            role="RESERVE", position=1, practitioner=w["po"], practitioner_name=w["po"].name, grade="PO",
            team=w["team"])
    return exercise


def _qa_answers(kq_answer="SUFFICIENT"):
    from casework.quality.services import Given

    return {("2.1", kq): Given(kq_answer, "File") for kq in ("ENGAGEMENT", "DESISTANCE", "SAFETY")}


def _qa_assigned(w):
    from casework.quality.models import SampledCase

    exercise = _qa_exercise(w)
    _qa(w, "assessor")
    SampledCase.objects.filter(pk=w["sampled"].pk).update(assessor=w["assessor"])
    w["sampled"].refresh_from_db()
    return exercise


def _qa_submitted(w):
    from casework.quality.models import AnswerRow, Assessment

    _qa_assigned(w)
    assessment = Assessment.objects.create(sampled_case=w["sampled"], exercise=w["sampled"].exercise,
                                           assessor=w["assessor"], started_at=timezone.now(), status="SUBMITTED",
                                           submitted_at=timezone.now())
    for (std, kq), given in _qa_answers().items():
        AnswerRow.objects.create(assessment=assessment, standard=std, key_question=kq, answer=given.answer,
                                 final=given.answer)
    return assessment


def _qa_overridden(w):
    exercise = _qa_exercise(w)
    exercise.overrides.create(standard="2.1", rating="GOOD", reason="Borderline", by=_qa(w), at=timezone.now())
    return exercise


def _qa_scope(w):
    from casework.quality.services import Scope

    _qa(w)
    return Scope(pdu=w["team"].pdu)


CALLS.update({
    "casework.quality.services.exercise_create": (
        lambda w: {"by": _qa(w).user, "name": "Self-inspection", "framework": "PROBATION_2018", "scope": _qa_scope(w),
                   "window_start": dt.date(2026, 1, 1), "window_end": dt.date(2026, 6, 30),
                   "as_of": dt.date(2026, 9, 1), "case_standards": ["2.1"]}, "qa", "quality.exercise_create"),
    "casework.quality.services.sample_draw": (
        lambda w: {"exercise": _qa_exercise(w, sampled=False), "by": _qa(w).user}, "qa", "quality.sample_draw"),
    "casework.quality.services.assessor_set": (
        lambda w: {"sampled": (_qa_exercise(w), w["sampled"])[1], "assessor": _qa(w, "assessor"), "by": _qa(w).user},
        "qa", "quality.assessor_set"),
    "casework.quality.services.assessors_share": (
        lambda w: {"exercise": _qa_exercise(w), "assessors": [_qa(w, "assessor")], "by": _qa(w).user}, "qa",
        "quality.assessors_share"),
    "casework.quality.services.sample_replace": (
        lambda w: {"sampled": (_qa_exercise(w), w["sampled"])[1], "reserve": w["reserve"], "reason": "Moved away",
                   "by": _qa(w).user}, "qa", "quality.sample_replace"),
    "casework.quality.services.assessment_save": (
        lambda w: {"sampled": (_qa_assigned(w), w["sampled"])[1], "by": w["assessor"].user, "answers": _qa_answers(),
                   "submit": True}, "assessor", "quality.assessment_submit"),
    "casework.quality.services.assessment_moderate": (
        lambda w: {"assessment": _qa_submitted(w), "by": _qa(w).user,
                   "answers": _qa_answers("NOT_SUFFICIENT"), "note": "Not in the file"}, "qa",
        "quality.assessment_moderate"),
    "casework.quality.services.standard_rating_set": (
        lambda w: {"exercise": _qa_exercise(w), "standard": "1.1", "rating": "GOOD", "evidence": "Interviews",
                   "by": _qa(w).user}, "qa", "quality.standard_rating_set"),
    "casework.quality.services.override_set": (
        lambda w: {"exercise": _qa_exercise(w), "standard": "2.1", "rating": "GOOD", "reason": "Borderline",
                   "by": _qa(w).user}, "qa", "quality.override_set"),
    "casework.quality.services.override_remove": (
        lambda w: {"exercise": _qa_overridden(w), "standard": "2.1", "by": _qa(w).user}, "qa",
        "quality.override_remove"),
    "casework.quality.services.exercise_complete": (
        lambda w: {"exercise": _qa_submitted(w).exercise, "by": _qa(w).user}, "qa", "quality.exercise_complete"),
    "casework.quality.services.export_recorded": (
        lambda w: {"exercise": _qa_exercise(w), "by": _qa(w).user, "kind": "answers CSV", "rows": 3}, "qa",
        "quality.export"),
})
HELPERS.add("casework.quality.services.workload_band")  # the band of a capacity; writes nothing
HELPERS.add("casework.quality.services.expected_questions")  # the key questions an assessment answers; reads only


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
    new = list(AuditEvent.objects.exclude(pk__in=before).order_by("pk"))
    also = ALSO_AUDITED.get(name, [])
    assert [e.action for e in new[:-1]] == also and len(new) == 1 + len(also), [e.action for e in new]
    expected_actor = w[actor].user if actor else None
    label = expected_actor.username if actor else ACTOR_LABELS[name]
    assert all((e.actor, e.actor_label) == (expected_actor, label) for e in new)
    assert new[-1].action == action


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
