"""What list pages show for each row, worked out in Python once rather than by template tags per cell.

A case list renders up to 60 rows and a contact log 50 entries. In a Django template every ``{% url %}``,
``{% simple_tag %}`` and filter in a row costs a little; at eight or more a row they were most of the
page's time. The rows here carry ready-to-print text (still escaped by the template); markup stays in
templates (a case table row's in ``web/includes/_case_row.html``, rendered fast by ``FastFragment``).
Display only: which rows there are is the selectors' business.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import weakref
from collections.abc import Callable
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from casework.record.choices import AbsenceReason, ContactKind, ContactOutcome
from casework.rules.contacts import outcome_due
from casework.web.audit_labels import action_label, object_label
from casework.web.audit_labels import changes as audit_changes
from casework.web.audit_labels import recorded as audit_recorded
from casework.web.templatetags.govuk import (
    _ROSH_CLASSES,
    _ROSH_LABELS,
    govuk_datetime,
    sentence_label,
)

_SENTINEL = "CRNSENTINEL"
_CONTACT_SENTINEL = "/987654321/"

# RoSH in order of seriousness, for sorting (not assessed first).
_ROSH_ORDER = {"LOW": "1", "MEDIUM": "2", "HIGH": "3", "VERY_HIGH": "4"}


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
    overdue = case.safeguards_overdue or 0
    kind = case.sentence_kind
    return {
        "crn": crn,
        "href": urls("case-overview", crn),
        "name": f"{case.last_name}, {case.first_name}",
        # What the sortable table compares (else it compares the cell's markup: the link, so the CRN).
        "name_sort": f"{case.last_name}, {case.first_name} {crn}",
        "rosh_sort": _ROSH_ORDER.get(case.rosh, "0"),
        "restricted": case.restricted,
        "tier": case.tier or "Not tiered",
        # The RoSH tag's words and colour (``_case_row.html``; the same as the ``rosh_tag`` template tag).
        "rosh_label": _ROSH_LABELS.get(case.rosh, case.rosh) if case.rosh else "",
        "rosh_class": _ROSH_CLASSES.get(case.rosh, ""),
        "sentence": sentence_label(kind, case.sentence_status) if kind else "None current",
        "manager": f"{case.manager_first_name} {case.manager_last_name}" if case.manager_id else "",
        "next_sort": str(int(when.timestamp())) if when else "0",
        "next_text": govuk_datetime(when) or "None booked",
        "outcomes_due": str(due),
        "outcomes_text": f"{due} outcome{'' if due == 1 else 's'} to record" if due else "",
        "outcomes_href": f"{urls('case-contacts', crn)}?outcome=NONE" if due else "",
        "overdue": str(overdue),
        "overdue_text": f"{overdue} overdue" if overdue else "",
        "overdue_href": f"{urls('case-overview', crn)}#safeguards" if overdue else "",
    }


def case_rows(cases, *, show_manager: bool = False) -> list[dict]:
    """The rows of a case table for ``cases`` (annotated by ``selectors._with_list_columns``).

    Each row also carries its ``<tr>`` markup as ``html``, from ``web/includes/_case_row.html``
    through ``CASE_ROW`` (see ``FastFragment``): a team caseload or search result is 50 rows of
    eight cells, and resolving each cell's variables in the template was a third of the page's
    time on PostgreSQL at national scale.
    """
    urls = CaseUrls("case-overview", "case-contacts")
    rows = [case_row(case, urls) for case in cases]
    render = CASE_ROW.renderer(show_manager=show_manager)
    for row in rows:
        row["html"] = render(row)
    return rows


class _Slot:
    """Stands in for one row value while a row shape is rendered: prints as a marker, tests as the value does."""

    __slots__ = ("marker", "truth")

    def __init__(self, marker: str, truth: bool):
        self.marker, self.truth = marker, truth

    def __str__(self) -> str:
        return self.marker

    def __bool__(self) -> bool:
        return self.truth


_MARK = "\ue000{}\ue001"  # private-use characters: escaping leaves them, no template text has them
_MARK_RE = re.compile("\ue000(\\d+)\ue001")


class FastFragment:
    """A row template rendered at the speed of ``str.format``, with exactly the template engine's output.

    A row's *shape* is which of its values are true (so which ``{% if %}`` branches it takes) and
    the flags given (``show_manager``). The template is rendered once per shape with a marker for
    every value, and the markers become ``str.format`` fields; each row is then its values, escaped
    as the engine escapes them (``conditional_escape``), formatted into its shape. The template may
    use only plain ``{{ row.x }}`` values and truth tests on them; anything else is refused or, if it
    slips through, fails tests/web/test_rows.py, which compares both paths.
    """

    def __init__(self, template_name: str):
        self.template_name = template_name
        self._shapes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # per loaded template

    def renderer(self, **flags) -> Callable[[dict], SafeString]:
        """``render(row)`` for rows of one table; the template is looked up once (reloaded in development)."""
        template = get_template(self.template_name)
        engine_template = template.template
        known = self._shapes.get(engine_template)
        if known is None:
            names = tuple(dict.fromkeys(re.findall(r"\brow\.(\w+)", engine_template.source)))
            known = self._shapes[engine_template] = (names, {})
        names, shapes = known
        flag_key = tuple(sorted(flags.items()))

        def render(row: dict) -> SafeString:
            values = [row[name] for name in names]
            key = (flag_key, *map(bool, values))
            shape = shapes.get(key)
            if shape is None:
                shape = shapes[key] = self._compile(template, names, values, flags)
            fmt, printed = shape
            # Escaped as the engine escapes a value it prints (``conditional_escape``).
            return mark_safe(fmt.format(*[_escape(values[i]) for i in printed]))  # noqa: S308

        return render

    def _compile(self, template, names: tuple[str, ...], values: list, flags: dict) -> tuple[str, tuple[int, ...]]:
        """The shape's format string, and which values it prints (by index into ``names``) in field order."""
        slots = {name: _Slot(_MARK.format(i), bool(value))
                 for i, (name, value) in enumerate(zip(names, values, strict=True))}
        rendered = template.render({"row": slots, **flags}).replace("{", "{{").replace("}", "}}")
        printed: list[int] = []

        def field(match: re.Match) -> str:
            printed.append(int(match[1]))
            return f"{{{len(printed) - 1}}}"

        fmt = _MARK_RE.sub(field, rendered)
        if "\ue000" in fmt or "\ue001" in fmt:
            raise ImproperlyConfigured(f"{self.template_name} changes a row value (a filter?): print values as is")
        return fmt, tuple(printed)


def _escape(value) -> str:
    """``conditional_escape(value)``, without its lazy-string wrapper for the plain strings rows hold."""
    return html.escape(value) if type(value) is str else conditional_escape(value)


CASE_ROW = FastFragment("web/includes/_case_row.html")


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
    due = outcome_due(kind=contact.kind, outcome=outcome, starts_at=contact.starts_at, now=now)
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
        "action": action_label(event.action),
        "crn": event.crn,
        "object_type": object_label(event.object_type),
        "object_id": event.object_id,
        "detail": event.detail,
        "changes": audit_changes(event.before, event.after),
    }


def audit_rows(events) -> list[dict]:
    return [audit_row(e) for e in events]


def history_entry(event) -> dict:
    """One entry of a case's history timeline (``web/case/history.html``): what changed, who, when."""
    local = timezone.localtime(event.at)
    staff = getattr(event.actor, "staff", None) if event.actor_id else None
    return {
        "title": action_label(event.action),
        "by": staff.name if staff is not None else event.actor_label,
        "at_iso": local.isoformat(),
        "at_text": govuk_datetime(local),
        "detail": event.detail,
        # Something new is a list of what was recorded; a change is a table of before and after.
        "recorded": audit_recorded(event.after) if event.before is None else [],
        "changes": audit_changes(event.before, event.after) if event.before is not None else [],
    }


def history_entries(events) -> list[dict]:
    return [history_entry(e) for e in events]
