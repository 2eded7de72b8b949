"""The pagination ("Page 1 of 2") passes axe-core's colour-contrast rule on every paginated page, and the
case history is an accessible MoJ timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.audit.services import audit_record
from casework.record import services
from tests import factories
from tests.browser.support import assert_no_violations, axe_violations, sign_in

pytestmark = pytest.mark.browser


def contrast(page) -> list[dict]:
    return [v for v in axe_violations(page) if v["id"] == "color-contrast"]


def test_paginated_pages_have_readable_page_numbers(new_page, team, case, snap):
    now = timezone.now()
    for days in range(1, 55):
        factories.AppointmentFactory(case=case, starts_at=now - dt.timedelta(days=days, hours=1))
    for _ in range(51):
        factories.TeamCaseFactory(team=team)
    for _ in range(26):
        services.contact_record(case=case, by=case.manager.user, kind="CASE_NOTE", starts_at=now,
                                notes="Checked in")
    admin = factories.AdminStaffFactory()
    for n in range(51):
        audit_record(actor=admin.user, action="auth.sign_in", detail=f"entry {n}")
    spo = factories.SpoFactory(team=team)

    found = {}
    page = new_page()
    sign_in(page, case.manager.user.username)
    for step, url in (("contacts", f"/cases/{case.crn}/contacts/"), ("history", f"/cases/{case.crn}/history/")):
        page.goto(url)
        expect(page.locator(".govuk-pagination")).to_contain_text("Page 1 of 2")
        found[step] = axe_violations(page) if step == "history" else contrast(page)
        snap(page, step)

    for who, step, url in ((spo, "team-caseload", f"/teams/{team.code}/"), (admin, "audit", "/audit/")):
        page = new_page()
        sign_in(page, who.user.username)
        page.goto(url)
        expect(page.locator(".govuk-pagination")).to_contain_text("Page 1 of")
        found[step] = contrast(page)
        snap(page, step)

    assert_no_violations(found)
