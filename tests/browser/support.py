"""Steps and checks the browser tests share: signing in, moving by keyboard, and axe-core."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from tests.factories import PASSWORD

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: the standard public sector services must meet.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real sign-in form and wait for the home page."""
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile(r"^Home – "))


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page: Page, target: Locator, *, limit: int = 60) -> None:
    """Press Tab until ``target`` has the focus (if it has not already), as a keyboard user would;
    fail if it never does."""
    for _ in range(limit):
        if is_focused(target):
            return
        page.keyboard.press("Tab")
    if is_focused(target):
        return
    raise AssertionError(f"{target} was not reached after pressing Tab {limit} times")


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core's WCAG A and AA rules on the page as it is now; its violations, simplified."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: install axe-core with `npm ci` in {REPO_ROOT}", pytrace=False)
    try:
        page.add_script_tag(path=AXE_JS)
    except PlaywrightError as exc:
        # The Content-Security-Policy blocks inline scripts; casework/settings/test.py allows this one
        # by its hash, which it works out from the same file and path.
        pytest.fail(f"could not inject axe-core into {page.url}: {exc.message}", pytrace=False)
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }""",
        WCAG_TAGS,
    )


def describe_violations(found: dict[str, list[dict]]) -> str:
    """Violations by page: each rule's id, impact and help, then every element at fault and why."""
    lines = []
    for where, violations in found.items():
        for violation in violations:
            lines.append(f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}"
                         f" <{violation['helpUrl']}>")
            for node in violation["nodes"]:
                lines.append(f"    {node['target']}")
                lines.extend(f"        {line}" for line in (node["summary"] or "").splitlines())
    return "\n".join(lines)


def assert_no_violations(found: dict[str, list[dict]]) -> None:
    """Fail with every violation on every page checked, so one run shows all there is to fix."""
    failing = {where: violations for where, violations in found.items() if violations}
    assert not failing, "axe-core found WCAG violations:\n" + describe_violations(failing)


def assert_accessible(page: Page) -> None:
    assert_no_violations({page.url: axe_violations(page)})


def horizontal_overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when nothing forces sideways scrolling)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
