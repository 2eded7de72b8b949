"""The long list an exercise samples from: every case in its scope that started in the window (rules.md §6.3).

Readings (docs/quality.md):

- A case "started" on the start date of a community sentence (community or suspended sentence order),
  or on the release date of a custodial sentence or post-sentence supervision. A custodial sentence not
  yet released has not started supervision in the community and is not on the long list.
- A case with several sentences that started in the window is listed once, by its earliest start.
- Only cases with a case manager are listed: the draw cascades to practitioners. A practitioner who
  holds cases in two PDUs is a separate leaf in each (the engine requires one PDU per practitioner).
- Sensitive means restricted (limited access): never sampled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from casework.quality.models import Exercise
from casework.record.choices import SentenceKind
from casework.record.models import Case, Sentence
from casework.rules import sampling
from casework.rules.tiering import Gender, Rosh

COMMUNITY = (SentenceKind.COMMUNITY_ORDER, SentenceKind.SUSPENDED_SENTENCE_ORDER)
POST_CUSTODY = (SentenceKind.CUSTODY, SentenceKind.POST_SENTENCE_SUPERVISION)
BATCH = 10_000


@dataclass(frozen=True)
class ListedCase:
    case_id: int
    manager_id: int
    team_id: int | None
    rosh: str
    record: sampling.CaseRecord


def exercise_scope(exercise: Exercise, prefix: str = "") -> Q:
    """Cases inside the exercise's team, PDU or region (``prefix``: the path to the case, e.g. "case__")."""
    if exercise.team_id:
        return Q(**{f"{prefix}team_id": exercise.team_id})
    if exercise.pdu_id:
        return Q(**{f"{prefix}pdu_id": exercise.pdu_id})
    if exercise.region_id:
        return Q(**{f"{prefix}pdu__region_id": exercise.region_id})
    return Q()


def long_list(exercise: Exercise) -> list[ListedCase]:
    """Every case in scope that started in the window, as the sampling engine reads it (two queries)."""
    start, end = exercise.window_start, exercise.window_end
    started = (Q(kind__in=COMMUNITY, start_date__range=(start, end))
               | Q(kind__in=POST_CUSTODY, release_date__range=(start, end)))
    starts: dict[int, tuple[dt.date, str]] = {}
    rows = (Sentence.objects.filter(started, exercise_scope(exercise, "case__"), case__manager__isnull=False)
            .values_list("case_id", "kind", "start_date", "release_date"))
    for case_id, kind, start_date, release_date in rows:
        began = start_date if kind in COMMUNITY else release_date
        side = sampling.SentenceKind.COMMUNITY if kind in COMMUNITY else sampling.SentenceKind.POST_CUSTODY
        if case_id not in starts or began < starts[case_id][0]:
            starts[case_id] = (began, side)
    listed = []
    ids = sorted(starts)
    # In batches: a national long list has more ids than one statement may carry (PostgreSQL: 65,535).
    rows = (row for first in range(0, len(ids), BATCH)
            for row in Case.objects.filter(pk__in=ids[first:first + BATCH]).values_list(
                "pk", "crn", "pnc", "first_name", "last_name", "date_of_birth", "gender", "rosh", "pdu_id",
                "pdu__region_id", "team_id", "manager_id", "restricted"))
    for (pk, crn, pnc, first, last, dob, gender, rosh, pdu_id, region_id, team_id, manager_id,
         restricted) in rows:
        began, side = starts[pk]
        record = sampling.CaseRecord(
            crn=crn, gender=Gender(gender) if gender else None, sentence_kind=side,
            rosh=Rosh(rosh) if rosh else None, start_date=began, region=str(region_id), pdu=str(pdu_id),
            practitioner=f"{manager_id}@{pdu_id}", sensitive=restricted, team=str(team_id) if team_id else None,
            pnc=pnc or None, first_name=first, last_name=last, date_of_birth=dob)
        listed.append(ListedCase(case_id=pk, manager_id=manager_id, team_id=team_id, rosh=rosh, record=record))
    return listed
