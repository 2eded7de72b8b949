"""Seed version 1 of every rule configuration from the engines' defaults (the rules.md values)."""

from django.db import migrations


def seed(apps, schema_editor):
    from casework.ruleset.kinds import SPECS, Source

    RuleConfig = apps.get_model("ruleset", "RuleConfig")
    for kind, spec in SPECS.items():
        for key, value in spec.defaults.items():
            RuleConfig.objects.get_or_create(
                kind=kind, key=key, version=1,
                defaults={"data": value.to_dict(), "source": Source.RULES_DEFAULT,
                          "reason": f"Seeded from the rules reference: {spec.provenance}"},
            )


class Migration(migrations.Migration):
    dependencies = [("ruleset", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
