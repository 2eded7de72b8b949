"""Stored rule configuration: seeded from rules.md, versioned, validated by the engines, audited."""

from __future__ import annotations

import copy
import io
import json
import sys

import pytest
from django.urls import reverse

from casework import cli
from casework.audit.models import AuditEvent
from casework.core.errors import DomainValidationError, NotPermittedError
from casework.rules import eligibility, rating, workload
from casework.rules.cli import answer
from casework.ruleset.kinds import ConfigKind, Source
from casework.ruleset.models import RuleConfig
from casework.ruleset.selectors import active_config, grade_matrix, local_policies, points_table
from casework.ruleset.services import rule_config_change
from tests import factories
from tests.api.test_rules_api import REQUESTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return factories.AdminStaffFactory().user


def test_seeded_defaults_equal_the_engine_defaults():
    assert points_table()[0] == workload.DEFAULT_POINTS_TABLE
    assert grade_matrix()[0] == eligibility.DEFAULT_GRADE_MATRIX
    for key, framework in rating.FRAMEWORKS.items():
        assert active_config(ConfigKind.RATING_FRAMEWORK, key).data == framework.to_dict()
    assert local_policies() == []


def edited_table(b2_community: int) -> dict:
    data = copy.deepcopy(workload.DEFAULT_POINTS_TABLE.to_dict())
    data["community"]["B2"] = b2_community
    return data


def test_a_local_points_table_is_versioned_audited_and_used_by_the_api(client, admin_user, po):
    config = rule_config_change(kind="POINTS_TABLE", key="default", data=edited_table(200), by=admin_user,
                                reason="Local workload agreement 2026")
    assert (config.version, config.source) == (2, Source.LOCAL_POLICY)
    event = AuditEvent.objects.get(action="rules.config_change")
    assert event.before["version"] == 1 and event.after["data"]["community"]["B2"] == 200
    client.force_login(po.user)
    response = client.post("/api/rules/workload", data=json.dumps(REQUESTS["workload"]),
                           content_type="application/json").json()
    pure, _ = answer("workload", json.dumps(REQUESTS["workload"]))
    assert response["points"] == pure["points"] - 115 + 200
    assert response["config"] == ["POINTS_TABLE/default/v2"]
    assert [c.version for c in local_policies()] == [2]


def test_restoring_the_default_values_is_recorded_as_the_default(admin_user):
    rule_config_change(kind="POINTS_TABLE", key="default", data=edited_table(200), by=admin_user, reason="Trial")
    restored = rule_config_change(kind="POINTS_TABLE", key="default", data=edited_table(115), by=admin_user,
                                  reason="End of trial")
    assert (restored.version, restored.source) == (3, Source.RULES_DEFAULT)
    assert local_policies() == []


@pytest.mark.parametrize(
    "kind, key, data, field",
    [
        pytest.param("POINTS_TABLE", "default", {"community": {}}, "data", id="incomplete-table"),
        pytest.param("POINTS_TABLE", "default", "not json object", "data", id="not-an-object"),
        pytest.param("RATING_FRAMEWORK", "NOPE_2030", {}, "key", id="unknown-framework"),
        pytest.param("GRADE_MATRIX", "default", {"PO": 1}, "data", id="bad-matrix"),
    ],
)
def test_bad_configuration_is_refused_and_nothing_changes(admin_user, kind, key, data, field):
    before = RuleConfig.objects.count()
    with pytest.raises(DomainValidationError) as exc:
        rule_config_change(kind=kind, key=key, data=data, by=admin_user, reason="Try")
    assert field in exc.value.errors
    assert RuleConfig.objects.count() == before
    assert not AuditEvent.objects.exists()


def test_only_administrators_change_rule_configuration(po):
    with pytest.raises(NotPermittedError):
        rule_config_change(kind="POINTS_TABLE", key="default", data=edited_table(1), by=po.user, reason="No")


def test_cli_with_stored_config_answers_like_the_api(admin_user, po, client, monkeypatch, capsys):
    rule_config_change(kind="POINTS_TABLE", key="default", data=edited_table(200), by=admin_user, reason="Local")
    line = json.dumps(REQUESTS["workload"])
    monkeypatch.setattr(sys, "stdin", io.StringIO(line + "\n"))
    assert cli.main(["rules", "workload", "--stored-config"]) == 0
    from_cli = json.loads(capsys.readouterr().out)
    client.force_login(po.user)
    from_api = client.post("/api/rules/workload", data=line, content_type="application/json").json()
    assert from_cli == from_api
    assert from_cli["config"] == ["POINTS_TABLE/default/v2"]


def test_admin_can_add_a_version_through_the_admin(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:ruleset_ruleconfig_add")
    page = client.get(url + "?kind=POINTS_TABLE&key=default")
    assert page.status_code == 200 and b"community" in page.content
    bad = client.post(url, {"kind": "POINTS_TABLE", "key": "default", "data": '{"community": {}}', "reason": "x"})
    assert bad.status_code == 200 and RuleConfig.objects.filter(kind="POINTS_TABLE").count() == 1
    good = client.post(url, {"kind": "POINTS_TABLE", "key": "default", "data": json.dumps(edited_table(120)),
                             "reason": "Agreed locally"})
    assert good.status_code == 302
    assert active_config("POINTS_TABLE", "default").data["community"]["B2"] == 120
