"""Issue 15's journey in the browser: the quality assurance lead sets up an exercise and draws the sample, an
assessor completes two cases with the record's evidence beside the form, a second reader moderates one, and the
results page shows the ratings and the PO/PSO breakdown; the PDF downloads and opens."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from casework.quality.choices import AssessmentStatus, ModerationStatus, SampleRole
from casework.quality.models import Assessment, Exercise, SampledCase
from casework.quality.results import exercise_results
from tests.browser.support import assert_no_violations, axe_violations, sign_in
from tests.quality import world as w

pytestmark = pytest.mark.browser


def _name(staff, username):
    get_user_model().objects.filter(pk=staff.user_id).update(username=username)


def test_a_quality_team_runs_a_self_inspection(new_page, snap):
    world = w.build(24)
    _name(world.lead, "qa.lead")
    _name(world.assessor, "qa.assessor")
    _name(world.second_assessor, "qa.second")
    page = new_page()
    sign_in(page, "qa.lead")
    page.get_by_role("link", name="Quality").click()
    expect(page.get_by_role("heading", name="Quality assurance", exact=True)).to_be_visible()
    page.get_by_role("link", name="Set up an exercise").click()
    page.get_by_label("Name of the exercise").fill("Browser self-inspection")
    page.get_by_label("What to inspect").select_option(value=f"pdu:{world.pdu.pk}")
    for field, (day, month, year) in {"window_start": (1, 1, 2026), "window_end": (30, 6, 2026),
                                      "as_of": (1, 9, 2026)}.items():
        page.locator(f"#id_{field}_0").fill(str(day))
        page.locator(f"#id_{field}_1").fill(str(month))
        page.locator(f"#id_{field}_2").fill(str(year))
    page.get_by_label("Sample size (optional)").fill("6")
    found = {"new": axe_violations(page)}
    page.get_by_role("button", name="Set up the exercise").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Exercise set up")
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.locator("#sample-table tbody tr")).to_have_count(6)
    exercise = Exercise.objects.get(name="Browser self-inspection")
    page.get_by_text("Share the unallocated cases among assessors").click()
    page.get_by_label(world.assessor.name).check()
    page.get_by_label(world.second_assessor.name).check()
    page.get_by_role("button", name="Allocate").click()
    expect(page.locator("#sample-table")).not_to_contain_text("Not allocated")
    found["exercise"] = axe_violations(page)
    snap(page, "1-sampled")

    # The lead enters an organisational standard's rating and overrides a case standard, each with its reason
    # (refused without one), and replaces a case by a like-for-like reserve.
    page.goto(f"/quality/{exercise.pk}/standards/1.1/rating/")
    page.get_by_label("Good").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the evidence for this rating")
    found["rating"] = axe_violations(page)
    page.get_by_label("Evidence").fill("Interviews with the head of PDU and two SPOs")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#standards-table")).to_contain_text("Good")
    page.goto(f"/quality/{exercise.pk}/standards/2.2/override/")
    page.get_by_label("Requires improvement").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason")
    found["override"] = axe_violations(page)
    page.get_by_label("Reason for the override").fill("Plans rarely reviewed after a change of address")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#standards-table")).to_contain_text("Plans rarely reviewed")
    reserves = SampledCase.objects.filter(exercise=exercise, role=SampleRole.RESERVE)
    replaceable = next((s for s in SampledCase.objects.filter(exercise=exercise, role=SampleRole.SAMPLE)
                        .exclude(assessor=world.assessor).order_by("-position")
                        if reserves.filter(stratum=s.stratum).exists()), None)
    assert replaceable is not None, "the seeded world has a reserve in a sampled case's stratum"
    page.goto(f"/quality/{exercise.pk}/cases/{replaceable.pk}/replace/")
    found["replace"] = axe_violations(page)
    page.locator("input[name=reserve]").first.check()
    page.get_by_label("Why is this case being replaced?").fill("Transferred out of the PDU")
    page.get_by_role("button", name="Replace the case").click()
    expect(page.locator("#replaced")).to_be_visible()
    assert SampledCase.objects.get(pk=replaceable.pk).role == SampleRole.REPLACED

    # The assessor completes two of their cases, the record beside the form.
    mine = list(SampledCase.objects.filter(exercise=exercise, role=SampleRole.SAMPLE, assessor=world.assessor)
                .order_by("position")[:2])
    assert len(mine) == 2
    assessor = new_page()
    sign_in(assessor, "qa.assessor")
    for number, sampled in enumerate(mine):
        assessor.goto(f"/quality/{exercise.pk}/cases/{sampled.pk}/")
        expect(assessor.get_by_role("heading", name="The case record")).to_be_visible()
        expect(assessor.locator("aside")).to_contain_text(sampled.case.crn)
        radios = assessor.locator("input[type=radio][value=SUFFICIENT]")
        expect(radios).to_have_count(12)
        for i in range(12):
            value = "NOT_SUFFICIENT" if (number == 0 and i == 2) else "SUFFICIENT"
            assessor.locator(f"input[type=radio][value={value}]").nth(i).check()
        if number == 0:
            found["assess"] = axe_violations(assessor)
            snap(assessor, "2-assessing")
        assessor.get_by_role("button", name="Submit the assessment").click()
        expect(assessor.locator(".govuk-notification-banner")).to_contain_text("Assessment submitted and locked")
        expect(assessor.locator("#assessment-status")).to_contain_text("Submitted")
    assert Assessment.objects.filter(exercise=exercise, status=AssessmentStatus.SUBMITTED).count() == 2

    # The second reader moderates the first: one answer changed, with how it was resolved.
    second = new_page()
    sign_in(second, "qa.second")
    second.goto(f"/quality/{exercise.pk}/cases/{mine[0].pk}/")
    expect(second.get_by_role("button", name="Record the moderation")).to_be_visible()
    second.locator("input[type=radio][value=SUFFICIENT]").nth(2).check()
    second.get_by_label("How was any disagreement resolved?").fill("The police check is on file: agreed")
    second.get_by_role("button", name="Record the moderation").click()
    expect(second.locator("#assessment-status")).to_contain_text("Moderated: answers changed")
    assessment = Assessment.objects.get(sampled_case=mine[0])
    assert assessment.moderation == ModerationStatus.CHANGED

    # The results: the engine's ratings, the PO/PSO breakdown, and the PDF.
    page.goto(f"/quality/{exercise.pk}/results/")
    results = exercise_results(exercise)
    box = page.locator("#ratings-box")
    for view in results.standards:
        if view.rating:
            expect(page.locator(f"#rating-{view.key.replace('.', '')}")).to_contain_text(
                re.compile(view.rating.replace("_", " "), re.IGNORECASE))
    expect(box).to_contain_text("2 cases assessed")
    grade = page.locator("#table-grade")
    expect(grade).to_be_visible()
    for label in {s.grade for s in mine}:
        expect(grade).to_contain_text({"PO": "PO", "PQIP": "PQiP", "PSO": "PSO"}[label])
    expect(grade).to_contain_text("Too few to read")
    found["results"] = axe_violations(page)
    snap(page, "3-results")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the report (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"quality-{exercise.pk}-results.pdf"
    content = open(download.path(), "rb").read()  # noqa: SIM115 - Playwright's temporary file
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    opened = new_page()
    opened.goto(f"/quality/{exercise.pk}/results/")  # signed out: the report stays behind sign-in
    expect(opened).to_have_url(re.compile(r"/sign-in/"))
    assert_no_violations(found)
