"""The supervision-cycle pages: GOV.UK forms that post to the services, with error summaries and no script."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.record.models import Contact, Registration, RiskAssessment
from casework.supervision.models import CaseEvent, RiskManagementPlan
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(po):
    case = factories.AllocatedCaseFactory(manager=po)
    factories.CommunityOrderFactory(case=case)
    return case


def day(value: dt.date, name: str) -> dict[str, str]:
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}


def html(response) -> str:
    return response.content.decode()


def assert_error(response, message: str) -> None:
    assert response.status_code == 200
    page = html(response)
    assert "govuk-error-summary" in page and message in page, page[:2000]


TODAY = timezone.localdate


def test_the_overview_links_to_every_form_for_the_case_manager_only(signed_in, po, case, team):
    registration = factories.RegistrationFactory(case=case)
    upcoming = factories.FutureAppointmentFactory(case=case)
    page = html(signed_in(po).get(reverse("case-overview", args=[case.crn])))
    for url in (reverse("event-new", args=[case.crn]), reverse("appointment-new", args=[case.crn]),
                reverse("registration-new", args=[case.crn]), reverse("risk-assessment-new", args=[case.crn]),
                reverse("risk-management-plan", args=[case.crn]),
                reverse("registration-review", args=[case.crn, registration.pk]),
                reverse("registration-deregister", args=[case.crn, registration.pk]),
                reverse("appointment-reschedule", args=[case.crn, upcoming.pk])):
        assert f'href="{url}' in page, url
    reader = factories.HeadOfPduFactory()
    factories.grant(reader, "HEAD_OF_PDU", pdu=team.pdu)
    page = html(signed_in(reader).get(reverse("case-overview", args=[case.crn])))
    assert reverse("event-new", args=[case.crn]) not in page


@pytest.mark.parametrize("role, status", [
    pytest.param("teammate", 403, id="teammate-po-cannot-write"), pytest.param("spo", 200, id="team-spo-can-write"),
    pytest.param("head", 403, id="head-of-pdu-reads-only"),
])
def test_who_may_use_the_supervision_forms(signed_in, team, case, role, status):
    staff = {"teammate": lambda: factories.StaffFactory(team=team), "spo": lambda: factories.SpoFactory(team=team),
             "head": lambda: factories.HeadOfPduFactory()}[role]()
    if role == "head":
        factories.grant(staff, "HEAD_OF_PDU", pdu=team.pdu)
    client = signed_in(staff)
    for name in ("event-new", "appointment-new", "registration-new", "risk-assessment-new", "risk-management-plan"):
        assert client.get(reverse(name, args=[case.crn])).status_code == status, name
    response = client.post(reverse("event-new", args=[case.crn]),
                           {"type": "ARREST", **day(TODAY(), "occurred_on"), "notes": "Arrested"})
    assert response.status_code == (302 if status == 200 else 403)
    assert CaseEvent.objects.count() == (1 if status == 200 else 0)


# Events.


def test_an_event_is_recorded_and_listed(signed_in, po, case):
    client = signed_in(po)
    url = reverse("event-new", args=[case.crn])
    response = client.post(url, {"type": "DOMESTIC_ABUSE_CALLOUT", **day(TODAY(), "occurred_on"),
                                 "notes": "Police called to the flat"})
    assert response.status_code == 302 and response.url == reverse("case-overview", args=[case.crn])
    assert CaseEvent.objects.get().type == "DOMESTIC_ABUSE_CALLOUT"
    page = html(client.get(url))
    assert "Domestic abuse call-out" in page and "Police called to the flat" in page
    assert "DOMESTIC_ABUSE_CALLOUT</td>" not in page


@pytest.mark.parametrize("data, message", [
    pytest.param({"type": ""}, "Select the type of event", id="no-type"),
    pytest.param({"type": "BREACH_DECISION"}, "Select the type of event", id="not-offered"),
    pytest.param({"type": "RELEASE"}, "A release can only be recorded for someone serving a custodial sentence",
                 id="release-on-an-order"),
    pytest.param({"notes": ""}, "Enter what happened", id="no-notes"),
    pytest.param({"occurred_on_2": "2099"}, "The date of the event must be today or in the past", id="future"),
    pytest.param({"occurred_on_0": "31", "occurred_on_1": "2"}, "The date of the event must be a real date",
                 id="31-february"),
])
def test_event_errors(signed_in, po, case, data, message):
    form = {"type": "ARREST", **day(TODAY(), "occurred_on"), "notes": "Arrested"} | data
    assert_error(signed_in(po).post(reverse("event-new", args=[case.crn]), form), message)
    assert not CaseEvent.objects.exists()


# Appointments and home visits.


def appointment(when: dt.datetime, **overrides) -> dict[str, str]:
    local = timezone.localtime(when)
    return {"kind": "HOME_VISIT", **day(local.date(), "date"), "time": f"{local:%H:%M}", "location": "",
            "notes": ""} | overrides


def test_a_home_visit_is_arranged_and_rescheduled(signed_in, po, case):
    factories.AddressFactory(case=case)
    client = signed_in(po)
    when = (timezone.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    form = html(client.get(reverse("appointment-new", args=[case.crn]) + "?kind=HOME_VISIT"))
    assert 'value="HOME_VISIT" checked' in form
    response = client.post(reverse("appointment-new", args=[case.crn]), appointment(when))
    assert response.status_code == 302
    visit = Contact.objects.get()
    assert (visit.kind, visit.location, visit.starts_at) == ("HOME_VISIT", "1 High Street, Sheffield, S1 2AB", when)
    url = reverse("appointment-reschedule", args=[case.crn, visit.pk])
    later = when + dt.timedelta(days=1)
    data = appointment(later, reason="They start work that morning", version=str(visit.version))
    assert client.post(url, data).status_code == 302
    assert Contact.objects.get().starts_at == later
    stale = client.post(url, data | appointment(later + dt.timedelta(days=1)))  # still the old version
    assert_error(stale, "Someone else changed this record")
    assert Contact.objects.get().starts_at == later


def test_an_appointment_in_the_past_is_refused(signed_in, po, case):
    response = signed_in(po).post(reverse("appointment-new", args=[case.crn]),
                                  appointment(timezone.now() - dt.timedelta(days=1), kind="OFFICE_APPOINTMENT"))
    assert_error(response, "The appointment must be in the future")
    assert not Contact.objects.exists()


def test_an_appointment_that_has_happened_offers_its_outcome_instead(signed_in, po, case):
    past = factories.AppointmentFactory(case=case)
    client = signed_in(po)
    url = reverse("appointment-reschedule", args=[case.crn, past.pk])
    page = html(client.get(url))
    assert "cannot be moved" in page and reverse("contact-outcome", args=[case.crn, past.pk]) in page
    assert "<form" not in page.split("<main", 1)[1]
    client.post(url, appointment(timezone.now() + dt.timedelta(days=2), reason="x", version=str(past.version)))
    assert Contact.objects.get(pk=past.pk).starts_at == past.starts_at


# Registrations.


def test_a_registration_is_added_reviewed_and_ended(signed_in, po, case):
    client = signed_in(po)
    new = client.get(reverse("registration-new", args=[case.crn]))
    assert ">Child concerns</option>" in html(new)
    response = client.post(reverse("registration-new", args=[case.crn]),
                           {"type_code": "RCCO", **day(TODAY(), "start_date"), "level": "", "category": "",
                            "reason": "Referral from children's services"})
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert CaseEvent.objects.get().type == "REGISTRATION_ADDED"
    review = reverse("registration-review", args=[case.crn, registration.pk])
    assert 'name="level"' not in html(client.get(review))  # MAPPA only
    response = client.post(review, {"version": "1", **day(TODAY(), "reviewed_on"),
                                    **day(TODAY() + dt.timedelta(days=91), "next_review_date"), "notes": "Ongoing"})
    assert response.status_code == 302
    end = reverse("registration-deregister", args=[case.crn, registration.pk])
    assert_error(client.post(end, {"version": "2", **day(TODAY(), "ended_on"), "reason": ""}),
                 "Enter the reason for ending the registration")
    assert_error(client.post(end, {"version": "1", **day(TODAY(), "ended_on"), "reason": "Case closed"}),
                 "Someone else changed this record")
    assert client.post(end, {"version": "2", **day(TODAY(), "ended_on"), "reason": "Case closed"}).status_code == 302
    assert Registration.objects.get().end_date == TODAY()
    assert client.get(review).status_code == 404  # an ended registration is not reviewed
    assert [e.action for e in AuditEvent.objects.order_by("id") if e.action.startswith("registration.")] == [
        "registration.add", "registration.review", "registration.deregister"]


def test_a_mappa_registration_needs_its_level(signed_in, po, case):
    response = signed_in(po).post(reverse("registration-new", args=[case.crn]),
                                  {"type_code": "MAPP", **day(TODAY(), "start_date"), "level": "", "category": "1",
                                   "reason": "MAPPA meeting"})
    assert_error(response, "Select the MAPPA level")
    assert 'href="#id_level"' in html(response)
    assert not Registration.objects.exists()


# Risk assessments and plans.


def assessment(**overrides) -> dict[str, str]:
    return {**day(TODAY(), "assessed_on"), "source": "OASYS_LAYER_3", "rosh_overall": "HIGH", "rosh_public": "HIGH",
            "rosh_known_adult": "", "rosh_children": "MEDIUM", "rosh_staff": "", "rosh_prisoners": "", "ogrs": "62",
            "rsr": "5.5", "arp": "", "arp_static": "dynamic", "csrp": "", "csrp_static": "static", "dc_srp_band": "",
            "dc_srp_score": "", "parenting_responsibilities": "", "impulsivity_or_temper": "",
            "need_ACCOMMODATION": "SEVERE", "need_ALCOHOL_MISUSE": "NO_NEED"} | overrides


def test_a_risk_assessment_is_recorded_from_the_form(signed_in, po, case):
    client = signed_in(po)
    assert "Criminogenic needs" in html(client.get(reverse("risk-assessment-new", args=[case.crn])))
    response = client.post(reverse("risk-assessment-new", args=[case.crn]), assessment())
    assert response.status_code == 302
    saved = RiskAssessment.objects.get()
    assert (saved.rosh_overall, saved.rosh_children, saved.ogrs, str(saved.rsr)) == ("HIGH", "MEDIUM", 62, "5.50")
    assert (saved.arp_static, saved.csrp_static) == (False, True)
    assert saved.needs == {"ACCOMMODATION": "SEVERE", "ALCOHOL_MISUSE": "NO_NEED"}


@pytest.mark.parametrize("data, message", [
    pytest.param({"rosh_overall": ""}, "Select the overall risk of serious harm", id="no-overall"),
    pytest.param({"rosh_children": "VERY_HIGH"}, "at least the highest level for any group (very high)",
                 id="overall-below-a-group"),
    pytest.param({"ogrs": "120"}, "The OGRS must be a number from 0 to 100", id="ogrs-too-high"),
    pytest.param({"rsr": "lots"}, "Enter the RSR as a number", id="rsr-not-a-number"),
    pytest.param({"need_ACCOMMODATION": "HUGE"}, "Select a severity for the accommodation need",
                 id="unknown-severity"),
    pytest.param({"rosh_staff": "ENORMOUS"}, "Select a level for the risk to staff", id="unknown-level"),
])
def test_risk_assessment_errors(signed_in, po, case, data, message):
    assert_error(signed_in(po).post(reverse("risk-assessment-new", args=[case.crn]), assessment(**data)), message)
    assert not RiskAssessment.objects.exists()


def plan(version: int, **overrides) -> dict[str, str]:
    return {"version": str(version), **day(TODAY(), "agreed_on"),
            **day(TODAY() + dt.timedelta(weeks=16), "next_review_on"), "risks": "Ex-partner, when drinking",
            "supervision": "Weekly appointments", "interventions": "", "victim_safety": "",
            "contingency": "Police and recall"} | overrides


def test_the_risk_management_plan_is_saved_in_versions_and_shown_for_editing(signed_in, po, case):
    client = signed_in(po)
    url = reverse("risk-management-plan", args=[case.crn])
    assert "There is no risk management plan yet" in html(client.get(url))
    assert client.post(url, plan(0)).status_code == 302
    page = html(client.get(url))
    assert "version 1" in page and "Weekly appointments</textarea>" in page
    assert client.post(url, plan(1, supervision="Twice weekly")).status_code == 302
    assert_error(client.post(url, plan(1)), "Someone else changed this record")
    assert list(RiskManagementPlan.objects.order_by("version").values_list("supervision", flat=True)) == [
        "Weekly appointments", "Twice weekly"]


def test_a_plan_without_its_contingency_is_refused(signed_in, po, case):
    response = signed_in(po).post(reverse("risk-management-plan", args=[case.crn]), plan(0, contingency=""))
    assert_error(response, "Enter what will be done if the risk rises")
    assert not RiskManagementPlan.objects.exists()
