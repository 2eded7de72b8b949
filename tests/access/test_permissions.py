"""Every view declares its permission, and the role matrix over the pages holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from casework.access.models import ScopeGrant
from casework.access.policy import RULES, Perm
from tests import factories

PUBLIC_ROUTES = {"sign-in/", "accessibility/"}


def iter_routes(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from iter_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def declared(callback, attribute):
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return getattr(callback, attribute, None) or getattr(view_class, attribute, None)


def test_every_view_declares_a_permission_or_is_explicitly_public():
    missing, public = [], set()
    for route, callback in iter_routes():
        if route.startswith("admin/"):
            continue  # the admin site checks the administrator role itself (tested below)
        perm = declared(callback, "casework_permission")
        if declared(callback, "casework_public"):
            public.add(route)
        elif perm is None:
            missing.append(route)
        else:
            assert Perm(perm) in RULES, f"{route} declares {perm}, which no rule grants"
    assert not missing, f"views without a declared permission: {missing}"
    assert public == PUBLIC_ROUTES


@pytest.fixture
def people(db):
    team = factories.TeamFactory()
    head = factories.HeadOfPduFactory(user__username="head")
    ScopeGrant.objects.create(staff=head, role="HEAD_OF_PDU", pdu=team.pdu, starts_on=dt.date(2020, 1, 1),
                              reason="Head of PDU")
    qa = factories.StaffFactory(grade="QA", user__username="qa")
    ScopeGrant.objects.create(staff=qa, role="QUALITY_ASSURANCE", region=team.pdu.region,
                              starts_on=dt.date(2020, 1, 1), reason="QA")
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


ROLES = ["anonymous", "po", "pso", "pqip", "spo", "head", "qa", "admin"]
# page → expected status per role, in ROLES order. 302 for anonymous is the redirect to sign in.
MATRIX = {
    "home": [302, 200, 200, 200, 200, 200, 200, 200],
    "caseload": [302, 200, 200, 200, 403, 403, 403, 403],
    "team-list": [302, 200, 200, 200, 200, 200, 200, 403],
    "search": [302, 200, 200, 200, 200, 200, 200, 403],
    "admin:index": [302, 302, 302, 302, 302, 302, 302, 200],
}


@pytest.mark.parametrize(
    "page, role, status",
    [pytest.param(page, role, row[i], id=f"{page}-{role}") for page, row in MATRIX.items()
     for i, role in enumerate(ROLES)],
)
def test_page_role_matrix(client, people, page, role, status):
    if role != "anonymous":
        client.force_login(people[role].user)
    assert client.get(reverse(page)).status_code == status


@pytest.mark.parametrize(
    "role, status",
    [pytest.param("po", 403, id="teammate-po-cannot-write"), pytest.param("spo", 200, id="team-spo-can-write"),
     pytest.param("head", 403, id="head-of-pdu-reads-only"), pytest.param("qa", 403, id="qa-reads-only")],
)
def test_who_may_change_a_teammates_case(client, people, role, status):
    holder = factories.StaffFactory(team=people["team"])
    case = factories.AllocatedCaseFactory(manager=holder)
    client.force_login(people[role].user)
    assert client.get(reverse("case-overview", args=[case.crn])).status_code == 200
    assert client.get(reverse("contact-new", args=[case.crn])).status_code == status
    assert client.get(reverse("personal-details-edit", args=[case.crn])).status_code == status


def test_anonymous_api_request_gets_a_structured_error(client, db):
    response = client.post("/api/rules/tier", data={}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert set(response.json()["error"]) == {"field", "message"}


def test_api_schema_needs_sign_in(client, people):
    assert client.get(reverse("api-schema")).status_code == 403
    client.force_login(people["po"].user)
    assert client.get(reverse("api-schema")).status_code == 200
