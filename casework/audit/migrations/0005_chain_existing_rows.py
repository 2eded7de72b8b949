"""Seal the rows written before the hash chain existed, in id order, and add PostgreSQL's chain head.

``audit_chain_head()`` (PostgreSQL) takes the chain's transaction-scoped advisory lock and then reads the
last row's hash. Being VOLATILE, its second statement reads with a snapshot taken after the lock was
granted, so it sees the row a writer that held the lock before has just committed: one round trip for
each writer instead of two.

The existing rows are read and updated in batches by id (constant memory whatever the log's length). On
PostgreSQL the append-only trigger is disabled for the backfill only (the migration runs as the table's
owner) and enabled again in the same transaction.
"""

from django.db import migrations

from casework.audit.chain import GENESIS, LOCK_KEY, VALUES, row_hash

HEAD = f"""
CREATE OR REPLACE FUNCTION audit_chain_head() RETURNS varchar AS $$
DECLARE
    last_hash varchar;
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    SELECT hash INTO last_hash FROM audit_auditevent ORDER BY id DESC LIMIT 1;
    RETURN last_hash;
END;
$$ LANGUAGE plpgsql VOLATILE;
"""

BATCH = 5000


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    postgres = connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(HEAD, params=None)
    AuditEvent = apps.get_model("audit", "AuditEvent")
    if not AuditEvent.objects.using(connection.alias).filter(hash="").exists():
        return
    if postgres:
        schema_editor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
    previous, last = GENESIS, 0
    with connection.cursor() as cursor:
        while True:
            rows = list(AuditEvent.objects.using(connection.alias).filter(id__gt=last).order_by("id")
                        .values(*VALUES)[:BATCH])
            if not rows:
                break
            updates = []
            for row in rows:
                digest = row_hash(row, previous)
                updates.append((previous, digest, row["id"]))
                previous = digest
            cursor.executemany("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", updates)
            last = rows[-1]["id"]
    if postgres:
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")


def drop_head(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_chain_head()", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0004_request_id_and_hash_chain"),
    ]

    operations = [
        migrations.RunPython(backfill, drop_head, elidable=False),
    ]
