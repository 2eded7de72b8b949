"""``casework generate``: the national-scale dataset (and its regional, demo and small cuts), written fast.

The world comes from the shared stages (``casework.demo.stages``), exactly as for the demo
builder; only the writing differs. ``bulk_create`` costs a model instance and a parameter list per
row, which at 5,000,000 contacts is most of the build. Here every record gets its primary key from
a counter in Python, rows are plain tuples, and each table is written with PostgreSQL ``COPY``
(psycopg 3 ``cursor.copy()``) or one ``executemany`` per chunk on SQLite. The people are
generated (and turned into rows) in a second process while this one writes. Sequences are reset
afterwards, and the planner's statistics refreshed.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Count, Q
from django.utils import timezone

from casework.demo.contacts import ContactRow, recorded_at
from casework.demo.generator import CHILD_MODELS, Chunk, LimitedAccess
from casework.demo.scale import TARGETS, Scale
from casework.demo.stages import BuildReport, build
from casework.organisation.models import Pdu, Region, Team
from casework.record.models import Case, CaseAccess, Contact
from casework.workforce.models import Grade, Reduction, Staff

# --- Rows ---------------------------------------------------------------------------------------


class Table:
    """Turns model instances of one model into row tuples for this database, and writes them."""

    def __init__(self, model: type[models.Model], now: dt.datetime):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.sqlite = connection.vendor == "sqlite"
        qn = connection.ops.quote_name
        self.table = qn(model._meta.db_table)
        self.columns = ", ".join(qn(f.column) for f in self.fields)
        # Each row is read with one C-level attrgetter; only the columns that need converting for this
        # database (foreign keys to records numbered after they were made, dates on SQLite, JSON)
        # pass through a Python function.
        self.fetch = operator.attrgetter(*(f.attname for f in self.fields))
        self.converters = [(i, c) for i, f in enumerate(self.fields) if (c := self._converter(f, now)) is not None]
        self.next_id = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        self.written = 0

    def _converter(self, f: models.Field, now: dt.datetime) -> Callable | None:
        """``(instance, raw attribute) -> column value``, or None when the attribute is the value."""
        sqlite = self.sqlite
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = utc_text(now) if sqlite else now
            return lambda obj, raw: value
        if f.is_relation:
            name = f.name

            def related(obj, raw):
                cached = obj._state.fields_cache.get(name)
                return cached.pk if cached is not None else raw
            return related
        kind = f.get_internal_type()
        if kind == "JSONField":
            return lambda obj, raw: json.dumps(raw)
        if sqlite and kind == "DateTimeField":
            return lambda obj, raw: utc_text(raw)
        if sqlite and kind in ("DateField", "DecimalField"):
            return lambda obj, raw: None if raw is None else str(raw)
        return None

    def number(self, objects: Iterable[models.Model]) -> None:
        """Give each new instance its primary key (before anything refers to it)."""
        n = self.next_id
        for obj in objects:
            obj.pk = n
            n += 1
        self.next_id = n

    def rows(self, objects: Iterable[models.Model]) -> list[tuple]:
        fetch, converters = self.fetch, self.converters
        rows = []
        append = rows.append
        for obj in objects:
            row = list(fetch(obj))
            for i, convert in converters:
                row[i] = convert(obj, row[i])
            append(tuple(row))
        return rows

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        self.written += len(rows)
        raw = connection.connection
        if self.sqlite:
            marks = ", ".join("?" * len(self.fields))
            raw.executemany(f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})", rows)  # noqa: S608
        else:
            with raw.cursor() as cursor, cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


def utc_text(value: dt.datetime | None) -> str | None:
    """How Django stores an aware datetime in SQLite: naive UTC text (memoised: appointment times repeat)."""
    if value is None:
        return None
    text = _UTC_TEXT.get(value)
    if text is None:
        text = _UTC_TEXT[value] = value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    return text


_UTC_TEXT: dict[dt.datetime, str] = {}


class ContactTable(Table):
    """Contacts go straight from the generator's ``ContactRow`` to a tuple: no model instance at all."""

    def contact_rows(self, contacts: list[ContactRow], now: dt.datetime) -> list[tuple]:
        assert [f.attname for f in self.fields] == CONTACT_COLUMNS, "Contact's columns changed: update contact_rows"
        when = utc_text if self.sqlite else (lambda v: v)
        sqlite = self.sqlite
        n = self.next_id
        rows = []
        append = rows.append
        for c in contacts:
            staff, sentence = c.staff, c.sentence
            append((n, c.case.pk, sentence.pk if sentence else None, c.kind, when(c.starts_at), when(c.ends_at),
                    staff.pk if staff else None, c.location, c.outcome, c.absence_reason, c.notes,
                    int(c.sensitive) if sqlite else c.sensitive, when(recorded_at(c, now)),
                    staff.user_id if staff else None, 1))
            n += 1
        self.next_id = n
        return rows


CONTACT_COLUMNS = ["id", "case_id", "sentence_id", "kind", "starts_at", "ends_at", "staff_id", "location", "outcome",
                   "absence_reason", "notes", "sensitive", "created_at", "created_by_id", "version"]


# --- Writing --------------------------------------------------------------------------------------


@dataclass
class Done:
    """Limited access as rows: the access rules and (case id, restricted, has exclusions) of each changed case."""

    access_rows: list[tuple]
    changed: list[tuple[int, bool, bool]]


class CopyWriter:
    """Writes row tuples: ids numbered here, ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""

    def __init__(self, *, pipeline: bool = True):
        self.pipeline = pipeline
        self.tables: dict[str, Table] = {}
        self.contacts: ContactTable | None = None
        self.access: Table | None = None
        self.now: dt.datetime | None = None

    def before(self) -> None:
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                # A build is all or nothing (one transaction); a crash mid-build means building again, so
                # there is nothing for fsync to protect until it commits.
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA cache_size = -1000000")

    def begin(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: left so, PostgreSQL queues a
                # check for each of the ~9 million rows and runs them all at COMMIT (minutes, with the
                # queue in memory). Checked as each COPY runs, the same work is spread out and bounded.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def ready(self, now: dt.datetime) -> None:
        """One table per model the people stage writes, numbered from each table's current maximum id."""
        self.now = now
        self.tables = {"cases": Table(Case, now), **{name: Table(model, now) for model, name in CHILD_MODELS}}
        self.contacts = ContactTable(Contact, now)
        self.access = Table(CaseAccess, now)

    def prepare_people(self, chunk: Chunk) -> list[tuple[str, list[tuple]]]:
        """The chunk numbered and as row tuples, parents before children (runs in the generating process)."""
        tables = self.tables
        tables["cases"].number(chunk.cases)
        for _, name in CHILD_MODELS:
            tables[name].number(getattr(chunk, name))
        return [("cases", tables["cases"].rows(chunk.cases)),
                *((name, tables[name].rows(getattr(chunk, name))) for _, name in CHILD_MODELS),
                ("contacts", self.contacts.contact_rows(chunk.contacts, self.now))]

    def write_people(self, prepared: list[tuple[str, list[tuple]]]) -> None:
        for name, rows in prepared:
            (self.contacts if name == "contacts" else self.tables[name]).write(rows)

    def prepare_access(self, access: LimitedAccess) -> Done:
        self.access.number(access.rows)
        return Done(self.access.rows(access.rows), [(c.pk, c.restricted, c.has_exclusions) for c in access.changed])

    def write_access(self, done: Done) -> tuple[int, int]:
        self.access.write(done.access_rows)
        if done.changed:
            qn = connection.ops.quote_name
            sql = (f"UPDATE {qn(Case._meta.db_table)} SET {qn('restricted')} = %s, "  # noqa: S608
                   f"{qn('has_exclusions')} = %s WHERE {qn('id')} = %s")
            with connection.cursor() as cursor:
                cursor.executemany(sql, [(r, e, pk) for pk, r, e in done.changed])
        return sum(r for _, r, _ in done.changed), sum(e for _, _, e in done.changed)

    def sequences(self) -> str:
        models_written = [Case, Contact, CaseAccess, *(m for m, _ in CHILD_MODELS)]
        statements = connection.ops.sequence_reset_sql(no_style(), models_written)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        return f"id sequences of {len(models_written)} tables reset" if statements else ""

    def statistics(self) -> str:
        # Fresh planner statistics: without them both databases guess at table sizes and pick poor plans.
        # On PostgreSQL, VACUUM as well: it sets the visibility map of the freshly loaded tables (so
        # index-only scans work), and without it autovacuum does the same work at a time of its own
        # choosing, such as in the middle of a benchmark. (On SQLite VACUUM would rewrite the file.)
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block  # not in a transaction
        statement = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
        with connection.cursor() as cursor:
            cursor.execute(statement)
        return f"{statement} for the query planner"


def build_world_fast(*, scale: Scale, now: dt.datetime | None = None, reset: bool = False,
                     log: Callable[[str], None] = print, progress: bool = True, pipeline: bool = True) -> BuildReport:
    """Build the world for ``scale`` with the fast writer, in one transaction (statistics after it).

    With ``pipeline`` (the default) the people are generated in a second process while this one writes
    the previous chunk; the world is the same either way (one generator, one seeded random stream).
    """
    return build(scale, CopyWriter(pipeline=pipeline), now=now, reset=reset, log=log, progress=progress)


# --- Summary --------------------------------------------------------------------------------------


def national_lines(scale: Scale) -> list[str]:
    """Organisation counts, caseloads and the benchmark subjects, beside scale.md's national figures."""
    target = TARGETS.get(scale.name, {})

    def versus(label: str, value: int, key: str) -> str:
        return f"{value:,} {label}" + (f" ({target[key]:,})" if key in target else "")

    people = Case.objects.count()
    unallocated = Case.objects.filter(manager=None).count()
    lines = ["Organisation and volume (scale.md national figure in brackets)",
             "  " + ", ".join([versus("people", people, "people"), versus("staff", Staff.objects.count(), "staff"),
                               versus("regions", Region.objects.count(), "regions"),
                               versus("PDUs", Pdu.objects.count(), "pdus"),
                               versus("teams", Team.objects.count(), "teams"),
                               versus("contacts", Contact.objects.count(), "contacts"),
                               versus("unallocated", unallocated, "unallocated")])]
    loads = list(Staff.objects.filter(ended=None, grade=Grade.PO).annotate(n=Count("caseload"))
                 .values_list("n", flat=True))
    if loads:
        lines.append(f"  PO caseloads: mean {statistics.mean(loads):.1f} (about 35–37), median "
                     f"{statistics.median(loads):g}; {sum(35 <= n <= 60 for n in loads) / len(loads):.0%} hold 35–60, "
                     f"{sum(n > 50 for n in loads) / len(loads):.0%} over 50, {sum(n > 60 for n in loads)} over 60")
    po = Staff.objects.filter(user__username="po").first()
    if po:
        held = Case.objects.filter(manager=po, status=Case.Status.CURRENT)
        heavy = held.annotate(n=Count("contacts")).order_by("-n", "crn").values_list("crn", "n").first()
        lines.append(f"  Benchmark subjects: po holds {held.count()} cases; heaviest case {heavy[0]} with "
                     f"{heavy[1]} contacts" if heavy else "  Benchmark subjects: po holds no cases")
    today = timezone.localdate()
    practitioners = Staff.objects.filter(ended=None, grade__in=Grade.practitioner_grades()).count()
    active = Reduction.objects.filter(Q(end=None) | Q(end__gte=today), start__lte=today)
    by_reason = Counter(dict(active.values_list("reason").annotate(n=Count("id")).values_list("reason", "n")))
    with_active = active.values("staff").distinct().count()
    labels = dict(Reduction._meta.get_field("reason").choices)
    lines.append(f"  Reductions: {Reduction.objects.count():,} in all; {with_active:,} practitioners "
                 f"({with_active / max(practitioners, 1):.0%}) have one active today: "
                 + ", ".join(f"{labels.get(r, r).lower()} {n:,}" for r, n in by_reason.most_common()))
    return lines
