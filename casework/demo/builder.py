"""``casework demo``: the demo world, built by the shared stages (``casework.demo.stages``) with ``bulk_create``.

The world itself (who, what, when) comes from the stages and the ``Scale``; this module only
writes it: ``bulk_create`` in dependency order, one chunk of people at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from casework.demo.contacts import ContactRow, recorded_at_sql
from casework.demo.generator import CHILD_MODELS, Chunk, LimitedAccess
from casework.demo.scale import DEMO, Scale
from casework.demo.stages import BuildReport, build
from casework.record.models import Case, CaseAccess, Contact
from casework.safeguards.models import SafeguardTask


class OrmWriter:
    """Writes with ``bulk_create``: model instances, ids from the database."""

    pipeline = False

    def __init__(self, batch_size: int):
        self.batch = batch_size
        self.now: dt.datetime | None = None
        fields = Contact._meta.concrete_fields
        self.columns = [f.attname for f in fields]
        self.defaults = {f.attname: f.get_default() for f in fields}

    def before(self) -> None:
        pass

    def begin(self) -> None:
        pass

    def ready(self, now: dt.datetime) -> None:
        self.now = now

    def prepare_people(self, chunk: Chunk) -> Chunk:
        return chunk

    def write_people(self, chunk: Chunk) -> None:
        batch = self.batch
        Case.objects.bulk_create(chunk.cases, batch_size=batch)
        for model, name in CHILD_MODELS:
            if model is SafeguardTask:
                write_tasks(chunk.tasks, batch)
            else:
                model.objects.bulk_create(getattr(chunk, name), batch_size=batch)
        contacts = Contact.objects.bulk_create([self._contact(row) for row in chunk.contacts], batch_size=batch)
        if contacts:
            # ``created_at`` is ``auto_now_add``, which bulk_create sets to the time of writing; one
            # statement gives the chunk's contacts the time they were recorded instead.
            ids = [c.pk for c in contacts]
            Contact.objects.filter(pk__gte=min(ids), pk__lte=max(ids)).update(created_at=recorded_at_sql(self.now))

    def _contact(self, row: ContactRow) -> Contact:
        """A ``Contact`` built from positional values: half the cost of keywords, which adds up at 100,000s."""
        values = dict(self.defaults, case_id=row.case.pk, sentence_id=row.sentence.pk if row.sentence else None,
                      kind=row.kind, starts_at=row.starts_at, ends_at=row.ends_at,
                      staff_id=row.staff.pk if row.staff else None, location=row.location, outcome=row.outcome,
                      absence_reason=row.absence_reason, notes=row.notes, sensitive=row.sensitive,
                      created_by_id=row.staff.user_id if row.staff else None)
        return Contact(*[values[name] for name in self.columns])

    def prepare_access(self, access: LimitedAccess) -> LimitedAccess:
        return access

    def write_access(self, access: LimitedAccess) -> tuple[int, int]:
        CaseAccess.objects.bulk_create(access.rows, batch_size=self.batch)
        Case.objects.bulk_update(access.changed, ["restricted", "has_exclusions"], batch_size=self.batch)
        return sum(c.restricted for c in access.changed), sum(c.has_exclusions for c in access.changed)

    def sequences(self) -> str:
        return ""  # the database numbered every row

    def statistics(self) -> str:
        return ""


def write_tasks(tasks: list[SafeguardTask], batch: int) -> None:
    """Tasks point at the task that closed them (``met_by``), which has no id until written: write them,
    then the links."""
    links = [(task, task.met_by) for task in tasks if task.met_by is not None]
    for task, _met in links:
        task.met_by = None
    SafeguardTask.objects.bulk_create(tasks, batch_size=batch)
    for task, met in links:
        task.met_by = met
    SafeguardTask.objects.bulk_update([task for task, _met in links], ["met_by"], batch_size=batch)


def build_world(*, scale: Scale = DEMO, now: dt.datetime | None = None, reset: bool = False,
                log: Callable[[str], None] = lambda line: None) -> BuildReport:
    """Build the world for ``scale`` in one transaction (deleting the old one first if ``reset``)."""
    return build(scale, OrmWriter(scale.batch_size), now=now, reset=reset, log=log)
