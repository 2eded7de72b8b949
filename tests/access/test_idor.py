"""Insecure direct object references: changing a CRN or id in a URL, a body, a filter or a query
never reaches a case the viewer may not see, and never changes one."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.record.models import Case, Contact
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    team = factories.TeamFactory()
    far_team = factories.TeamFactory()
    po = factories.StaffFactory(team=team)
    spo = factories.SpoFactory(team=team)
    po2 = factories.StaffFactory(team=team)
    own = factories.AllocatedCaseFactory(manager=po, last_name="Ownly")
    far = factories.AllocatedCaseFactory(manager=factories.StaffFactory(team=far_team), last_name="Farly")
    hidden = factories.restrict(factories.AllocatedCaseFactory(manager=po2, last_name="Hiddenly"),
                                excluded=[po, spo])
    return {
        "team": team, "far_team": far_team, "po": po, "spo": spo, "po2": po2, "own": own, "far": far,
        "hidden": hidden,
        "own_contact": factories.AppointmentFactory(case=own),
        "far_contact": factories.AppointmentFactory(case=far),
        "hidden_contact": factories.AppointmentFactory(case=hidden),
    }


CONTACT_FORM = {"kind": "PHONE", "date_0": "1", "date_1": "11", "date_2": "2026", "time": "10:00", "notes": "x"}


@pytest.mark.parametrize("target", ["far", "hidden"])
def test_posting_a_contact_to_another_crn_is_not_found_and_writes_nothing(signed_in, world, target):
    client = signed_in(world["po"])
    response = client.post(reverse("contact-new", args=[world[target].crn]), CONTACT_FORM)
    assert response.status_code == 404
    assert not Contact.objects.filter(case=world[target], kind="PHONE").exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("target", ["far_contact", "hidden_contact"])
def test_an_outcome_for_another_cases_contact_under_my_crn_is_not_found(signed_in, world, target):
    client = signed_in(world["po"])
    url = reverse("contact-outcome", args=[world["own"].crn, world[target].pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"version": 1, "outcome": "ATTENDED_COMPLIED"})
    assert response.status_code == 404
    world[target].refresh_from_db()
    assert world[target].outcome == "" and not AuditEvent.objects.exists()


@pytest.mark.parametrize("target", ["far", "hidden"])
def test_changing_personal_details_of_another_crn_is_not_found(signed_in, world, target):
    client = signed_in(world["spo"])
    case = world[target]
    response = client.post(reverse("personal-details-edit", args=[case.crn]),
                           {"version": case.version, "first_name": "Changed", "last_name": case.last_name})
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).first_name != "Changed"


@pytest.mark.parametrize("target", ["far", "hidden"])
def test_api_detail_list_filter_and_lookup_body(client, world, target):
    client.force_login(world["po"].user)
    crn = world[target].crn
    assert client.get(reverse("api-case-detail", args=[crn])).status_code == 404
    assert client.get(reverse("api-case-list"), {"crn": crn}).json()["count"] == 0
    by_its_team = client.get(reverse("api-case-list"), {"team": world[target].team.code}).json()["results"]
    assert crn not in [c["crn"] for c in by_its_team]
    by_its_pdu = client.get(reverse("api-case-list"), {"pdu": world[target].pdu.code}).json()["results"]
    assert crn not in [c["crn"] for c in by_its_pdu]
    body = client.post(reverse("api-case-lookup"), json.dumps({"crns": [crn]}), content_type="application/json")
    assert body.json() == {"results": [], "not_found": [crn]}


def export_crns(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_export_of_another_team_is_not_found(signed_in, world):
    client = signed_in(world["spo"])
    assert client.get(reverse("team-caseload-export", args=[world["far_team"].code])).status_code == 404
    assert not AuditEvent.objects.filter(action="case.export").exists()


@pytest.mark.parametrize("query", [{}, {"manager": "{po2}"}, {"manager": "{far_manager}"}, {"unallocated": "on"},
                                   {"manager": "not-a-number"}])
def test_export_filters_never_reveal_an_excluded_case(signed_in, world, query):
    values = {"po2": world["po2"].pk, "far_manager": world["far"].manager_id}
    query = {k: v.format(**values) for k, v in query.items()}
    client = signed_in(world["spo"])
    response = client.get(reverse("team-caseload-export", args=[world["team"].code]), query)
    assert response.status_code == 200
    text = export_crns(response)
    assert world["hidden"].crn not in text and world["far"].crn not in text
    event = AuditEvent.objects.get(action="case.export")
    assert world["hidden"].crn not in event.after["crns"]


@pytest.mark.parametrize("target", ["far", "hidden"])
def test_search_by_crn_name_or_pnc_never_finds_it(signed_in, world, target):
    case = world[target]
    Case.objects.filter(pk=case.pk).update(pnc="2001/0012345H")
    client = signed_in(world["po"])
    for query in (case.crn, case.last_name, f"{case.first_name} {case.last_name}", "2001/12345H"):
        assert client.get(reverse("search"), {"q": query}).context["results"] == [], query


def test_team_page_member_filter_for_someone_elsewhere_shows_nothing_new(signed_in, world):
    client = signed_in(world["po"])
    response = client.get(reverse("team-caseload", args=[world["team"].code]),
                          {"manager": world["far"].manager_id})
    assert world["far"].crn.encode() not in response.content
    assert world["hidden"].crn.encode() not in response.content


def test_the_audit_log_and_its_export_are_refused_to_everyone_but_administrators(signed_in, world):
    client = signed_in(world["spo"])
    assert client.get(reverse("audit-log"), {"crn": world["hidden"].crn}).status_code == 403
    assert client.get(reverse("audit-export"), {"crn": world["hidden"].crn}).status_code == 403
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_a_stale_form_cannot_write_after_access_is_withdrawn(signed_in, world):
    """The service checks access itself, so a page opened before an exclusion cannot be submitted after it."""
    client = signed_in(world["po"])
    assert client.get(reverse("contact-new", args=[world["own"].crn])).status_code == 200
    factories.restrict(world["own"], excluded=[world["po"]])
    response = client.post(reverse("contact-new", args=[world["own"].crn]),
                           {**CONTACT_FORM, "date_2": str(timezone.localdate().year)})
    assert response.status_code == 404
    assert not Contact.objects.filter(case=world["own"], kind="PHONE").exists()
