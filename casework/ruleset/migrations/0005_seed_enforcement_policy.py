"""Seed version 1 of the national enforcement deadlines: the rules.md §5.4 defaults.

The values are written out here (not read from the engine) so this migration always seeds what
rules.md §5.4 said when it was written; a later change of defaults is a new migration with a new
version. On a database built from scratch ``0002_seed_defaults`` has already seeded it (it seeds
every kind the code knows), and this finds it there.
"""

from django.db import migrations

DEADLINES = {
    "breach_decision_working_days": 10,
    "licence_decision_working_days": 5,
    "risk_review_working_days": 10,
    "recall_consideration_working_days": 5,
    "repeated_absences": 3,
    "repeated_absence_days": 28,
}


def seed(apps, schema_editor):
    RuleConfig = apps.get_model("ruleset", "RuleConfig")
    RuleConfig.objects.get_or_create(
        kind="ENFORCEMENT_POLICY", key="default", version=1, pdu=None,
        defaults={"data": DEADLINES, "source": "RULES_DEFAULT",
                  "reason": "Seeded from the rules reference: default (rules.md §5.4)"},
    )


class Migration(migrations.Migration):
    dependencies = [("ruleset", "0004_seed_safeguard_policy")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
