"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test here must carry ``pytestmark = pytest.mark.browser``. The tests never skip: if Chromium or
axe-core is missing they fail, so CI cannot go green because the browser tests silently did not run.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Browser, Page, sync_playwright

from casework.record.choices import ContactKind, ContactOutcome
from tests import factories

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, never a downloaded one. We run as root (so no sandbox) and the network is closed,
# so everything that would phone home is switched off.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
# Long enough for a slow CI runner, short enough that a missing element fails in seconds, not 30.
TIMEOUT_MS = 10_000
SCREENSHOTS = REPO_ROOT / "test-results" / "screenshots"

_call_failed = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember whether the test body failed, so the page fixture can screenshot the failure."""
    report = yield
    if report.when == "call":
        item.stash[_call_failed] = report.failed
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install chromium). "
            "They fail rather than skip so that CI cannot pass without running them.",
            pytrace=False,
        )
    # The sync Playwright API keeps an asyncio event loop running in this thread for as long as it is
    # open, and Django refuses ORM calls from a thread with a running loop. The tests only ever touch
    # the ORM between browser steps, never concurrently, so the check is safe to switch off here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                  args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def reference_data(transactional_db, seeded_data) -> None:
    """Put the seeded reference data back before each browser test.

    The live server needs a transactional database, which pytest-django empties after each test, the
    seeded rows included. Django's remedy, serialized rollback, keeps its copy as an attribute of the
    database connection object; but while Playwright's event loop runs in this thread, asgiref gives
    Django a different connection object from the one the test database was set up with, so when any
    other test had opened the database first, that copy was silently not there. Hence our own copy.
    """
    connection.creation.deserialize_db_from_string(seeded_data)


@pytest.fixture
def new_page(request, browser, live_server, snap):
    """``new_page(**context_options)`` opens a page in a fresh browser context (own cookies) on the live server."""
    contexts = []
    problems: list[str] = []

    def open_page(**context_options) -> Page:
        context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        watch_for_problems(page, problems)
        return page

    yield open_page
    failed = request.node.stash.get(_call_failed, False)
    if failed:
        for number, context in enumerate(contexts, start=1):
            for page in context.pages:
                snap(page, f"failed-{number}")
    for context in contexts:
        context.close()
    if problems and not failed:
        pytest.fail("the browser reported problems:\n" + "\n".join(problems), pytrace=False)


def watch_for_problems(page: Page, problems: list[str]) -> None:
    """Collect what a screenshot would not show: a stylesheet, script, font or image that failed to
    load, a script the Content-Security-Policy blocked, or a script error."""

    def on_response(response) -> None:
        # Pages may be 404s on purpose (the tests visit some); what they load never should be.
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.request.resource_type} {response.url}: HTTP {response.status}")

    def on_console(message) -> None:
        # Chromium also logs every failed load as an error; on_response reports those that matter.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console error on {page.url}: {message.text}")

    def on_page_error(error) -> None:
        problems.append(f"script error on {page.url}: {error}")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


@pytest.fixture
def snap(request):
    """``snap(page, step)`` saves a full-page screenshot to test-results/screenshots/<test-name>-<step>.png."""
    test_name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    # Drop this test's screenshots from earlier runs, so the artefacts all show the same run.
    for old in SCREENSHOTS.glob(f"{test_name}-*.png"):
        old.unlink()

    def take(page: Page, step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{test_name}-{step}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def case(po):
    """A case ``po`` manages: a community order, an address, a risk assessment, a registration, a
    contact history with notes (one appointment still needing its outcome) and a booked appointment."""
    now = timezone.now()
    case = factories.AllocatedCaseFactory(manager=po, first_name="Jordan", last_name="Whitfield")
    factories.CommunityOrderFactory(case=case)
    factories.AddressFactory(case=case)
    factories.RiskAssessmentFactory(case=case)
    factories.RegistrationFactory(case=case)
    factories.AppointmentFactory(
        case=case, kind=ContactKind.HOME_VISIT, starts_at=now - dt.timedelta(days=21),
        outcome=ContactOutcome.ATTENDED_COMPLIED,
        notes="Visited the flat: suitable, and the landlord confirmed the tenancy.",
    )
    factories.AppointmentFactory(case=case)  # a week ago, "Discussed accommodation.", outcome due
    factories.AppointmentFactory(
        case=case, kind=ContactKind.PHONE, starts_at=now - dt.timedelta(days=3),
        outcome=ContactOutcome.ATTENDED_COMPLIED, notes="Phoned to check on the housing referral.",
    )
    factories.AppointmentFactory(
        case=case, kind=ContactKind.CASE_NOTE, starts_at=now - dt.timedelta(days=2),
        notes="Referral to the housing support service sent.",
    )
    factories.FutureAppointmentFactory(case=case, notes="Bring proof of address.")
    return case
