"""Every page renders for the people who should see it (checked by tests.pagecheck)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(po):
    case = factories.AllocatedCaseFactory(manager=po)
    factories.CommunityOrderFactory(case=case)
    factories.AddressFactory(case=case)
    factories.RiskAssessmentFactory(case=case)
    factories.RegistrationFactory(case=case)
    factories.AppointmentFactory(case=case)
    factories.FutureAppointmentFactory(case=case)
    return case


@pytest.mark.parametrize(
    "name, args",
    [
        pytest.param("home", [], id="home"),
        pytest.param("caseload", [], id="caseload"),
        pytest.param("search", [], id="search"),
        pytest.param("team-list", [], id="team-list"),
        pytest.param("case-overview", ["crn"], id="overview"),
        pytest.param("case-contacts", ["crn"], id="contacts"),
        pytest.param("case-history", ["crn"], id="history"),
        pytest.param("contact-new", ["crn"], id="contact-new"),
        pytest.param("personal-details-edit", ["crn"], id="personal-details"),
    ],
)
def test_page_renders_for_case_manager(signed_in, po, case, name, args):
    client = signed_in(po)
    response = client.get(reverse(name, args=[case.crn if a == "crn" else a for a in args]))
    assert response.status_code == 200


def test_sign_in_page_renders(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Demo logins" in response.content
