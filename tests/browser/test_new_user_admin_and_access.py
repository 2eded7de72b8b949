"""Administration and access to cases, in the browser (issues 10 and 11): who may open the admin, what
its index calls things, the separation of duties for grants (an administrator asks, a head of PDU
approves), and the audit viewer showing requests, decisions and views of restricted cases in words."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.access.models import ScopeGrant
from tests import factories
from tests.browser.support import assert_no_violations, axe_violations, sign_in

pytestmark = pytest.mark.browser

# An audit action code as stored (auth.sign_in, access.grant_approve): pages show words instead.
ACTION_CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")
# A stored code (PENDING, HEAD_OF_PDU): capitals only, as a whole cell.
VALUE_CODE = re.compile(r"^[A-Z][A-Z_]+$")


def audit_entries(page: Page, action: str):
    """The audit viewer filtered, through its own form, to one action chosen by its words."""
    page.goto("/audit/")
    action_filter = page.get_by_label("Action", exact=True)
    options = action_filter.locator("option").all_inner_texts()
    assert options[0] == "Any action" and "Signed in" in options
    assert not [o for o in options if ACTION_CODE.match(o)], f"action codes in the filter: {options}"
    action_filter.select_option(label=action)
    page.get_by_role("button", name="Apply filters").click()
    entries = page.get_by_role("table", name="Entries, newest first")
    expect(entries.locator(":scope > tbody > tr")).not_to_have_count(0)
    return entries.locator(":scope > tbody > tr")


def assert_no_codes(change_table) -> None:
    cells = [cell.strip() for cell in change_table.locator("td").all_inner_texts()]
    assert not [c for c in cells if VALUE_CODE.match(c)], f"codes in the change table: {cells}"


def test_only_administrators_use_the_admin_and_its_index_reads_as_words(new_page, po, snap):
    page = new_page()
    sign_in(page, po.user.username)
    for url in ("/admin/", "/admin/record/caseaccess/"):
        response = page.goto(url)
        # Straight to the 403 page: not sent to sign in again (which sent them straight back here).
        assert response.status == 403, url
        assert page.url.endswith(url), f"{url} went to {page.url}"
        expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")
    snap(page, "1-not-an-administrator")
    assert_no_violations({"403": axe_violations(page)})

    admin = factories.AdminStaffFactory()
    page = new_page()
    sign_in(page, admin.user.username)
    page.goto("/admin/")
    expect(page.get_by_role("link", name="Case access rules", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Scope grants", exact=True)).to_be_visible()
    snap(page, "2-admin-index")


def test_a_grant_is_asked_for_by_one_person_and_approved_by_another_and_audited(new_page, team, po, snap):
    today = timezone.localdate()
    head = factories.HeadOfPduFactory(first_name="Helen", last_name="Okafor")
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    qa = factories.QualityAssuranceFactory(first_name="Quinn", last_name="Adeyemi")
    admin = factories.AdminStaffFactory()
    restricted = factories.restrict(factories.AllocatedCaseFactory(manager=po, first_name="Rae", last_name="Lowe"),
                                    permitted=[po])

    # The administrator asks for access for themselves: refused, with the reason on the form.
    page = new_page()
    sign_in(page, admin.user.username)
    page.goto("/admin/access/scopegrant/add/")
    page.locator("#id_staff").fill(str(admin.pk))
    page.locator("#id_role").select_option(label="Quality assurance")
    page.locator("#id_pdu").fill(str(team.pdu.pk))
    page.locator("#id_starts_on").fill(today.isoformat())
    page.locator("#id_ends_on").fill((today + dt.timedelta(days=60)).isoformat())
    page.locator("#id_reason").fill("Case file audit")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text(
        "You cannot ask for access to cases for yourself: another administrator has to")
    snap(page, "1-own-grant-refused")
    assert not ScopeGrant.objects.filter(staff=admin).exists()

    # For someone else it is asked for, and waits for approval.
    page.locator("#id_staff").fill(str(qa.pk))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    grant = ScopeGrant.objects.get(staff=qa)
    assert grant.status == "PENDING"

    # The head of the PDU approves it on the requests page.
    approver = new_page()
    sign_in(approver, head.user.username)
    approver.goto("/access-requests/")
    requests = approver.get_by_role("table", name="Waiting for a decision, oldest first")
    expect(requests.locator("tbody tr")).to_have_count(1)
    expect(requests.locator("tbody tr")).to_contain_text("Quinn Adeyemi")
    snap(approver, "2-requests")
    found = {"requests": axe_violations(approver)}
    requests.get_by_role("link", name="Decide on access for Quinn Adeyemi").click()
    expect(approver.get_by_role("heading", level=1)).to_have_text("Access for Quinn Adeyemi")
    approver.get_by_label("Approve").check()
    approver.get_by_role("button", name="Save decision").click()
    expect(approver.locator(".govuk-notification-banner--success")).to_contain_text(
        "Access for Quinn Adeyemi approved")
    expect(approver.get_by_text("There are no requests waiting for your decision.")).to_be_visible()
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by_id) == ("APPROVED", head.user.pk)

    # A permitted officer opens the restricted case: that view is recorded.
    reader = new_page()
    sign_in(reader, po.user.username)
    reader.goto(f"/cases/{restricted.crn}/")
    expect(reader.locator(".moj-identity-bar")).to_contain_text("Restricted access")

    # The administrator reads all three in the audit viewer, in words.
    asked = audit_entries(page, "Access requested")
    expect(asked).to_have_count(1)
    expect(asked.first).to_contain_text(admin.user.username)
    expect(asked.first.get_by_role("row", name=re.compile(r"^Role\b"))).to_contain_text("Quality assurance")
    assert_no_codes(asked.first.get_by_role("table"))
    approved = audit_entries(page, "Access request approved")
    expect(approved).to_have_count(1)
    expect(approved.first).to_contain_text(head.user.username)
    change = approved.first.get_by_role("table")
    expect(change.get_by_role("columnheader")).to_have_text(["Field", "Before", "After"])
    expect(change.get_by_role("row", name=re.compile(r"^Status\b"))).to_contain_text("Waiting for approval")
    expect(change.get_by_role("row", name=re.compile(r"^Status\b"))).to_contain_text("Approved")
    assert_no_codes(change)
    snap(page, "3-audit-approval")
    found["audit"] = axe_violations(page)
    viewed = audit_entries(page, "Restricted case viewed")
    expect(viewed).to_have_count(1)
    expect(viewed.first).to_contain_text(po.user.username)
    expect(viewed.first).to_contain_text(restricted.crn)
    snap(page, "4-audit-restricted-view")
    assert_no_violations(found)
