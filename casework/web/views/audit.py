"""The audit log for administrators: filters, pages and a CSV download (itself audited)."""

from __future__ import annotations

import itertools
import json
import re

from django.core.paginator import Paginator
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property

from casework.access.policy import Perm, requires
from casework.audit.selectors import AuditFilters, audit_events, audit_values_for_viewer
from casework.audit.services import audit_log_exported
from casework.web.audit_labels import known_actions
from casework.web.csv_export import csv_response
from casework.web.page_forms import AuditFilterForm
from casework.web.rows import audit_rows
from casework.web.views.common import page_number

PAGE_SIZE = 50
ACTION_CODE = re.compile(r"[a-z_]{1,40}\.[a-z_]{1,60}")
# Pages of the log are counted up to this many entries: counting millions of rows on every page costs more
# than the page. Past it the pages say "more than"; filters narrow the list.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Pages of a list counted only up to ``COUNT_CAP`` entries (``capped`` says when there are more)."""

    @cached_property
    def count(self) -> int:
        counted = self.object_list[:COUNT_CAP + 1].count()
        self.capped = counted > COUNT_CAP
        return min(counted, COUNT_CAP)
CHUNK = 2000
CSV_HEADER = ["time", "actor", "action", "object type", "object id", "crn", "detail", "before", "after",
              "ip address"]


def _filters(request) -> tuple[AuditFilterForm, AuditFilters | None]:
    """The filter form, and the filters it gives (None while it has errors)."""
    # Every action Casework writes (its labels), not a DISTINCT over the whole log: at national scale the
    # log holds millions of rows and that scan alone cost 50 ms a page.
    # An action asked for by name (from a link, say) is offered too when it is one, labelled or not.
    asked = request.GET.get("action", "")
    actions = known_actions() + ([asked] if ACTION_CODE.fullmatch(asked) and asked not in known_actions() else [])
    form = AuditFilterForm(request.GET, actions=actions)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, AuditFilters(actor=data["actor"], action=data["action"], crn=data["crn"],
                              date_from=data["date_from"], date_to=data["date_to"])


def _page(request, form, filters):
    events = audit_events(viewer=request.viewer, filters=filters or AuditFilters())
    page = CappedPaginator(events, PAGE_SIZE).get_page(page_number(request))
    entries = audit_values_for_viewer(viewer=request.viewer, events=page.object_list)
    return render(request, "web/audit/log.html", {"form": form, "page": page, "rows": audit_rows(entries),
                                                  "export_query": request.GET.urlencode()})


@requires(Perm.AUDIT_VIEW)
def audit_log(request):
    form, filters = _filters(request)
    return _page(request, form, filters)


def _json(value) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def _readable(viewer, events):
    """The events with values of cases the viewer may not read hidden, a chunk at a time."""
    events = iter(events)
    while chunk := list(itertools.islice(events, CHUNK)):
        yield from audit_values_for_viewer(viewer=viewer, events=chunk)


@requires(Perm.AUDIT_VIEW)
def audit_export(request):
    form, filters = _filters(request)
    if filters is None:
        return _page(request, form, filters)  # never export more than was asked for
    events = audit_events(viewer=request.viewer, filters=filters)
    # The rows as they stand now: not the export's own audit row, nor anything written while it streams.
    latest = events.aggregate(latest=Max("pk"))["latest"] or 0
    events = events.filter(pk__lte=latest)
    audit_log_exported(by=request.user, filters=filters.as_dict(), count=events.count())
    rows = (
        [timezone.localtime(e.at).isoformat(), e.actor_label, e.action, e.object_type, e.object_id, e.crn,
         e.detail, _json(e.before), _json(e.after), e.ip_address]
        for e in _readable(request.viewer, events.iterator(chunk_size=CHUNK))
    )
    return csv_response(f"casework-audit-{timezone.localdate():%Y-%m-%d}.csv", CSV_HEADER, rows)
