from django.db import migrations

from casework.record.reference.offence_types import OFFENCE_TYPES
from casework.record.reference.registration_types import REGISTRATION_TYPES


def seed(apps, schema_editor):
    RegistrationType = apps.get_model("record", "RegistrationType")
    OffenceType = apps.get_model("record", "OffenceType")
    for code, name, group, review in REGISTRATION_TYPES:
        RegistrationType.objects.update_or_create(
            code=code, defaults={"name": name, "group": group, "review_period_weeks": review}
        )
    for code, description, category, sexual, violent, domestic in OFFENCE_TYPES:
        OffenceType.objects.update_or_create(
            code=code,
            defaults={"description": description, "category": category, "sexual": sexual,
                      "violent": violent, "domestic_abuse_related": domestic},
        )


class Migration(migrations.Migration):
    dependencies = [("record", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
