"""Writes of the access context: auditing views of limited-access cases."""

from __future__ import annotations

from django.db import transaction

from casework.audit.services import audit_record
from casework.record.models import Case


@transaction.atomic
def restricted_case_viewed(*, case: Case, by, page: str) -> None:
    """Record that ``by`` opened ``page`` of a limited-access case."""
    audit_record(actor=by, action="case.view_restricted", obj=case, crn=case.crn, detail=page)
