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
import random
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Count
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
from casework.workforce.models import Grade, Staff

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
        self.getters = [self._getter(f, now) for f in self.fields]
        self.next_id = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        self.written = 0

    def _getter(self, f: models.Field, now: dt.datetime) -> Callable:
        sqlite = self.sqlite
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = utc_text(now) if sqlite else now
            return lambda obj: value
        if f.is_relation:
            name, attname = f.name, f.attname

            def related(obj):
                cached = obj._state.fields_cache.get(name)
                return cached.pk if cached is not None else getattr(obj, attname)
            return related
        attname = f.attname
        kind = f.get_internal_type()
        if kind == "JSONField":
            return lambda obj: json.dumps(getattr(obj, attname))
        if sqlite and kind == "DateTimeField":
            return lambda obj: utc_text(getattr(obj, attname))
        if sqlite and kind in ("DateField", "DecimalField"):
            return lambda obj: (None if (v := getattr(obj, attname)) is None else str(v))
        return lambda obj: getattr(obj, attname)

    def number(self, objects: Iterable[models.Model]) -> None:
        """Give each new instance its primary key (before anything refers to it)."""
        n = self.next_id
        for obj in objects:
            obj.pk = n
            n += 1
        self.next_id = n

    def rows(self, objects: Iterable[models.Model]) -> list[tuple]:
        getters = self.getters
        return [tuple(get(obj) for get in getters) for obj in objects]

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
        calculations.append(TierCalculation(case=case, calculated_at=now, as_of=as_of, trigger=trigger,
                                            rules_version=result["rules_version"], tier=case.tier,
                                            tier_single=case.tier_single, inputs=request, result=result))
    return calculations


CHILD_MODELS = ((Address, "addresses"), (Sentence, "sentences"), (Offence, "offences"),
                (Requirement, "requirements"), (LicenceCondition, "conditions"), (Registration, "registrations"),
                (RiskAssessment, "assessments"), (Assignment, "assignments"))


def build_world_fast(*, scale: Scale, now: dt.datetime | None = None, reset: bool = False,
                     log: Callable[[str], None] = print, progress: bool = True) -> FastReport:
    """Build the world for ``scale`` with the fast writers, in one transaction."""
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
        people = PeopleGenerator(scale, rng, org, now, offence_types, registration_types)
        cases = Table(Case, now)
        tables = {name: Table(model, now) for model, name in CHILD_MODELS}
        calculations = Table(TierCalculation, now)
        contacts = ContactTable(Contact, now)
        generating = writing = 0.0
        with tqdm(total=scale.people, desc="People", unit="people", disable=not progress) as bar:
            for first in range(0, scale.people, scale.chunk_people):
                count = min(scale.chunk_people, scale.people - first)
                started = time.monotonic()
                chunk = people.chunk(count)
                cases.number(chunk.cases)
                for _, name in CHILD_MODELS:
                    tables[name].number(getattr(chunk, name))
                tiers = _tiers(chunk, today, now, "generated data")
                generating += time.monotonic() - started
                started = time.monotonic()
                cases.write(cases.rows(chunk.cases))
                for _, name in CHILD_MODELS:
                    tables[name].write(tables[name].rows(getattr(chunk, name)))
                calculations.number(tiers)
                calculations.write(calculations.rows(tiers))
                contacts.write(contacts.contact_rows(chunk.contacts, now))
                writing += time.monotonic() - started
                bar.update(count)
                bar.set_postfix(contacts=f"{contacts.written:,}")
        stage("People", f"{cases.written:,} people, {contacts.written:,} contacts, tiers for each "
                        f"(generating {generating:.0f}s, writing {writing:.0f}s)")
        report.counts.update({"people": cases.written, "contacts": contacts.written,
                              **{name: t.written for name, t in tables.items()}})
        report.heavy_crn = people.heavy_case.crn if people.heavy_case else ""

        with tqdm(total=1, desc="Limited access", unit="stage", disable=not progress) as bar:
            rows, changed = plan_limited_access(scale, rng, org, people.allocated)
            CaseAccess.objects.bulk_create(rows, batch_size=scale.batch_size)
            Case.objects.bulk_update(changed, ["restricted", "has_exclusions"], batch_size=scale.batch_size)
            bar.update()
        stage("Limited access", f"{sum(c.restricted for c in changed)} restricted, "
                                f"{sum(c.has_exclusions for c in changed)} with exclusions")

        statements = connection.ops.sequence_reset_sql(no_style(), [Case, TierCalculation, Contact,
                                                                    *(m for m, _ in CHILD_MODELS)])
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    with tqdm(total=1, desc="Statistics", unit="stage", disable=not progress) as bar, connection.cursor() as cursor:
        # Fresh planner statistics: without them both databases guess at table sizes and pick poor plans.
        cursor.execute("ANALYZE")
        bar.update()
    stage("Statistics", "ANALYZE for the query planner")
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
    lines.append("  Reductions: none generated (there is no Reduction model until the workload capability)")
    return lines
