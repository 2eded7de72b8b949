"""The audit log's hash chain: each row carries a hash over its content and the previous row's hash.

``hash = SHA-256(canonical(row) + prev_hash)`` where ``canonical`` is sorted-keys JSON of an explicit
list of fields (``CHAINED_FIELDS``) and ``prev_hash`` is the hash of the row before it in id order
(``GENESIS``, 64 zeros, for the first). The id itself is not hashed: a row's place in the chain is
its previous row's hash, so one INSERT writes a sealed row. Editing a row's content changes its
hash (the stored one no longer matches); deleting or inserting a row breaks the next row's link
(its ``prev_hash`` is no longer the hash of the row before it).

Writers serialise appending so that two transactions never chain off the same row: on PostgreSQL
``audit_chain_head()`` (migration 0005) takes a transaction-scoped advisory lock and then reads the
last row's hash with a fresh snapshot; on SQLite every write transaction already holds the database's
write lock (``transaction_mode`` IMMEDIATE). The writing is ``casework.audit.services``'; this module
is the hashing and the verification, which only read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
# pg_advisory_xact_lock key taken by every writer of the audit log on PostgreSQL (any fixed bigint).
LOCK_KEY = 1_606_000_016
# The fields hashed, in the canonical serialisation (sorted-keys JSON, so their order here is immaterial).
CHAINED_FIELDS = ("at", "actor_id", "actor_label", "action", "object_type", "object_id", "crn", "detail",
                  "before", "after", "ip_address", "request_id")
VERIFY_BATCH = 5000


def _at(value: dt.datetime | str) -> str:
    if isinstance(value, str):  # a raw SQLite value read without Django's converters
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _ip(value: str | None) -> str | None:
    # PostgreSQL's inet and Django's cleaning write some IPv6 forms differently: hash the address.
    return str(ipaddress.ip_address(value)) if value else None


def _numbers(value: Any) -> Any:
    """Whole floats as integers: PostgreSQL's jsonb gives ``1e16`` back as ``10000000000000000``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return value


def canonical(row: dict[str, Any]) -> str:
    """The serialisation hashed for one row: its ``CHAINED_FIELDS`` as sorted-keys, compact JSON."""
    content = {name: row.get(name) for name in CHAINED_FIELDS}
    content["at"] = _at(row["at"])
    content["ip_address"] = _ip(row.get("ip_address"))
    content["request_id"] = row.get("request_id") or ""
    content["before"], content["after"] = _numbers(content["before"]), _numbers(content["after"])
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def row_hash(row: dict[str, Any], prev_hash: str) -> str:
    """The hash a row with this content must carry after a row whose hash is ``prev_hash``."""
    return hashlib.sha256((canonical(row) + prev_hash).encode()).hexdigest()


def seal(events, prev_hash: str) -> str:
    """Give each unsaved event (in order) its ``prev_hash`` and ``hash``; returns the last hash."""
    for event in events:
        event.prev_hash = prev_hash
        event.hash = prev_hash = row_hash({name: getattr(event, name) for name in CHAINED_FIELDS}, prev_hash)
    return prev_hash


def head_sql(vendor: str) -> str:
    """The one statement a writer runs, inside its transaction, to learn the hash to chain from."""
    if vendor == "postgresql":
        return "SELECT audit_chain_head()"
    return "SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1"


# --- Verification -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """The first broken link: the row where the chain stops holding, and what is wrong there."""

    row_id: int
    problem: str

    def __str__(self) -> str:
        return f"audit chain broken at row {self.row_id}: {self.problem}"


@dataclass(frozen=True)
class Verification:
    rows: int
    last_hash: str
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None

    def __str__(self) -> str:
        if self.broken is not None:
            return f"{self.broken} ({self.rows:,} rows verified before it)"
        return f"{self.rows:,} rows verified, chain intact"


VALUES = ("id", "prev_hash", "hash", *CHAINED_FIELDS)


def rows_in_order(queryset, batch: int = VERIFY_BATCH) -> Iterator[dict[str, Any]]:
    """Every row of an AuditEvent queryset as a dict of ``VALUES``, in id order, ``batch`` at a time.

    Keyset pagination (``id > last``), so memory stays one batch however long the log.
    """
    last = 0
    while True:
        rows = list(queryset.filter(id__gt=last).order_by("id").values(*VALUES)[:batch])
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]["id"]


def verify_rows(rows) -> Verification:
    """Walk rows in id order, recomputing each hash; stop at the first broken link."""
    previous, count = GENESIS, 0
    for row in rows:
        if row["prev_hash"] != previous:
            problem = ("a row before it was deleted, or this row inserted or moved: its previous-row hash "
                       f"{row['prev_hash'][:12] or '(none)'}… is not the hash {previous[:12]}… of the row before it")
            return Verification(count, previous, Break(row["id"], problem))
        expected = row_hash(row, previous)
        if row["hash"] != expected:
            problem = (f"its content was changed: the stored hash {row['hash'][:12] or '(none)'}… is not the "
                       f"hash {expected[:12]}… of what it holds now")
            return Verification(count, previous, Break(row["id"], problem))
        previous, count = expected, count + 1
    return Verification(count, previous, None)


def verify(batch: int = VERIFY_BATCH, using: str = "default") -> Verification:
    """Verify the whole audit log of database ``using``, streaming in id order."""
    from casework.audit.models import AuditEvent

    return verify_rows(rows_in_order(AuditEvent.objects.using(using).all(), batch))
