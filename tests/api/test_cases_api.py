"""The case API: what each caller may read, pagination and filters, tokens and their scopes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from casework.access.models import ApiToken
from casework.access.tokens import digest_of
from casework.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    team = factories.TeamFactory()
    other_team = factories.TeamFactory(pdu=team.pdu)
    far = factories.TeamFactory()
    po = factories.StaffFactory(team=team)
    return {
        "team": team, "po": po,
        "own": factories.AllocatedCaseFactory(manager=po, last_name="Adams", tier="B2", rosh="HIGH"),
        "own2": factories.AllocatedCaseFactory(manager=po, last_name="Baker", tier="C1", rosh="LOW"),
        "pdu_case": factories.AllocatedCaseFactory(manager=factories.StaffFactory(team=other_team),
                                                   last_name="Carter"),
        "queue": factories.UnallocatedCaseFactory(pdu=team.pdu, last_name="Dixon"),
        "far": factories.AllocatedCaseFactory(manager=factories.StaffFactory(team=far), last_name="Evans"),
    }


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def crns(response) -> list[str]:
    return [c["crn"] for c in response.json()["results"]]


def test_a_practitioner_lists_their_own_and_team_cases_only(client, world):
    client.force_login(world["po"].user)
    response = client.get(reverse("api-case-list"))
    assert response.status_code == 200
    assert crns(response) == [world["own"].crn, world["own2"].crn]
    assert response.json()["count"] == 2


def test_a_client_lists_its_pdu_but_never_limited_access_cases(client, world):
    pdu = world["team"].pdu
    factories.restrict(world["own2"], excluded=[factories.StaffFactory()])
    _, _, secret = factories.api_client("system", scopes=["cases:read"], pdu=pdu)
    response = client.get(reverse("api-case-list"), **bearer(secret))
    assert crns(response) == [world["own"].crn, world["pdu_case"].crn, world["queue"].crn]
    assert client.get(reverse("api-case-detail", args=[world["own2"].crn]), **bearer(secret)).status_code == 404


def test_filters_narrow_and_never_widen(client, world):
    client.force_login(world["po"].user)
    get = lambda **q: crns(client.get(reverse("api-case-list"), q))  # noqa: E731
    assert get(tier="B") == [world["own"].crn]
    assert get(rosh="LOW") == [world["own2"].crn]
    assert get(team=world["team"].code) == [world["own"].crn, world["own2"].crn]
    assert get(crn=world["far"].crn) == []
    assert get(team=world["far"].team.code) == []
    assert get(pdu=world["far"].pdu.code) == []


def test_pagination(client, world):
    client.force_login(world["po"].user)
    first = client.get(reverse("api-case-list"), {"page_size": 1}).json()
    second = client.get(reverse("api-case-list"), {"page_size": 1, "page": 2}).json()
    beyond = client.get(reverse("api-case-list"), {"page_size": 1, "page": 3}).json()
    assert (first["count"], first["pages"], second["page"]) == (2, 2, 2)
    assert [first["results"][0]["crn"], second["results"][0]["crn"]] == [world["own"].crn, world["own2"].crn]
    assert beyond["results"] == [] and beyond["count"] == 2


@pytest.mark.parametrize("query, field", [({"page_size": 101}, "page_size"), ({"page": 0}, "page"),
                                          ({"tier": "Z"}, "tier"), ({"rosh": "EXTREME"}, "rosh")])
def test_bad_query_parameters_are_structured_errors(client, world, query, field):
    client.force_login(world["po"].user)
    response = client.get(reverse("api-case-list"), query)
    assert response.status_code == 400 and response.json()["error"]["field"] == field


def test_case_detail(client, world):
    factories.CommunityOrderFactory(case=world["own"])
    factories.RegistrationFactory(case=world["own"])
    client.force_login(world["po"].user)
    body = client.get(reverse("api-case-detail", args=[world["own"].crn.lower()])).json()
    assert body["crn"] == world["own"].crn and body["manager"]["code"] == world["po"].code
    assert body["sentences"][0]["kind"] == "COMMUNITY_ORDER"
    assert body["registrations"][0]["code"] == "ADVP"


def test_an_invisible_case_is_the_same_404_as_a_missing_one(client, world):
    client.force_login(world["po"].user)
    invisible = client.get(reverse("api-case-detail", args=[world["far"].crn]))
    missing = client.get(reverse("api-case-detail", args=["Z999999"]))
    malformed = client.get(reverse("api-case-detail", args=["not-a-crn"]))
    assert invisible.status_code == missing.status_code == malformed.status_code == 404
    assert invisible.json() == missing.json() == malformed.json() == {"error": {"field": "", "message": "No such case"}}


def test_reading_a_restricted_case_through_the_api_is_audited(client, world):
    factories.restrict(world["own"], permitted=[world["po"]])
    client.force_login(world["po"].user)
    assert client.get(reverse("api-case-detail", args=[world["own"].crn])).status_code == 200
    event = AuditEvent.objects.get(action="case.view_restricted")
    assert (event.actor, event.crn, event.detail) == (world["po"].user, world["own"].crn, "api")


def test_lookup_returns_only_visible_cases_and_lists_the_rest_alike(client, world):
    client.force_login(world["po"].user)
    wanted = [world["own"].crn, world["far"].crn, "Z999999", world["own"].crn.lower()]
    body = client.post(reverse("api-case-lookup"), json.dumps({"crns": wanted}),
                       content_type="application/json").json()
    assert [c["crn"] for c in body["results"]] == [world["own"].crn]
    assert body["not_found"] == [world["far"].crn, "Z999999"]


@pytest.mark.parametrize("body", [{"crns": []}, {"crns": ["nope"]}, {"crns": ["X000001"] * 101}, {}, []])
def test_lookup_rejects_bad_bodies(client, world, body):
    client.force_login(world["po"].user)
    response = client.post(reverse("api-case-lookup"), json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and "error" in response.json()


# Tokens.


def test_only_a_digest_of_the_token_is_stored(world):
    _, token, secret = factories.api_client("system", pdu=world["team"].pdu)
    assert token.digest == digest_of(secret) and secret not in json.dumps(list(ApiToken.objects.values()),
                                                                          default=str)


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer cw_abc_def", "Bearer", "Bearer a b", "Bearer cw_é_x"])
def test_bad_tokens_are_refused(client, world, header):
    response = client.get(reverse("api-case-list"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["message"] in {
        "The API token is not valid, has expired or has been revoked",
        "Invalid token header. No credentials provided.",
    }


def test_a_token_with_the_right_prefix_but_wrong_secret_is_refused(client, world):
    _, _, secret = factories.api_client("system", pdu=world["team"].pdu)
    assert client.get(reverse("api-case-list"), **bearer(secret[:-2] + "xx")).status_code == 401


def test_expired_and_revoked_tokens_are_refused(client, world):
    _, token, secret = factories.api_client("system", pdu=world["team"].pdu)
    assert client.get(reverse("api-case-list"), **bearer(secret)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(reverse("api-case-list"), **bearer(secret)).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(days=1),
                                                revoked_at=timezone.now())
    assert client.get(reverse("api-case-list"), **bearer(secret)).status_code == 401


def test_scopes_limit_what_a_token_does(client, world):
    _, _, rules_only = factories.api_client("rules", scopes=["rules"], pdu=world["team"].pdu)
    assert client.get(reverse("api-case-list"), **bearer(rules_only)).status_code == 403
    rules = lambda secret: client.post("/api/rules/tier", "{}", content_type="application/json",  # noqa: E731
                                       **bearer(secret)).status_code
    assert rules(rules_only) == 400
    _, _, cases_only = factories.api_client("cases", scopes=["cases:read"], pdu=world["team"].pdu)
    assert rules(cases_only) == 403


def test_a_token_never_opens_a_page(client, world):
    _, _, secret = factories.api_client("system", pdu=world["team"].pdu)
    assert client.get(reverse("home"), **bearer(secret))["Location"].startswith(reverse("login"))


def test_the_schema_documents_the_case_endpoints_and_bearer_tokens(client, world):
    _, _, secret = factories.api_client("system", scopes=["rules"])
    schema = client.get(reverse("api-schema") + "?format=json", **bearer(secret)).json()
    assert {"/api/cases/", "/api/cases/{crn}", "/api/cases/lookup"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http", "scheme": "bearer",
        "description": "An API token issued by an administrator (`casework manage apitoken issue`).",
    }
    listing = schema["paths"]["/api/cases/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"crn", "team", "pdu", "tier", "rosh", "page", "page_size"}


def test_the_management_command_registers_a_client_and_shows_a_token_once(world, capsys):
    admin = factories.AdminStaffFactory(user__username="root")
    call_command("apitoken", "add-client", "Court system", "--by", "root", "--pdu", world["team"].pdu.code)
    call_command("apitoken", "issue", "Court system", "--by", "root", "--scope", "cases:read", "--days", "30")
    out = capsys.readouterr().out
    secret = out.strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.digest == digest_of(secret) and token.scopes == ["cases:read"]
    assert token.client.user.username == "api.court-system" and not token.client.user.has_usable_password()
    call_command("apitoken", "list")
    assert secret not in capsys.readouterr().out
    call_command("apitoken", "revoke", token.prefix, "--by", "root")
    assert ApiToken.objects.get().revoked_at is not None
    assert list(AuditEvent.objects.order_by("id").values_list("action", "actor")) == [
        ("access.api_client_create", admin.user.pk), ("access.api_token_issue", admin.user.pk),
        ("access.api_token_revoke", admin.user.pk)]
