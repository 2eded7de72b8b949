"""What list pages show for each row, worked out in Python once rather than by template tags per cell.

A case list renders up to 60 rows and a contact log 50 entries. In a Django template every ``{% url %}``,
``{% simple_tag %}`` and filter in a row costs a little; at eight or more a row they were most of the
page's time. The rows here carry ready-to-print text (still escaped by the template) and the few
pieces of fixed markup as safe strings. Display only: which rows there are is the selectors' business.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from casework.record.choices import APPOINTMENT_KINDS, AbsenceReason, ContactKind, ContactOutcome
from casework.web.templatetags.govuk import (
    _ROSH_CLASSES,
    _ROSH_LABELS,
    audit_json,
    govuk_datetime,
    sentence_label,
)

_SENTINEL = "CRNSENTINEL"
_CONTACT_SENTINEL = "/987654321/"

# The RoSH tag for each level, built once (the words carry the meaning; the colour only repeats it).
ROSH_TAGS: dict[str, SafeString] = {
    level: format_html('<strong class="govuk-tag {}">{} RoSH</strong>', _ROSH_CLASSES[level], label)
    for level, label in _ROSH_LABELS.items()
}
ROSH_NOT_ASSESSED = mark_safe('<strong class="govuk-tag govuk-tag--grey">Not assessed</strong>')


def rosh_tag_html(level: str) -> SafeString:
    """The same markup as the ``rosh_tag`` template tag, from a table."""
    if not level:
        return ROSH_NOT_ASSESSED
    return ROSH_TAGS.get(level) or format_html('<strong class="govuk-tag {}">{} RoSH</strong>', "", level)


class CaseUrls:
    """A case's page URLs, reversed once per list (with a stand-in CRN) instead of once per row.

    Reversing per request (not once per process) keeps the script prefix and URLconf of the request.
    """

    def __init__(self, *names: str):
        self._parts = {name: reverse(name, args=[_SENTINEL]).split(_SENTINEL) for name in names}

    def __call__(self, name: str, crn: str) -> str:
        return quote(crn, safe="").join(self._parts[name])


def case_row(case, urls: CaseUrls) -> dict:
    """One row of a case table (``web/includes/case_table.html``).

    A dict, not an object: the template engine tries ``row[key]`` before ``getattr``, and for an
    object that first try raises and catches an exception for every cell.
    """
    crn = case.crn
    when = case.next_appointment
    due = case.outcomes_due or 0
    kind = case.sentence_kind
    return {
        "crn": crn,
        "href": urls("case-overview", crn),
        "name": f"{case.last_name}, {case.first_name}",
        "restricted": case.restricted,
        "tier": case.tier or "Not tiered",
        "rosh_tag": rosh_tag_html(case.rosh),
        "sentence": sentence_label(kind, case.sentence_status) if kind else "None current",
        "manager": f"{case.manager_first_name} {case.manager_last_name}" if case.manager_id else "",
        "next_sort": str(int(when.timestamp())) if when else "0",
        "next_text": govuk_datetime(when) or "None booked",
        "outcomes_due": str(due),
        "outcomes_text": f"{due} outcome{'' if due == 1 else 's'} to record" if due else "",
        "outcomes_href": f"{urls('case-contacts', crn)}?outcome=NONE" if due else "",
    }


def case_rows(cases, *, show_manager: bool = False) -> list[dict]:
    """The rows of a case table for ``cases`` (annotated by ``selectors._with_list_columns``).

    Each row also carries its ``<tr>`` markup as ``html``: a team caseload or search result is 50
    rows of eight cells, and resolving each cell's variables in the template was a third of the
    page's time on PostgreSQL at national scale. ``format_html`` escapes every value as the
    template would.
    """
    urls = CaseUrls("case-overview", "case-contacts")
    rows = [case_row(case, urls) for case in cases]
    for row in rows:
        row["html"] = case_row_html(row, show_manager=show_manager)
    return rows


_CASE_ROW = (
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{}">{}</a>{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    "{}"
    '<td class="govuk-table__cell" data-sort-value="{}">{}</td>'
    '<td class="govuk-table__cell" data-sort-value="{}">{}</td>'
    "</tr>\n"
)
_RESTRICTED = mark_safe(' <strong class="govuk-tag govuk-tag--purple">Restricted</strong>')
_UNALLOCATED_CELL = mark_safe('<td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--grey">'
                              "Unallocated</strong></td>")
_NO_MANAGER_COLUMN = mark_safe("")


def case_row_html(row: dict, *, show_manager: bool) -> SafeString:
    """The ``<tr>`` of one case table row (``web/includes/case_table.html`` has the header)."""
    if not show_manager:
        manager = _NO_MANAGER_COLUMN
    elif row["manager"]:
        manager = format_html('<td class="govuk-table__cell">{}</td>', row["manager"])
    else:
        manager = _UNALLOCATED_CELL
    outcomes = (format_html('<a class="govuk-link" href="{}">{}</a>', row["outcomes_href"], row["outcomes_text"])
                if row["outcomes_text"] else "None")
    return format_html(_CASE_ROW, row["href"], row["name"], _RESTRICTED if row["restricted"] else "", row["crn"],
                       row["tier"], row["rosh_tag"], row["sentence"], manager, row["next_sort"], row["next_text"],
                       row["outcomes_due"], outcomes)


# Labels by code, so a row does not call ``get_FOO_display`` (which rebuilds the choices dict each time).
_KIND_LABELS = dict(ContactKind.choices)
_OUTCOME_LABELS = dict(ContactOutcome.choices)
_ABSENCE_LABELS = dict(AbsenceReason.choices)


def contact_entry(contact, *, now: dt.datetime, outcome_url: str | None) -> dict:
    """One entry of a case's contact log (``web/case/contacts.html``); a dict, as for ``case_row``."""
    kind = _KIND_LABELS.get(contact.kind, contact.kind)
    outcome = contact.outcome
    staff = contact.staff
    local = timezone.localtime(contact.starts_at)
    due = contact.kind in APPOINTMENT_KINDS and not outcome and contact.starts_at < now
    return {
        "pk": contact.pk,
        "kind": kind,
        "kind_lower": kind.lower(),
        "outcome": _OUTCOME_LABELS.get(outcome, outcome).lower() if outcome else "",
        "absence_reason": (_ABSENCE_LABELS.get(contact.absence_reason, contact.absence_reason)
                           if contact.absence_reason else ""),
        "staff_name": staff.name if staff is not None else "",
        "location": contact.location,
        "notes": contact.notes,
        "sensitive": contact.sensitive,
        "starts_at_iso": local.isoformat(),
        "starts_at_text": govuk_datetime(local),
        "outcome_due": due,
        "outcome_href": outcome_url.replace(_CONTACT_SENTINEL, f"/{contact.pk}/") if outcome_url and due else "",
    }


def contact_entries(contacts, *, crn: str, now: dt.datetime, can_change: bool) -> list[dict]:
    """The entries of a contact log page; ``outcome_href`` only for someone who may record outcomes."""
    outcome_url = None
    if can_change:
        # Reversed once with a stand-in contact id (nine digits: never part of a CRN), replaced per entry.
        outcome_url = reverse("contact-outcome", args=[crn, int(_CONTACT_SENTINEL.strip("/"))])
    return [contact_entry(c, now=now, outcome_url=outcome_url) for c in contacts]


def audit_row(event) -> dict:
    """One row of the audit log table (``web/audit/log.html``); a dict, as for ``case_row``."""
    local = timezone.localtime(event.at)
    return {
        "at_iso": local.isoformat(),
        "at_text": govuk_datetime(local),
        "actor_label": event.actor_label,
        "ip_address": event.ip_address or "",
        "action": event.action,
        "crn": event.crn,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "detail": event.detail,
        "has_before": event.before is not None,
        "before": audit_json(event.before) if event.before is not None else "",
        "has_after": event.after is not None,
        "after": audit_json(event.after) if event.after is not None else "",
    }


def audit_rows(events) -> list[dict]:
    return [audit_row(e) for e in events]
