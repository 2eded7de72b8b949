"""Writing the audit log. Call inside the same transaction as the write it records."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router, transaction

from casework.audit import chain
from casework.audit.context import client_ip, request_id
from casework.audit.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    crn: str = "",
    detail: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one audit row: who (``actor``), what (``action`` on ``obj``), before and after."""
    label = actor_label or (actor.get_username() if actor is not None else "system")
    # ``create`` saves through AuditEvent.save, which appends the row to the hash chain (``_append``).
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=label,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        crn=crn,
        detail=detail[:500],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        ip_address=client_ip.get(),
        request_id=request_id.get() or "",
    )


@dataclass(frozen=True)
class AuditEntry:
    """One row of a bulk write's audit: the object changed, its CRN, its values before and after."""

    obj: models.Model | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    crn: str = ""
    detail: str = ""


AUDIT_BATCH_SIZE = 2000


def audit_record_many(*, actor, action: str, entries: Iterable[AuditEntry], actor_label: str = "") -> int:
    """Append one audit row per entry in one statement per batch; returns how many were written.

    For services that write in bulk: call inside the same transaction as the bulk write, so the
    rows and their audit commit (or roll back) together.
    """
    label = actor_label or (actor.get_username() if actor is not None else "system")
    actor = actor if actor is not None and actor.pk else None
    address, rid = client_ip.get(), request_id.get() or ""
    rows = [
        AuditEvent(actor=actor, actor_label=label, action=action,
                   object_type=entry.obj._meta.label_lower if entry.obj is not None else "",
                   object_id=str(entry.obj.pk) if entry.obj is not None else "", crn=entry.crn,
                   detail=entry.detail[:500],
                   before=_jsonable(entry.before) if entry.before is not None else None,
                   after=_jsonable(entry.after) if entry.after is not None else None, ip_address=address,
                   request_id=rid)
        for entry in entries
    ]
    _append(rows)
    return len(rows)


def _append(events: list[AuditEvent], *, using: str | None = None) -> None:
    """Insert unsaved events at the end of the hash chain, in order (``casework.audit.chain``).

    Inside the caller's transaction (or one of its own): one statement reads the last row's hash (on
    PostgreSQL after taking the chain's transaction-scoped advisory lock, so concurrent writers queue
    until this transaction ends; SQLite's write transaction already excludes them), then the rows are
    inserted in order, so ids ascend along the chain.
    """
    if not events:
        return
    using = using or router.db_for_write(AuditEvent)
    connection = connections[using]
    with transaction.atomic(using=using, savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(chain.head_sql(connection.vendor))
            head = cursor.fetchone()
        chain.seal(events, (head[0] if head else None) or chain.GENESIS)
        AuditEvent.objects.db_manager(using).bulk_create(events, batch_size=AUDIT_BATCH_SIZE)


def changes(instance: models.Model, fields: list[str], new: dict[str, Any]) -> tuple[dict, dict]:
    """The before/after pair of the fields that ``new`` changes on ``instance``."""
    before, after = {}, {}
    for name in fields:
        if name in new and getattr(instance, name) != new[name]:
            before[name] = getattr(instance, name)
            after[name] = new[name]
    return before, after


@transaction.atomic
def audit_log_exported(*, by, filters: dict[str, Any], count: int) -> AuditEvent:
    """Record that ``by`` downloaded ``count`` rows of the audit log with these filters."""
    return audit_record(actor=by, action="audit.export", detail=f"{count} rows",
                        after={"filters": filters, "count": count})


@transaction.atomic
def admin_change_record(*, by, obj: models.Model, verb: str, message: str, before: dict[str, Any] | None,
                        after: dict[str, Any] | None) -> AuditEvent:
    """Record an add, change or delete made in the Django admin (``verb``), with its values before and after."""
    return audit_record(actor=by, action=f"admin.{verb}", obj=obj, crn=getattr(obj, "crn", "") or "",
                        detail=message, before=before, after=after)
