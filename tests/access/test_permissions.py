"""Every view declares its permission, and the permission matrix holds over every route.

The matrix is generated from the URLconf: every page and API endpoint × every role (people, other
systems, anonymous) × a case in scope, out of scope, with the viewer excluded, and restricted to
someone else. A new route fails here until the matrix knows how to fill its URL, and its expected
answers come from this file's own table of who holds which permission, never from the policy module,
so a view whose declared permission is weaker than it should be shows as a wrong status. Every
response is also searched for the CRNs its viewer must not see.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from casework.access.models import ApiToken, ScopeGrant
from casework.access.policy import API_CLIENT_RULES, RULES, Perm
from casework.allocation.models import Proposal, ProposalLine
from casework.enforcement.models import EnforcementDecision, EnforcementSignal
from casework.quality.models import Exercise, SampledCase
from casework.record.models import CaseAccess
from casework.safeguards.models import SafeguardTask
from tests import factories
from tests.pagecheck import CheckedClient
from tests.recall.support import issued_recall

PUBLIC_ROUTES = {"sign-in/", "accessibility/", "healthz", "readyz"}


def iter_routes(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from iter_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def declared(callback, attribute):
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return getattr(callback, attribute, None) or getattr(view_class, attribute, None)


def test_every_view_declares_a_permission_or_is_explicitly_public():
    missing, public = [], set()
    for route, entry in iter_routes():
        if route.startswith("admin/"):
            continue  # the admin site checks the administrator role itself (tested below)
        perm = declared(entry.callback, "casework_permission")
        if declared(entry.callback, "casework_public"):
            public.add(route)
        elif perm is None:
            missing.append(route)
        else:
            granted = Perm(perm) in RULES or Perm(perm) in API_CLIENT_RULES
            assert granted, f"{route} declares {perm}, which no rule grants"
    assert not missing, f"views without a declared permission: {missing}"
    assert public == PUBLIC_ROUTES


# Who holds what: written out here, independently of casework.access.policy.
PRACTITIONER = {Perm.SIGNED_IN, Perm.CASELOAD_OWN, Perm.TEAM_VIEW, Perm.CASE_VIEW, Perm.CASE_SEARCH, Perm.CASE_EDIT,
                Perm.CONTACT_RECORD, Perm.SUPERVISION_RECORD, Perm.RULES_USE, Perm.API_SCHEMA, Perm.TASKS_VIEW}
READER = {Perm.SIGNED_IN, Perm.TEAM_VIEW, Perm.CASE_VIEW, Perm.CASE_SEARCH, Perm.CASE_EXPORT, Perm.RULES_USE,
          Perm.API_SCHEMA, Perm.OVERSIGHT_VIEW}
# Staff records, workload reductions and team establishments: SPOs their teams', heads of PDU their PDU's,
# administrators everyone's; funded posts set by heads of PDU and administrators.
WORKFORCE = {Perm.STAFF_VIEW, Perm.REDUCTION_CHANGE}
ROLE_PERMS: dict[str, set[Perm]] = {
    "anonymous": set(),
    "po": PRACTITIONER,
    "pso": PRACTITIONER,
    "pqip": PRACTITIONER,
    "spo": READER | WORKFORCE | {Perm.CASE_EDIT, Perm.CONTACT_RECORD, Perm.SUPERVISION_RECORD, Perm.TASKS_VIEW,
                                 Perm.WORKLOAD_VIEW, Perm.ALLOCATE, Perm.ENFORCEMENT_VIEW, Perm.RECALL_COUNTERSIGN},
    "head": READER | WORKFORCE | {Perm.GRANT_APPROVE, Perm.ESTABLISHMENT_CHANGE, Perm.WORKLOAD_VIEW, Perm.ALLOCATE,
                                  Perm.ENFORCEMENT_VIEW, Perm.RECALL_COUNTERSIGN, Perm.QUALITY_VIEW},
    "qa": READER | {Perm.QUALITY_VIEW, Perm.QUALITY_RUN},
    "inspector": READER,
    "admin": {Perm.SIGNED_IN, Perm.RULES_USE, Perm.API_SCHEMA, Perm.AUDIT_VIEW, Perm.ACCESS_MANAGE, Perm.ADMIN,
              *WORKFORCE, Perm.ESTABLISHMENT_CHANGE},
    "api-cases": {Perm.API_SCHEMA, Perm.RULES_USE, Perm.CASE_VIEW},
    "api-rules": {Perm.API_SCHEMA, Perm.RULES_USE},
    "api-expired": set(),
    "api-revoked": set(),
}
PEOPLE = ["po", "pso", "pqip", "spo", "head", "qa", "inspector", "admin"]
API_ROLES = ["api-cases", "api-rules", "api-expired", "api-revoked"]
ROLES = ["anonymous", *PEOPLE, *API_ROLES]
# Who may change the case in scope (held by "po" in the team "spo" manages).
WRITERS = {"po", "spo"}
WRITE_PERMS = {Perm.CASE_EDIT, Perm.CONTACT_RECORD, Perm.SUPERVISION_RECORD}
KINDS = ["in-scope", "out-of-scope", "excluded", "restricted"]
# Routes whose answers are not the general rule: status by role, "people" meaning any signed-in person.
SPECIAL = {
    "login": {"anonymous": 200, "people": 302, "api": 200},
    "accessibility": {"anonymous": 200, "people": 200, "api": 200},
    "healthz": {"anonymous": 200, "people": 200, "api": 200},
    "readyz": {"anonymous": 200, "people": 200, "api": 200},
    "logout": {"anonymous": 302, "people": 302, "api": 302},
    # Everyone here has already confirmed a code (or needs none), so the code page sends them on.
    "two-factor": {"anonymous": 302, "people": 302, "api": 302},
}
POST_ROUTES = {"logout", "api-case-lookup"}
# Allocation routes that send an allowed viewer elsewhere: the in-scope case already has a case manager (so the
# allocate page sends them to reallocate it), and a proposal is asked for by POST only (GET goes to the queue).
REDIRECTS_WHEN_ALLOWED = {"allocation-case": {"in-scope"}, "allocation-proposal-new": {None},
                          # Quality assurance actions are POST only: GET goes back to the exercise or the case.
                          "quality-sample": {None}, "quality-share": {None}, "quality-complete": {None},
                          "quality-assessor": {None}}
# Administrators read and change every team's and staff member's workforce records (no case data).
ADMIN_EVERYWHERE = {Perm.STAFF_VIEW, Perm.REDUCTION_CHANGE, Perm.ESTABLISHMENT_CHANGE, Perm.ADMIN}


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str
    perm: Perm | None
    kwargs: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def method(self) -> str:
        return "post" if self.name in POST_ROUTES or self.name.startswith("api-rules-") else "get"

    @property
    def object_kind(self) -> str | None:
        if "crn" in self.kwargs:
            return "case"
        if "code" in self.kwargs:
            return "team"
        if "staff_code" in self.kwargs:
            return "staff"  # po (in scope), the far team's PO (out of scope), po2 in team A (the other two)
        return None


def all_routes() -> list[Route]:
    routes = []
    for pattern, entry in iter_routes():
        if pattern.startswith("admin/"):
            continue
        perm = declared(entry.callback, "casework_permission")
        routes.append(Route(pattern, entry.name, Perm(perm) if perm else None,
                            tuple(entry.pattern.converters)))
    return routes


ROUTES = all_routes()
KNOWN_KWARGS = {"crn", "code", "contact_id", "grant_id", "registration_id", "task_id", "staff_code", "reduction_id",
                "membership_id", "proposal_id", "line_id", "decision_id", "recall_id", "exercise_id", "sampled_id",
                "standard"}


def test_the_matrix_knows_how_to_fill_every_route():
    unknown = {r.pattern: set(r.kwargs) - KNOWN_KWARGS for r in ROUTES if set(r.kwargs) - KNOWN_KWARGS}
    assert not unknown, f"teach the matrix how to fill these URL arguments: {unknown}"
    assert all(r.name for r in ROUTES), "every route needs a name for the matrix"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One organisation for the whole module, rolled back at the end.

    Region 1 holds PDU 1 with team A (po, pso, pqip, spo; po2 holds the limited-access cases); region
    2 holds team F far away. The case in scope is po's; the excluded case excludes every person in
    the matrix; the restricted case is permitted only to po2, who is not in it.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _build_world() -> dict:
    team_a = factories.TeamFactory()
    team_f = factories.TeamFactory()
    pdu = team_a.pdu
    people = {
        "po": factories.StaffFactory(team=team_a),
        "pso": factories.PsoFactory(team=team_a),
        "pqip": factories.PqipFactory(team=team_a),
        "spo": factories.SpoFactory(team=team_a),
        "head": factories.HeadOfPduFactory(),
        "qa": factories.QualityAssuranceFactory(),
        "admin": factories.AdminStaffFactory(),
    }
    factories.grant(people["head"], "HEAD_OF_PDU", pdu=pdu)
    factories.grant(people["qa"], "QUALITY_ASSURANCE", region=pdu.region)
    people["inspector"] = factories.inspector_on(factories.running_exercise(pdu=pdu))
    po2 = factories.StaffFactory(team=team_a)
    po_far = factories.StaffFactory(team=team_f)
    cases = {
        "in-scope": factories.AllocatedCaseFactory(manager=people["po"]),
        "out-of-scope": factories.AllocatedCaseFactory(manager=po_far),
        "excluded": factories.AllocatedCaseFactory(manager=po2),
        "restricted": factories.AllocatedCaseFactory(manager=po2),
    }
    factories.restrict(cases["excluded"], excluded=list(people.values()))
    factories.restrict(cases["restricted"], permitted=[po2])
    contacts = {kind: factories.AppointmentFactory(case=case) for kind, case in cases.items()}
    registrations = {kind: factories.RegistrationFactory(case=case) for kind, case in cases.items()}
    tasks = {kind: SafeguardTask.objects.create(case=case, safeguard="RISK_REVIEW", trigger="PERIODIC",
                                                created_on=timezone.localdate(), due=timezone.localdate(),
                                                rules_version="test") for kind, case in cases.items()}
    # An enforcement decision (a warning, with its letter) and an open signal on every case, so the decision
    # pages have something to show and /enforcement/ something it could leak.
    decisions = {}
    for kind, case in cases.items():
        sentence = case.sentences.first() or factories.LicenceFactory(case=case)
        decisions[kind] = EnforcementDecision.objects.create(
            case=case, sentence=sentence, kind="WARNING", decided_on=timezone.localdate(), rationale="Test",
            letter_text="Dear person, this is a warning.", recorded_at=timezone.now())
        EnforcementSignal.objects.create(case=case, sentence=sentence, kind="LICENCE_FAILURE_NO_DECISION",
                                         since=timezone.localdate(), due=timezone.localdate(), rules_version="test")
    # A start task on every case, so the lists of safeguard tasks and oversight have something they could leak.
    for case in cases.values():
        SafeguardTask.objects.create(case=case, safeguard="DOMESTIC_ABUSE_ENQUIRY", trigger="START",
                                     created_on=timezone.localdate(), due=timezone.localdate(), rules_version="test")
    # A batch allocation proposal for team A's queue by its SPO, with a line for the case in scope.
    proposal = Proposal.objects.create(team=team_a, pdu=pdu, created_by=people["spo"], created_at=timezone.now())
    line = ProposalLine.objects.create(proposal=proposal, case=cases["in-scope"], case_version=1,
                                       staff=people["po"], team=team_a, reasons=["Eligible"])
    # Staff records for the workload pages, each with a reduction and its team membership.
    staff = {"in-scope": people["po"], "out-of-scope": po_far, "excluded": po2, "restricted": po2}
    reductions = {kind: factories.ReductionFactory(staff=member) for kind, member in staff.items()}
    memberships = {kind: member.memberships.get() for kind, member in staff.items()}
    for staff_member in people.values():
        factories.authenticator_for(staff_member.user)
    tokens = {
        "api-cases": factories.api_client("cases", scopes=["cases:read", "rules"], pdu=pdu)[2],
        "api-rules": factories.api_client("rules", scopes=["rules"])[2],
        "api-expired": factories.api_client("expired", pdu=pdu)[2],
        "api-revoked": factories.api_client("revoked", pdu=pdu)[2],
    }
    ApiToken.objects.filter(client__name="expired").update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    ApiToken.objects.filter(client__name="revoked").update(revoked_at=timezone.now())
    # A request for access in the head's PDU, asked for by the administrator, waiting for approval.
    request = factories.grant(factories.QualityAssuranceFactory(), "QUALITY_ASSURANCE", pdu=pdu, status="PENDING",
                              ends_on=timezone.localdate() + dt.timedelta(days=30))
    ScopeGrant.objects.filter(pk=request.pk).update(created_by=people["admin"].user)
    # An issued recall on every case, so the recall page and its document have something they could leak.
    recalls = {kind: issued_recall(case) for kind, case in cases.items()}
    # A quality assurance exercise of the PDU, sampled, with the case in scope in its sample.
    exercise = Exercise.objects.create(
        name="Matrix exercise", framework="PROBATION_2018", case_standards=["2.1", "2.2", "2.3", "2.4"], pdu=pdu,
        window_start=dt.date(2026, 1, 1), window_end=dt.date(2026, 6, 30), as_of=dt.date(2026, 9, 1), seed=1,
        status="SAMPLED", created_by=people["qa"])
    sampled = SampledCase.objects.create(exercise=exercise, case=cases["in-scope"], stratum="MALE_COMMUNITY_HIGHER",
                                         role="SAMPLE", position=0, practitioner=people["po"],
                                         practitioner_name=people["po"].name, grade="PO", team=team_a)
    return {"exercise": exercise, "sampled": sampled, "people": people, "cases": cases, "contacts": contacts,
            "registrations": registrations,
            "tasks": tasks, "decisions": decisions, "recalls": recalls,
            "tokens": tokens, "grant": request, "staff": staff, "reductions": reductions,
            "memberships": memberships, "proposal": proposal, "proposal_line": line,
            "teams": {"in-scope": team_a, "out-of-scope": team_f, "excluded": team_a, "restricted": team_a}}


@pytest.fixture(autouse=True)
def production_sign_in(settings):
    """The matrix runs with the second factor enforced, as in production."""
    settings.SECOND_FACTOR_ENFORCED = True


def client_for(role: str, world) -> tuple[CheckedClient, dict]:
    client = CheckedClient()
    if role in PEOPLE:
        factories.sign_in_fully(client, world["people"][role].user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['tokens'][role]}"} if role in API_ROLES else {}
    return client, headers


def url_for(route: Route, kind: str | None, world) -> str:
    values = {"crn": world["cases"][kind].crn if kind else None,
              "code": world["teams"][kind].code if kind else None,
              "contact_id": world["contacts"][kind].pk if kind else None,
              "registration_id": world["registrations"][kind].pk if kind else None,
              "task_id": world["tasks"][kind].pk if kind else None,
              "decision_id": world["decisions"][kind].pk if kind else None,
              "staff_code": world["staff"][kind].code if kind else None,
              "reduction_id": world["reductions"][kind].pk if kind else None,
              "membership_id": world["memberships"][kind].pk if kind else None,
              "proposal_id": world["proposal"].pk, "line_id": world["proposal_line"].pk,
              "recall_id": world["recalls"][kind].pk if kind else None,
              "grant_id": world["grant"].pk, "exercise_id": world["exercise"].pk,
              "sampled_id": world["sampled"].pk, "standard": "1.1"}
    return reverse(route.name, kwargs={k: values[k] for k in route.kwargs})


def expected_status(route: Route, role: str, kind: str | None) -> int:
    """The answer the matrix expects, from ROLE_PERMS and the kind of case."""
    if route.name in SPECIAL:
        group = "anonymous" if role == "anonymous" else "api" if role in API_ROLES else "people"
        return SPECIAL[route.name][group]
    signed_out = role == "anonymous" or (role in API_ROLES and not route.is_api)
    if signed_out or role in {"api-expired", "api-revoked"}:
        return 401 if route.is_api else 302  # pages send people to sign in; tokens never open pages
    if route.perm not in ROLE_PERMS[role]:
        return 403
    if route.object_kind == "case" and kind != "in-scope":
        return 404  # out of scope, excluded and restricted look exactly like a case that does not exist
    if route.object_kind in ("team", "staff") and kind == "out-of-scope" and not (
            role == "admin" and route.perm in ADMIN_EVERYWHERE):
        return 404
    if route.perm in WRITE_PERMS and role not in WRITERS:
        return 403
    if route.name in REDIRECTS_WHEN_ALLOWED and kind in REDIRECTS_WHEN_ALLOWED[route.name]:
        return 302
    if route.name.startswith("api-rules-"):
        return 400  # past the permission check: the empty body then breaks the rule's contract
    return 200


def matrix_params():
    for route in ROUTES:
        kinds = KINDS if route.object_kind else [None]
        for role in ROLES:
            for kind in kinds:
                yield pytest.param(route, role, kind, id=f"{route.name}-{role}" + (f"-{kind}" if kind else ""))


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("route, role, kind", list(matrix_params()))
def test_permission_matrix(world, db, route, role, kind):
    client, headers = client_for(role, world)
    url = url_for(route, kind, world)
    if route.method == "post":
        data = {"crns": [c.crn for c in world["cases"].values()]} if route.name == "api-case-lookup" else {}
        response = client.post(url, data=json.dumps(data), content_type="application/json", **headers)
    else:
        response = client.get(url, **headers)
    assert response.status_code == expected_status(route, role, kind), body_of(response)[:300]
    content = body_of(response)
    if route.name == "api-case-lookup" and response.status_code == 200:
        content = json.dumps(response.json()["results"]).encode()  # "not_found" repeats the caller's own CRNs
    never_seen = [world["cases"][k].crn for k in ("out-of-scope", "excluded", "restricted")]
    if role == "admin":
        never_seen.append(world["cases"]["in-scope"].crn)  # administrators see no case data
    leaked = [crn for crn in never_seen if crn.encode() in content]
    assert not leaked, f"{url} showed {role} cases they must not see: {leaked}"


@pytest.mark.parametrize("role", ["po", "spo", "head", "qa", "inspector", "api-cases"])
def test_case_lists_show_the_case_in_scope(world, db, role):
    """The other side of the leak check: the lists do show what the viewer may see."""
    client, headers = client_for(role, world)
    crn = world["cases"]["in-scope"].crn
    if role == "api-cases":
        body = client.get(reverse("api-case-list"), **headers).json()
        assert [c["crn"] for c in body["results"]] == [crn]
        return
    page = client.get(reverse("team-caseload", args=[world["teams"]["in-scope"].code]))
    assert crn.encode() in page.content
    if role != "po":
        assert crn.encode() in client.get(reverse("oversight-cases"), {"measure": "new-cases"}).content
    assert client.get(reverse("search"), {"q": crn}).context["results"][0].crn == crn


# The admin site: administrators with both factors only.


@pytest.mark.parametrize("role, status", [*[pytest.param(r, 403, id=f"{r}-refused") for r in PEOPLE if r != "admin"],
                                          pytest.param("admin", 200, id="admin-allowed")])
def test_admin_site_is_for_administrators_only(world, db, role, status):
    client, _ = client_for(role, world)
    assert client.get("/admin/").status_code == status


def test_admin_site_login_is_casework_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _case_data_readable(client, world, headers=None) -> list[int]:
    crn = world["cases"]["in-scope"].crn
    return [client.get(reverse("case-overview", args=[crn])).status_code,
            client.get(reverse("api-case-list")).status_code]


def test_an_administrator_cannot_grant_themselves_access_in_the_admin(world, db):
    """The finding: a national quality-assurance grant on their own staff record opened every case."""
    admin = world["people"]["admin"]
    client, _ = client_for("admin", world)
    assert _case_data_readable(client, world) == [403, 403]
    response = client.post("/admin/access/scopegrant/add/", {
        "staff": admin.pk, "role": "QUALITY_ASSURANCE", "national": "on", "starts_on": "2026-01-01",
        "ends_on": "2026-12-31", "reason": "Checking quality"})
    assert response.status_code == 200
    assert b"You cannot ask for access to cases for yourself" in response.content
    assert not ScopeGrant.objects.filter(staff=admin).exists()
    assert _case_data_readable(client, world) == [403, 403]
    # Even written behind the admin's back, the grant waits for a second person and opens nothing.
    ScopeGrant.objects.create(staff=admin, role="QUALITY_ASSURANCE", national=True, starts_on=dt.date(2026, 1, 1),
                              ends_on=timezone.localdate(), reason="Myself", created_by=admin.user)
    assert _case_data_readable(client, world) == [403, 403]


def _admin_urls(world) -> list[str]:
    from django.contrib import admin as django_admin

    urls = []
    for model in django_admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        urls += [base, f"{base}add/"]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(f"{base}{first.pk}/change/")
    rules = CaseAccess.objects.filter(case__in=world["cases"].values())
    urls += [f"/admin/record/caseaccess/{rule.pk}/change/" for rule in rules]
    urls += [f"/admin/record/caseaccess/add/?case={case.pk}" for case in world["cases"].values()]
    return urls


def test_administrators_see_crns_and_never_a_persons_details_in_the_admin(world, db):
    """The finding: the admin named the case beside any case id, and a restricted case on its access rule."""
    from casework.audit.models import AuditEvent
    from casework.audit.services import audit_record

    restricted = world["cases"]["restricted"]
    audit_record(actor=world["people"]["po"].user, action="case.update_personal_details", obj=restricted,
                 crn=restricted.crn, before={"first_name": restricted.first_name, "date_of_birth": "1990-03-31"},
                 after={"first_name": "Renamed", "email": "someone@example.com"})
    client, _ = client_for("admin", world)
    urls = [*_admin_urls(world), f"/admin/audit/auditevent/{AuditEvent.objects.order_by('pk').last().pk}/change/"]
    details = [w for case in world["cases"].values() for w in (f"{case.first_name} {case.last_name}",
                                                                 case.first_name)]
    details += ["Renamed", "someone@example.com", "1990-03-31"]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        shown = [d for d in details if re.search(rf"\b{re.escape(d)}\b", response.content.decode())]
        assert not shown, f"{url} showed {shown}"
    prefilled = client.get(f"/admin/record/caseaccess/add/?case={restricted.pk}")
    assert restricted.crn.encode() in prefilled.content


# Pages by role, from a fresh world per test (the original matrix, kept for its readable ids).


@pytest.fixture
def people(db):
    team = factories.TeamFactory()
    head = factories.HeadOfPduFactory(user__username="head")
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    qa = factories.StaffFactory(grade="QA", user__username="qa")
    factories.grant(qa, "QUALITY_ASSURANCE", region=team.pdu.region)
    return {
        "team": team,
        "po": factories.StaffFactory(team=team, user__username="po"),
        "pso": factories.PsoFactory(team=team, user__username="pso"),
        "pqip": factories.PqipFactory(team=team, user__username="pqip"),
        "spo": factories.SpoFactory(team=team, user__username="spo"),
        "head": head,
        "qa": qa,
        "admin": factories.AdminStaffFactory(user__username="admin"),
    }


PAGE_ROLES = ["anonymous", "po", "pso", "pqip", "spo", "head", "qa", "admin"]
# page → expected status per role, in PAGE_ROLES order. 302 for anonymous is the redirect to sign in.
MATRIX = {
    "home": [302, 200, 200, 200, 200, 200, 200, 200],
    "caseload": [302, 200, 200, 200, 403, 403, 403, 403],
    "team-list": [302, 200, 200, 200, 200, 200, 200, 403],
    "search": [302, 200, 200, 200, 200, 200, 200, 403],
    "audit-log": [302, 403, 403, 403, 403, 403, 403, 200],
    "access-requests": [302, 403, 403, 403, 403, 200, 403, 403],
    "oversight": [302, 403, 403, 403, 200, 200, 200, 403],
    "oversight-cases": [302, 403, 403, 403, 200, 200, 200, 403],
    "admin:index": [302, 403, 403, 403, 403, 403, 403, 200],
    # Workload: managers only (not quality assurance or inspectors: it shows staff reductions; not administrators).
    "workload": [302, 403, 403, 403, 200, 200, 403, 403],
    "staff-list": [302, 403, 403, 403, 200, 200, 403, 200],
    "establishment-list": [302, 403, 403, 403, 200, 200, 403, 200],
    # Allocation: SPOs for their teams and heads of PDU for their PDU; never practitioners, QA or administrators.
    "allocation-queue": [302, 403, 403, 403, 200, 200, 403, 403],
    "allocation-overrides": [302, 403, 403, 403, 200, 200, 403, 403],
}


@pytest.mark.parametrize(
    "page, role, status",
    [pytest.param(page, role, row[i], id=f"{page}-{role}") for page, row in MATRIX.items()
     for i, role in enumerate(PAGE_ROLES)],
)
def test_page_role_matrix(client, people, page, role, status):
    if role != "anonymous":
        factories.sign_in_fully(client, people[role].user)
    assert client.get(reverse(page)).status_code == status


@pytest.mark.parametrize(
    "role, status",
    [pytest.param("po", 403, id="teammate-po-cannot-write"), pytest.param("spo", 200, id="team-spo-can-write"),
     pytest.param("head", 403, id="head-of-pdu-reads-only"), pytest.param("qa", 403, id="qa-reads-only")],
)
def test_who_may_change_a_teammates_case(client, people, role, status):
    holder = factories.StaffFactory(team=people["team"])
    case = factories.AllocatedCaseFactory(manager=holder)
    factories.sign_in_fully(client, people[role].user)
    assert client.get(reverse("case-overview", args=[case.crn])).status_code == 200
    assert client.get(reverse("contact-new", args=[case.crn])).status_code == status
    assert client.get(reverse("personal-details-edit", args=[case.crn])).status_code == status


def test_anonymous_api_request_gets_a_structured_error(client, db):
    response = client.post("/api/rules/tier", data={}, content_type="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="casework"'
    assert set(response.json()["error"]) == {"field", "message"}


def test_api_schema_needs_sign_in_or_a_token(client, people):
    assert client.get(reverse("api-schema")).status_code == 401
    factories.sign_in_fully(client, people["po"].user)
    assert client.get(reverse("api-schema")).status_code == 200
