"""Inspection case sample (rules.md §6.3): eligibility, strata, allocation, cascade, cap, draw."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.rules import registry, sampling
from casework.rules.contract import ContractError
from casework.rules.sampling import (
    CaseRecord,
    Exclusion,
    Gender,
    Rosh,
    SentenceKind,
    Stratum,
    Window,
    apportion,
    deduplicate,
    draw_sample,
    handle,
    sample_size,
    stratum_of,
)
from tests.rules.strategies import json_values, mutated

AS_OF = dt.date(2026, 3, 1)
STARTED = dt.date(2026, 1, 5)
M, F = Gender.MALE, Gender.FEMALE
COMMUNITY, POST_CUSTODY = SentenceKind.COMMUNITY, SentenceKind.POST_CUSTODY


def case(number: int, **fields: Any) -> CaseRecord:
    """A started, non-sensitive man on a community sentence with low RoSH unless told otherwise."""
    values = {
        "crn": f"X{number:06d}", "gender": M, "sentence_kind": COMMUNITY, "rosh": Rosh.LOW,
        "start_date": STARTED, "region": "R1", "pdu": "P1", "practitioner": "a",
    } | fields
    return CaseRecord(**values)


def cases(count: int, first: int, **fields: Any) -> list[CaseRecord]:
    return [case(first + i, **fields) for i in range(count)]


def draw(records: list[CaseRecord], size: int | None, **kwargs: Any) -> sampling.SampleResult:
    return draw_sample(records, size=size, as_of=AS_OF, seed=kwargs.pop("seed", 7), **kwargs)


def per_practitioner(result: sampling.SampleResult) -> Counter:
    return Counter(c.practitioner for c in result.sample)


def as_json(record: CaseRecord) -> dict[str, Any]:
    data = dataclasses.asdict(record)
    for key, value in data.items():
        if isinstance(value, dt.date):
            data[key] = value.isoformat()
    return data


# --- sample size --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "margin", "expected"),
    [
        pytest.param(10**9, 0.05, 165, id="large-population-5%-n0-164.25-rounds-up"),
        pytest.param(10**9, 0.10, 42, id="large-population-10%-n0-41.06-rounds-up"),
        pytest.param(1000, 0.05, 142, id="1000-corrected-141.2"),
        pytest.param(164, 0.05, 83, id="164-corrected-82.3"),
        pytest.param(100, 0.05, 63, id="100-corrected-62.4"),
        pytest.param(1, 0.05, 1, id="one-case"),
        pytest.param(0, 0.05, 0, id="no-cases"),
    ],
)
def test_sample_size_with_finite_population_correction(population, margin, expected):
    assert sample_size(population, margin=margin) == expected


@pytest.mark.parametrize(
    ("population", "kwargs"),
    [
        pytest.param(-1, {}, id="negative-population"),
        pytest.param(10, {"margin": 0}, id="zero-margin"),
        pytest.param(10, {"p": 1}, id="p-one"),
        pytest.param(10, {"z": 0}, id="z-zero"),
    ],
)
def test_sample_size_rejects_nonsense(population, kwargs):
    with pytest.raises(ValueError, match=r"must|need"):
        sample_size(population, **kwargs)


@given(st.integers(0, 10**6))
def test_property_sample_size_never_exceeds_population(population):
    assert 0 <= sample_size(population) <= min(population, 165)


# --- eligibility --------------------------------------------------------------------------------

WINDOW = Window(dt.date(2026, 1, 1), dt.date(2026, 1, 31))


@pytest.mark.parametrize(
    ("fields", "window", "reason"),
    [
        pytest.param({}, None, None, id="eligible"),
        pytest.param({"sensitive": True}, None, Exclusion.SENSITIVE, id="sensitive"),
        pytest.param({"start_date": AS_OF}, None, None, id="starts-on-as-of-is-started"),
        pytest.param({"start_date": AS_OF + dt.timedelta(days=1)}, None, Exclusion.NOT_STARTED,
                     id="starts-after-as-of-not-started"),
        pytest.param({"gender": None}, None, Exclusion.UNKNOWN_GENDER, id="gender-null"),
        pytest.param({"gender": Gender.NOT_KNOWN}, None, Exclusion.UNKNOWN_GENDER, id="gender-not-known"),
        pytest.param({"gender": Gender.OTHER}, None, Exclusion.GENDER_OUTSIDE_STRATA, id="gender-other"),
        pytest.param({"start_date": dt.date(2026, 1, 1)}, WINDOW, None, id="window-start-inclusive"),
        pytest.param({"start_date": dt.date(2026, 1, 31)}, WINDOW, None, id="window-end-inclusive"),
        pytest.param({"start_date": dt.date(2025, 12, 31)}, WINDOW, Exclusion.OUTSIDE_WINDOW,
                     id="before-window"),
        pytest.param({"start_date": dt.date(2026, 2, 1)}, WINDOW, Exclusion.OUTSIDE_WINDOW,
                     id="after-window"),
        pytest.param({"sensitive": True, "start_date": AS_OF + dt.timedelta(days=1), "gender": None}, None,
                     Exclusion.SENSITIVE, id="first-reason-wins-sensitive"),
        pytest.param({"start_date": AS_OF + dt.timedelta(days=1), "gender": None}, None,
                     Exclusion.NOT_STARTED, id="not-started-before-unknown-gender"),
        pytest.param({"sensitive": True, "start_date": dt.date(2025, 1, 1)}, WINDOW, Exclusion.OUTSIDE_WINDOW,
                     id="window-is-the-long-list-so-first"),
    ],
)
def test_exclusion_reason(fields, window, reason):
    assert sampling.exclusion_reason(case(1, **fields), as_of=AS_OF, window=window) == reason


def test_excluded_records_are_counted_and_never_sampled():
    records = [
        *cases(3, 0),
        case(10, sensitive=True), case(11, sensitive=True),
        case(20, start_date=AS_OF + dt.timedelta(days=3)),
        case(30, gender=Gender.NOT_KNOWN), case(31, gender=None),
        case(40, gender=Gender.OTHER),
        case(50, start_date=STARTED + dt.timedelta(days=1), pnc="2001/0000001A"),
        case(51, pnc="2001/0000001A"),  # the same person, started a day earlier: kept
    ]
    result = draw(records, 100, buffer_percent=0)
    assert result.excluded == {
        Exclusion.OUTSIDE_WINDOW: 0, Exclusion.SENSITIVE: 2, Exclusion.NOT_STARTED: 1,
        Exclusion.UNKNOWN_GENDER: 2, Exclusion.GENDER_OUTSIDE_STRATA: 1, Exclusion.DUPLICATE: 1,
    }
    assert result.eligible == 4
    assert sorted(c.crn for c in result.sample) == ["X000000", "X000001", "X000002", "X000051"]
    assert result.shortfall == 96


def test_window_filters_the_long_list():
    records = [case(1, start_date=dt.date(2025, 12, 1)), case(2), case(3, start_date=dt.date(2026, 2, 2))]
    result = draw(records, 10, window=WINDOW)
    assert [c.crn for c in result.sample] == ["X000002"]
    assert result.excluded[Exclusion.OUTSIDE_WINDOW] == 2


# --- duplicates ---------------------------------------------------------------------------------

ANN = {"first_name": "Ann", "last_name": "Smith", "date_of_birth": dt.date(1990, 5, 1)}


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        pytest.param({}, {"crn": "X000001"}, True, id="same-crn"),
        pytest.param({"pnc": "2001/0012345A"}, {"pnc": "2001/0012345A"}, True, id="same-pnc"),
        pytest.param({"pnc": "2001/0012345A"}, {"pnc": " 2001/12345a "}, True,
                     id="same-pnc-different-spelling"),
        pytest.param({"pnc": "2001/0012345A"}, {"pnc": "2001/0012346A"}, False, id="different-pnc"),
        pytest.param(ANN, ANN, True, id="same-names-and-birth-date-no-pnc"),
        pytest.param(ANN, ANN | {"first_name": " ANN ", "last_name": "smith"}, True,
                     id="names-compared-without-case-or-spaces"),
        pytest.param(ANN | {"pnc": "2001/1A"}, ANN, True, id="names-match-one-without-pnc"),
        pytest.param(ANN | {"pnc": "2001/1A"}, ANN | {"pnc": "2001/2A"}, False,
                     id="names-match-but-pncs-differ-two-people"),
        pytest.param(ANN, ANN | {"date_of_birth": dt.date(1990, 5, 2)}, False, id="different-birth-date"),
        pytest.param(ANN, ANN | {"first_name": "Anne"}, False, id="different-first-name"),
        pytest.param(ANN | {"date_of_birth": None}, ANN | {"date_of_birth": None}, False,
                     id="no-birth-date-no-name-match"),
        pytest.param({"first_name": None}, {"first_name": None}, False, id="no-names-no-match"),
    ],
)
def test_same_person(first, second, same):
    records = [case(1, **first), case(2, start_date=STARTED + dt.timedelta(days=1), **second)]
    kept, duplicates = deduplicate(records)
    assert [r.crn for r in kept] == (["X000001"] if same else ["X000001", "X000002"])
    assert len(duplicates) == (1 if same else 0)


def test_duplicates_keep_the_earliest_start():
    records = [
        case(1, pnc="2001/1A", start_date=dt.date(2026, 1, 20), practitioner="late"),
        case(2, pnc="2001/1A", start_date=dt.date(2026, 1, 2), practitioner="early"),
        case(3, pnc="2001/1A", start_date=dt.date(2026, 1, 10)),
    ]
    kept, duplicates = deduplicate(records)
    assert [(r.crn, r.practitioner) for r in kept] == [("X000002", "early")]
    assert len(duplicates) == 2


def test_same_crn_twice_keeps_the_earlier_event():
    later = case(1, start_date=dt.date(2026, 2, 1), sentence_kind=POST_CUSTODY)
    earlier = case(1, start_date=dt.date(2026, 1, 1))
    kept, _ = deduplicate([later, earlier])
    assert kept == [earlier]


def test_duplicate_tie_on_start_keeps_the_smallest_crn():
    kept, _ = deduplicate([case(9, pnc="2001/1A"), case(4, pnc="2001/1A")])
    assert [r.crn for r in kept] == ["X000004"]


def test_same_person_is_transitive():
    # 1 ~ 2 by PNC, 2 ~ 3 by names and birth date (3 has no PNC): all one person.
    records = [case(1, pnc="2001/1A"), case(2, pnc="2001/1A", **ANN), case(3, **ANN)]
    kept, duplicates = deduplicate(records)
    assert [r.crn for r in kept] == ["X000001"]
    assert len(duplicates) == 2


def test_duplicates_removed_only_after_other_exclusions():
    # The person's earliest case is sensitive, so their next case is the one that can be sampled.
    records = [case(1, pnc="2001/1A", sensitive=True), case(2, pnc="2001/1A", start_date=dt.date(2026, 2, 1))]
    result = draw(records, 5)
    assert [c.crn for c in result.sample] == ["X000002"]
    assert result.excluded[Exclusion.SENSITIVE] == 1
    assert result.excluded[Exclusion.DUPLICATE] == 0


@pytest.mark.parametrize(
    ("pnc", "normal"),
    [("2001/0012345A", "2001/12345A"), ("01/0012345a", "01/12345A"), (" 2001 /12345A", "2001/12345A"),
     ("", None), ("   ", None), (None, None), ("not-a-pnc", "NOT-A-PNC")],
    ids=["leading-zeros", "two-digit-year-lower-case", "spaces", "empty", "blank", "null", "free-text"],
)
def test_normalise_pnc(pnc, normal):
    assert sampling.normalise_pnc(pnc) == normal


# --- strata -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gender", "kind", "rosh", "stratum"),
    [
        pytest.param(F, COMMUNITY, Rosh.LOW, Stratum.FEMALE, id="woman-community-low"),
        pytest.param(F, POST_CUSTODY, Rosh.VERY_HIGH, Stratum.FEMALE, id="woman-post-custody-very-high"),
        pytest.param(F, COMMUNITY, None, Stratum.FEMALE, id="woman-rosh-unknown"),
        pytest.param(M, COMMUNITY, Rosh.LOW, Stratum.MALE_COMMUNITY_LOW, id="man-community-low"),
        pytest.param(M, COMMUNITY, None, Stratum.MALE_COMMUNITY_LOW, id="man-community-rosh-null-with-low"),
        pytest.param(M, COMMUNITY, Rosh.MEDIUM, Stratum.MALE_COMMUNITY_HIGHER, id="man-community-medium"),
        pytest.param(M, COMMUNITY, Rosh.HIGH, Stratum.MALE_COMMUNITY_HIGHER, id="man-community-high"),
        pytest.param(M, COMMUNITY, Rosh.VERY_HIGH, Stratum.MALE_COMMUNITY_HIGHER,
                     id="man-community-very-high"),
        pytest.param(M, POST_CUSTODY, Rosh.LOW, Stratum.MALE_POST_CUSTODY_LOW, id="man-post-custody-low"),
        pytest.param(M, POST_CUSTODY, None, Stratum.MALE_POST_CUSTODY_LOW, id="man-post-custody-rosh-null"),
        pytest.param(M, POST_CUSTODY, Rosh.MEDIUM, Stratum.MALE_POST_CUSTODY_HIGHER,
                     id="man-post-custody-medium"),
        pytest.param(M, POST_CUSTODY, Rosh.VERY_HIGH, Stratum.MALE_POST_CUSTODY_HIGHER,
                     id="man-post-custody-very-high"),
    ],
)
def test_stratum_of(gender, kind, rosh, stratum):
    assert stratum_of(case(1, gender=gender, sentence_kind=kind, rosh=rosh)) is stratum


def test_stratum_of_refuses_unstratified_gender():
    with pytest.raises(ValueError, match="MALE and FEMALE"):
        stratum_of(case(1, gender=Gender.OTHER))


# --- proportional allocation and repair: worked examples ----------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        pytest.param(120, [100, 300, 200, 250, 150], [12, 36, 24, 30, 18], id="exact-shares"),
        # 0.5, 1.5, 2.5, 3.5, 2.0 round to 1, 2, 3, 4, 2 = 12: over by 2, so take one from each of
        # the two largest that were rounded up (35 then 25).
        pytest.param(10, [5, 15, 25, 35, 20], [1, 2, 2, 3, 2], id="over-take-from-largest-rounded-up"),
        # 0.5, 1.4, 1.4, 1.4, 1.3 round to 1 each = 5: short by 1. The smallest stratum (5) was
        # rounded up already; the smallest of those rounded down (13) gets the extra one.
        pytest.param(6, [5, 14, 14, 14, 13], [1, 1, 1, 1, 2], id="short-add-to-smallest-rounded-down"),
        pytest.param(10, [4, 4, 4], [4, 3, 3], id="short-tie-goes-to-first"),
        pytest.param(1, [1, 1], [0, 1], id="over-tie-takes-from-first"),
        pytest.param(7, [1] * 10, [0, 0, 0, 1, 1, 1, 1, 1, 1, 1], id="over-by-three"),
        pytest.param(0, [3, 4], [0, 0], id="nothing-to-share"),
        pytest.param(0, [0, 0], [0, 0], id="no-weight"),
        pytest.param(5, [5, 0], [5, 0], id="all-to-the-only-weight"),
    ],
)
def test_apportion_worked_examples(total, weights, expected):
    assert list(apportion(total, list(enumerate(weights))).values()) == expected


@pytest.mark.parametrize(("total", "weights"), [(4, [1, 2]), (-1, [1]), (1, [2, -1])],
                         ids=["more-than-weights", "negative-total", "negative-weight"])
def test_apportion_rejects_impossible(total, weights):
    with pytest.raises(ValueError, match=r"share|negative"):
        apportion(total, list(enumerate(weights)))


@given(st.lists(st.integers(0, 500), min_size=1, max_size=12).flatmap(
    lambda ws: st.tuples(st.integers(0, sum(ws)), st.just(ws))))
def test_property_apportion_is_proportional_within_one(args):
    total, weights = args
    shares = apportion(total, list(enumerate(weights)))
    whole = sum(weights)
    assert sum(shares.values()) == total
    for i, w in enumerate(weights):
        assert 0 <= shares[i] <= w
        if whole:
            assert abs(shares[i] * whole - total * w) < whole  # exact share rounded down or up


def _strata_population() -> list[CaseRecord]:
    """1,000 eligible cases: 100 women and 300/200/250/150 men, over 50 practitioners in one PDU."""
    records = []
    groups = [
        (100, {"gender": F}),
        (300, {"sentence_kind": COMMUNITY, "rosh": Rosh.LOW}),
        (200, {"sentence_kind": COMMUNITY, "rosh": Rosh.HIGH}),
        (250, {"sentence_kind": POST_CUSTODY, "rosh": None}),
        (150, {"sentence_kind": POST_CUSTODY, "rosh": Rosh.MEDIUM}),
    ]
    for count, fields in groups:
        for _ in range(count):
            number = len(records)
            records.append(case(number, practitioner=f"p{number % 50:02d}", **fields))
    return records


def test_strata_allocation_and_buffer_worked_example():
    result = draw(_strata_population(), 120)
    expected = {
        # population, allocated = 120 × share, reserves = ceil(allocated × 20%)
        Stratum.FEMALE: (100, 12, 3),
        Stratum.MALE_COMMUNITY_LOW: (300, 36, 8),
        Stratum.MALE_COMMUNITY_HIGHER: (200, 24, 5),
        Stratum.MALE_POST_CUSTODY_LOW: (250, 30, 6),
        Stratum.MALE_POST_CUSTODY_HIGHER: (150, 18, 4),
    }
    for stratum, (population, allocated, reserve) in expected.items():
        got = result.strata[stratum]
        assert (got.population, got.allocated, got.reserve) == (population, allocated, reserve)
        assert (got.drawn, got.reserve_drawn) == (allocated, reserve)
        drawn = [c for c in result.sample if c.stratum is stratum]
        assert sum(not c.reserve for c in drawn) == allocated
        assert sum(c.reserve for c in drawn) == reserve
    assert result.shortfall == 0
    assert result.reserve_shortfall == 0
    assert len(result.sample) == 120 + 26
    # The sample comes first, then the reserves.
    flags = [c.reserve for c in result.sample]
    assert flags == sorted(flags)


def test_strata_repair_short_goes_to_first_of_equal_strata():
    records = cases(3, 0, gender=F) + cases(3, 10) + cases(3, 20, rosh=Rosh.HIGH)
    result = draw(records, 7, buffer_percent=0)
    assert [result.strata[s].allocated for s in sampling.STRATA] == [3, 2, 2, 0, 0]


@pytest.mark.parametrize(
    ("population", "size", "buffer", "reserve"),
    [
        pytest.param(30, 10, 20, 2, id="10-cases-20%-gives-2"),
        pytest.param(30, 11, 20, 3, id="11-cases-20%-rounds-up-to-3"),
        pytest.param(30, 10, 0, 0, id="no-buffer"),
        pytest.param(30, 10, 100, 10, id="100%-buffer"),
        pytest.param(10, 10, 20, 0, id="no-cases-left-for-reserves"),
        pytest.param(11, 10, 20, 1, id="reserves-limited-by-cases-left"),
    ],
)
def test_buffer(population, size, buffer, reserve):
    # One stratum spread over enough practitioners that the cap never bites.
    records = [case(i, practitioner=f"p{i}") for i in range(population)]
    result = draw(records, size, buffer_percent=buffer)
    got = result.strata[Stratum.MALE_COMMUNITY_LOW]
    assert (got.allocated, got.reserve, got.reserve_drawn) == (size, reserve, reserve)
    assert sum(c.reserve for c in result.sample) == reserve


def test_default_buffer_is_20_percent():
    request = {"population": [as_json(case(i, practitioner=f"p{i}")) for i in range(30)],
               "size": 10, "as_of": "2026-03-01", "seed": 1}
    result = handle(request)
    assert result["strata"]["MALE_COMMUNITY_LOW"]["reserve"] == 2
    assert sum(c["reserve"] for c in result["sample"]) == 2


# --- cascade region → PDU → practitioner --------------------------------------------------------


def test_cascade_worked_example():
    # Region A: PDU A1 (a 12, b 6), PDU A2 (c 6); region B: PDU B1 (d 16). 40 cases, 10 wanted.
    # Regions: A 24/40×10 = 6, B 4. A's PDUs: A1 18/24×6 = 4.5 → 5, A2 1.5 → 2 = 7, over by one,
    # taken from the larger rounded up (A1) → 4 and 2. A1: a 12/18×4 = 2.67 → 3, b 1.33 → 1.
    records = (cases(12, 0, region="A", pdu="A1", practitioner="a")
               + cases(6, 100, region="A", pdu="A1", practitioner="b")
               + cases(6, 200, region="A", pdu="A2", practitioner="c")
               + cases(16, 300, region="B", pdu="B1", practitioner="d"))
    result = draw(records, 10, buffer_percent=0)
    assert per_practitioner(result) == {"a": 3, "b": 1, "c": 2, "d": 4}
    for sampled in result.sample:
        assert (sampled.region, sampled.pdu) == {"a": ("A", "A1"), "b": ("A", "A1"), "c": ("A", "A2"),
                                                 "d": ("B", "B1")}[sampled.practitioner]


def test_cascade_is_per_stratum():
    # Women all with a, men all with b: each stratum's share goes only where its cases are.
    records = cases(10, 0, gender=F, practitioner="a") + cases(10, 100, practitioner="b")
    result = draw(records, 6, buffer_percent=0)
    assert Counter((c.practitioner, c.stratum) for c in result.sample) == {
        ("a", Stratum.FEMALE): 3, ("b", Stratum.MALE_COMMUNITY_LOW): 3}


# --- cap of six per practitioner ----------------------------------------------------------------


def test_cap_moves_excess_to_smallest_in_same_pdu():
    # a 20, b 4, c 6 cases; 15 wanted → a 10, b 2, c 3. a gives four: b (2) → 3; b and c tie at 3,
    # b first by name → 4 and b has no more cases; c → 4 → 5. Result a 6, b 4, c 5.
    records = (cases(20, 0, practitioner="a") + cases(4, 100, practitioner="b")
               + cases(6, 200, practitioner="c"))
    result = draw(records, 15, buffer_percent=0)
    assert per_practitioner(result) == {"a": 6, "b": 4, "c": 5}
    assert result.shortfall == 0
    assert result.strata[Stratum.MALE_COMMUNITY_LOW].allocated == 15


def test_cap_excess_nobody_can_take_is_shortfall():
    result = draw(cases(20, 0), 10)  # one practitioner; 10 + 2 reserves wanted
    assert per_practitioner(result) == {"a": 6}
    assert all(not c.reserve for c in result.sample)
    assert result.shortfall == 4
    assert result.reserve_shortfall == 2


def test_cap_never_moves_cases_to_another_pdu():
    records = cases(20, 0, pdu="P1", practitioner="a") + cases(20, 100, pdu="P2", practitioner="b")
    result = draw(records, 20, buffer_percent=0)
    assert per_practitioner(result) == {"a": 6, "b": 6}
    assert result.shortfall == 8


def test_cap_counts_every_stratum_and_reserves():
    # a holds 10 women and 10 men, b 10 women. 15 wanted: women 10 (a 5, b 5), men 5 (all a).
    # a's 10 is four over: one woman moves to b (b reaches six); b cannot take men, so a drops three.
    records = (cases(10, 0, gender=F, practitioner="a") + cases(10, 100, practitioner="a")
               + cases(10, 200, gender=F, practitioner="b"))
    result = draw(records, 15, buffer_percent=0)
    assert per_practitioner(result) == {"a": 6, "b": 6}
    assert result.shortfall == 3
    assert result.strata[Stratum.FEMALE].allocated == 10
    assert result.strata[Stratum.MALE_COMMUNITY_LOW].allocated == 5


def test_cap_applies_to_reserves_too():
    records = [case(i, practitioner=f"p{i % 3}") for i in range(60)]
    result = draw(records, 15, buffer_percent=100)
    assert max(per_practitioner(result).values()) == 6
    assert len(result.sample) == 18
    assert result.reserve_shortfall == 12


# --- the draw -----------------------------------------------------------------------------------


def test_same_seed_same_sample_in_any_input_order():
    records = _strata_population()
    shuffled = records[:]
    random.Random(99).shuffle(shuffled)
    assert draw(records, 120, seed=5) == draw(shuffled, 120, seed=5)


def test_different_seeds_draw_different_cases():
    records = _strata_population()
    samples = {tuple(c.crn for c in draw(records, 120, seed=seed).sample) for seed in range(5)}
    assert len(samples) == 5


def test_draw_takes_the_whole_pool_when_asked():
    records = cases(5, 0, practitioner="a")
    result = draw(records, 5, buffer_percent=0)
    assert sorted(c.crn for c in result.sample) == [r.crn for r in records]


def test_size_larger_than_population_is_shortfall():
    result = draw(cases(4, 0, practitioner="a"), 10)
    assert len(result.sample) == 4
    assert result.shortfall == 6
    assert result.strata[Stratum.MALE_COMMUNITY_LOW].allocated == 4


def test_size_null_uses_sample_size():
    records = [case(i, practitioner=f"p{i}") for i in range(1000)]
    result = draw(records, None, buffer_percent=0)
    assert result.size == 142
    assert sum(not c.reserve for c in result.sample) == 142


def test_empty_population():
    result = draw([], 10)
    assert result.sample == ()
    assert result.shortfall == 10
    assert all(r.population == 0 and r.allocated == 0 for r in result.strata.values())


def test_practitioner_in_two_pdus_is_an_error():
    records = [case(1, pdu="P1", practitioner="a"), case(2, pdu="P2", practitioner="a")]
    with pytest.raises(ContractError) as error:
        draw(records, 2)
    assert error.value.field == "population"
    assert "belongs to one PDU" in error.value.message


# --- the contract -------------------------------------------------------------------------------


def _request(**changes: Any) -> dict[str, Any]:
    population = [as_json(case(i, practitioner=f"p{i % 4}", gender=F if i % 5 == 0 else M))
                  for i in range(30)]
    request = {"population": population, "size": 12, "buffer_percent": 20, "as_of": "2026-03-01", "seed": 7}
    return request | changes


def test_contract_response():
    result = handle(_request())
    assert set(result) == {"sample", "strata", "shortfall", "reserve_shortfall", "size", "eligible",
                           "excluded", "rules_version"}
    assert list(result["strata"]) == [s.value for s in Stratum]
    assert set(result["strata"]["FEMALE"]) == {"population", "allocated", "reserve", "drawn", "reserve_drawn"}
    assert set(result["sample"][0]) == {"crn", "stratum", "reserve", "region", "pdu", "team", "practitioner"}
    assert result["rules_version"] == "sample-2026.1"
    assert result["shortfall"] == 0
    json.dumps(result)


def test_contract_window():
    request = _request(window={"start": "2026-01-06", "end": "2026-12-31"})
    assert handle(request)["excluded"]["OUTSIDE_WINDOW"] == 30


def test_registry_routes_sample():
    assert registry.handler("sample") is handle


def _record_change(field: str, value: Any) -> dict[str, Any]:
    request = _request()
    if value is _DELETE:
        del request["population"][3][field]
    else:
        request["population"][3][field] = value
    return request


_DELETE = object()


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        pytest.param(_request(population=None), "population", id="population-null"),
        pytest.param(_request(population={}), "population", id="population-object"),
        pytest.param(_request(size=-1), "size", id="size-negative"),
        pytest.param(_request(size=1.5), "size", id="size-fractional"),
        pytest.param(_request(buffer_percent=101), "buffer_percent", id="buffer-over-100"),
        pytest.param(_request(seed=-1), "seed", id="seed-negative"),
        pytest.param(_request(seed="7"), "seed", id="seed-string"),
        pytest.param(_request(as_of="2026-02-30"), "as_of", id="as-of-not-a-date"),
        pytest.param(_request(window={"start": "2026-02-01", "end": "2026-01-01"}), "window.end",
                     id="window-backwards"),
        pytest.param(_request(window={"start": "2026-01-01", "end": "2026-02-01", "days": 3}), "window.days",
                     id="window-unknown-field"),
        pytest.param(_request(extra=True), "extra", id="unknown-top-level-field"),
        pytest.param(_record_change("crn", "X12345"), "population[3].crn", id="crn-too-short"),
        pytest.param(_record_change("crn", "x123456"), "population[3].crn", id="crn-lower-case"),
        pytest.param(_record_change("gender", "F"), "population[3].gender", id="gender-code"),
        pytest.param(_record_change("sentence_kind", "LICENCE"), "population[3].sentence_kind",
                     id="sentence-kind-unknown"),
        pytest.param(_record_change("rosh", "NONE"), "population[3].rosh", id="rosh-unknown"),
        pytest.param(_record_change("sensitive", None), "population[3].sensitive", id="sensitive-null"),
        pytest.param(_record_change("practitioner", " "), "population[3].practitioner",
                     id="practitioner-blank"),
        pytest.param(_record_change("start_date", None), "population[3].start_date", id="start-date-null"),
        pytest.param(_record_change("date_of_birth", "01/05/1990"), "population[3].date_of_birth",
                     id="birth-date-format"),
        pytest.param(_record_change("rosh", _DELETE), "population[3].rosh", id="rosh-missing"),
        pytest.param(_record_change("gender", _DELETE), "population[3].gender", id="gender-missing"),
        pytest.param(_record_change("nickname", "Al"), "population[3].nickname", id="unknown-record-field"),
    ],
)
def test_contract_errors_name_the_field(request_, field):
    with pytest.raises(ContractError) as error:
        handle(request_)
    assert error.value.field == field


# --- properties ---------------------------------------------------------------------------------

NAMES = [("Ann", "Smith"), ("Bob", "Jones"), ("Cat", "Lee"), (None, None)]


def _build(values: tuple) -> CaseRecord:
    (crn, gender, kind, rosh, start, region, pdu, person, sensitive, pnc, name, born) = values
    return CaseRecord(
        crn=f"X{crn:06d}", gender=gender, sentence_kind=kind, rosh=rosh,
        start_date=AS_OF + dt.timedelta(days=start), region=region, pdu=f"{region}/{pdu}",
        practitioner=f"{region}/{pdu}/{person}", sensitive=sensitive,
        pnc=None if pnc is None else f"2001/{pnc}A", first_name=NAMES[name][0], last_name=NAMES[name][1],
        date_of_birth=None if born is None else dt.date(1990, 1, 1 + born),
    )


records_strategy = st.tuples(
    st.integers(0, 150),
    st.sampled_from([M, M, M, F, F, Gender.OTHER, Gender.NOT_KNOWN, None]),
    st.sampled_from(list(SentenceKind)),
    st.sampled_from([*Rosh, None]),
    st.integers(-90, 3),
    st.sampled_from(["R1", "R2"]),
    st.sampled_from(["P1", "P2"]),
    st.sampled_from(["a", "b", "c"]),
    st.sampled_from([False, False, False, True]),
    st.none() | st.integers(1, 30),
    st.integers(0, len(NAMES) - 1),
    st.none() | st.integers(0, 2),
).map(_build)

populations = st.lists(records_strategy, max_size=120)
sample_args = st.fixed_dictionaries({
    "size": st.none() | st.integers(0, 120),
    "seed": st.integers(0, 2**32),
    "buffer_percent": st.integers(0, 100),
})


def _eligible_crns(records: list[CaseRecord]) -> set[str]:
    """An independent reading of §6.3's exclusions: pairwise same-person test, connected groups."""
    open_ = [r for r in records if not r.sensitive and r.start_date <= AS_OF and r.gender in (M, F)]

    def pnc(r: CaseRecord) -> str | None:
        return r.pnc.upper() if r.pnc else None

    def same(a: CaseRecord, b: CaseRecord) -> bool:
        if a.crn == b.crn or (pnc(a) and pnc(a) == pnc(b)):
            return True
        def person(r: CaseRecord) -> tuple:
            return (r.first_name, r.last_name, r.date_of_birth)

        named = a.first_name and a.last_name and a.date_of_birth
        return bool(named and person(a) == person(b) and not (pnc(a) and pnc(b)))

    group = list(range(len(open_)))
    for i in range(len(open_)):
        for j in range(i):
            if same(open_[i], open_[j]):
                gi, gj = group[i], group[j]
                group = [gj if g == gi else g for g in group]
    kept = {}
    for index, record in enumerate(open_):
        best = kept.get(group[index])
        if best is None or (record.start_date, record.crn) < (best.start_date, best.crn):
            kept[group[index]] = record
    return {r.crn for r in kept.values()}


@settings(deadline=None)
@given(populations, sample_args)
def test_property_never_more_than_six_per_practitioner(records, args):
    result = draw_sample(records, as_of=AS_OF, **args)
    assert all(n <= sampling.PRACTITIONER_CAP for n in per_practitioner(result).values())


@settings(deadline=None)
@given(populations, sample_args, st.randoms(use_true_random=False))
def test_property_same_seed_same_sample_whatever_the_order(records, args, rnd):
    shuffled = records[:]
    rnd.shuffle(shuffled)
    assert draw_sample(records, as_of=AS_OF, **args) == draw_sample(shuffled, as_of=AS_OF, **args)


@settings(deadline=None)
@given(populations, sample_args)
def test_property_strata_allocations_within_one_case_of_proportional(records, args):
    result = draw_sample(records, as_of=AS_OF, **args)
    eligible = result.eligible
    n = min(result.size, eligible)
    assert sum(r.allocated for r in result.strata.values()) == n
    for stratum in result.strata.values():
        if eligible:
            assert abs(stratum.allocated * eligible - n * stratum.population) < eligible
        assert stratum.drawn <= stratum.allocated <= stratum.population
        assert stratum.allocated + stratum.reserve <= stratum.population


@settings(deadline=None)
@given(populations, sample_args)
def test_property_no_excluded_record_is_ever_sampled(records, args):
    result = draw_sample(records, as_of=AS_OF, **args)
    crns = [c.crn for c in result.sample]
    assert len(crns) == len(set(crns))
    eligible = _eligible_crns(records)
    assert set(crns) <= eligible
    assert result.eligible == len(eligible)


@settings(deadline=None)
@given(populations, sample_args)
def test_property_sample_and_reserves_never_exceed_the_eligible(records, args):
    result = draw_sample(records, as_of=AS_OF, **args)
    main = sum(not c.reserve for c in result.sample)
    reserves = sum(c.reserve for c in result.sample)
    assert main + reserves <= result.eligible
    assert main + result.shortfall == result.size
    assert reserves + result.reserve_shortfall == sum(r.reserve for r in result.strata.values())
    assert sum(result.excluded.values()) + result.eligible == len(records)


_SMALL = {
    "population": [
        as_json(case(1, pnc="2001/1A", **ANN)), as_json(case(2, gender=F, practitioner="b")),
        as_json(case(3, sentence_kind=POST_CUSTODY, rosh=Rosh.HIGH, pdu="P2", practitioner="c")),
    ],
    "size": 2, "buffer_percent": 50, "as_of": "2026-03-01", "seed": 1,
    "window": {"start": "2026-01-01", "end": "2026-01-31"},
}


@settings(deadline=None)
@given(st.one_of(json_values, mutated(_SMALL)))
def test_property_handle_raises_only_contract_errors(request_):
    try:
        result = handle(request_)
    except ContractError:
        return
    json.dumps(result)
    assert len(result["sample"]) <= 3
