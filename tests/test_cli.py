"""The ``casework`` console command."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIER = {"as_of": "2026-11-27", "gender": "MALE", "active_sentence": True, "rosh": "HIGH", "rsr": 4.2,
        "mappa": {"level": 2, "category": 1}, "registrations": ["RCCO"], "ogrs": 59,
        "assessment": {"needs": {"ACCOMMODATION": "STANDARD", "THINKING_AND_BEHAVIOUR": "SEVERE"}},
        "mandate_for_change": True, "predictors": {"arp": 55.0, "arp_static": False, "csrp": 1.2,
                                                   "csrp_static": False, "dc_srp": None},
        "lifer_release_date": None, "sexual_offence_history": False, "unsupervised": False}


def casework(*args, stdin: str = "", env: dict | None = None):
    return subprocess.run([sys.executable, "-m", "casework.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=120, env={**os.environ, **(env or {})})


def test_help_lists_the_commands():
    result = casework("--help")
    assert result.returncode == 0
    for command in ("serve", "demo", "rules", "createadmin", "migrate", "check", "manage"):
        assert command in result.stdout


def test_rules_help_lists_the_engines():
    result = casework("rules", "--help")
    assert result.returncode == 0
    for name in ("tier", "workload", "recall-type", "rating", "sample"):
        assert name in result.stdout


def test_rules_tier_answers_each_line_and_exits_2_when_one_fails():
    lines = "\n".join([json.dumps(TIER), "{not json", json.dumps({**TIER, "rosh": "EXTREME"}), json.dumps(TIER)])
    result = casework("rules", "tier", stdin=lines + "\n")
    assert result.returncode == 2
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["two_axis"]["tier"] == "A2" and out[3] == out[0]
    assert set(out[1]["error"]) == {"field", "message"}
    assert out[2]["error"]["field"] == "rosh"


def test_rules_runs_without_a_database():
    # A DATABASE_URL that would stop Django at start-up: the rules command never loads Django.
    result = casework("rules", "tier", stdin=json.dumps(TIER) + "\n", env={"DATABASE_URL": "mysql://nowhere/x"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["two_axis"]["tier"] == "A2"


def test_unknown_rule_name_is_a_usage_error():
    result = casework("rules", "nonsense")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


@pytest.mark.django_db
def test_manage_passes_through_to_django():
    result = casework("manage", "check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
