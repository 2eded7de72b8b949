"""Two-person approval of scope grants, and an end date on every grant.

Grants that exist already were made by an administrator alone. Those made by someone for their own
staff record are rejected; the others are kept as approved (there was no second person to ask), and
any without an end date get one a year from today (or from their start, if that is later).
"""

import datetime as dt

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


LIFETIME = dt.timedelta(days=365)


def settle_existing_grants(apps, schema_editor):
    ScopeGrant = apps.get_model("access", "ScopeGrant")
    Staff = apps.get_model("workforce", "Staff")
    today = dt.date.today()
    own_user = dict(Staff.objects.exclude(user=None).values_list("pk", "user_id"))
    for grant in ScopeGrant.objects.all():
        if grant.ends_on is None:
            grant.ends_on = max(grant.starts_on, today) + LIFETIME
        if grant.created_by_id is not None and grant.created_by_id == own_user.get(grant.staff_id):
            grant.status = "REJECTED"
            grant.decision_reason = "Given by the person to themselves: a grant needs a second person's approval"
        else:
            grant.status = "APPROVED"
            grant.decision_reason = "Made before grants needed a second person's approval"
        grant.save(update_fields=["ends_on", "status", "decision_reason"])


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0003_exercises_api_clients'),
        ('organisation', '0001_initial'),
        ('workforce', '0002_reduction'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='scopegrant',
            name='scope_grant_ends_after_start',
        ),
        migrations.AddField(
            model_name='scopegrant',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='scopegrant',
            name='decided_by',
            field=models.ForeignKey(blank=True, help_text='Who approved or rejected the grant', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='scopegrant',
            name='decision_reason',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name='scopegrant',
            name='status',
            field=models.CharField(choices=[('PENDING', 'Waiting for approval'), ('APPROVED', 'Approved'), ('REJECTED', 'Rejected')], db_index=True, default='PENDING', max_length=10),
        ),
        migrations.RunPython(settle_existing_grants, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='scopegrant',
            name='ends_on',
            field=models.DateField(),
        ),
        migrations.AddConstraint(
            model_name='scopegrant',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='scope_grant_ends_after_start'),
        ),
        migrations.AddConstraint(
            model_name='scopegrant',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['PENDING', 'APPROVED', 'REJECTED'])), name='scope_grant_status_known'),
        ),
    ]
