"""``make reliability`` counts writes by marker: what the load tool saw against what the database holds."""

from __future__ import annotations

import json

from benchmarks.reliability import (
    PostForm,
    account,
    classify,
    classify_response,
    first_ok_after,
    knee,
    outage_summary,
    own_form,
    read_marks,
    write_checks,
)


def sent(marker, kind="contact", double=False):
    return {"marker": marker, "kind": kind, "state": "sent", "double": double}


def answered(marker, state, kind="contact", double=False, status=302):
    return {"marker": marker, "kind": kind, "state": state, "status": status, "double": double}


def test_confirmed_writes_present_once_pass():
    attempts = [sent("a"), answered("a", "confirmed"), sent("b", "outcome"), answered("b", "confirmed", "outcome")]
    result = account(attempts, {"a": 1, "b": 1})
    assert result["ok"]
    assert (result["writes"], result["confirmed"], result["confirmed_present"], result["missing"]) == (2, 2, 2, 0)
    assert result["by_kind"] == {"contact": 1, "outcome": 1}


def test_a_confirmed_write_missing_fails_and_is_named():
    result = account([sent("a"), answered("a", "confirmed")], {})
    assert not result["ok"]
    assert result["missing"] == 1
    assert result["examples"]["missing"] == ["a"]


def test_a_write_present_twice_is_duplicated():
    result = account([sent("a"), answered("a", "confirmed")], {"a": 2})
    assert not result["ok"]
    assert result["duplicated"] == 1
    assert result["confirmed_present"] == 1  # present, but twice


def test_a_refused_write_must_not_be_present():
    attempts = [sent("a"), answered("a", "refused", status=503), sent("b"), answered("b", "refused", status=200)]
    result = account(attempts, {"a": 1})
    assert not result["ok"]
    assert (result["refused"], result["refused_present"]) == (2, 1)
    assert result["examples"]["refused_present"] == ["a"]


def test_unknown_writes_may_be_present_or_absent():
    # No answer (the worker was killed), and a POST sent with no answer line at all (Locust stopped).
    attempts = [sent("a"), answered("a", "unknown", status=0), sent("b")]
    result = account(attempts, {"a": 1})
    assert result["ok"]
    assert (result["unknown"], result["unknown_present"], result["missing"]) == (2, 1, 0)


def test_a_double_submission_is_confirmed_if_either_post_was():
    attempts = [sent("d", double=True), sent("d", double=True), answered("d", "confirmed", double=True),
                answered("d", "refused", double=True, status=200)]
    once = account(attempts, {"d": 1})
    assert once["ok"]
    assert (once["posts"], once["confirmed"], once["double_submitted"], once["double_recorded_once"]) == (2, 1, 1, 1)
    twice = account(attempts, {"d": 2})
    assert not twice["ok"]
    assert twice["double_recorded_twice"] == 1


def test_a_marker_in_the_database_the_tool_never_logged_is_counted_not_judged():
    result = account([sent("a"), answered("a", "confirmed")], {"a": 1, "stray": 1})
    assert result["ok"]
    assert result["unlogged_present"] == 1


def test_checks_name_each_failure_in_words():
    result = account([sent("a"), answered("a", "confirmed"), sent("b"), answered("b", "refused")], {"b": 1})
    checks = {c["name"]: c for c in write_checks(result, {"contacts": 1, "inconsistent": []}, "headline run")}
    assert not checks["headline run: every confirmed write is in the database"]["ok"]
    assert checks["headline run: every confirmed write is in the database"]["detail"] == (
        "0 of 1 confirmed writes present, 1 missing")
    assert not checks["headline run: nothing refused is in the database"]["ok"]
    assert checks["headline run: no write recorded twice"]["ok"]


def test_no_confirmed_writes_at_all_is_a_failure_not_a_pass():
    checks = write_checks(account([], {}), None, "load")
    assert not next(c for c in checks if "saw writes confirmed" in c["name"])["ok"]


def test_half_written_contacts_fail():
    checks = write_checks(account([], {}), {"contacts": 3, "inconsistent": [{"contact": 1}]}, "outage")
    assert not next(c for c in checks if "half-written" in c["name"])["ok"]


def test_read_marks_skips_a_line_cut_short(tmp_path):
    path = tmp_path / "marks-1.jsonl"
    path.write_text(json.dumps(sent("a")) + "\n" + '{"marker": "b", "sta')
    assert read_marks([path]) == [sent("a")]


def test_the_load_tool_classifies_answers():
    assert classify(302, "/cases/X123456/contacts/") == "confirmed"
    assert classify(302, "/sign-in/?next=/cases/X123456/contacts/new/") == "refused"
    assert classify(200, "") == "refused"  # the form again, with errors
    assert classify(503, "") == "refused"
    assert classify(0, "") == "unknown"
    assert classify(None, "") == "unknown"


def test_the_load_tool_posts_every_hidden_input_of_the_page_form():
    page = """
    <form method="post" action="/sign-out/"><input type="hidden" name="csrfmiddlewaretoken" value="x"></form>
    <form method="post" novalidate>
      <input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">
      <input type="hidden" name="submission_key" value="k1">
      <input type="text" name="time"><textarea name="notes"></textarea>
    </form>"""
    form = own_form(page, "/cases/X123456/contacts/new/")
    assert form["hidden"] == {"csrfmiddlewaretoken": "tok&en", "submission_key": "k1"}
    assert {"time", "notes"} <= form["names"]
    parser = PostForm("/p/")
    parser.feed(page)
    assert [f["own"] for f in parser.forms] == [False, True]


def test_outage_responses_are_classified():
    rows = [
        {"t": 1, "name": "caseload", "status": 200},
        {"t": 2, "name": "caseload", "status": 503, "sorry": True},
        {"t": 3, "name": "api cases", "status": 503, "json": True},
        {"t": 4, "name": "case overview", "status": 500},
        {"t": 5, "name": "caseload", "status": 503, "sorry": True, "traceback": True},
        {"t": 6, "name": "caseload", "status": 0, "exception": "ConnectionError"},
        {"t": 7, "target": "/readyz", "name": "/readyz", "status": 503, "json": True},
        {"t": 99, "name": "caseload", "status": 500},
    ]
    assert [classify_response(r) for r in rows] == ["ok", "clear", "clear", "other", "traceback", "no answer",
                                                    "clear", "other"]
    summary = outage_summary(rows, 1, 10)
    assert summary["responses"] == 7
    assert summary["classes"] == {"ok": 1, "clear": 3, "other": 1, "traceback": 1, "no answer": 1}
    assert summary["statuses"] == {"200": 1, "503": 4, "500": 1, "0": 1}


def test_recovery_is_the_first_200_after_the_database_returns():
    polls = [{"t": 9.0, "target": "/readyz", "status": 200, "ms": 5},
             {"t": 10.1, "target": "/readyz", "status": 503, "ms": 5},
             {"t": 10.2, "target": "/readyz", "status": 200, "ms": 50}]
    assert first_ok_after(polls, "/readyz", 10.0) == 10.25
    assert first_ok_after(polls, "/caseload/", 10.0) is None


def test_the_knee_is_where_throughput_stops_rising():
    steps = [{"users": 10, "rps": 8, "p95_ms": 40}, {"users": 25, "rps": 20, "p95_ms": 45},
             {"users": 50, "rps": 26, "p95_ms": 300}, {"users": 100, "rps": 27, "p95_ms": 2000}]
    assert knee(steps)["users"] == 50
    rising = [{"users": 10, "rps": 8, "p95_ms": 40}, {"users": 25, "rps": 20, "p95_ms": 45}]
    assert knee(rising) == {"users": None}
