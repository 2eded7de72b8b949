"""Who may record a safeguard as not required: a new kind of rule configuration, and its version 1.

The values are written out here (not read from the engine) so this migration always seeds the
default of issue 12 as it was written; on a database built from scratch ``0002_seed_defaults`` has
already seeded it (it seeds every kind the code knows), and this finds it there.
"""

from django.db import migrations, models

DECIDERS = {
    "home_visit": ["SPO"],
    "risk_review": ["SPO"],
    "safeguarding_enquiry": ["SPO"],
    "practitioner_safeguarding_when_no_children_contact": True,
}


def seed(apps, schema_editor):
    RuleConfig = apps.get_model("ruleset", "RuleConfig")
    RuleConfig.objects.get_or_create(
        kind="SAFEGUARD_DECIDERS", key="default", version=1, pdu=None,
        defaults={"data": DECIDERS, "source": "RULES_DEFAULT",
                  "reason": "Seeded: SPO, and the practitioner for the safeguarding enquiry without children contact"},
    )


class Migration(migrations.Migration):

    dependencies = [
        ('ruleset', '0005_seed_enforcement_policy'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ruleconfig',
            name='kind',
            field=models.CharField(choices=[('POINTS_TABLE', 'Workload points table'), ('GRADE_MATRIX', 'Grade eligibility matrix'), ('RATING_FRAMEWORK', 'Inspection rating framework'), ('SAFEGUARD_POLICY', 'Risk-of-harm safeguard schedule'), ('ENFORCEMENT_POLICY', 'Enforcement deadlines'), ('SAFEGUARD_DECIDERS', 'Who may record a safeguard as not required')], max_length=20),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
