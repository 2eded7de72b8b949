"""The one fast tiering path equals the reference, on arbitrary inputs and requests.

``fast.calculate_tier`` (behind ``handle``, ``handle_json`` and the ``casework rules tier`` runner) does
not go through the readable reference steps (``protect_level``, ``change_level``, ``single_scale_tier``),
which test_tiering.py pins to rules.md. These properties prove that it gives exactly the same results,
explanations and errors: values, types and order. They also hold the contract's pieces together: the
inputs the request model gives are the inputs a Python caller would build, and what ``result_json``
writes is exactly ``TierResponse``'s JSON form.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import decimal
import io
import json
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from casework.rules import cli, tiering
from casework.rules.contract import ContractError
from casework.rules.tiering import (
    Assessment,
    DcSrp,
    DcSrpBand,
    Gender,
    Mappa,
    Need,
    NeedSeverity,
    Predictors,
    Registration,
    Rosh,
    TierInputs,
    TierResponse,
    WomenFactors,
    calculate_tier,
    calculate_tier_reference,
    handle,
    handle_json,
    read_request,
    result_json,
)

AS_OF = dt.date(2026, 11, 27)
ROSH_CODE = {Rosh.VERY_HIGH: "RVHR", Rosh.HIGH: "RHRH", Rosh.MEDIUM: "RMRH", Rosh.LOW: "RLRH"}
FREE_CODES = [code.value for code in Registration if code.value not in {*ROSH_CODE.values(), "MAPP"}]
NEEDS = [need.value for need in Need]
SEVERITIES = [severity.value for severity in NeedSeverity]


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (a str is not a StrEnum member, a list not a tuple)."""
    if type(a) is not type(b):
        return False
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(k1, k2) for k1, k2 in zip(a, b, strict=True)) and all(
            same(a[k], b[k]) for k in a
        )
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Decimal):
        return str(a) == str(b)
    return a == b


# --- calculate_tier ----------------------------------------------------------------------------------

decimals = st.one_of(
    st.decimals(min_value=-1, max_value=120, places=2, allow_nan=False),
    st.decimals(min_value=0, max_value=100, places=1, allow_nan=False),
    st.decimals(min_value=-1, max_value=1000, allow_nan=False),
    st.sampled_from([
        Decimal(x) for x in ("0", "-0", "0.00", "-0.00", "2.99", "3", "3.00", "6.99", "6.995", "7.0", "99.99",
                             "100", "999.99", "999.990", "1E+1", "0.5", "0.50", "0.6", "0.59", "1.12", "2.11",
                             "3.36", "6.9", "15", "25", "50", "75", "90", "1E-7", "Infinity", "-Infinity")
    ]),
)
numbers = st.one_of(
    st.none(), decimals, st.integers(-5, 1000),
    st.floats(min_value=-1, max_value=1000), st.sampled_from([0.0, -0.0, 1e-05, 6.995, 3.0, 7.0, 999.99]),
)
flags = st.one_of(st.booleans(), st.integers(0, 1))
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))
as_of_dates = st.one_of(dates, st.sampled_from([dt.date(2024, 2, 29), dt.date(2028, 2, 29), dt.date(1, 6, 1)]))


@st.composite
def tier_inputs(draw: st.DrawFn) -> TierInputs:
    rosh = draw(st.none() | st.sampled_from(Rosh))
    mappa = draw(st.none() | st.builds(Mappa, st.integers(0, 5), st.integers(0, 5)))
    codes = set(draw(st.sets(st.sampled_from(FREE_CODES))))
    if rosh is not None and draw(st.booleans()):
        codes.add(ROSH_CODE[rosh])
    if mappa is not None and draw(st.booleans()):
        codes.add("MAPP")
    dc_srp = draw(st.none() | st.builds(DcSrp, st.none() | st.sampled_from(DcSrpBand), numbers))
    return TierInputs(
        gender=draw(st.sampled_from(Gender)),
        active_sentence=draw(flags),
        rosh=rosh,
        rsr=draw(numbers),
        mappa=mappa,
        registrations=frozenset(codes),
        ogrs=draw(st.none() | st.integers(-5, 150) | st.sampled_from([True, 59.0, 59.5])),
        assessment=draw(st.none() | st.builds(
            Assessment, st.dictionaries(st.sampled_from(Need), st.sampled_from(NeedSeverity)),
        ) | st.just(Assessment(dict.fromkeys(Need, NeedSeverity.SEVERE)))),
        mandate_for_change=draw(flags),
        women=draw(st.none() | st.builds(WomenFactors, flags, flags, flags)),
        predictors=draw(st.none() | st.builds(
            Predictors, arp=numbers, arp_static=st.none() | flags, csrp=numbers, csrp_static=st.none() | flags,
            dc_srp=st.just(dc_srp),
        )),
        lifer_release_date=draw(st.none() | dates),
        sexual_offence_history=draw(flags),
        unsupervised=draw(flags),
    )


def unexplained(result: tiering.TierResult) -> tiering.TierResult:
    two, single = result.two_axis, result.single
    return dataclasses.replace(
        result,
        two_axis=dataclasses.replace(
            two,
            protect=dataclasses.replace(two.protect, breakdown=()),
            change=dataclasses.replace(two.change, breakdown=()),
        ),
        single=dataclasses.replace(single, results=(), provisional_reasons=(), summary=""),
    )


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(tier_inputs(), as_of_dates)
def test_calculate_tier_is_the_reference(inputs: TierInputs, as_of: dt.date) -> None:
    expected = calculate_tier_reference(inputs, as_of=as_of)
    for _ in range(2):  # the second time from the memos
        result = calculate_tier(inputs, as_of=as_of)
        assert result == expected
        assert same(result, expected)
        assert repr(result) == repr(expected)
        assert same(calculate_tier(inputs, as_of=as_of, explain=False), unexplained(expected))


def test_calculate_tier_on_a_nan_fails_as_the_reference_does() -> None:
    for field in ("rsr", "arp", "csrp"):
        if field == "rsr":
            inputs = TierInputs(gender=Gender.MALE, active_sentence=True, rsr=Decimal("NaN"))
        else:
            inputs = TierInputs(gender=Gender.MALE, active_sentence=True,
                                predictors=Predictors(**{"arp": 1, "csrp": 1, field: Decimal("NaN")}))
        with pytest.raises(InvalidOperation):
            calculate_tier_reference(inputs, as_of=AS_OF)
        with pytest.raises(InvalidOperation):
            calculate_tier(inputs, as_of=AS_OF)


def test_equal_numbers_written_differently_keep_their_own_explanation() -> None:
    # The memos are keyed so that 0.0 and -0.0, or 4.2 and 4.20, never share a line.
    for rsr, arp in ((Decimal("4.2"), Decimal("55")), (Decimal("4.20"), Decimal("55.0")), (Decimal("-0.00"), -0.0),
                     (Decimal("0.00"), 0.0), (Decimal("-0"), 0), (0.0, -0.0), (-0.0, 0.0)):
        inputs = TierInputs(gender=Gender.MALE, active_sentence=True, rsr=rsr,
                            predictors=Predictors(arp=arp, csrp=arp))
        assert same(calculate_tier(inputs, as_of=AS_OF), calculate_tier_reference(inputs, as_of=AS_OF))


# --- handle, handle_json -----------------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers(-3, 1001) | st.floats() | st.text(max_size=6)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
json_numbers = st.one_of(
    st.integers(-2, 1001),
    st.floats(min_value=-1, max_value=1001),
    st.decimals(min_value=0, max_value=100, places=2).map(float),
    st.decimals(min_value=0, max_value=100, places=1).map(float),
    st.decimals(min_value=0, max_value=1, places=7).map(float),
    st.sampled_from([
        0.0, -0.0, 0.005, 1e-05, 5e-07, 2.99, 3.0, 6.99, 6.995, 7.0, 99.99, 100.0, 100.5, 999.99, 999.98, 1000.0,
        0.59, 0.6, 0.60000001, 1.12, 2.11, 3.36, 6.9, 15, 25.0, 50, 75.0, 90, float("nan"), float("inf"), 59.0,
        1e300, 2.0, 3,
    ]),
)


def sometimes(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a valid value, sometimes any JSON value."""
    return st.one_of(valid, valid, valid, json_values)


def codes(values: list[str]) -> st.SearchStrategy[Any]:
    return sometimes(st.sampled_from(values))


def json_booleans() -> st.SearchStrategy[Any]:
    return sometimes(st.booleans())


def json_dates() -> st.SearchStrategy[Any]:
    return sometimes(dates.map(dt.date.isoformat) | st.sampled_from(
        ["2024-02-29", "2026-02-29", "2026-W48-5", "20261127", "2026-11-27T00:00", "0001-01-01"],
    ))


def optional_object(fields: dict[str, st.SearchStrategy[Any]],
                    required: tuple[str, ...] = ()) -> st.SearchStrategy[Any]:
    return sometimes(st.fixed_dictionaries(
        {name: fields[name] for name in required},
        optional={name: value for name, value in fields.items() if name not in required},
    ))


REQUEST_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "as_of": json_dates(),
    "gender": codes([g.value for g in Gender]),
    "active_sentence": json_booleans(),
    "rosh": st.none() | codes([r.value for r in Rosh]),
    "rsr": st.none() | sometimes(json_numbers),
    "mappa": st.none() | optional_object(
        {"level": sometimes(st.integers(0, 4) | st.just(2.0)), "category": sometimes(st.integers(0, 5))},
        required=("level", "category"),
    ),
    "registrations": sometimes(st.lists(codes([c.value for c in Registration] + ["HREG"]), max_size=4)),
    "ogrs": st.none() | sometimes(json_numbers),
    "assessment": st.none() | optional_object({
        "needs": sometimes(st.dictionaries(st.sampled_from(NEEDS) | st.text(max_size=6), codes(SEVERITIES), max_size=10)
                           | st.just(dict.fromkeys(NEEDS, "STANDARD"))),
    }, required=("needs",)),
    "mandate_for_change": json_booleans(),
    "women": st.none() | optional_object({
        name: json_booleans() for name in ("parenting", "impulsivity_or_temper", "breach_or_recall_last_year")
    }),
    "predictors": st.none() | optional_object({
        "arp": st.none() | sometimes(json_numbers),
        "arp_static": st.none() | json_booleans(),
        "csrp": st.none() | sometimes(json_numbers),
        "csrp_static": st.none() | json_booleans(),
        "dc_srp": st.none() | optional_object({
            "band": st.none() | codes([b.value for b in DcSrpBand]),
            "score": st.none() | sometimes(json_numbers),
        }),
    }),
    "lifer_release_date": st.none() | json_dates(),
    "sexual_offence_history": json_booleans(),
    "unsupervised": json_booleans(),
}
OPTIONAL_FIELDS = ("women", "lifer_release_date", "unsupervised")


@st.composite
def requests(draw: st.DrawFn) -> Any:
    request = draw(st.fixed_dictionaries(
        {name: value for name, value in REQUEST_FIELDS.items() if name not in OPTIONAL_FIELDS},
        optional={name: REQUEST_FIELDS[name] for name in OPTIONAL_FIELDS},
    ))
    if draw(st.integers(0, 9)) == 0:
        del request[draw(st.sampled_from(sorted(request)))]
    if draw(st.integers(0, 9)) == 0:
        request[draw(st.text(max_size=8))] = draw(json_values)
    if draw(st.integers(0, 19)) == 0:
        return draw(json_values)  # not even an object
    return request


def outcome(function: Any, request: Any) -> tuple[str, Any]:
    try:
        return "answer", function(copy.deepcopy(request))
    except ContractError as exc:
        return "error", (exc.field, exc.message, str(exc))


def handle_reference(request: Any) -> dict[str, Any]:
    """``handle`` by the reference engine: the contract's reader and writer around the readable steps."""
    inputs, as_of = read_request(request)
    return result_json(calculate_tier_reference(inputs, as_of=as_of))


def built_inputs(inputs: TierInputs) -> TierInputs:
    """The same inputs made through every dataclass's own __init__ and __post_init__."""
    p, dc = inputs.predictors, inputs.predictors.dc_srp if inputs.predictors else None
    return TierInputs(
        gender=inputs.gender, active_sentence=inputs.active_sentence, rosh=inputs.rosh, rsr=inputs.rsr,
        mappa=None if inputs.mappa is None else Mappa(inputs.mappa.level, inputs.mappa.category),
        registrations=frozenset(inputs.registrations), ogrs=inputs.ogrs,
        assessment=None if inputs.assessment is None else Assessment(dict(inputs.assessment.needs)),
        mandate_for_change=inputs.mandate_for_change,
        women=None if inputs.women is None else WomenFactors(**dataclasses.asdict(inputs.women)),
        predictors=None if p is None else Predictors(
            arp=p.arp, arp_static=p.arp_static, csrp=p.csrp, csrp_static=p.csrp_static,
            dc_srp=None if dc is None else DcSrp(dc.band, dc.score),
        ),
        lifer_release_date=inputs.lifer_release_date, sexual_offence_history=inputs.sexual_offence_history,
        unsupervised=inputs.unsupervised,
    )


EXAMPLE = {
    "as_of": "2026-11-27", "gender": "MALE", "active_sentence": True, "rosh": "HIGH", "rsr": 4.2,
    "mappa": {"level": 2, "category": 1}, "registrations": ["RCCO", "ADVP"], "ogrs": 59,
    "assessment": {"needs": {"ACCOMMODATION": "STANDARD", "THINKING_AND_BEHAVIOUR": "SEVERE"}},
    "mandate_for_change": True,
    "women": {"parenting": True, "impulsivity_or_temper": False, "breach_or_recall_last_year": False},
    "predictors": {"arp": 55.0, "arp_static": False, "csrp": 1.2, "csrp_static": False,
                   "dc_srp": {"band": "MEDIUM", "score": 2.5}},
    "lifer_release_date": None, "sexual_offence_history": False, "unsupervised": False,
}


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
@example(EXAMPLE)
@example({**EXAMPLE, "rsr": -0.0, "predictors": {"arp": -0.0, "csrp": 0.0, "dc_srp": {"band": "LOW", "score": -0.0}}})
@example({**EXAMPLE, "rsr": 0.0, "predictors": {"arp": 1e-05, "csrp": 5e-07}})
@example({**EXAMPLE, "registrations": ["RHRH", "MAPP", "INLL", "SPO", "RCPR", "REG30", "PRC", "IIOM"],
          "lifer_release_date": "2024-02-29", "as_of": "2025-02-28"})
@example({**EXAMPLE, "mappa": {"level": 2.0, "category": 1}, "ogrs": 59.0, "rsr": 5})
def test_handle_is_the_reference(request: Any) -> None:
    kind, expected = outcome(handle_reference, request)
    for _ in range(2):  # the second time from the memos
        assert same(outcome(handle, request), (kind, expected))
        got_kind, text = outcome(handle_json, request)
        assert got_kind == kind
        if kind == "answer":
            assert text == json.dumps(expected, separators=(",", ":"))
        else:
            assert same(text, expected)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
@example(EXAMPLE)
def test_the_request_model_gives_the_inputs_a_caller_would_build(request: Any) -> None:
    # The contract makes TierInputs without their __init__ (its values are already normalised).
    kind, answer = outcome(read_request, request)
    if kind == "answer":
        inputs, _ = answer
        assert same(inputs, built_inputs(inputs))
        assert repr(inputs) == repr(built_inputs(inputs))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
@example(EXAMPLE)
@example({**EXAMPLE, "active_sentence": False})
@example({**EXAMPLE, "predictors": None})
def test_what_handle_writes_is_the_response_model(request: Any) -> None:
    kind, answer = outcome(handle, request)
    if kind == "answer":
        model = TierResponse.model_validate(answer)
        assert same(model.model_dump(mode="json"), answer)
        assert model.model_dump_json() == json.dumps(answer, separators=(",", ":"), ensure_ascii=False)


# --- casework rules tier -----------------------------------------------------------------------------


def reference_output(lines: list[str]) -> tuple[int, str]:
    """One answer per non-blank line, in order, by the reference engine, written by json.dumps."""
    out, failed = [], False
    for line in lines:
        if not line.strip():
            continue
        result, ok = cli.answer("tier", f"{line}\n", lambda name, request: handle_reference(request))
        failed = failed or not ok
        out.append(json.dumps(result, separators=(",", ":")) + "\n")
    return (2 if failed else 0), "".join(out)


def run_cli(lines: list[str]) -> tuple[int, str]:
    stdout = io.StringIO()
    status = cli.run("tier", io.StringIO("".join(f"{line}\n" for line in lines)), stdout)
    return status, stdout.getvalue()


line_texts = st.one_of(
    requests().map(json.dumps),
    st.sampled_from(["", "   ", "{not json", "[1, 2]", '"text"', '{"ogrs": ' + "9" * 5000 + "}", "\ufeff{}",
                     "[" * 100_000]),
    st.text(max_size=20).filter(lambda text: "\n" not in text and "\r" not in text),
)


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(line_texts, max_size=12))
def test_the_runner_writes_what_it_wrote_before(lines: list[str]) -> None:
    assert run_cli(lines) == reference_output(lines)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 3 lines, and worker processes for inputs over 6 lines, even on one core."""
    monkeypatch.setattr(cli, "_CHUNK_LINES", 3)
    monkeypatch.setattr(cli, "_PARALLEL_AFTER", 6)
    monkeypatch.setattr(cli, "_cores", lambda: 2)


BATCH = [
    *(json.dumps({**EXAMPLE, "ogrs": ogrs}) for ogrs in range(20)),
    "", "{not json", json.dumps({**EXAMPLE, "rosh": "EXTREME"}), "  ", "[1]",
    *(json.dumps({**EXAMPLE, "rsr": rsr / 100}) for rsr in range(0, 1200, 37)),
]


@pytest.mark.parametrize("count", [0, 1, 5, 6, 7, 8, 9, 10, len(BATCH)])
def test_worker_processes_answer_in_order(small_chunks: None, count: int) -> None:
    lines = BATCH[:count]
    assert run_cli(lines) == reference_output(lines)


def test_worker_processes_are_used_only_for_long_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: Any) -> bool:
        raise AssertionError("a pool for a short input")

    monkeypatch.setattr(cli, "_answer_in_pool", no_pool)
    lines = BATCH[: cli._PARALLEL_AFTER]
    assert run_cli(lines) == reference_output(lines)


def test_stored_configuration_is_answered_in_process(small_chunks: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: Any) -> bool:
        raise AssertionError("a pool for a handler that may need the database")

    monkeypatch.setattr(cli, "_answer_in_pool", no_pool)
    stdout = io.StringIO()
    status = cli.run("tier", io.StringIO("".join(f"{line}\n" for line in BATCH)), stdout,
                     handler=lambda name, request: handle_reference(request))
    assert (status, stdout.getvalue()) == reference_output(BATCH)


@pytest.mark.parametrize("parallel", [False, True])
def test_an_unexpected_failure_stops_after_the_answers_before_it(
    monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    if parallel:
        monkeypatch.setattr(cli, "_CHUNK_LINES", 3)
        monkeypatch.setattr(cli, "_PARALLEL_AFTER", 6)
        monkeypatch.setattr(cli, "_cores", lambda: 2)
    else:
        monkeypatch.setattr(cli, "_CHUNK_LINES", 3)

    def fails_on_ogrs_11(request: dict[str, Any]) -> str:
        if request.get("ogrs") == 11:
            raise RuntimeError("boom")
        return handle_json(request)

    monkeypatch.setattr(tiering, "handle_json", fails_on_ogrs_11)
    lines = BATCH[:20]
    stdout = io.StringIO()
    with pytest.raises(RuntimeError, match="boom"):
        cli.run("tier", io.StringIO("".join(f"{line}\n" for line in lines)), stdout)
    assert stdout.getvalue() == reference_output(lines[:11])[1]


class BreaksAfter(io.StringIO):
    """Input whose reading fails (as undecodable bytes do) after some lines."""

    def __init__(self, lines: list[str], after: int) -> None:
        super().__init__("".join(f"{line}\n" for line in lines))
        self.left = after

    def __next__(self) -> str:
        if self.left == 0:
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        self.left -= 1
        return super().__next__()


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("after", [0, 4, 11])
def test_a_failure_to_read_comes_after_the_answers_to_the_lines_read(
    monkeypatch: pytest.MonkeyPatch, parallel: bool, after: int
) -> None:
    monkeypatch.setattr(cli, "_CHUNK_LINES", 3)
    if parallel:
        monkeypatch.setattr(cli, "_PARALLEL_AFTER", 6)
        monkeypatch.setattr(cli, "_cores", lambda: 2)
    lines = BATCH[:20]
    stdout = io.StringIO()
    with pytest.raises(UnicodeDecodeError):
        cli.run("tier", BreaksAfter(lines, after), stdout)
    assert stdout.getvalue() == reference_output(lines[:after])[1]


def test_a_decimal_context_of_the_callers_own_is_respected() -> None:
    # The reference formats RSR in the caller's decimal context (its rounding, its exponent letter).
    values = [Decimal("6.995"), Decimal("6.985"), Decimal("4.2"), Decimal("1E+1"), Decimal("1E-7")]

    def both(rsr: Decimal) -> tuple[tiering.TierResult, tiering.TierResult]:
        inputs = TierInputs(gender=Gender.MALE, active_sentence=True, rsr=rsr,
                            predictors=Predictors(arp=rsr, csrp=rsr, dc_srp=DcSrp(DcSrpBand.MEDIUM, rsr)))
        return calculate_tier(inputs, as_of=AS_OF), calculate_tier_reference(inputs, as_of=AS_OF)

    for rounding, capitals in ((decimal.ROUND_DOWN, 0), (decimal.ROUND_HALF_EVEN, 1), (decimal.ROUND_UP, 1)):
        with decimal.localcontext() as context:
            context.rounding, context.capitals = rounding, capitals
            for rsr in values:
                fast, reference = both(rsr)
                assert same(fast, reference)
