"""Checks every HTML page the tests fetch: one <h1>, the title pattern, unique ids, an error
summary whenever a field shows an error, every script carrying the response's CSP nonce (and no
inline event handlers), and no server error."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from django.middleware.csrf import CSRF_SESSION_KEY, _get_new_csrf_string
from django.test import Client

TITLE_RE = re.compile(r"^(Error: )?\S.* – Casework – GOV\.UK$")
NONCE_RE = re.compile(r"'nonce-([^']+)'")


class PageProblem(AssertionError):
    pass


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.h1 = 0
        self.ids: Counter[str] = Counter()
        self.classes: set[str] = set()
        self.in_title = False
        self.title = ""
        self.svg_depth = 0  # an inline chart's <title> names the chart, not the page
        self.script_nonces: list[str | None] = []
        self.event_handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.script_nonces.append(attrs.get("nonce"))
        self.event_handlers.extend(f"<{tag} {name}>" for name in attrs if name.startswith("on"))
        if tag == "h1":
            self.h1 += 1
        if tag == "svg":
            self.svg_depth += 1
        if tag == "title" and not self.svg_depth:
            self.in_title = True
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        for css in (attrs.get("class") or "").split():
            self.classes.add(css)

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag == "svg":
            self.svg_depth = max(self.svg_depth - 1, 0)

    def handle_data(self, data):
        if self.in_title:
            self.title += data


def check_page(response, path: str = "") -> None:
    """Raise ``PageProblem`` if an HTML response breaks the house rules for pages."""
    if response.status_code >= 500:
        raise PageProblem(f"{path}: server error {response.status_code}")
    content_type = response.get("Content-Type", "")
    if not content_type.startswith("text/html") or response.status_code in (301, 302, 303, 307, 308):
        return
    if path.startswith("/admin/"):
        return  # Django's own admin pages follow Django's conventions, not GOV.UK's.
    collector = _Collector()
    collector.feed(response.content.decode())
    title = " ".join(collector.title.split())
    problems = []
    if collector.h1 != 1:
        problems.append(f"expected exactly one <h1>, found {collector.h1}")
    if not TITLE_RE.match(title):
        problems.append(f"title {title!r} does not follow '<Page> – Casework – GOV.UK'")
    duplicates = [i for i, n in collector.ids.items() if n > 1]
    if duplicates:
        problems.append(f"duplicate ids: {duplicates}")
    shows_error = {"govuk-error-message", "govuk-form-group--error"} & collector.classes
    if shows_error and "govuk-error-summary" not in collector.classes:
        problems.append("a field shows an error but there is no error summary")
    if shows_error and not title.startswith("Error: "):
        problems.append("a page with errors must start its title with 'Error: '")
    nonce = NONCE_RE.search(response.get("Content-Security-Policy", ""))
    if collector.script_nonces and (nonce is None or any(n != nonce.group(1) for n in collector.script_nonces)):
        problems.append("every <script> must carry the nonce of the response's Content-Security-Policy")
    if collector.event_handlers:
        problems.append(f"inline event handlers, which the Content-Security-Policy blocks: {collector.event_handlers}")
    if problems:
        raise PageProblem(f"{path}: " + "; ".join(problems))


class CheckedClient(Client):
    """A test client that checks every page it fetches."""

    def request(self, **request):
        response = super().request(**request)
        check_page(response, request.get("PATH_INFO", ""))
        return response

    def force_login(self, user, backend=None):
        """Sign in as the sign-in page does, CSRF token included.

        The token lives in the session (``CSRF_USE_SESSIONS``) and the real sign-in stores it with the
        session it starts; a bare ``force_login`` would leave the first page to store it, one write more.
        """
        super().force_login(user, backend)
        session = self.session
        session[CSRF_SESSION_KEY] = _get_new_csrf_string()
        session.save()
