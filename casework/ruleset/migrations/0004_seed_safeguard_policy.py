"""Seed version 1 of the national safeguard schedule: the rules.md §4 defaults.

The values are written out here (not read from the engine) so this migration always seeds what
rules.md §4 said when it was written; a later change of defaults is a new migration with a new
version. On a database built from scratch ``0002_seed_defaults`` has already seeded it (it seeds
every kind the code knows), and this finds it there.
"""

from django.db import migrations

SCHEDULE = {
    "initial_working_days": 15,
    "home_visit_working_days": 20,
    "home_visit_registrations": ["ADVP", "RCCO", "RCHD", "RCPR"],
    "review_weeks_high": 16,
    "review_weeks_other": 26,
    "triggered_review_working_days": 10,
    "review_triggers": ["ARREST", "CHARGE", "DOMESTIC_ABUSE_CALLOUT", "CHANGE_OF_ADDRESS", "CHANGE_OF_HOUSEHOLD",
                        "FAILURE_TO_COMPLY", "BREACH_DECISION", "RECALL_DECISION", "RELEASE", "REGISTRATION_ADDED"],
    "oversight_working_days": 10,
    "oversight_events": ["BREACH_DECISION", "RECALL_DECISION"],
}


def seed(apps, schema_editor):
    RuleConfig = apps.get_model("ruleset", "RuleConfig")
    RuleConfig.objects.get_or_create(
        kind="SAFEGUARD_POLICY", key="default", version=1, pdu=None,
        defaults={"data": SCHEDULE, "source": "RULES_DEFAULT",
                  "reason": "Seeded from the rules reference: default (rules.md §4)"},
    )


class Migration(migrations.Migration):
    dependencies = [("ruleset", "0003_ruleconfig_pdu")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
