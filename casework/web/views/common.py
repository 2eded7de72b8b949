"""Helpers shared by page views."""

from __future__ import annotations

from casework.access.services import restricted_case_viewed
from casework.access.visibility import VisibleCase
from casework.record.selectors import case_get_for_user


def get_case(request, crn: str, *, page: str) -> VisibleCase:
    """The case the URL names, if the viewer may see it (else 404); views of limited-access cases are audited."""
    visible = case_get_for_user(viewer=request.viewer, crn=crn)
    if visible.case.restricted or visible.case.has_exclusions:
        restricted_case_viewed(case=visible.case, by=request.user, page=page)
    return visible


def page_number(request) -> int:
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1
