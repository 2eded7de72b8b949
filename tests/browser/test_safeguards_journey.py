"""Issue 12's journey in the browser: a new licence case's safeguards from the first day to overdue.

The live server runs in this process, so ``time-machine`` moves its clock (and the tests') forward:
the journey starts on a working day after the real today (the clock only ever moves forward, so no
cookie the browser holds is ever older than the server thinks), an arrest is recorded some days
later, and then the clock is moved past the risk review's due date. Every due date is worked out
here from rules.md §4's numbers with the working-day calendar, not taken from the engine.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.record.choices import YesNoUnknown
from casework.rules.calendar import add_working_days, working_day_on_or_after, working_days_after
from casework.ruleset.kinds import ConfigKind
from casework.ruleset.services import rule_config_change
from casework.safeguards.choices import TaskStatus
from casework.safeguards.models import SafeguardTask
from casework.supervision import services as supervision_services
from tests import factories
from tests.browser.support import assert_no_violations, axe_violations, sign_in

pytestmark = pytest.mark.browser

LONDON = zoneinfo.ZoneInfo("Europe/London")
# rules.md §4: the numbers behind each due date.
INITIAL_WORKING_DAYS = 15  # domestic abuse and safeguarding enquiries, initial RoSH assessment
HOME_VISIT_WORKING_DAYS = 20
TRIGGERED_REVIEW_WORKING_DAYS = 10
REVIEW_WEEKS_NOT_HIGH = 26  # the case's RoSH is medium

DA_ENQUIRY = "Domestic abuse enquiry with the police"
SAFEGUARDING = "Safeguarding enquiry with children's services"
ROSH = "Initial risk of serious harm assessment"
HOME_VISIT = "Home visit"
REVIEW = "Risk review"
POLICE_RESPONSE = "police: 3 call-outs in 2 years, latest 2026-01-04"


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def morning(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=LONDON)


@dataclass(frozen=True)
class Expected:
    """A task as the page should list it: its safeguard's name, why it exists, when it is due."""

    name: str
    code: str
    why: str
    due: dt.date


def fill_date(page: Page, group: str, day: dt.date) -> None:
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Day").fill(str(day.day))
    fields.get_by_label("Month").fill(str(day.month))
    fields.get_by_label("Year").fill(str(day.year))


def table_rows(page: Page, selector: str) -> list[list[str]]:
    """Each body row of the table as its cells' text (works with scripts off too)."""
    rows = page.locator(f"{selector} tbody tr")
    return [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]


def open_safeguards(page: Page) -> list[tuple[str, str, str]]:
    """The case overview's open safeguards as (safeguard, due, status), soonest due first."""
    return [(cells[0].strip(), cells[2].strip(), cells[3].strip()) for cells in table_rows(page, "#safeguard-tasks")]


def listed(expected: list[Expected], today: dt.date) -> list[tuple[str, str, str]]:
    """What the overview should show for ``expected`` open tasks: due date order, then safeguard code."""
    def status(task: Expected) -> str:
        return "Overdue" if task.due < today else "Due today" if task.due == today else "Due"

    return [(t.name, long_date(t.due), status(t)) for t in sorted(expected, key=lambda t: (t.due, t.code))]


def licence_case(po, *, released: dt.date, children_contact: str = YesNoUnknown.UNKNOWN, **names):
    """A case released on licence on ``released``, registered for domestic abuse the same day through the
    supervision service (so its tasks are recomputed as in real use)."""
    case = factories.AllocatedCaseFactory(manager=po, children_contact=children_contact, **names)
    factories.LicenceFactory(case=case, sentence_date=released - dt.timedelta(days=300),
                             start_date=released - dt.timedelta(days=300), release_date=released,
                             licence_expiry_date=released + dt.timedelta(days=365),
                             expected_end_date=released + dt.timedelta(days=365))
    factories.AddressFactory(case=case)
    supervision_services.registration_add(case=case, by=po.user, type_code="ADVP", start_date=released,
                                          reason="Police notification of domestic abuse against a former partner")
    return case


def test_a_new_licence_case_runs_its_safeguards_until_one_goes_overdue(new_page, team, po, snap):
    first_day = working_day_on_or_after(dt.date.today() + dt.timedelta(days=1))
    released = add_working_days(first_day, -2)
    arrested = add_working_days(first_day, 4)
    review_due = working_days_after(arrested, TRIGGERED_REVIEW_WORKING_DAYS)
    past_due = review_due + dt.timedelta(days=1)
    initial_due = working_days_after(released, INITIAL_WORKING_DAYS)
    started = f"The order or licence started on {long_date(released)}"
    expected = [
        Expected(DA_ENQUIRY, "DOMESTIC_ABUSE_ENQUIRY", started, initial_due),
        Expected(SAFEGUARDING, "SAFEGUARDING_ENQUIRY", started, initial_due),
        Expected(ROSH, "INITIAL_ROSH_ASSESSMENT", started, initial_due),
        Expected(HOME_VISIT, "HOME_VISIT", f"A registration needing a home visit, from {long_date(released)}",
                 working_days_after(released, HOME_VISIT_WORKING_DAYS)),
        Expected(REVIEW, "RISK_REVIEW", f"New registration on {long_date(released)}",
                 working_days_after(released, TRIGGERED_REVIEW_WORKING_DAYS)),
        Expected(REVIEW, "RISK_REVIEW", "The periodic review cycle",
                 working_day_on_or_after(released + dt.timedelta(weeks=REVIEW_WEEKS_NOT_HIGH))),
    ]
    found = {}
    with time_machine.travel(morning(first_day), tick=True) as clock:
        assert timezone.localdate() == first_day
        spo = factories.SpoFactory(team=team)
        case = licence_case(po, released=released, first_name="Dale", last_name="Hartley")

        # Day one: the Safeguards section lists every task of the new case with its due date.
        page = new_page()
        sign_in(page, po.user.username)
        page.goto(f"/cases/{case.crn}/")
        expect(page.get_by_role("heading", name="Safeguards")).to_be_visible()
        expect(page.locator("#safeguard-tasks tbody tr")).to_have_count(len(expected))
        assert open_safeguards(page) == listed(expected, first_day)
        section = page.locator("#safeguard-tasks")
        for task in expected:
            expect(section).to_contain_text(task.why)
        snap(page, "1-new-case")
        found["case overview"] = axe_violations(page)

        # The practitioner records what the police said: the enquiry closes.
        section.get_by_role("link", name=DA_ENQUIRY).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(DA_ENQUIRY)
        expect(page.locator("#task-summary")).to_contain_text(long_date(initial_due))
        expect(page.locator("#task-summary")).to_contain_text("It can never be recorded as not required")
        found["task page"] = axe_violations(page)
        page.get_by_role("button", name="Record as done").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date it was done")
        expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the outcome")
        found["task page with errors"] = axe_violations(page)
        snap(page, "2-close-errors")
        fill_date(page, "Date it was done", first_day)
        page.get_by_label("Outcome").fill(POLICE_RESPONSE)
        page.get_by_role("button", name="Record as done").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
        expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{DA_ENQUIRY} recorded as done")
        still_open = [t for t in expected if t.code != "DOMESTIC_ABUSE_ENQUIRY"]
        assert open_safeguards(page) == listed(still_open, first_day)
        page.get_by_text("Closed safeguards (1)").click()
        closed = page.locator("#closed-safeguards")
        expect(closed).to_contain_text(DA_ENQUIRY)
        expect(closed.locator(".govuk-tag")).to_have_text("Done")
        expect(closed).to_contain_text(f"Done {long_date(first_day)}, recorded by {po.name}")
        snap(page, "3-enquiry-done")
        closed.get_by_role("link", name=DA_ENQUIRY).click()
        summary = page.locator("#task-summary")
        expect(summary).to_contain_text("Done")
        expect(summary).to_contain_text(POLICE_RESPONSE)
        expect(page.get_by_role("button", name="Record as done")).to_have_count(0)
        found["done task"] = axe_violations(page)
        enquiry = SafeguardTask.objects.get(case=case, safeguard="DOMESTIC_ABUSE_ENQUIRY")
        assert (enquiry.status, enquiry.done_on, enquiry.outcome, enquiry.decided_by) == (
            TaskStatus.DONE, first_day, POLICE_RESPONSE, po)

        # Days later an arrest, recorded with scripts off: a risk review due in 10 working days.
        clock.move_to(morning(arrested))
        plain = new_page(java_script_enabled=False)
        sign_in(plain, po.user.username)
        plain.goto(f"/cases/{case.crn}/")
        plain.get_by_role("link", name="Record an event").click()
        expect(plain.get_by_role("heading", level=1)).to_have_text("Record an event")
        plain.get_by_label("Arrest", exact=True).check()
        fill_date(plain, "Date of the event", arrested)
        plain.get_by_label("Details").fill("Arrested for assault on his former partner; released under investigation")
        plain.get_by_role("button", name="Save event").click()
        expect(plain.get_by_role("heading", level=1)).to_have_text("Overview")
        arrest_review = Expected(REVIEW, "RISK_REVIEW", f"Arrest on {long_date(arrested)}", review_due)
        still_open.append(arrest_review)
        assert open_safeguards(plain) == listed(still_open, arrested)
        expect(plain.locator("#safeguard-tasks")).to_contain_text(arrest_review.why)
        snap(plain, "4-arrest-recorded-without-scripts")
        page = new_page()
        sign_in(page, po.user.username)
        page.goto(f"/cases/{case.crn}/events/new/")
        expect(page.get_by_role("table")).to_contain_text("Arrested for assault")
        found["event page"] = axe_violations(page)

        # Past the review's due date: overdue on the practitioner's list, caseload and the SPO's list.
        clock.move_to(morning(past_due))
        overdue = sorted((t for t in still_open if t.due < past_due), key=lambda t: (t.due, t.code))
        assert arrest_review in overdue
        page = new_page()
        sign_in(page, po.user.username)
        page.get_by_role("link", name="Tasks", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
        expect(page.get_by_role("heading", name=f"Overdue ({len(overdue)})")).to_be_visible()
        rows = table_rows(page, "#overdue + table")
        assert [(cells[0].split("\n")[0], cells[1], cells[3]) for cells in rows] == [
            ("Hartley, Dale", t.name, f"{long_date(t.due)} Overdue") for t in overdue]
        assert any(cells[2] == arrest_review.why for cells in rows)
        snap(page, "5-my-tasks-overdue")
        found["my tasks"] = axe_violations(page)
        page.goto(f"/cases/{case.crn}/")
        expect(page.locator("#safeguards + p")).to_contain_text(f"{len(overdue)} overdue")
        assert open_safeguards(page) == listed(still_open, past_due)
        page.goto("/caseload/")
        row = page.get_by_role("row").filter(has_text=case.crn)
        expect(row.get_by_role("link", name=f"{len(overdue)} overdue")).to_be_visible()
        snap(page, "6-caseload")
        found["caseload"] = axe_violations(page)

        page = new_page()
        sign_in(page, spo.user.username)
        page.get_by_role("link", name="Tasks", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your teams' tasks")
        page.get_by_label("Status").select_option(label="Overdue")
        page.get_by_role("button", name="Apply filters").click()
        expect(page.get_by_text(f"{len(overdue)} overdue tasks.")).to_be_visible()
        rows = table_rows(page, "#team-tasks")
        assert [(cells[0].split("\n")[0], cells[1].split("\n")[0], cells[2], cells[3], cells[4]) for cells in rows] == [
            ("Hartley, Dale", t.name, po.name, long_date(t.due), "Overdue") for t in overdue]
        snap(page, "7-team-tasks-overdue")
        found["team tasks"] = axe_violations(page)
        page.goto(f"/teams/{team.code}/")
        row = page.get_by_role("row").filter(has_text=case.crn)
        expect(row.get_by_role("link", name=f"{len(overdue)} overdue")).to_be_visible()

        # The SPO's filtered list with scripts off: the same rows.
        plain = new_page(java_script_enabled=False)
        sign_in(plain, spo.user.username)
        plain.goto("/tasks/")
        plain.get_by_label("Status").select_option(label="Overdue")
        plain.get_by_label("Safeguard").select_option(label=REVIEW)
        plain.get_by_role("button", name="Apply filters").click()
        reviews = [t for t in overdue if t.code == "RISK_REVIEW"]
        expect(plain.get_by_text(f"{len(reviews)} overdue tasks.")).to_be_visible()
        assert [cells[1] for cells in table_rows(plain, "#team-tasks")] == [f"{t.name}\n{t.why}" for t in reviews]
        snap(plain, "8-team-reviews-without-scripts")
    assert_no_violations(found)


def test_an_spo_records_a_home_visit_not_required_and_a_practitioner_may_not(new_page, team, po, snap):
    first_day = working_day_on_or_after(dt.date.today() + dt.timedelta(days=1))
    released = add_working_days(first_day, -3)
    found = {}
    with time_machine.travel(morning(first_day), tick=True):
        spo = factories.SpoFactory(team=team)
        admin = factories.AdminStaffFactory()
        case = licence_case(po, released=released, children_contact=YesNoUnknown.NO, first_name="Kim",
                            last_name="Adeyemi")
        visit = SafeguardTask.objects.get(case=case, safeguard="HOME_VISIT")
        enquiry = SafeguardTask.objects.get(case=case, safeguard="SAFEGUARDING_ENQUIRY")

        # The practitioner: the policy leaves the home visit to the SPO, so no form is offered.
        page = new_page()
        sign_in(page, po.user.username)
        page.goto(f"/cases/{case.crn}/safeguards/{visit.pk}/")
        expect(page.locator("#task-summary")).to_contain_text("Who may decide it is not required: "
                                                              "the senior probation officer")
        expect(page.get_by_role("link", name="Record that it is not required")).to_have_count(0)
        page.goto(f"/cases/{case.crn}/safeguards/{visit.pk}/not-required/")
        expect(page.locator(".govuk-inset-text")).to_have_text(
            "Only the senior probation officer can record that this is not required.")
        expect(page.get_by_role("button", name="Record as not required")).to_have_count(0)
        found["not required, not entitled"] = axe_violations(page)

        # The safeguarding enquiry is theirs to decide while the person has no contact with children, but
        # the PDU changes its policy while the form is open: the refusal shows in the error summary.
        page.goto(f"/cases/{case.crn}/safeguards/{enquiry.pk}/")
        page.get_by_role("link", name="Record that it is not required").click()
        page.get_by_label("Why is it not required?").fill("Lives alone; no children in the family or household")
        rule_config_change(kind=ConfigKind.SAFEGUARD_DECIDERS, key="default", pdu=case.pdu, by=admin.user,
                           reason="Every not-required decision goes to the SPO",
                           data={"home_visit": ["SPO"], "risk_review": ["SPO"], "safeguarding_enquiry": ["SPO"],
                                 "practitioner_safeguarding_when_no_children_contact": False})
        page.get_by_role("button", name="Record as not required").click()
        errors = page.locator(".govuk-error-summary")
        expect(errors).to_contain_text("You are not entitled to decide that safeguarding enquiry with children's "
                                       "services is not required. Ask their senior probation officer")
        snap(page, "1-practitioner-refused")
        found["not required, refused"] = axe_violations(page)
        enquiry.refresh_from_db()
        assert (enquiry.status, enquiry.decided_by) == (TaskStatus.OPEN, None)

        # The SPO records the home visit as not required, with the reason.
        page = new_page()
        sign_in(page, spo.user.username)
        page.goto(f"/cases/{case.crn}/")
        page.locator("#safeguard-tasks").get_by_role("link", name=HOME_VISIT).click()
        page.get_by_role("link", name="Record that it is not required").click()
        expect(page.get_by_role("heading", level=2, name="Record that it is not required")).to_be_visible()
        page.get_by_role("button", name="Record as not required").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why it is not required")
        found["not required, errors"] = axe_violations(page)
        reason = "Living in approved premises: staff check the room daily, so there is no home to visit"
        page.get_by_label("Why is it not required?").fill(reason)
        page.get_by_role("button", name="Record as not required").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Home visit recorded as not required")
        expect(page.locator("#safeguard-tasks")).not_to_contain_text(HOME_VISIT)
        page.get_by_text(re.compile(r"Closed safeguards \(\d+\)")).click()
        closed = page.locator("#closed-safeguards li").filter(has_text=HOME_VISIT)
        expect(closed.locator(".govuk-tag")).to_have_text("Not required")
        expect(closed).to_contain_text(f"recorded by {spo.name}")
        closed.get_by_role("link", name=HOME_VISIT).click()
        expect(page.locator("#task-summary")).to_contain_text(reason)
        expect(page.locator("#task-summary")).to_contain_text(f"Decided by {spo.name}")
        snap(page, "2-spo-not-required")
        found["not required task"] = axe_violations(page)
        visit.refresh_from_db()
        assert (visit.status, visit.not_required_reason, visit.decided_by) == (TaskStatus.NOT_REQUIRED, reason, spo)
    assert_no_violations(found)
