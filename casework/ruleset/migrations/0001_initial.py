import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="RuleConfig",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("POINTS_TABLE", "Workload points table"),
                                                   ("GRADE_MATRIX", "Grade eligibility matrix"),
                                                   ("RATING_FRAMEWORK", "Inspection rating framework")],
                                          max_length=20)),
                ("key", models.CharField(help_text="'default', or the framework key", max_length=40)),
                ("version", models.PositiveIntegerField()),
                ("data", models.JSONField()),
                ("source", models.CharField(choices=[("RULES_DEFAULT", "Default from the rules reference"),
                                                     ("LOCAL_POLICY", "Local policy")], max_length=16)),
                ("reason", models.CharField(max_length=500)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("created_by", models.ForeignKey(blank=True, null=True,
                                                 on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                 to=settings.AUTH_USER_MODEL)),
            ],
            options={"verbose_name": "rule configuration version", "ordering": ["kind", "key", "-version"],
                     "constraints": [models.UniqueConstraint(fields=("kind", "key", "version"),
                                                             name="one_config_version")]},
        ),
    ]
