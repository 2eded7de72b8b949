"""The safeguard schedule as stored configuration: seeded from rules.md §4, versioned, audited, per PDU."""

from __future__ import annotations

import io
import json
import sys

import pytest
from django.db import IntegrityError, transaction

from casework import cli
from casework.audit.models import AuditEvent
from casework.core.errors import DomainValidationError
from casework.rules import safeguards
from casework.rules.cli import answer
from casework.ruleset.kinds import ConfigKind, Source
from casework.ruleset.models import RuleConfig
from casework.ruleset.selectors import active_config, config_in_force, local_policies, safeguard_schedule
from casework.ruleset.services import rule_config_change
from tests import factories
from tests.api.test_rules_api import REQUESTS

pytestmark = pytest.mark.django_db

KIND = ConfigKind.SAFEGUARD_POLICY
REQUEST = REQUESTS["safeguards"]


@pytest.fixture
def admin_user(db):
    return factories.AdminStaffFactory().user


def schedule(**change) -> dict:
    return {**safeguards.DEFAULT_SCHEDULE.to_dict(), **change}


def test_version_1_is_the_rules_default_seeded_by_migration():
    config = active_config(KIND, "default")
    assert (config.version, config.source, config.pdu) == (1, Source.RULES_DEFAULT, None)
    assert config.data == safeguards.DEFAULT_SCHEDULE.to_dict()
    assert safeguard_schedule() == (safeguards.DEFAULT_SCHEDULE, config)
    assert config.label == "SAFEGUARD_POLICY/default/v1"


def test_a_national_policy_is_versioned_audited_and_used_by_the_api_and_stored_config_cli(
        admin_user, po, client, monkeypatch, capsys):
    config = rule_config_change(kind=KIND, key="default", data=schedule(triggered_review_working_days=5),
                                by=admin_user, reason="Local review standard")
    assert (config.version, config.source) == (2, Source.LOCAL_POLICY)
    event = AuditEvent.objects.get(action="rules.config_change")
    assert event.before["version"] == 1 and event.after["data"]["triggered_review_working_days"] == 5
    client.force_login(po.user)
    from_api = client.post("/api/rules/safeguards", data=json.dumps(REQUEST), content_type="application/json").json()
    review = [t for t in from_api["tasks"] if t["trigger"] == "ARREST"]
    assert review[0]["due"] == "2026-02-27"  # 5 working days from Friday 20 February, not 10
    assert from_api["config"] == ["SAFEGUARD_POLICY/default/v2"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(REQUEST) + "\n"))
    assert cli.main(["rules", "safeguards", "--stored-config"]) == 0
    assert json.loads(capsys.readouterr().out) == from_api
    # The command without --stored-config, and a request bringing its own policy, use the rules.md schedule.
    pure, _ = answer("safeguards", json.dumps(REQUEST))
    assert "config" not in pure and pure["tasks"] != from_api["tasks"]
    own = {**REQUEST, "policy": safeguards.DEFAULT_SCHEDULE.to_dict()}
    assert client.post("/api/rules/safeguards", data=json.dumps(own), content_type="application/json").json() == pure


def test_a_pdu_policy_replaces_the_national_one_in_that_pdu_only(admin_user):
    north, south = factories.PduFactory(), factories.PduFactory()
    national_v2 = rule_config_change(kind=KIND, key="default", data=schedule(home_visit_working_days=15),
                                     by=admin_user, reason="National change")
    north_v1 = rule_config_change(kind=KIND, key="default", data=schedule(home_visit_working_days=10),
                                  by=admin_user, reason="North pilot", pdu=north)
    assert (north_v1.version, north_v1.pdu, north_v1.source) == (1, north, Source.LOCAL_POLICY)
    assert north_v1.label == f"SAFEGUARD_POLICY/default/{north.code}/v1"
    assert config_in_force(KIND, "default", north) == north_v1
    assert config_in_force(KIND, "default", south) == national_v2
    assert config_in_force(KIND, "default") == national_v2
    assert safeguard_schedule(north)[0].home_visit_working_days == 10
    assert safeguard_schedule(south)[0].home_visit_working_days == 15
    north_v2 = rule_config_change(kind=KIND, key="default", data=schedule(home_visit_working_days=12),
                                  by=admin_user, reason="North pilot extended", pdu=north)
    assert north_v2.version == 2 and active_config(KIND, "default") == national_v2
    event = AuditEvent.objects.filter(action="rules.config_change").latest("pk")
    assert event.before["version"] == 1 and north.code in event.detail
    assert {c.label for c in local_policies()} == {"SAFEGUARD_POLICY/default/v2",
                                                   f"SAFEGUARD_POLICY/default/{north.code}/v2"}


def test_a_pdu_policy_equal_to_the_rules_is_recorded_as_the_default(admin_user):
    pdu = factories.PduFactory()
    config = rule_config_change(kind=KIND, key="default", data=schedule(), by=admin_user, reason="Same", pdu=pdu)
    assert config.source == Source.RULES_DEFAULT and local_policies() == []


def test_one_version_number_per_scope(admin_user):
    pdu = factories.PduFactory()
    rule_config_change(kind=KIND, key="default", data=schedule(), by=admin_user, reason="PDU", pdu=pdu)
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleConfig.objects.create(kind=KIND, key="default", version=1, data=schedule(), source=Source.RULES_DEFAULT,
                                  reason="Twice", pdu=pdu)
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleConfig.objects.create(kind=KIND, key="default", version=1, data=schedule(), source=Source.RULES_DEFAULT,
                                  reason="Twice")


@pytest.mark.parametrize("data", [
    schedule(initial_working_days=0),
    schedule(review_triggers=["ARREST", "ARREST"]),
    {"initial_working_days": 15},
])
def test_a_bad_schedule_is_refused_and_nothing_changes(admin_user, data):
    before = RuleConfig.objects.count()
    with pytest.raises(DomainValidationError) as exc:
        rule_config_change(kind=KIND, key="default", data=data, by=admin_user, reason="Try",
                           pdu=factories.PduFactory())
    assert "data" in exc.value.errors
    assert RuleConfig.objects.count() == before and not AuditEvent.objects.exists()


def test_an_administrator_adds_a_pdu_version_in_the_admin(client, admin_user):
    pdu = factories.PduFactory()
    client.force_login(admin_user)
    url = "/admin/ruleset/ruleconfig/add/"
    page = client.get(f"{url}?kind={KIND}&key=default&pdu={pdu.pk}")
    assert page.status_code == 200 and b"home_visit_working_days" in page.content
    posted = client.post(url, {"kind": KIND, "key": "default", "pdu": pdu.pk, "reason": "Pilot",
                               "data": json.dumps(schedule(oversight_working_days=5))})
    assert posted.status_code == 302
    assert config_in_force(KIND, "default", pdu).data["oversight_working_days"] == 5
    assert active_config(KIND, "default").version == 1
