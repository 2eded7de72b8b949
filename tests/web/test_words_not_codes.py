"""Pages a new user reads: words rather than codes, upcoming apart from past, and the whole case history."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.account.services import sign_in_record
from casework.audit.services import audit_record
from casework.record import services
from casework.record.models import TierCalculation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(po):
    return factories.AllocatedCaseFactory(manager=po)


def test_overview_puts_upcoming_bookings_apart_from_recent_contacts(signed_in, po, case):
    now = timezone.now()
    past = factories.AppointmentFactory(case=case, starts_at=now - dt.timedelta(days=3), location="Past place")
    future = factories.AppointmentFactory(case=case, starts_at=now + dt.timedelta(days=300), location="Far future")
    html = signed_in(po).get(reverse("case-overview", args=[case.crn])).content.decode()
    upcoming = html[html.index('id="upcoming-contacts"'):html.index("Recent contacts")]
    recent = html[html.index('id="recent-contacts"'):]
    assert "Far future" in upcoming and "Past place" not in upcoming
    assert past.starts_at and future.starts_at
    assert "Far future" not in recent


def test_single_scale_tier_is_in_words(signed_in, po, case):
    TierCalculation.objects.create(case=case, calculated_at=timezone.now(), as_of=timezone.localdate(),
                                   trigger="test", rules_version="1", tier="B2", tier_single="MISSING",
                                   inputs={}, result={"explanation": {}})
    html = signed_in(po).get(reverse("case-overview", args=[case.crn])).content.decode()
    assert "MISSING" not in html
    assert "not worked out (predictor scores missing)" in html


def test_case_history_is_a_timeline_of_every_change(signed_in, po, case):
    services.case_update_personal_details(case=case, by=po.user, expected_version=case.version,
                                          mobile="07700 900982", gender="FEMALE")
    services.contact_record(case=case, by=po.user, kind="CASE_NOTE", starts_at=timezone.now(),
                            notes="Talked about work")
    html = signed_in(po).get(reverse("case-history", args=[case.crn])).content.decode()
    assert html.count('class="moj-timeline__item"') == 2
    assert "Personal details changed" in html and "Contact recorded" in html
    assert f"by {po.name}" in html
    assert "Mobile" in html and "07700 900982" in html and "Female" in html and "Case note" in html
    for code in ("case.update_personal_details", "contact.record", "FEMALE", "CASE_NOTE"):
        assert code not in html


def test_case_history_is_paginated(signed_in, po, case):
    for i in range(27):
        services.contact_record(case=case, by=po.user, kind="CASE_NOTE", starts_at=timezone.now(), notes=f"n{i}")
    client = signed_in(po)
    first = client.get(reverse("case-history", args=[case.crn])).content.decode()
    second = client.get(reverse("case-history", args=[case.crn]), {"page": 2}).content.decode()
    assert first.count('class="moj-timeline__item"') == 25 and "Page 1 of 2" in first
    assert second.count('class="moj-timeline__item"') == 2


def test_team_export_names_sentences_in_words(signed_in, po, team, case):
    factories.CommunityOrderFactory(case=case)
    spo = factories.SpoFactory(team=team)
    response = signed_in(spo).get(reverse("team-caseload-export", args=[team.code]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()
                                           if response.streaming else response.content.decode())))
    assert rows and rows[0]["sentence"] == "Community order"


def test_audit_log_shows_words_and_a_change_table(client, po, case):
    # No CRN: values of a case the administrator may not read are hidden (tests/audit cover that).
    audit_record(actor=po.user, action="contact.record", before={"outcome": ""},
                 after={"kind": "PHONE", "outcome": "ATTENDED_COMPLIED",
                        "starts_at": timezone.make_aware(dt.datetime(2026, 1, 2, 14, 30))})
    admin = factories.AdminStaffFactory()
    sign_in_record(user=admin.user)
    factories.sign_in_fully(client, admin.user)
    html = client.get(reverse("audit-log")).content.decode()
    assert "Contact recorded" in html and "Signed in" in html
    shown = re.sub(r' value="[a-z_]+\.[a-z_]+"', "", html)  # the filter's option values are codes; words are shown
    assert "auth.sign_in" not in shown and "contact.record" not in shown
    assert "{&quot;" not in html and '{"' not in html  # no raw JSON
    assert "ATTENDED_COMPLIED" not in html and "Attended – complied" in html
    assert ">Date and time</th>" in html and "2 January 2026, 2:30pm" in html and ">Phone call<" in html
    assert '<option value="auth.sign_in">Signed in</option>' in html
