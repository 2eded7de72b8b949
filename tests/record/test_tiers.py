"""The case's tier comes from the tiering engine, stored with the inputs it was calculated from."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import IntegrityError
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.record.models import Case, Registration, RegistrationType, Requirement, TierCalculation
from casework.record.services import tier_recalculate, tier_recalculate_all, tier_recalculate_many
from casework.rules import tiering
from casework.rules.cli import answer
from tests import factories

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 11, 27)


@pytest.fixture
def case(po):
    case = factories.AllocatedCaseFactory(manager=po, tier="", rosh="")
    sentence = factories.CommunityOrderFactory(case=case)
    Requirement.objects.create(sentence=sentence, kind="REHABILITATION_ACTIVITY", length=20, unit="DAYS")
    factories.RiskAssessmentFactory(case=case, rosh_overall="HIGH", rsr="4.20", ogrs=59,
                                    needs={"ACCOMMODATION": "STANDARD", "THINKING_AND_BEHAVIOUR": "SEVERE"},
                                    arp="55.0", csrp="1.2")
    factories.RegistrationFactory(case=case, type=RegistrationType.objects.get(code="RCCO"))
    factories.RegistrationFactory(case=case, type=RegistrationType.objects.get(code="MAPP"), level=2, category=1)
    return case


def test_tier_is_calculated_from_the_record_and_stored_with_inputs(case):
    calculation = tier_recalculate(case=case, as_of=AS_OF, trigger="test")
    case.refresh_from_db()
    # RoSH high 20 vs RSR 10 → 20; MAPPA level 2 → 150; RCCO → 2: 172 → A.
    # Needs: accommodation 1 + thinking and behaviour 2×2 = 5; OGRS 59 → 5: 10 → change 2.
    assert (case.tier, case.rosh) == ("A2", "HIGH")
    assert calculation.result["two_axis"]["protect"] == {"level": "A", "points": 172}
    assert calculation.result["two_axis"]["change"] == {"level": 2, "points": 10}
    assert calculation.inputs["registrations"] == ["RCCO"]
    assert calculation.inputs["mappa"] == {"level": 2, "category": 1}
    assert calculation.rules_version == tiering.RULES_VERSION


def test_stored_inputs_reproduce_the_result_through_the_cli_contract(case):
    calculation = tier_recalculate(case=case, as_of=AS_OF, trigger="test")
    result, ok = answer("tier", json.dumps(calculation.inputs))
    assert ok
    assert result == calculation.result


def test_ended_and_historic_registrations_are_ignored(case):
    Registration.objects.filter(case=case, type__code="RCCO").update(historic=True)
    Registration.objects.filter(case=case, type__code="MAPP").update(end_date=dt.date(2026, 1, 1))
    tier_recalculate(case=case, as_of=AS_OF, trigger="test")
    case.refresh_from_db()
    assert case.tier == "B2"  # RoSH high 20 only


def test_no_rehabilitative_requirement_means_no_mandate(case):
    Requirement.objects.filter(sentence__case=case).update(kind="CURFEW")
    tier_recalculate(case=case, as_of=AS_OF, trigger="test")
    case.refresh_from_db()
    assert case.tier == "A0"


def test_no_current_sentence_is_not_tiered(case):
    case.sentences.update(status="ENDED")
    calculation = tier_recalculate(case=case, as_of=AS_OF, trigger="test")
    case.refresh_from_db()
    assert case.tier == ""
    assert calculation.tier_single == "NOT_SUPERVISED"


def test_recalculate_all_stores_one_calculation_per_case(case, po):
    other = factories.AllocatedCaseFactory(manager=po)
    factories.LicenceFactory(case=other)
    tier_recalculate_all(as_of=AS_OF, trigger="nightly")
    assert TierCalculation.objects.filter(trigger="nightly").count() == Case.objects.count() == 2


def test_case_page_explains_the_tier(signed_in, po, case):
    tier_recalculate(case=case, as_of=AS_OF, trigger="test")
    html = signed_in(po).get(reverse("case-overview", args=[case.crn])).content.decode()
    assert "Why is this case A2?" in html
    assert "Protect level A (172 points)" in html
    assert "Change level 2 (10 points)" in html
    history = signed_in(po).get(reverse("case-history", args=[case.crn])).content.decode()
    assert "tier-2026.1" in history


# Every recalculation is a write through the audited services: one audit row per case whose tier changed.


def test_a_changed_tier_is_audited_with_its_values_before_and_after(case, po):
    tier_recalculate(case=case, as_of=AS_OF, trigger="registration added", by=po.user)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.crn, event.detail) == (
        "case.tier_recalculated", po.user, case.crn, "registration added")
    assert event.before == {"tier": "", "tier_single": case.tier_single, "rosh": ""}
    assert event.after["tier"] == "A2" and event.after["rosh"] == "HIGH"


def test_a_recalculation_that_changes_nothing_writes_a_calculation_and_no_audit_row(case):
    tier_recalculate(case=case, as_of=AS_OF, trigger="first")
    # The log is append-only (a trigger refuses deletes on PostgreSQL): count from the last row instead.
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    tier_recalculate(case=case, as_of=AS_OF, trigger="again")
    assert TierCalculation.objects.filter(trigger="again").count() == 1
    assert not AuditEvent.objects.filter(pk__gt=last).exists()


def test_bulk_recalculation_writes_its_audit_rows_in_bulk_in_the_same_transaction(case, po,
                                                                                 django_assert_num_queries):
    others = [factories.AllocatedCaseFactory(manager=po) for _ in range(3)]
    for other in others:
        factories.LicenceFactory(case=other)
    Case.objects.update(tier="", tier_single="?", rosh="")
    ids = list(Case.objects.values_list("pk", flat=True))
    # Six reads of the inputs (cases, sentences, requirements, offences, registrations, assessments),
    # then three writes: the calculations, the cases and their audit rows, one statement each whatever
    # the number of cases (plus the savepoint around them, and the audit hash chain's read of its last hash).
    with django_assert_num_queries(6 + 3 + 2 + 1):
        changed = tier_recalculate_many(case_ids=ids, as_of=AS_OF, trigger="nightly")
    assert changed == 4
    crns = sorted(Case.objects.values_list("crn", flat=True))
    assert sorted(AuditEvent.objects.values_list("crn", flat=True)) == crns
    assert set(AuditEvent.objects.values_list("actor_label", flat=True)) == {"system"}


def test_if_the_audit_rows_cannot_be_written_no_tier_changes(case, monkeypatch):
    def broken(*args, **kwargs):
        raise IntegrityError("audit table unavailable")

    monkeypatch.setattr(AuditEvent.objects, "bulk_create", broken)
    with pytest.raises(IntegrityError):
        tier_recalculate(case=case, as_of=AS_OF, trigger="test")
    case.refresh_from_db()
    assert (case.tier, TierCalculation.objects.count()) == ("", 0)
