"""Issue 14's recall journey in the browser: the practitioner considers recall, the SPO records oversight,
the practitioner recommends (the recall type shown from the engine; a fixed-term recall refused where
standard recall is mandatory), the SPO and then the head of PDU countersign, the recall is issued and its
PDF downloaded. The SPO's oversight is recorded with scripts off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.recall.models import Recall, RecallStep
from casework.record.models import LicenceCondition, Registration, RegistrationType
from casework.rules.recall_workflow import State
from tests import factories
from tests.browser.support import assert_no_violations, axe_violations, sign_in

pytestmark = pytest.mark.browser

REASON = "Arrested for assault on his former partner; missed two appointments since."
CONDITION = "Not to contact Jane Doe directly or indirectly"


def recall_page(page: Page, who) -> None:
    """Sign in as ``who`` and open the one recall from ``/recalls/`` (SPO, head of PDU)."""
    sign_in(page, who.user.username)
    page.get_by_role("link", name="Recalls", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recalls waiting for you")


def test_a_recall_from_consideration_to_the_heads_countersignature_and_the_pdf(new_page, team, po, snap):
    spo = factories.SpoFactory(team=team, user__username="spo", first_name="Sam", last_name="Senior")
    head = factories.HeadOfPduFactory(user__username="head", first_name="Hana", last_name="Head")
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    case = factories.AllocatedCaseFactory(manager=po, first_name="Dale", last_name="Hartley", pnc="2019/0123456A")
    sentence = factories.LicenceFactory(case=case)
    LicenceCondition.objects.create(sentence=sentence, kind="STANDARD", description="Be of good behaviour")
    LicenceCondition.objects.create(sentence=sentence, kind="ADDITIONAL", description=CONDITION)
    # MAPPA level 2: an exclusion from fixed-term recall, so standard recall is mandatory.
    Registration.objects.create(case=case, type=RegistrationType.objects.filter(group="MAPPA").first(), level=2,
                                category=1, start_date=timezone.localdate() - dt.timedelta(days=60))
    found = {}

    # The practitioner records why recall is being considered.
    page = new_page()
    sign_in(page, po.user.username)
    page.goto(f"/cases/{case.crn}/recall/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Consider recall")
    found["start"] = axe_violations(page)
    page.get_by_role("button", name="Record and ask for SPO oversight").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why recall is being considered")
    found["start with errors"] = axe_violations(page)
    page.get_by_label("Why is recall being considered?").fill(REASON)
    page.get_by_role("button", name="Record and ask for SPO oversight").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recall")
    expect(page.locator("#recall-summary")).to_contain_text("Recall considered: waiting for SPO oversight")
    expect(page.locator("#recall-timeline")).to_contain_text(REASON)
    expect(page.locator("#not-yours")).to_contain_text("Waiting for the senior probation officer of the case's team")
    snap(page, "1-considered")
    recall = Recall.objects.get(case=case)

    # The SPO records oversight, with scripts off.
    plain = new_page(java_script_enabled=False)
    recall_page(plain, spo)
    expect(plain.locator("#recalls-oversight")).to_contain_text(case.crn)
    plain.get_by_role("link", name="Hartley, Dale").click()
    plain.get_by_label("Management oversight rationale").fill("Risk to the former partner is rising: recommend.")
    plain.get_by_role("button", name="Record oversight").click()
    expect(plain.locator(".govuk-notification-banner")).to_contain_text("SPO oversight recorded")
    expect(plain.locator("#recall-timeline")).to_contain_text("Risk to the former partner is rising")

    # The practitioner recommends: the engine says standard recall; fixed term is refused.
    page.reload()
    expect(page.locator("#engine-answer")).to_contain_text("Standard recall is mandatory.")
    expect(page.locator("#engine-answer")).to_contain_text("MAPPA level 2 or 3: fixed-term recall is excluded")
    found["recommendation"] = axe_violations(page)
    page.get_by_role("group", name="Has the person been charged with a further offence?").get_by_label(
        "No further offence").check()
    page.get_by_label(f"Additional: {CONDITION}").check()
    page.get_by_label("Alternatives to recall already tried").fill("Two warnings, then weekly reporting.")
    page.get_by_label("In police custody").check()
    page.get_by_role("group", name="Is this an emergency recall?").get_by_label("No").check()
    page.get_by_label("Fixed-term recall").check()
    page.get_by_label("Reasons for the recommendation").fill("Risk of serious harm to the former partner.")
    page.get_by_role("button", name="Record the recommendation").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Standard recall is mandatory for this case: a fixed-term recall cannot be "
                                    "recorded")
    snap(page, "2-fixed-term-refused")
    found["recommendation refused"] = axe_violations(page)
    assert Recall.objects.get(pk=recall.pk).state == State.SPO_OVERSIGHT
    page.get_by_label("Standard recall").check()
    page.get_by_role("button", name="Record the recommendation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Recommendation recorded")
    expect(page.locator("#recall-summary")).to_contain_text("Standard recall")
    expect(page.locator("#recall-summary")).to_contain_text(CONDITION)

    # The SPO countersigns.
    page = new_page()
    recall_page(page, spo)
    page.locator("#recalls-spo").get_by_role("link", name="Hartley, Dale").click()
    expect(page.get_by_role("heading", name="Countersign as SPO")).to_be_visible()
    page.get_by_label("Your comments").fill("Agreed: recall is needed.")
    page.get_by_role("button", name="Countersign").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Countersignature recorded")
    expect(page.get_by_role("button", name="Countersign")).to_have_count(0)

    # The head of PDU countersigns, issues, and downloads the recall document.
    page = new_page()
    recall_page(page, head)
    found["recalls"] = axe_violations(page)
    page.locator("#recalls-aco").get_by_role("link", name="Hartley, Dale").click()
    page.get_by_label("Your comments").fill("Recall authorised.")
    page.get_by_role("button", name="Countersign").click()
    expect(page.locator("#recall-summary")).to_contain_text("Countersigned by the head of PDU: ready to issue")
    page.get_by_role("button", name="Issue the recall document").click()
    expect(page.locator("#recall-summary")).to_contain_text("Recall issued")
    timeline = page.locator("#recall-timeline")
    for words, who in [("Recall considered", po), ("SPO oversight recorded", spo), ("Recall recommended", po),
                       ("Countersigned by the SPO", spo), ("Countersigned by the head of PDU", head),
                       ("Recall document issued", head)]:
        expect(timeline).to_contain_text(words)
        expect(timeline).to_contain_text(f"By {who.name}")
    snap(page, "3-issued")
    found["issued"] = axe_violations(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the recall document (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"recall-{case.crn}-{recall.pk}.pdf"
    content = open(download.path(), "rb").read()  # noqa: SIM115 - Playwright's temporary file
    assert content.startswith(b"%PDF-") and case.crn.encode() in content
    assert list(RecallStep.objects.filter(recall=recall).values_list("by", flat=True)) == [
        po.pk, spo.pk, po.pk, spo.pk, head.pk, head.pk]
    assert_no_violations(found)
