"""``casework generate``: the national-scale dataset (and its regional and demo cuts), written fast.

The people, records and organisation come from the same seeded generator as the demo world
(``casework.demo.builder``); only the writing differs. ``bulk_create`` costs a model instance and a
parameter list per row, which at 5,000,000 contacts is most of the build. Here every record gets
its primary key from a counter in Python, rows are plain tuples, and each table is written with
PostgreSQL ``COPY`` (psycopg 3 ``cursor.copy()``) or one ``executemany`` per chunk on SQLite.
Sequences are reset afterwards. Tiers are computed from the records in memory
(``casework.record.tiers.tier_outcome``), so no case is read back.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import operator
import random
import statistics
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from queue import Empty

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from tqdm import tqdm

from casework.demo.builder import (
    DEMO,
    BuildReport,
    Chunk,
    ContactRow,
    PeopleGenerator,
    Scale,
    _write_organisation,
    delete_world,
    plan_limited_access,
    plan_organisation,
)
from casework.demo.instances import instance
from casework.demo.logins import DEMO_PASSWORD
from casework.organisation.models import Pdu, Region, Team
from casework.record.models import (
    Address,
    Assignment,
    Case,
    CaseAccess,
    Contact,
    LicenceCondition,
    Offence,
    OffenceType,
    Registration,
    RegistrationType,
    Requirement,
    RiskAssessment,
    Sentence,
    TierCalculation,
)
from casework.record.tiers import SentenceInputs, tier_outcome, tier_request
from casework.workforce.models import Grade, Reduction, Staff

# National shape (shared/reference/scale.md): 245,000 people, 12 regions, ~110 PDUs (12 x 9 = 108),
# ~900 teams (108 x 8 = 864) of six POs, four PSOs, a PQiP and an SPO: about 11,000 staff with the
# leavers, heads of PDU and QA leads. 15,000 unallocated of 245,000. Contacts: the demo rhythm gives
# about 55 a person over two years; spacing the gaps 2.6 times lands near 5,000,000 in all.
NATIONAL = Scale(
    name="national", regions=12, pdus_per_region=9, teams_per_pdu=8,
    team_make_up=((Grade.PO, 6), (Grade.PSO, 4), (Grade.PQIP, 1)), people=245_000, months_of_contacts=24,
    unallocated_share=15_000 / 245_000, restricted_cases=120, excluded_cases=240, head_for_every_pdu=True,
    po_caseload=60, contact_spacing=2.6, heavy_case_contacts=300, chunk_people=2500,
)
# One region of the national shape (a twelfth): minutes, not a quarter of an hour, for trying things out.
REGION = Scale(
    name="region", regions=1, pdus_per_region=9, teams_per_pdu=8,
    team_make_up=NATIONAL.team_make_up, people=20_400, months_of_contacts=24,
    unallocated_share=NATIONAL.unallocated_share, restricted_cases=10, excluded_cases=20, head_for_every_pdu=True,
    po_caseload=60, contact_spacing=2.6, heavy_case_contacts=300, chunk_people=2500,
)
SCALES: dict[str, Scale] = {"national": NATIONAL, "region": REGION, "demo": DEMO}
TARGETS = {"national": {"people": 245_000, "staff": 11_000, "regions": 12, "pdus": 110, "teams": 900,
                        "contacts": 5_000_000, "unallocated": 15_000}}


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
        created = utc_text(now) if self.sqlite else now
        when = utc_text if self.sqlite else (lambda v: v)
        sqlite = self.sqlite
        n = self.next_id
        rows = []
        append = rows.append
        for c in contacts:
            staff, sentence = c.staff, c.sentence
            append((n, c.case.pk, sentence.pk if sentence else None, c.kind, when(c.starts_at), when(c.ends_at),
                    staff.pk if staff else None, c.location, c.outcome, c.absence_reason, c.notes,
                    int(c.sensitive) if sqlite else c.sensitive, created, staff.user_id if staff else None, 1))
            n += 1
        self.next_id = n
        return rows


CONTACT_COLUMNS = ["id", "case_id", "sentence_id", "kind", "starts_at", "ends_at", "staff_id", "location", "outcome",
                   "absence_reason", "notes", "sensitive", "created_at", "created_by_id", "version"]


# --- Building -------------------------------------------------------------------------------------


@dataclass
class FastReport(BuildReport):
    counts: Counter = field(default_factory=Counter)
    heavy_crn: str = ""


def _tiers(chunk: Chunk, as_of: dt.date, now: dt.datetime, trigger: str) -> list[TierCalculation]:
    """Each case's tier from its records in memory; sets the case's tier fields, returns the calculations."""
    requirements, offences = defaultdict(list), defaultdict(list)
    for r in chunk.requirements:
        requirements[id(r.sentence)].append(r)
    for o in chunk.offences:
        offences[id(o.sentence)].append(o)
    sentences, registrations, latest = defaultdict(list), defaultdict(list), {}
    for s in chunk.sentences:
        sentences[id(s.case)].append(SentenceInputs(s, requirements[id(s)], offences[id(s)]))
    for r in chunk.registrations:
        registrations[id(r.case)].append(r)
    for a in chunk.assessments:  # in date order within a case, so the last one wins
        key = id(a.case)
        if key not in latest or (a.assessed_on, a.pk) >= (latest[key].assessed_on, latest[key].pk):
            latest[key] = a
    calculations = []
    for case in chunk.cases:
        key = id(case)
        request = tier_request(case=case, as_of=as_of, sentences=sentences[key], registrations=registrations[key],
                               assessment=latest.get(key))
        case.tier, case.tier_single, case.rosh, result = tier_outcome(request)
        calculations.append(instance(TierCalculation, case=case, calculated_at=now, as_of=as_of, trigger=trigger,
                                            rules_version=result["rules_version"], tier=case.tier,
                                            tier_single=case.tier_single, inputs=request, result=result))
    return calculations


CHILD_MODELS = ((Address, "addresses"), (Sentence, "sentences"), (Offence, "offences"),
                (Requirement, "requirements"), (LicenceCondition, "conditions"), (Registration, "registrations"),
                (RiskAssessment, "assessments"), (Assignment, "assignments"))


class Writers:
    """One ``Table`` per model the people stage writes, numbered from each table's current maximum id."""

    def __init__(self, now: dt.datetime):
        self.cases = Table(Case, now)
        self.children = {name: Table(model, now) for model, name in CHILD_MODELS}
        self.calculations = Table(TierCalculation, now)
        self.contacts = ContactTable(Contact, now)
        self.access = Table(CaseAccess, now)
        self.by_name: dict[str, Table] = {"cases": self.cases, **self.children, "calculations": self.calculations,
                                          "contacts": self.contacts}


@dataclass
class Batch:
    """One chunk of people as row tuples, in write order (parents before children)."""

    people: int
    rows: list[tuple[str, list[tuple]]]
    waited: float = 0.0  # seconds the writer waited for this batch


@dataclass
class Done:
    """The end of the people stage: limited access (it needs the whole allocation) and the report's facts."""

    access_rows: list[tuple]
    changed: list[tuple[int, bool, bool]]  # (case id, restricted, has exclusions)
    heavy_crn: str
    generating: float


class Producer:
    """Generates every chunk of people and turns it into rows: no database access at all.

    The generator is one seeded random stream whose choices depend on what came before (caseloads
    fill up as people are allocated), so it cannot be split across processes without changing the
    world. What can run in parallel is generating and writing: ``in_a_process`` forks one child
    that generates (and numbers, and converts to tuples) while this process writes the previous
    chunk. The child inherits everything it needs at the fork (the organisation with its ids, the
    reference data, each table's next id) and never touches the parent's database connection.
    """

    QUEUE_DEPTH = 3  # chunks in flight: enough to keep the writer busy, bounded memory

    def __init__(self, scale: Scale, rng: random.Random, org, now: dt.datetime, today: dt.date,
                 offence_types: dict, registration_types: dict, writers: Writers):
        self.scale, self.rng, self.org, self.now, self.today = scale, rng, org, now, today
        self.offence_types, self.registration_types, self.writers = offence_types, registration_types, writers

    def batches(self) -> Iterator[Batch | Done]:
        scale, w = self.scale, self.writers
        people = PeopleGenerator(scale, self.rng, self.org, self.now, self.offence_types, self.registration_types)
        generating = 0.0
        for first in range(0, scale.people, scale.chunk_people):
            started = time.monotonic()
            count = min(scale.chunk_people, scale.people - first)
            chunk = people.chunk(count)
            w.cases.number(chunk.cases)
            for _, name in CHILD_MODELS:
                w.children[name].number(getattr(chunk, name))
            tiers = _tiers(chunk, self.today, self.now, "generated data")
            w.calculations.number(tiers)
            rows = [("cases", w.cases.rows(chunk.cases)),
                    *((name, w.children[name].rows(getattr(chunk, name))) for _, name in CHILD_MODELS),
                    ("calculations", w.calculations.rows(tiers)),
                    ("contacts", w.contacts.contact_rows(chunk.contacts, self.now))]
            generating += time.monotonic() - started
            yield Batch(count, rows)
        access, changed = plan_limited_access(scale, self.rng, self.org, people.allocated)
        w.access.number(access)
        yield Done(w.access.rows(access), [(c.pk, c.restricted, c.has_exclusions) for c in changed],
                   people.heavy_case.crn if people.heavy_case else "", generating)

    def inline(self) -> Iterator[Batch | Done]:
        return self.batches()

    def in_a_process(self) -> Iterator[Batch | Done]:
        context = multiprocessing.get_context("fork")
        queue = context.Queue(maxsize=self.QUEUE_DEPTH)
        child = context.Process(target=self._run, args=(queue,), name="casework-generate", daemon=True)
        child.start()
        try:
            while True:
                started = time.monotonic()
                while True:
                    try:
                        message = queue.get(timeout=5)
                        break
                    except Empty:
                        if not child.is_alive():
                            raise RuntimeError(f"the generating process stopped (exit code {child.exitcode})") \
                                from None
                if isinstance(message, str):
                    raise RuntimeError(f"generating the people failed in the generating process:\n{message}")
                if isinstance(message, Batch):
                    message.waited = time.monotonic() - started
                yield message
                if isinstance(message, Done):
                    break
            child.join(timeout=60)
        finally:
            if child.is_alive():
                child.terminate()
                child.join(timeout=10)

    def _run(self, queue) -> None:  # pragma: no cover - runs in the forked child (covered by its output)
        try:
            for message in self.batches():
                queue.put(message)
        except BaseException:
            queue.put(traceback.format_exc())
        queue.close()
        queue.join_thread()


def build_world_fast(*, scale: Scale, now: dt.datetime | None = None, reset: bool = False,
                     log: Callable[[str], None] = print, progress: bool = True, pipeline: bool = True) -> FastReport:
    """Build the world for ``scale`` with the fast writers, in one transaction.

    With ``pipeline`` (the default) the people are generated in a second process while this one writes
    the previous chunk; the world is the same either way (one generator, one seeded random stream).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    report = FastReport(scale=scale, today=today)
    clock = time.monotonic()

    def stage(name: str, detail: str) -> None:
        nonlocal clock
        elapsed = time.monotonic() - clock
        clock = time.monotonic()
        report.timings.append((name, elapsed))
        log(f"  {name:<16} {detail} ({elapsed:.1f}s)")

    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            # A build is all or nothing (one transaction); a crash mid-build means building again, so
            # there is nothing for fsync to protect until it commits.
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -1000000")
    rng = random.Random(scale.seed)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: left so, PostgreSQL queues a
                # check for each of the ~9 million rows and runs them all at COMMIT (minutes, with the
                # queue in memory). Checked as each COPY runs, the same work is spread out and bounded.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if reset:
            delete_world()
            stage("Reset", "deleted the previous world")
        password_hash = make_password(DEMO_PASSWORD)
        with tqdm(total=1, desc="Organisation", unit="stage", disable=not progress) as bar:
            org = plan_organisation(scale, rng, today, password_hash)
            _write_organisation(org, scale.batch_size)
            bar.update()
        stage("Organisation", f"{len(org.regions)} region(s), {len(org.pdus)} PDUs, {len(org.teams)} teams, "
                              f"{len(org.staff):,} staff with accounts")

        offence_types = {o.code: o for o in OffenceType.objects.all()}
        registration_types = {r.code: r for r in RegistrationType.objects.all()}
        writers = Writers(now)
        producer = Producer(scale, rng, org, now, today, offence_types, registration_types, writers)
        written, waiting = Counter(), 0.0
        writing = 0.0
        done: Done | None = None
        with tqdm(total=scale.people, desc="People", unit="people", disable=not progress) as bar:
            for message in (producer.in_a_process() if pipeline else producer.inline()):
                if isinstance(message, Done):
                    done = message
                    break
                waiting += message.waited
                started = time.monotonic()
                for name, rows in message.rows:
                    writers.by_name[name].write(rows)
                    written[name] += len(rows)
                writing += time.monotonic() - started
                bar.update(message.people)
                bar.set_postfix(contacts=f"{written['contacts']:,}")
        assert done is not None
        mode = f"in a second process; the writer waited {waiting:.0f}s for it" if pipeline else "in this process"
        stage("People", f"{written['cases']:,} people, {written['contacts']:,} contacts, tiers for each "
                        f"(generating {done.generating:.0f}s {mode}; writing {writing:.0f}s)")
        report.counts.update({"people": written["cases"], "contacts": written["contacts"],
                              **{name: written[name] for _, name in CHILD_MODELS}})
        report.heavy_crn = done.heavy_crn

        with tqdm(total=1, desc="Limited access", unit="stage", disable=not progress) as bar:
            writers.access.write(done.access_rows)
            if done.changed:
                qn = connection.ops.quote_name
                sql = (f"UPDATE {qn(Case._meta.db_table)} SET {qn('restricted')} = %s, "  # noqa: S608
                       f"{qn('has_exclusions')} = %s WHERE {qn('id')} = %s")
                with connection.cursor() as cursor:
                    cursor.executemany(sql, [(r, e, pk) for pk, r, e in done.changed])
            bar.update()
        stage("Limited access", f"{sum(r for _, r, _ in done.changed)} restricted, "
                                f"{sum(e for _, _, e in done.changed)} with exclusions")

        statements = connection.ops.sequence_reset_sql(no_style(), [Case, TierCalculation, Contact, CaseAccess,
                                                                    *(m for m, _ in CHILD_MODELS)])
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    with tqdm(total=1, desc="Statistics", unit="stage", disable=not progress) as bar, connection.cursor() as cursor:
        # Fresh planner statistics: without them both databases guess at table sizes and pick poor plans.
        # On PostgreSQL, VACUUM as well: it sets the visibility map of the freshly loaded tables (so
        # index-only scans work), and without it autovacuum does the same work at a time of its own
        # choosing, such as in the middle of a benchmark. (On SQLite VACUUM would rewrite the file.)
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block  # not in a transaction
        statement = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
        cursor.execute(statement)
        bar.update()
    stage("Statistics", f"{statement} for the query planner")
    return report


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
