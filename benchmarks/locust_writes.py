"""Load run with writes (issue 16): practitioners browse as in ``benchmarks/locustfile.py`` and also record contacts
and outcomes through the real forms, each write carrying a unique marker so that ``benchmarks.reliability`` can
count afterwards, in the database, what the load tool saw confirmed and what it saw refused.

Run by ``benchmarks.reliability`` (Locust headless, one process, against gunicorn on 127.0.0.1). Environment:

- ``LOCUST_USERNAMES``, ``LOCUST_PASSWORD``: as ``benchmarks/locustfile.py``.
- ``RELIABILITY_RUN``: the run's id, part of every marker (``LOADMARK-<run>-c-<hex>`` in a contact's notes,
  ``LOADMARK-<run>-o-<hex>`` in an outcome's notes, which the service appends to the contact's).
- ``RELIABILITY_OUT``: the directory for ``marks-<pid>.jsonl`` (every write: a ``sent`` line before the POST,
  then a ``confirmed``, ``refused`` or ``unknown`` line) and, when ``RELIABILITY_RESPONSE_LOG`` is set,
  ``responses-<pid>.jsonl`` (every response: time, status, and whether it was a traceback, the GOV.UK
  "Sorry, there is a problem with the service" page or JSON).
- ``RELIABILITY_DOUBLE_SUBMIT``: the share of contact writes posted twice at once with the same form (a user's
  double click); 0.05 by default.

A write is *confirmed* when the POST is answered by the redirect to the case's contacts page, *refused* when it
is answered by anything else that is an answer (the form again with errors, a 4xx or 5xx), and *unknown* when
no answer came (connection reset, timeout, Locust stopping): only unknown writes may be absent or present.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import time
import uuid
from pathlib import Path

import gevent
from locust import events, task

import benchmarks.locustfile as browsing
from benchmarks.reliability import SORRY, TRACEBACK_SIGNS, classify, own_form

RUN = os.environ.get("RELIABILITY_RUN", "dev")
OUT = Path(os.environ.get("RELIABILITY_OUT", "var/reliability/dev"))
DOUBLE_SUBMIT = float(os.environ.get("RELIABILITY_DOUBLE_SUBMIT", "0.05"))
LOG_RESPONSES = bool(os.environ.get("RELIABILITY_RESPONSE_LOG"))
OUTCOME_LINK = re.compile(r'href="(/cases/[A-Z]\d{6}/contacts/\d+/outcome/)"')
KINDS_NOW = ("CASE_NOTE", "PHONE", "EMAIL_OR_TEXT", "THIRD_PARTY")
_files: dict[str, object] = {}


def _log(kind: str, record: dict) -> None:
    """One JSON line to this process's file of ``kind`` (line-buffered: nothing is lost if Locust is stopped)."""
    if kind not in _files:
        OUT.mkdir(parents=True, exist_ok=True)
        _files[kind] = open(OUT / f"{kind}-{os.getpid()}.jsonl", "a", buffering=1)  # noqa: SIM115
    _files[kind].write(json.dumps(record) + "\n")


def new_marker(kind: str) -> str:
    """``c`` for a contact, ``o`` for an outcome."""
    return f"LOADMARK-{RUN}-{kind}-{uuid.uuid4().hex[:16]}"


@events.request.add_listener
def _response_log(request_type, name, response_time, response, exception, start_time=None, **_):
    if not LOG_RESPONSES:
        return
    status = getattr(response, "status_code", 0) or 0
    text = ""
    if response is not None and status >= 400:
        try:
            text = response.text or ""
        except Exception:  # a body that cannot be read is recorded as empty
            text = ""
    content_type = response.headers.get("Content-Type", "") if response is not None else ""
    _log("responses", {
        "t": start_time or time.time() - response_time / 1000, "ms": round(response_time or 0, 1),
        "method": request_type, "name": name, "status": status,
        "exception": str(exception)[:200] if exception and not status else "",
        "traceback": any(sign in text for sign in TRACEBACK_SIGNS),
        "sorry": SORRY in text, "json": content_type.startswith("application/json"),
    })


class Writer(browsing.Practitioner):
    """A practitioner who browses and, as in a working day, records contacts and appointment outcomes."""

    # Requests that never finish should not hold a user for ever (gunicorn's worker timeout is 30 s).
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self):
        self.pending: list[tuple[str, str]] = []  # (crn, marker) of appointments recorded without an outcome
        super().on_start()

    def _post_write(self, path: str, data: dict, *, marker: str, kind: str, crn: str, name: str,
                    double: bool = False, extra: dict | None = None) -> str:
        _log("marks", {"marker": marker, "kind": kind, "crn": crn, "state": "sent", "t": time.time(),
                       "user": self.username, "double": double, **(extra or {})})
        result, status = "unknown", 0
        try:
            with self.client.post(path, data=data, name=name, allow_redirects=False, catch_response=True) as response:
                status = response.status_code or 0
                result = classify(status, response.headers.get("Location", ""))
                if result == "refused" and status == 200:
                    if double:
                        response.success()  # the second of a double submission may be turned away politely
                    else:
                        response.failure("write refused: the form came back (validation errors?)")
                elif result == "refused" and double and 400 <= status < 500:
                    response.success()
        finally:
            _log("marks", {"marker": marker, "kind": kind, "crn": crn, "state": result, "status": status,
                           "t": time.time(), "user": self.username, "double": double})
        return result

    def _contact_form(self, crn: str) -> tuple[str, dict] | None:
        path = f"/cases/{crn}/contacts/new/"
        page = self.client.get(path, name="contact form")
        form = own_form(page.text, path) if page.status_code == 200 else None
        return (path, form) if form else None

    @task(2)
    def record_contact(self):
        if not self.crns:
            return
        crn = random.choice(self.crns)
        found = self._contact_form(crn)
        if not found:
            return
        path, form = found
        marker = new_marker("c")
        yesterday = dt.date.today() - dt.timedelta(days=1)
        appointment = random.random() < 0.5
        kind = "OFFICE_APPOINTMENT" if appointment else random.choice(KINDS_NOW)
        data = {
            **form["hidden"], "kind": kind,
            "date_0": str(yesterday.day), "date_1": str(yesterday.month), "date_2": str(yesterday.year),
            "time": f"{random.randint(9, 16):02d}:{random.choice((0, 15, 30, 45)):02d}",
            "location": "Load test office" if appointment else "", "outcome": "", "absence_reason": "",
            "notes": f"Recorded by the reliability load run. {marker}",
        }
        extra = {"hidden_fields": sorted(form["hidden"])}
        if random.random() < DOUBLE_SUBMIT:
            # A double click: the same form, the same marker, posted twice at once.
            first = gevent.spawn(self._post_write, path, data, marker=marker, kind="contact", crn=crn,
                                 name="record contact (double submit)", double=True, extra=extra)
            second = gevent.spawn(self._post_write, path, data, marker=marker, kind="contact", crn=crn,
                                  name="record contact (double submit)", double=True, extra=extra)
            gevent.joinall([first, second])
            confirmed = "confirmed" in (first.value, second.value)
        else:
            confirmed = self._post_write(path, data, marker=marker, kind="contact", crn=crn, name="record contact",
                                         extra=extra) == "confirmed"
        if confirmed and appointment:
            self.pending.append((crn, marker))

    @task(1)
    def record_outcome(self):
        if not self.pending:
            return
        crn, contact_marker = self.pending.pop(0)
        yesterday = dt.date.today() - dt.timedelta(days=1)
        day = f"{yesterday.day}&date_from_1={yesterday.month}&date_from_2={yesterday.year}"
        listing = self.client.get(
            f"/cases/{crn}/contacts/?outcome=NONE&date_from_0={day}&date_to_0={yesterday.day}"
            f"&date_to_1={yesterday.month}&date_to_2={yesterday.year}", name="contacts awaiting an outcome")
        link = None
        for item in listing.text.split('class="moj-timeline__item"')[1:]:
            if contact_marker in item:
                found = OUTCOME_LINK.search(item)
                link = found.group(1) if found else None
                break
        if not link:
            return
        page = self.client.get(link, name="outcome form")
        form = own_form(page.text, link) if page.status_code == 200 else None
        if not form:
            return
        marker = new_marker("o")
        data = {**form["hidden"], "outcome": "ATTENDED_COMPLIED", "absence_reason": "",
                "notes": f"Outcome recorded by the reliability load run. {marker}"}
        self._post_write(link, data, marker=marker, kind="outcome", crn=crn, name="record outcome",
                         extra={"contact_marker": contact_marker})

    @task(1)
    def api_cases(self):
        self.client.get("/api/cases/", name="api cases")
