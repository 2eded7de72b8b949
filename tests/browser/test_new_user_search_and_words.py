"""What a new user found and read (issue 10), in the browser: search finds a person by first name alone,
by a surname typed without its accent and by a short PNC number; case pages say things in words, never
in the codes the record keeps (``MISSING``, ``SUSPENDED_SENTENCE_ORDER``)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from casework.record.choices import SentenceKind
from casework.record.services import tier_recalculate
from tests import factories
from tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser

# A code as the record stores it: capitals joined by underscores (SUSPENDED_SENTENCE_ORDER, NO_NEED).
CODE = re.compile(r"\b[A-Z]{2,}(?:_[A-Z]+)+\b")


def search_for(page: Page, words: str) -> None:
    page.get_by_label("Name, CRN or PNC number").fill(words)
    page.get_by_label("Name, CRN or PNC number").press("Enter")


def results(page: Page):
    return page.get_by_role("table", name=re.compile(r"^Results\b"))


def test_search_finds_people_as_a_new_user_types_them(page, po, snap):
    marek = factories.AllocatedCaseFactory(manager=po, first_name="Marek", last_name="Wiśniewski")
    john = factories.AllocatedCaseFactory(manager=po, first_name="John", last_name="Smith", pnc="2014/0198449T")
    factories.AllocatedCaseFactory(manager=po, first_name="Anna", last_name="Marsh")
    sign_in(page, po.user.username)
    page.goto("/search/")

    search_for(page, "Marek")  # a first name alone
    expect(results(page).locator("tbody tr")).to_have_count(1)
    expect(results(page).get_by_role("link", name="Wiśniewski, Marek")).to_be_visible()
    snap(page, "1-first-name")

    search_for(page, "Wisniewski")  # the surname without its accent
    expect(results(page).locator("tbody tr")).to_have_count(1)
    expect(results(page)).to_contain_text(marek.crn)
    snap(page, "2-without-accent")

    search_for(page, "14/198449T")  # the short form of 2014/0198449T
    expect(results(page).locator("tbody tr")).to_have_count(1)
    results(page).get_by_role("link", name="Smith, John").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    expect(page.locator(".moj-identity-bar")).to_contain_text(john.crn)
    expect(page.get_by_role("main")).to_contain_text("2014/0198449T")
    snap(page, "3-found-by-pnc")


def test_case_pages_say_words_not_codes(page, po, team, snap):
    # A suspended sentence order and no risk assessment, so the single-scale tier cannot be worked out:
    # the record holds SUSPENDED_SENTENCE_ORDER and MISSING.
    case = factories.AllocatedCaseFactory(manager=po, first_name="Dana", last_name="Price")
    factories.CommunityOrderFactory(case=case, kind=SentenceKind.SUSPENDED_SENTENCE_ORDER)
    factories.AppointmentFactory(case=case)
    calculation = tier_recalculate(case=case, trigger="sentence added")
    assert calculation.tier_single == "MISSING"
    assert case.sentences.get().kind == "SUSPENDED_SENTENCE_ORDER"
    sign_in(page, po.user.username)

    page.goto(f"/cases/{case.crn}/")
    page.get_by_text(re.compile(r"^Why is this case ")).click()  # open the tier's explanation
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Suspended sentence order (12 months)")).to_be_visible()
    expect(main).to_contain_text("not worked out (predictor scores missing)")
    snap(page, "1-overview")
    assert_accessible(page)
    shown = {"overview": main.inner_text()}
    for section in ("Contacts", "Case history"):
        page.get_by_role("navigation", name="Case sections").get_by_role("link", name=section).click()
        shown[section] = page.get_by_role("main").inner_text()
        snap(page, f"2-{section.lower().replace(' ', '-')}")
    page.goto("/caseload/")
    caseload = page.get_by_role("table", name="People you supervise")
    expect(caseload.get_by_role("row", name=re.compile("Price, Dana"))).to_contain_text("Suspended sentence order")
    shown["caseload"] = page.get_by_role("main").inner_text()

    for where, text in shown.items():
        assert "MISSING" not in text, where
        assert not CODE.findall(text), f"{where} shows codes: {CODE.findall(text)}"
