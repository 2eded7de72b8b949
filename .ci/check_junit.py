"""Fail CI when a test run skipped tests or ran no browser test: nothing passes by not running.

The one allowed skip is a test for one database engine's own feature (a PostgreSQL trigger, say)
in the run on the other engine; its reason must start with ENGINE_SPECIFIC, and CI runs the suite
on both engines, so every such test runs once. A skipped browser test always fails CI.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

ENGINE_SPECIFIC = "engine-specific:"


def main(path: str) -> int:
    root = ET.parse(path).getroot()  # noqa: S314 - our own test runner wrote this file
    cases = root.iter("testcase")
    total = skipped = browser = failed = 0
    for case in cases:
        total += 1
        skip = case.find("skipped")
        if skip is not None:
            reason = skip.get("message", "")
            allowed = reason.startswith(ENGINE_SPECIFIC) and not (case.get("classname") or "").startswith(
                "tests.browser."
            )
            print(f"skipped{' (allowed)' if allowed else ''}: {case.get('classname')}::{case.get('name')}: {reason}")
            if not allowed:
                skipped += 1
            continue
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif (case.get("classname") or "").startswith("tests.browser."):
            browser += 1
    print(f"{path}: {total} tests, {browser} browser tests passed, {skipped} skipped, {failed} failed")
    problems = []
    if total == 0:
        problems.append("no tests ran")
    if skipped:
        problems.append(f"{skipped} tests were skipped")
    if browser == 0:
        problems.append("no browser test ran")
    if failed:
        problems.append(f"{failed} tests failed")
    for problem in problems:
        print(f"CI: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
