"""A practitioner's own caseload."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from casework.access.policy import Perm, requires
from casework.access.services import restricted_cases_listed
from casework.record.selectors import caseload_for_user
from casework.web.rows import case_rows


@requires(Perm.CASELOAD_OWN)
def caseload(request):
    cases = caseload_for_user(viewer=request.viewer, now=timezone.now())
    restricted_cases_listed(cases=cases, by=request.user, page="my caseload")
    return render(request, "web/caseload.html", {"cases": cases, "rows": case_rows(cases)})
