"""Writes of team establishments (funded posts). One transaction each, with its audit row inside it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from casework.access.viewer import viewer_for
from casework.access.visibility import can_change_establishment
from casework.audit.services import audit_record
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.organisation.establishment import fte_problem, round_fte
from casework.organisation.models import FundedPost, PostGrade, Team

NOT_PERMITTED = "Only an administrator or the head of the team's PDU may change its funded posts"


@transaction.atomic
def establishment_set(*, team: Team, by, posts: dict[str, Any], expected_versions: dict[str, int]) -> list[str]:
    """Set ``team``'s funded posts (FTE) for the grades in ``posts``; audited as one change.

    ``expected_versions`` holds, for each grade, the version of its funded posts the person read (0 when
    there were none): if anyone has changed that grade since, nothing is written (``ConcurrentEditError``).
    Returns the grades whose funded posts changed (empty when nothing did: then nothing is audited).
    """
    if not can_change_establishment(viewer_for(by), team):
        raise NotPermittedError(NOT_PERMITTED)
    unknown = set(posts) - set(PostGrade.values)
    if unknown:
        raise TypeError(f"not grades with funded posts: {sorted(unknown)}")
    labels = dict(PostGrade.choices)
    errors = {grade: problem for grade, value in posts.items()
              if (problem := fte_problem(value, labels[grade])) is not None}
    if errors:
        raise DomainValidationError(errors)
    stored = {post.grade: post for post in FundedPost.objects.select_for_update().filter(team=team)}
    for grade in posts:
        if (stored[grade].version if grade in stored else 0) != expected_versions.get(grade, 0):
            raise ConcurrentEditError()
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    now = timezone.now()
    for grade in PostGrade.values:  # a fixed order: rows are locked and written the same way every time
        if grade not in posts:
            continue
        fte = round_fte(Decimal(str(posts[grade]).strip()))
        post = stored.get(grade)
        old = post.fte if post is not None else Decimal(0)
        if fte == old:
            continue
        if post is None:
            try:
                with transaction.atomic():
                    FundedPost.objects.create(team=team, grade=grade, fte=fte, updated_by=by)
            except IntegrityError:  # someone else added this grade's row since it was read
                raise ConcurrentEditError() from None
        else:
            rows = FundedPost.objects.filter(pk=post.pk, version=post.version).update(
                fte=fte, version=F("version") + 1, updated_at=now, updated_by=by)
            if rows != 1:
                raise ConcurrentEditError()
        before[grade], after[grade] = str(old), str(fte)
    if after:
        audit_record(actor=by, action="organisation.establishment_change", obj=team, detail=f"Team {team.code}",
                     before=before, after=after)
    return list(after)
