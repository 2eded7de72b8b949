"""Tiering rules (rules.md §1): every band edge, table cell and provisional case, plus the contract."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.rules import tiering
from casework.rules.contract import ContractError
from casework.rules.tiering import (
    COMPLEXITY_CODES,
    NEED_WEIGHTS,
    Assessment,
    DcSrp,
    DcSrpBand,
    Gender,
    Mappa,
    Need,
    NeedSeverity,
    Predictors,
    ProtectLevel,
    Registration,
    RequirementKind,
    Rosh,
    SingleRule,
    SingleScaleTier,
    TierInputs,
    WomenFactors,
    calculate_tier,
    change_band,
    change_level,
    has_mandate_for_change,
    protect_band,
    protect_level,
    reoffending_tier,
    rsr_points,
    single_scale_tier,
    two_axis_tier,
    years_before,
)

AS_OF = dt.date(2026, 11, 27)
TIER_RE = re.compile(r"^[A-D][0-3]S?$")


def make(**overrides: Any) -> TierInputs:
    """A male, supervised case with nothing that scores, and dynamic zero predictors (table → G)."""
    base: dict[str, Any] = {
        "gender": Gender.MALE,
        "active_sentence": True,
        "rosh": Rosh.LOW,
        "rsr": None,
        "mappa": None,
        "registrations": frozenset(),
        "ogrs": None,
        "assessment": Assessment({}),
        "mandate_for_change": True,
        "predictors": Predictors(arp=0, arp_static=False, csrp=0, csrp_static=False),
    }
    base.update(overrides)
    return TierInputs(**base)


def regs(*codes: str) -> frozenset[Registration]:
    return frozenset(Registration(code) for code in codes)


def single(**overrides: Any) -> tiering.SingleTier:
    return single_scale_tier(make(**overrides), as_of=AS_OF)


def predictors(
    arp: Any = 0,
    csrp: Any = 0,
    *,
    arp_static: bool | None = False,
    csrp_static: bool | None = False,
    dc_srp: DcSrp | None = None,
) -> Predictors:
    return Predictors(arp=arp, arp_static=arp_static, csrp=csrp, csrp_static=csrp_static, dc_srp=dc_srp)


# --- §1.1 protect level ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rosh", "points", "level"),
    [
        pytest.param(None, 0, "D", id="rosh-not-assessed-0"),
        pytest.param(Rosh.LOW, 0, "D", id="rosh-low-0"),
        pytest.param(Rosh.MEDIUM, 10, "C", id="rosh-medium-10"),
        pytest.param(Rosh.HIGH, 20, "B", id="rosh-high-20"),
        pytest.param(Rosh.VERY_HIGH, 150, "A", id="rosh-very-high-150"),
    ],
)
def test_rosh_points(rosh: Rosh | None, points: int, level: str) -> None:
    result = protect_level(make(rosh=rosh))
    assert (result.points, result.level) == (points, ProtectLevel(level))


@pytest.mark.parametrize(
    ("rsr", "points"),
    [
        pytest.param(None, 0, id="missing"),
        pytest.param("0", 0, id="0"),
        pytest.param("2.99", 0, id="2.99-below-band"),
        pytest.param("3.00", 10, id="3.00-band-start"),
        pytest.param("4.2", 10, id="4.2"),
        pytest.param("6.99", 10, id="6.99-band-end"),
        pytest.param("7.00", 20, id="7.00-band-start"),
        pytest.param("50", 20, id="50"),
        pytest.param("99.99", 20, id="99.99-band-end"),
        pytest.param("999.99", 0, id="999.99-sentinel"),
    ],
)
def test_rsr_points(rsr: str | None, points: int) -> None:
    value = None if rsr is None else Decimal(rsr)
    assert rsr_points(value) == points
    assert protect_level(make(rosh=None, rsr=value)).points == points


@pytest.mark.parametrize(
    ("rsr", "points"),
    [
        pytest.param("6.995", 0, id="between-bands-literal"),
        pytest.param("100", 0, id="above-99.99"),
    ],
)
def test_rsr_outside_the_written_ranges_scores_0(rsr: str, points: int) -> None:
    # rules.md writes closed ranges; the contract rejects these values (tested below).
    assert rsr_points(Decimal(rsr)) == points


def test_rsr_floats_are_compared_exactly() -> None:
    assert protect_level(make(rosh=None, rsr=2.99)).points == 0
    assert protect_level(make(rosh=None, rsr=3.0)).points == 10
    assert protect_level(make(rosh=None, rsr=7.0)).points == 20


@pytest.mark.parametrize(
    ("rosh", "rsr", "points", "dropped"),
    [
        pytest.param(Rosh.HIGH, "4.2", 20, "RSR 10 dropped", id="high-beats-rsr-10"),
        pytest.param(Rosh.HIGH, "7.00", 20, "RSR 20 dropped", id="tie-20-drops-rsr"),
        pytest.param(Rosh.MEDIUM, "7.00", 20, "RoSH 10 dropped", id="rsr-20-beats-medium"),
        pytest.param(Rosh.MEDIUM, "3.00", 10, "RSR 10 dropped", id="tie-10-drops-rsr"),
        pytest.param(Rosh.VERY_HIGH, "99.99", 150, "RSR 20 dropped", id="very-high-beats-rsr-20"),
        pytest.param(Rosh.LOW, "7.00", 20, None, id="low-0-nothing-dropped"),
        pytest.param(None, "5", 10, None, id="no-rosh-rsr-counts"),
        pytest.param(Rosh.MEDIUM, None, 10, None, id="no-rsr-rosh-counts"),
        pytest.param(Rosh.HIGH, "999.99", 20, None, id="sentinel-scores-0"),
    ],
)
def test_only_the_larger_of_rosh_and_rsr_counts(
    rosh: Rosh | None, rsr: str | None, points: int, dropped: str | None
) -> None:
    result = protect_level(make(rosh=rosh, rsr=None if rsr is None else Decimal(rsr)))
    assert result.points == points
    labels = [line.label for line in result.breakdown]
    if dropped:
        assert f"Only the larger of RoSH and RSR counts: {dropped}" in labels
    else:
        assert not any("larger" in label for label in labels)


@pytest.mark.parametrize(
    ("level", "category", "points"),
    [
        pytest.param(level, category, {1: 5, 2: 150, 3: 150}[level], id=f"level-{level}-category-{category}")
        for level in (1, 2, 3)
        for category in (1, 2, 3, 4)
    ],
)
def test_mappa_points(level: int, category: int, points: int) -> None:
    result = protect_level(make(rosh=None, mappa=Mappa(level, category)))
    assert result.points == points
    assert f"MAPPA level {level} (category {category}): {points}" in [b.label for b in result.breakdown]


def test_no_mappa_scores_0() -> None:
    assert protect_level(make(rosh=None, mappa=None)).points == 0


@pytest.mark.parametrize("code", [pytest.param(code, id=code.value) for code in COMPLEXITY_CODES])
def test_each_complexity_registration_scores_2(code: Registration) -> None:
    result = protect_level(make(rosh=None, registrations=frozenset({code})))
    assert result.points == 2
    assert f"Complexity registration {code.value} ({code.label}): 2" in [b.label for b in result.breakdown]


def test_complexity_codes_are_the_ten_in_rules_md() -> None:
    assert {c.value for c in COMPLEXITY_CODES} == {
        "RMDO",
        "ALSH",
        "RVLN",
        "RCCO",
        "RCPR",
        "RCHD",
        "RPIR",
        "RVAD",
        "STRG",
        "RTAO",
    }


def test_all_complexity_registrations_add_up() -> None:
    assert protect_level(make(rosh=None, registrations=frozenset(COMPLEXITY_CODES))).points == 20


def test_a_repeated_complexity_registration_counts_once() -> None:
    response = tiering.handle(
        contract_request(rosh=None, rsr=None, mappa=None, women=None, registrations=["RMDO", "RMDO", "RMDO"])
    )
    assert response["two_axis"]["protect"]["points"] == 2


@pytest.mark.parametrize(
    "code", [pytest.param(code, id=code) for code in ("ADVP", "REG30", "SPO", "INLL", "IIOM", "PRC")]
)
def test_other_registrations_score_no_protect_points(code: str) -> None:
    assert protect_level(make(rosh=None, registrations=regs(code))).points == 0


@pytest.mark.parametrize(
    ("factor", "label"),
    [
        pytest.param(WomenFactors(parenting=True), "Women: parenting responsibilities: 2", id="parenting"),
        pytest.param(
            WomenFactors(impulsivity_or_temper=True),
            "Women: impulsivity or temper control a problem: 2",
            id="impulsivity-or-temper",
        ),
        pytest.param(
            WomenFactors(breach_or_recall_last_year=True),
            "Women: breach or recall in the last 365 days: 2",
            id="breach-or-recall",
        ),
    ],
)
def test_each_women_factor_scores_2_for_women(factor: WomenFactors, label: str) -> None:
    result = protect_level(make(gender=Gender.FEMALE, rosh=None, women=factor))
    assert result.points == 2
    assert label in [b.label for b in result.breakdown]


def test_all_women_factors_add_up() -> None:
    women = WomenFactors(True, True, True)
    assert protect_level(make(gender=Gender.FEMALE, rosh=None, women=women)).points == 6


@pytest.mark.parametrize("gender", [pytest.param(g, id=g.value) for g in (Gender.MALE, Gender.OTHER, Gender.NOT_KNOWN)])
def test_women_factors_are_ignored_for_anyone_else(gender: Gender) -> None:
    result = protect_level(make(gender=gender, rosh=None, women=WomenFactors(True, True, True)))
    assert result.points == 0
    assert f"Women-only factors ignored (gender {gender.value}): 0" in [b.label for b in result.breakdown]


@pytest.mark.parametrize(
    ("points", "level"),
    [
        pytest.param(0, "D", id="0-D"),
        pytest.param(9, "D", id="9-D"),
        pytest.param(10, "C", id="10-C"),
        pytest.param(19, "C", id="19-C"),
        pytest.param(20, "B", id="20-B"),
        pytest.param(149, "B", id="149-B"),
        pytest.param(150, "A", id="150-A"),
        pytest.param(500, "A", id="500-A"),
    ],
)
def test_protect_band_edges(points: int, level: str) -> None:
    assert protect_band(points) is ProtectLevel(level)


@pytest.mark.parametrize(
    ("inputs", "points", "level"),
    [
        pytest.param(
            make(rosh=None, mappa=Mappa(1, 1), registrations=regs("RMDO", "ALSH")),
            9,
            "D",
            id="9-mappa1-two-complexity-D",
        ),
        pytest.param(make(rosh=Rosh.MEDIUM), 10, "C", id="10-medium-C"),
        pytest.param(
            make(rosh=Rosh.MEDIUM, mappa=Mappa(1, 2), registrations=regs("RMDO", "ALSH")),
            19,
            "C",
            id="19-medium-mappa1-two-complexity-C",
        ),
        pytest.param(make(rosh=Rosh.HIGH), 20, "B", id="20-high-B"),
        pytest.param(
            make(
                gender=Gender.FEMALE,
                rosh=Rosh.HIGH,
                mappa=Mappa(1, 1),
                registrations=frozenset(COMPLEXITY_CODES),
                women=WomenFactors(True, True, True),
            ),
            51,
            "B",
            id="51-everything-below-150-B",
        ),
        pytest.param(make(rosh=Rosh.VERY_HIGH), 150, "A", id="150-very-high-A"),
        pytest.param(make(rosh=None, mappa=Mappa(2, 1)), 150, "A", id="150-mappa2-A"),
        pytest.param(make(rosh=Rosh.VERY_HIGH, mappa=Mappa(3, 1)), 300, "A", id="300-very-high-mappa3-A"),
    ],
)
def test_protect_level_from_real_combinations(inputs: TierInputs, points: int, level: str) -> None:
    result = protect_level(inputs)
    assert (result.points, result.level) == (points, ProtectLevel(level))
    assert sum(line.points for line in result.breakdown) == result.points


# --- §1.2 change level -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("need", "severity", "points"),
    [
        pytest.param(
            need,
            severity,
            NEED_WEIGHTS[need] * {"NO_NEED": 0, "STANDARD": 1, "SEVERE": 2}[severity.value],
            id=f"{need.value}-{severity.value}",
        )
        for need in Need
        for severity in NeedSeverity
    ],
)
def test_every_need_weight_and_severity(need: Need, severity: NeedSeverity, points: int) -> None:
    result = change_level(make(assessment=Assessment({need: severity})))
    assert result.points == points
    assert result.level == 1


@pytest.mark.parametrize(
    ("need", "weight"),
    [
        pytest.param(Need.THINKING_AND_BEHAVIOUR, 2, id="thinking-and-behaviour-2"),
        pytest.param(Need.ATTITUDES, 2, id="attitudes-2"),
        pytest.param(Need.ACCOMMODATION, 1, id="accommodation-1"),
        pytest.param(Need.EDUCATION_TRAINING_EMPLOYMENT, 1, id="ete-1"),
        pytest.param(Need.RELATIONSHIPS, 1, id="relationships-1"),
        pytest.param(Need.LIFESTYLE_AND_ASSOCIATES, 1, id="lifestyle-1"),
        pytest.param(Need.DRUG_MISUSE, 1, id="drugs-1"),
        pytest.param(Need.ALCOHOL_MISUSE, 1, id="alcohol-1"),
        pytest.param(Need.FINANCE, 0, id="finance-0"),
        pytest.param(Need.EMOTIONAL_WELLBEING, 0, id="emotional-wellbeing-0"),
    ],
)
def test_need_weights_are_rules_md(need: Need, weight: int) -> None:
    assert NEED_WEIGHTS[need] == weight


def test_an_unassessed_need_scores_0() -> None:
    assert change_level(make(assessment=Assessment({}))).points == 0


@pytest.mark.parametrize(
    ("ogrs", "points"),
    [
        pytest.param(None, 0, id="missing"),
        pytest.param(0, 0, id="0"),
        pytest.param(9, 0, id="9"),
        pytest.param(10, 1, id="10"),
        pytest.param(19, 1, id="19"),
        pytest.param(59, 5, id="59"),
        pytest.param(99, 9, id="99"),
        pytest.param(100, 10, id="100"),
    ],
)
def test_ogrs_integer_division(ogrs: int | None, points: int) -> None:
    assert change_level(make(ogrs=ogrs)).points == points


def test_iom_registration_scores_2() -> None:
    assert change_level(make(registrations=regs("IIOM"))).points == 2
    assert "Integrated offender management (IIOM): 2" in [
        b.label for b in change_level(make(registrations=regs("IIOM"))).breakdown
    ]


ALL_SEVERE_WEIGHT_1 = {need: NeedSeverity.SEVERE for need in Need if NEED_WEIGHTS[need] == 1}


@pytest.mark.parametrize(
    ("points", "level"),
    [
        pytest.param(0, 1, id="0-1"),
        pytest.param(9, 1, id="9-1"),
        pytest.param(10, 2, id="10-2"),
        pytest.param(19, 2, id="19-2"),
        pytest.param(20, 3, id="20-3"),
        pytest.param(60, 3, id="60-3"),
    ],
)
def test_change_band_edges(points: int, level: int) -> None:
    assert change_band(points) == level


@pytest.mark.parametrize(
    ("inputs", "points", "level"),
    [
        pytest.param(make(ogrs=99), 9, 1, id="9-ogrs99-1"),
        pytest.param(make(ogrs=100), 10, 2, id="10-ogrs100-2"),
        pytest.param(
            make(
                ogrs=99,
                assessment=Assessment(
                    {
                        Need.DRUG_MISUSE: NeedSeverity.SEVERE,
                        Need.ATTITUDES: NeedSeverity.SEVERE,
                        Need.THINKING_AND_BEHAVIOUR: NeedSeverity.SEVERE,
                        Need.FINANCE: NeedSeverity.SEVERE,
                    }
                ),
            ),
            19,
            2,
            id="19-ogrs99-needs10-2",
        ),
        pytest.param(make(ogrs=100, assessment=Assessment(ALL_SEVERE_WEIGHT_1)), 22, 3, id="22-ogrs100-needs12-3"),
        pytest.param(
            make(ogrs=80, registrations=regs("IIOM"), assessment=Assessment(ALL_SEVERE_WEIGHT_1)),
            22,
            3,
            id="22-with-iom-3",
        ),
        pytest.param(
            make(ogrs=60, registrations=regs("IIOM"), assessment=Assessment(ALL_SEVERE_WEIGHT_1)),
            20,
            3,
            id="20-exactly-3",
        ),
    ],
)
def test_change_level_from_real_combinations(inputs: TierInputs, points: int, level: int) -> None:
    result = change_level(inputs)
    assert (result.points, result.level) == (points, level)
    assert sum(line.points for line in result.breakdown) == result.points


def test_no_mandate_gives_level_0_and_0_points() -> None:
    result = change_level(
        make(
            mandate_for_change=False,
            ogrs=100,
            registrations=regs("IIOM"),
            assessment=Assessment(ALL_SEVERE_WEIGHT_1),
        )
    )
    assert (result.level, result.points) == (0, 0)
    assert [b.label for b in result.breakdown] == ["No mandate for change: level 0"]


def test_no_assessment_gives_level_2_with_0_points() -> None:
    result = change_level(make(assessment=None, ogrs=100, registrations=regs("IIOM")))
    assert (result.level, result.points) == (2, 0)
    assert [b.label for b in result.breakdown] == ["No valid assessment: level 2 with 0 points"]


def test_no_mandate_wins_over_no_assessment() -> None:
    result = change_level(make(assessment=None, mandate_for_change=False))
    assert (result.level, result.points) == (0, 0)


@pytest.mark.parametrize(
    ("custodial", "requirements", "mandate"),
    [
        pytest.param(True, [], True, id="custodial"),
        pytest.param(False, [RequirementKind.REHABILITATIVE], True, id="rehabilitative-requirement"),
        pytest.param(False, [RequirementKind.RESTRICTIVE], False, id="restrictive-only"),
        pytest.param(False, [RequirementKind.UNPAID_WORK], False, id="unpaid-work-ignored"),
        pytest.param(False, [RequirementKind.ORDER_EXTENDED], False, id="order-extended-ignored"),
        pytest.param(
            False,
            [RequirementKind.UNPAID_WORK, RequirementKind.REHABILITATIVE],
            True,
            id="unpaid-work-and-rehabilitative",
        ),
        pytest.param(False, [], False, id="nothing"),
    ],
)
def test_mandate_for_change(custodial: bool, requirements: list[RequirementKind], mandate: bool) -> None:
    assert has_mandate_for_change(any_custodial_sentence=custodial, requirements=requirements) is mandate


@pytest.mark.parametrize(
    ("unsupervised", "codes", "tier"),
    [
        pytest.param(False, (), "D1", id="supervised"),
        pytest.param(True, (), "D1S", id="unsupervised-flag"),
        pytest.param(False, ("PRC",), "D1S", id="prc-registration"),
        pytest.param(True, ("PRC",), "D1S", id="both-one-suffix"),
    ],
)
def test_unsupervised_suffix(unsupervised: bool, codes: tuple[str, ...], tier: str) -> None:
    result = two_axis_tier(make(unsupervised=unsupervised, registrations=regs(*codes)))
    assert result.tier == tier
    assert result.unsupervised is tier.endswith("S")


def test_two_axis_tier_joins_protect_and_change() -> None:
    result = two_axis_tier(make(rosh=Rosh.HIGH, ogrs=100))
    assert result.tier == "B2"


def test_two_axis_tier_is_computed_without_an_active_sentence() -> None:
    result = calculate_tier(make(active_sentence=False, rosh=Rosh.HIGH, ogrs=100), as_of=AS_OF)
    assert result.two_axis.tier == "B2"
    assert result.single.tier is SingleScaleTier.NOT_SUPERVISED


# --- §1.3 single scale: reoffending table --------------------------------------------------------

CSRP_ROWS = [("6.9", "100"), ("3.0", "6.89"), ("1.0", "2.99"), ("0.5", "0.99"), ("0", "0.49")]
ARP_COLUMNS = [
    ("90", "100"),
    ("75", "89.99"),
    ("50", "74.99"),
    ("25", "49.99"),
    ("15", "24.99"),
    ("0", "14.99"),
]
TABLE = [
    "AABBBB",
    "ABCCCC",
    "BCDEEE",
    "CDEEFF",
    "DDEFFG",
]


@pytest.mark.parametrize(
    ("csrp", "arp", "tier"),
    [
        pytest.param(Decimal(csrp), Decimal(arp), TABLE[r][c], id=f"csrp-{csrp}-arp-{arp}-{corner}")
        for r, row in enumerate(CSRP_ROWS)
        for c, col in enumerate(ARP_COLUMNS)
        for corner, csrp, arp in (("bottom", row[0], col[0]), ("top", row[1], col[1]))
    ],
)
def test_every_reoffending_table_cell_at_both_edges(csrp: Decimal, arp: Decimal, tier: str) -> None:
    assert reoffending_tier(arp, csrp) == tier
    # Through the whole single scale: RoSH low, no MAPPA and nothing else, so only the table gives a tier.
    assert single(predictors=predictors(arp, csrp)).tier.value == tier


@pytest.mark.parametrize(
    ("csrp", "tier"),
    [
        pytest.param("6.9", "B", id="6.9-row-1"),
        pytest.param("6.89", "C", id="6.89-row-2"),
        pytest.param("3.0", "C", id="3.0-row-2"),
        pytest.param("2.99", "D", id="2.99-row-3"),
        pytest.param("1.0", "D", id="1.0-row-3"),
        pytest.param("0.99", "E", id="0.99-row-4"),
        pytest.param("0.5", "E", id="0.5-row-4"),
        pytest.param("0.49", "E", id="0.49-row-5"),
    ],
)
def test_csrp_thresholds_with_arp_50(csrp: str, tier: str) -> None:
    assert reoffending_tier(Decimal(50), Decimal(csrp)) == tier


@pytest.mark.parametrize(
    ("arp", "tier"),
    [
        pytest.param("90", "B", id="90"),
        pytest.param("89.99", "C", id="89.99"),
        pytest.param("75", "C", id="75"),
        pytest.param("74.99", "D", id="74.99"),
        pytest.param("50", "D", id="50"),
        pytest.param("49.99", "E", id="49.99"),
        pytest.param("25", "E", id="25"),
        pytest.param("24.99", "E", id="24.99"),
        pytest.param("15", "E", id="15"),
        pytest.param("14.99", "E", id="14.99"),
    ],
)
def test_arp_thresholds_with_csrp_1(arp: str, tier: str) -> None:
    assert reoffending_tier(Decimal(arp), Decimal("1.0")) == tier


@pytest.mark.parametrize(
    ("arp", "tier"),
    [
        pytest.param("25", "F", id="25"),
        pytest.param("24.99", "F", id="24.99"),
        pytest.param("15", "F", id="15"),
        pytest.param("14.99", "G", id="14.99"),
    ],
)
def test_arp_low_thresholds_with_csrp_0(arp: str, tier: str) -> None:
    assert reoffending_tier(Decimal(arp), Decimal(0)) == tier


def test_float_predictors_hit_thresholds_exactly() -> None:
    assert single(predictors=predictors(arp=90.0, csrp=6.9)).tier is SingleScaleTier.A
    assert single(predictors=predictors(arp=89.99, csrp=0.5)).tier is SingleScaleTier.D


# --- §1.3 single scale: DC-SRP ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("band", "score", "tier"),
    [
        pytest.param(DcSrpBand.VERY_HIGH, "5", "A", id="very-high-A"),
        pytest.param(DcSrpBand.HIGH, "4", "B", id="high-B"),
        pytest.param(DcSrpBand.MEDIUM, "3.36", "C", id="medium-3.36-C"),
        pytest.param(DcSrpBand.MEDIUM, "3.35", "D", id="medium-3.35-D"),
        pytest.param(DcSrpBand.MEDIUM, "2.11", "D", id="medium-2.11-D"),
        pytest.param(DcSrpBand.MEDIUM, "2.10", "C", id="medium-2.10-C-with-risk-reduction"),
        pytest.param(DcSrpBand.MEDIUM, "1.12", "C", id="medium-1.12-C"),
        pytest.param(DcSrpBand.MEDIUM, "1.11", "D", id="medium-1.11-D"),
        pytest.param(DcSrpBand.MEDIUM, "0.60", "D", id="medium-0.60-D"),
        pytest.param(DcSrpBand.MEDIUM, "0.59", "G", id="medium-0.59-no-result"),
        pytest.param(DcSrpBand.LOW, "0.3", "E", id="low-E"),
        pytest.param(DcSrpBand.VERY_HIGH, "0", "G", id="score-0-ignored"),
        pytest.param(DcSrpBand.VERY_HIGH, None, "G", id="score-missing-ignored"),
        pytest.param(DcSrpBand.NOT_APPLICABLE, "5", "G", id="not-applicable-ignored"),
        pytest.param(None, "5", "G", id="band-missing-ignored"),
    ],
)
def test_dc_srp(band: DcSrpBand | None, score: str | None, tier: str) -> None:
    dc = DcSrp(band, None if score is None else Decimal(score))
    assert single(predictors=predictors(dc_srp=dc)).tier.value == tier


def test_dc_srp_absent_gives_no_result() -> None:
    result = single(predictors=predictors(dc_srp=None))
    assert SingleRule.DC_SRP not in [r.rule for r in result.results]


# --- §1.3 single scale: MAPPA and RoSH ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("rosh", "tier"),
    [
        pytest.param(Rosh.VERY_HIGH, "A", id="very-high-A"),
        pytest.param(Rosh.HIGH, "C", id="high-C"),
        pytest.param(Rosh.MEDIUM, "D", id="medium-D"),
        pytest.param(Rosh.LOW, "E", id="low-E"),
        pytest.param(None, "E", id="missing-E"),
    ],
)
@pytest.mark.parametrize(
    "mappa",
    [
        pytest.param(Mappa(level, category), id=f"mappa-{level}-{category}")
        for level in (1, 2, 3)
        for category in (1, 2, 3, 4)
    ],
)
def test_mappa_with_rosh(rosh: Rosh | None, tier: str, mappa: Mappa) -> None:
    assert single(rosh=rosh, mappa=mappa).tier.value == tier


@pytest.mark.parametrize(
    ("rosh", "tier"),
    [
        pytest.param(Rosh.VERY_HIGH, "C", id="very-high-C"),
        pytest.param(Rosh.HIGH, "D", id="high-D"),
        pytest.param(Rosh.MEDIUM, "G", id="medium-no-result"),
        pytest.param(Rosh.LOW, "G", id="low-no-result"),
        pytest.param(None, "G", id="missing-no-result"),
    ],
)
def test_rosh_without_mappa(rosh: Rosh | None, tier: str) -> None:
    assert single(rosh=rosh, mappa=None).tier.value == tier


# --- §1.3 single scale: lifer/IPP ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "released", "tier"),
    [
        pytest.param(AS_OF, dt.date(2027, 1, 1), "B", id="release-date-ahead-B"),
        pytest.param(AS_OF, AS_OF, "B", id="released-today-B"),
        pytest.param(AS_OF, dt.date(2025, 11, 27), "B", id="exactly-1-year-B"),
        pytest.param(AS_OF, dt.date(2025, 11, 26), "D", id="1-year-and-1-day-D"),
        pytest.param(AS_OF, dt.date(2021, 11, 27), "D", id="exactly-5-years-D"),
        pytest.param(AS_OF, dt.date(2021, 11, 26), "E", id="5-years-and-1-day-E"),
        pytest.param(AS_OF, dt.date(2001, 1, 1), "E", id="long-ago-E"),
        # Calendar years, not 365 days: 28 Feb 2024 → 28 Feb 2025 is 366 days and still "1 year".
        pytest.param(dt.date(2025, 2, 28), dt.date(2024, 2, 28), "B", id="leap-366-days-is-1-year-B"),
        pytest.param(dt.date(2025, 2, 28), dt.date(2024, 2, 27), "D", id="leap-day-before-D"),
        pytest.param(dt.date(2025, 2, 28), dt.date(2024, 2, 29), "B", id="leap-day-release-B"),
        pytest.param(dt.date(2025, 3, 1), dt.date(2024, 2, 29), "D", id="leap-day-release-next-march-D"),
        # as_of on 29 February: the anniversary a year back is 28 February.
        pytest.param(dt.date(2028, 2, 29), dt.date(2027, 2, 28), "B", id="as-of-29-feb-1-year-B"),
        pytest.param(dt.date(2028, 2, 29), dt.date(2027, 2, 27), "D", id="as-of-29-feb-1-year-and-1-day-D"),
        pytest.param(dt.date(2028, 2, 29), dt.date(2023, 2, 28), "D", id="as-of-29-feb-5-years-D"),
        pytest.param(dt.date(2028, 2, 29), dt.date(2023, 2, 27), "E", id="as-of-29-feb-5-years-and-1-day-E"),
    ],
)
def test_lifer_release_boundaries(as_of: dt.date, released: dt.date, tier: str) -> None:
    result = single_scale_tier(make(registrations=regs("INLL"), lifer_release_date=released), as_of=as_of)
    assert result.tier.value == tier


def test_lifer_without_release_date_gives_no_result() -> None:
    result = single(registrations=regs("INLL"), lifer_release_date=None)
    assert result.tier is SingleScaleTier.G
    assert "Lifer/IPP (INLL) without a release date: no result" in [r.label for r in result.results]


def test_release_date_without_inll_is_ignored() -> None:
    assert single(lifer_release_date=AS_OF).tier is SingleScaleTier.G


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        pytest.param(dt.date(2026, 11, 27), 1, dt.date(2025, 11, 27), id="ordinary"),
        pytest.param(dt.date(2028, 2, 29), 1, dt.date(2027, 2, 28), id="29-feb-to-28-feb"),
        pytest.param(dt.date(2028, 2, 29), 4, dt.date(2024, 2, 29), id="29-feb-to-29-feb"),
        pytest.param(dt.date(3, 1, 1), 5, dt.date.min, id="before-year-1"),
    ],
)
def test_years_before(day: dt.date, years: int, expected: dt.date) -> None:
    assert years_before(day, years) == expected


def test_lifer_rule_near_year_1_does_not_crash() -> None:
    result = single_scale_tier(
        make(registrations=regs("INLL"), lifer_release_date=dt.date(1, 1, 1)), as_of=dt.date(3, 1, 1)
    )
    assert result.tier is SingleScaleTier.D


# --- §1.3 single scale: registrations and sexual offences ------------------------------------------


@pytest.mark.parametrize(
    ("codes", "sexual", "tier", "rule"),
    [
        pytest.param(("ADVP",), False, "E", SingleRule.DOMESTIC_ABUSE, id="advp-E"),
        pytest.param(("REG30",), False, "E", SingleRule.DOMESTIC_ABUSE, id="reg30-E"),
        pytest.param(("SPO",), False, "F", SingleRule.STALKING, id="stalking-F"),
        pytest.param(("RCPR",), False, "F", SingleRule.CHILD_PROTECTION, id="child-protection-F"),
        pytest.param(("RCCO",), False, "G", SingleRule.REOFFENDING, id="child-concerns-no-result"),
        pytest.param(("SPO", "ADVP"), False, "E", SingleRule.DOMESTIC_ABUSE, id="stalking-and-advp-E"),
        pytest.param((), True, "E", SingleRule.SEXUAL_OFFENCE, id="sexual-offence-E"),
        pytest.param((), False, "G", SingleRule.REOFFENDING, id="nothing-G"),
    ],
)
def test_registration_rules(codes: tuple[str, ...], sexual: bool, tier: str, rule: SingleRule) -> None:
    result = single(registrations=regs(*codes), sexual_offence_history=sexual)
    assert (result.tier.value, result.rule) == (tier, rule)


def test_highest_result_wins_and_names_its_rule() -> None:
    result = single(
        rosh=Rosh.HIGH,
        mappa=Mappa(2, 1),
        registrations=regs("ADVP"),
        predictors=predictors(arp=55, csrp=1.2, dc_srp=DcSrp(DcSrpBand.MEDIUM, Decimal("2.5"))),
    )
    assert result.tier is SingleScaleTier.C
    assert result.rule is SingleRule.MAPPA_ROSH
    assert result.summary == "Tier C: MAPPA with RoSH high → C"
    assert [r.tier for r in result.results] == ["D", "D", "C", "E"]


def test_a_tie_is_credited_to_the_earlier_rule() -> None:
    result = single(predictors=predictors(arp=0, csrp=1.0), registrations=regs("ADVP"))
    assert result.tier is SingleScaleTier.E
    assert result.rule is SingleRule.REOFFENDING


# --- §1.3 NOT_SUPERVISED and MISSING ------------------------------------------------------------------


def test_no_active_sentence_is_not_supervised() -> None:
    result = single(
        active_sentence=False,
        rosh=Rosh.VERY_HIGH,
        mappa=Mappa(3, 1),
        predictors=predictors(arp=0, csrp=0, arp_static=True, csrp_static=True),
    )
    assert (result.tier, result.provisional, result.rule) == (SingleScaleTier.NOT_SUPERVISED, False, None)


def test_not_supervised_wins_over_missing() -> None:
    assert single(active_sentence=False, predictors=None).tier is SingleScaleTier.NOT_SUPERVISED


@pytest.mark.parametrize(
    "preds",
    [
        pytest.param(None, id="no-predictors"),
        pytest.param(predictors(arp=None, csrp=1), id="arp-missing"),
        pytest.param(predictors(arp=50, csrp=None), id="csrp-missing"),
        pytest.param(predictors(arp=None, csrp=None), id="both-missing"),
    ],
)
def test_missing_predictor_gives_missing_and_never_provisional(preds: Predictors | None) -> None:
    # RoSH missing and MAPPA present would otherwise trigger (c): MISSING is never provisional.
    result = single(predictors=preds, rosh=None, mappa=Mappa(1, 1), registrations=regs("ADVP"))
    assert (result.tier, result.provisional) == (SingleScaleTier.MISSING, False)
    assert result.rule is None


# --- §1.3 provisional flag --------------------------------------------------------------------------

VERY_HIGH_DC = DcSrp(DcSrpBand.VERY_HIGH, Decimal(5))


@pytest.mark.parametrize(
    ("overrides", "provisional", "marker"),
    [
        # (a) both static: provisional unless a rule other than the table gives A.
        pytest.param(
            {"predictors": predictors(0, 0, arp_static=True, csrp_static=True)},
            True,
            "(a)",
            id="a-both-static-nothing-else",
        ),
        pytest.param(
            {"predictors": predictors(95, 7, arp_static=True, csrp_static=True)},
            True,
            "(a)",
            id="a-both-static-table-A-does-not-count",
        ),
        pytest.param(
            {
                "predictors": predictors(0, 0, arp_static=True, csrp_static=True),
                "rosh": Rosh.HIGH,
                "mappa": Mappa(2, 1),
            },
            True,
            "(a)",
            id="a-both-static-mappa-high-C",
        ),
        pytest.param(
            {
                "predictors": predictors(0, 0, arp_static=True, csrp_static=True),
                "rosh": Rosh.VERY_HIGH,
                "mappa": Mappa(2, 1),
            },
            False,
            None,
            id="a-both-static-mappa-very-high-A",
        ),
        pytest.param(
            {"predictors": predictors(0, 0, arp_static=True, csrp_static=True, dc_srp=VERY_HIGH_DC)},
            False,
            None,
            id="a-both-static-dc-srp-very-high-A",
        ),
        # (b) ARP static: best it could give = table(ARP max, CSRP).
        pytest.param(
            {"predictors": predictors(10, 3.0, arp_static=True)},
            True,
            "(b) ARP",
            id="b-arp-static-csrp-3-could-give-A",
        ),
        pytest.param(
            {"predictors": predictors(10, 3.0, arp_static=True, dc_srp=VERY_HIGH_DC)},
            False,
            None,
            id="b-arp-static-dc-srp-A-reaches-A",
        ),
        pytest.param(
            {"predictors": predictors(10, 0, arp_static=True), "rosh": Rosh.MEDIUM, "mappa": Mappa(1, 1)},
            False,
            None,
            id="b-arp-static-csrp-0-could-give-D-mappa-gives-D",
        ),
        pytest.param(
            {"predictors": predictors(10, 0, arp_static=True), "rosh": Rosh.LOW, "mappa": Mappa(1, 1)},
            True,
            "(b) ARP",
            id="b-arp-static-csrp-0-could-give-D-mappa-gives-E",
        ),
        # (b) CSRP static: best it could give = table(ARP, CSRP max).
        pytest.param(
            {"predictors": predictors(50, 0, csrp_static=True, dc_srp=DcSrp(DcSrpBand.HIGH, Decimal(3)))},
            False,
            None,
            id="b-csrp-static-arp-50-could-give-B-dc-srp-B",
        ),
        pytest.param(
            {"predictors": predictors(50, 0, csrp_static=True, dc_srp=DcSrp(DcSrpBand.MEDIUM, Decimal("3.36")))},
            True,
            "(b) CSRP",
            id="b-csrp-static-arp-50-could-give-B-dc-srp-C",
        ),
        pytest.param(
            {"predictors": predictors(95, 0, csrp_static=True, dc_srp=DcSrp(DcSrpBand.HIGH, Decimal(3)))},
            True,
            "(b) CSRP",
            id="b-csrp-static-arp-95-could-give-A-dc-srp-B",
        ),
        # An unknown static flag is not static.
        pytest.param(
            {"predictors": predictors(0, 0, arp_static=None, csrp_static=None)},
            False,
            None,
            id="unknown-static-flags-are-not-static",
        ),
        pytest.param({"predictors": predictors(0, 0)}, False, None, id="both-dynamic-rosh-known"),
        # (c) RoSH missing with MAPPA: the non-RoSH rules (table included) must give A.
        pytest.param({"rosh": None, "mappa": Mappa(1, 1)}, True, "(c)", id="c-rosh-missing-mappa-table-G"),
        pytest.param(
            {"rosh": None, "mappa": Mappa(1, 1), "predictors": predictors(90, 6.9)},
            False,
            None,
            id="c-rosh-missing-mappa-dynamic-table-A",
        ),
        pytest.param(
            {"rosh": None, "mappa": Mappa(1, 1), "predictors": predictors(90, 6.9, arp_static=None)},
            False,
            None,
            id="c-table-A-counts-even-when-static-flag-unknown",
        ),
        pytest.param(
            {"rosh": None, "mappa": Mappa(1, 1), "predictors": predictors(50, 6.9)},
            True,
            "(c)",
            id="c-rosh-missing-mappa-table-B",
        ),
        pytest.param(
            {"rosh": None, "mappa": Mappa(1, 1), "predictors": predictors(dc_srp=VERY_HIGH_DC)},
            False,
            None,
            id="c-rosh-missing-mappa-dc-srp-A",
        ),
        # (d) RoSH missing without MAPPA: non-RoSH rules must give C or higher; the table counts only
        # when both predictors are dynamic.
        pytest.param({"rosh": None}, True, "(d)", id="d-rosh-missing-table-G"),
        pytest.param({"rosh": None, "predictors": predictors(50, 3.0)}, False, None, id="d-dynamic-table-C"),
        pytest.param({"rosh": None, "predictors": predictors(75, 3.0)}, False, None, id="d-dynamic-table-B"),
        pytest.param({"rosh": None, "predictors": predictors(50, 1.0)}, True, "(d)", id="d-dynamic-table-D"),
        pytest.param(
            {"rosh": None, "predictors": predictors(50, 3.0, arp_static=None)},
            True,
            "(d)",
            id="d-table-C-not-counted-static-flag-unknown",
        ),
        pytest.param(
            {"rosh": None, "predictors": predictors(90, 6.9, csrp_static=True)},
            True,
            "(d)",
            id="d-table-A-not-counted-csrp-static",
        ),
        pytest.param(
            {"rosh": None, "predictors": predictors(dc_srp=DcSrp(DcSrpBand.MEDIUM, Decimal("3.36")))},
            False,
            None,
            id="d-dc-srp-C",
        ),
        pytest.param(
            {"rosh": None, "predictors": predictors(dc_srp=DcSrp(DcSrpBand.MEDIUM, Decimal("2.11")))},
            True,
            "(d)",
            id="d-dc-srp-D",
        ),
        pytest.param(
            {"rosh": None, "registrations": regs("INLL"), "lifer_release_date": AS_OF},
            False,
            None,
            id="d-lifer-first-year-B",
        ),
        pytest.param({"rosh": None, "registrations": regs("ADVP", "SPO")}, True, "(d)", id="d-registrations-E"),
    ],
)
def test_provisional(overrides: dict[str, Any], provisional: bool, marker: str | None) -> None:
    result = single(**overrides)
    assert result.provisional is provisional
    if marker:
        assert any(reason.startswith(marker) for reason in result.provisional_reasons)
    else:
        assert result.provisional_reasons == ()


def test_provisional_for_two_reasons_lists_both() -> None:
    result = single(rosh=None, predictors=predictors(0, 0, arp_static=True, csrp_static=True))
    assert [r[:3] for r in result.provisional_reasons] == ["(a)", "(d)"]


# --- The contract ----------------------------------------------------------------------------------

EXAMPLE: dict[str, Any] = {
    "as_of": "2026-11-27",
    "gender": "MALE",
    "active_sentence": True,
    "rosh": "HIGH",
    "rsr": 4.2,
    "mappa": {"level": 2, "category": 1},
    "registrations": ["RCCO", "ADVP"],
    "ogrs": 59,
    "assessment": {"needs": {"ACCOMMODATION": "STANDARD", "THINKING_AND_BEHAVIOUR": "SEVERE"}},
    "mandate_for_change": True,
    "women": {"parenting": True, "impulsivity_or_temper": False, "breach_or_recall_last_year": False},
    "predictors": {
        "arp": 55.0,
        "arp_static": False,
        "csrp": 1.2,
        "csrp_static": False,
        "dc_srp": {"band": "MEDIUM", "score": 2.5},
    },
    "lifer_release_date": None,
    "sexual_offence_history": False,
    "unsupervised": False,
}


def contract_request(**overrides: Any) -> dict[str, Any]:
    request = copy.deepcopy(EXAMPLE)
    request.update(overrides)
    return request


def test_contract_example() -> None:
    response = tiering.handle(contract_request())
    # contracts.md shows change points 12, but its inputs give 10 (accommodation 1 + thinking and
    # behaviour 4 + OGRS 5; no IIOM): the example's figure is illustrative. Every other figure matches.
    assert {k: response[k] for k in ("two_axis", "single", "rules_version")} == {
        "two_axis": {
            "tier": "A2",
            "protect": {"level": "A", "points": 172},
            "change": {"level": 2, "points": 10},
        },
        "single": {"tier": "C", "provisional": False},
        "rules_version": "tier-2026.1",
    }
    assert response["explanation"]["protect"] == [
        "RoSH high: 20",
        "RSR 4.20: 10",
        "Only the larger of RoSH and RSR counts: RSR 10 dropped",
        "MAPPA level 2 (category 1): 150",
        "Complexity registration RCCO (child concerns): 2",
        "Women-only factors ignored (gender MALE): 0",
    ]
    assert response["explanation"]["single_rule"] == "MAPPA_ROSH"
    json.dumps(response)  # JSON-able


def test_contract_optional_fields_may_be_left_out() -> None:
    request = contract_request()
    for name in ("women", "lifer_release_date", "unsupervised"):
        del request[name]
    assert tiering.handle(request)["two_axis"]["tier"] == "A2"


@pytest.mark.parametrize(
    ("overrides", "tier"),
    [
        pytest.param({"registrations": ["PRC"]}, "A2S", id="prc-suffix"),
        pytest.param({"unsupervised": True}, "A2S", id="unsupervised-suffix"),
        pytest.param({"registrations": ["RHRH"]}, "A2", id="matching-rosh-code-accepted"),
        pytest.param({"registrations": ["MAPP", "IIOM"]}, "A2", id="mapp-with-mappa-accepted"),
        pytest.param({"rsr": 999.99}, "A2", id="rsr-sentinel-accepted"),
        pytest.param({"rsr": 99.99, "rosh": "MEDIUM"}, "A2", id="rsr-99.99-accepted"),
        pytest.param(
            {"gender": "FEMALE", "mappa": None, "rosh": "LOW", "rsr": None, "registrations": ["RMDO"]},
            "D2",
            id="women-factor-counts-for-women",
        ),
        pytest.param({"assessment": None}, "A2", id="no-assessment-level-2"),
        pytest.param({"mandate_for_change": False}, "A0", id="no-mandate-level-0"),
    ],
)
def test_contract_variants(overrides: dict[str, Any], tier: str) -> None:
    assert tiering.handle(contract_request(**overrides))["two_axis"]["tier"] == tier


def test_contract_women_factor_points() -> None:
    response = tiering.handle(
        contract_request(gender="FEMALE", mappa=None, rosh="LOW", rsr=None, registrations=["RMDO"])
    )
    assert response["two_axis"]["protect"] == {"level": "D", "points": 4}


def test_contract_lifer_and_single_scale_statuses() -> None:
    lifer = tiering.handle(
        contract_request(registrations=["INLL"], lifer_release_date="2026-01-01", mappa=None, rosh="LOW")
    )
    assert lifer["single"] == {"tier": "B", "provisional": False}
    assert tiering.handle(contract_request(active_sentence=False))["single"]["tier"] == "NOT_SUPERVISED"
    assert tiering.handle(contract_request(predictors=None))["single"] == {
        "tier": "MISSING",
        "provisional": False,
    }
    assert tiering.handle(contract_request(predictors={"arp": 50}))["single"]["tier"] == "MISSING"


def nested(path: str, value: Any) -> dict[str, Any]:
    """The example with one dotted path set (``_DELETE`` removes it)."""
    request = contract_request()
    *parents, last = path.split(".")
    target = request
    for part in parents:
        target = target[part]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return request


_DELETE = object()


@pytest.mark.parametrize(
    ("request_", "field", "message"),
    [
        pytest.param(nested("colour", "red"), "colour", "is not a known field", id="unknown-top-level"),
        pytest.param(nested("mappa.tier", 1), "mappa.tier", "is not a known field", id="unknown-in-mappa"),
        pytest.param(nested("women.children", True), "women.children", "is not a known field", id="unknown-in-women"),
        pytest.param(
            nested("predictors.ogrs", 1),
            "predictors.ogrs",
            "is not a known field",
            id="unknown-in-predictors",
        ),
        pytest.param(
            nested("predictors.dc_srp.level", 1),
            "predictors.dc_srp.level",
            "is not a known field",
            id="unknown-in-dc-srp",
        ),
        pytest.param(
            nested("assessment.date", "2026-01-01"),
            "assessment.date",
            "is not a known field",
            id="unknown-in-assessment",
        ),
        pytest.param(
            nested("assessment.needs.GAMBLING", "SEVERE"),
            "assessment.needs.GAMBLING",
            "is not a known need",
            id="unknown-need",
        ),
        pytest.param(
            nested("assessment.needs.ACCOMMODATION", "HIGH"),
            "assessment.needs.ACCOMMODATION",
            "must be one of NO_NEED, STANDARD, SEVERE",
            id="wrong-severity",
        ),
        pytest.param(
            nested("assessment.needs", []), "assessment.needs", "must be a JSON object", id="needs-not-object"
        ),
        pytest.param(
            nested("gender", "M"),
            "gender",
            "must be one of MALE, FEMALE, OTHER, NOT_KNOWN",
            id="wrong-gender",
        ),
        pytest.param(nested("rosh", "EXTREME"), "rosh", "must be one of LOW, MEDIUM, HIGH, VERY_HIGH", id="wrong-rosh"),
        pytest.param(nested("rosh", _DELETE), "rosh", "is required", id="rosh-missing"),
        pytest.param(nested("as_of", _DELETE), "as_of", "is required", id="as-of-missing"),
        pytest.param(nested("as_of", "2026-02-30"), "as_of", "must be a real date", id="as-of-not-a-date"),
        pytest.param(nested("active_sentence", "yes"), "active_sentence", "must be true or false", id="not-boolean"),
        pytest.param(nested("unsupervised", None), "unsupervised", "must not be null", id="unsupervised-null"),
        pytest.param(nested("ogrs", 101), "ogrs", "must be at most 100", id="ogrs-101"),
        pytest.param(nested("ogrs", -1), "ogrs", "must be at least 0", id="ogrs-negative"),
        pytest.param(nested("ogrs", 59.5), "ogrs", "must be a whole number", id="ogrs-fraction"),
        pytest.param(nested("ogrs", "59"), "ogrs", "must be a number", id="ogrs-string"),
        pytest.param(nested("rsr", -0.01), "rsr", "must be at least 0", id="rsr-negative"),
        pytest.param(nested("rsr", 100), "rsr", "must be between 0 and 99.99, or 999.99", id="rsr-100"),
        pytest.param(nested("rsr", 999.98), "rsr", "must be between 0 and 99.99, or 999.99", id="rsr-999.98"),
        pytest.param(nested("rsr", 1000), "rsr", "must be at most 999.99", id="rsr-1000"),
        pytest.param(nested("rsr", 6.995), "rsr", "must have at most 2 decimal places", id="rsr-3-places"),
        pytest.param(nested("mappa.level", 0), "mappa.level", "must be at least 1", id="mappa-level-0"),
        pytest.param(nested("mappa.level", 4), "mappa.level", "must be at most 3", id="mappa-level-4"),
        pytest.param(nested("mappa.category", 0), "mappa.category", "must be at least 1", id="mappa-category-0"),
        pytest.param(nested("mappa.category", 5), "mappa.category", "must be at most 4", id="mappa-category-5"),
        pytest.param(nested("mappa.category", _DELETE), "mappa.category", "is required", id="mappa-category-missing"),
        pytest.param(nested("mappa", 2), "mappa", "must be a JSON object", id="mappa-not-object"),
        pytest.param(
            nested("registrations", ["RCCO", "XYZ"]),
            "registrations[1]",
            "'XYZ' is not a known registration code",
            id="unknown-registration",
        ),
        pytest.param(
            nested("registrations", ["HREG"]),
            "registrations[0]",
            "HREG marks a historic registration",
            id="historic-marker",
        ),
        pytest.param(
            nested("registrations", [7]),
            "registrations[0]",
            "must be a registration code",
            id="registration-not-string",
        ),
        pytest.param(nested("registrations", "ADVP"), "registrations", "must be a list", id="registrations-not-list"),
        pytest.param(
            nested("registrations", ["RMRH"]),
            "registrations",
            "has RMRH (medium) but rosh is HIGH",
            id="rosh-code-conflicts",
        ),
        pytest.param(
            nested("registrations", ["RHRH", "RVHR"]),
            "registrations",
            "has more than one RoSH registration",
            id="two-rosh-codes",
        ),
        pytest.param(
            {**nested("mappa", None), "registrations": ["MAPP"]},
            "registrations",
            "has MAPP but mappa is null",
            id="mapp-without-mappa",
        ),
        pytest.param(nested("predictors.arp", 100.5), "predictors.arp", "must be at most 100", id="arp-over-100"),
        pytest.param(nested("predictors.csrp", -1), "predictors.csrp", "must be at least 0", id="csrp-negative"),
        pytest.param(
            nested("predictors.arp_static", "no"),
            "predictors.arp_static",
            "must be true or false",
            id="static-not-boolean",
        ),
        pytest.param(
            nested("predictors.dc_srp.band", "SEVERE"),
            "predictors.dc_srp.band",
            "must be one of LOW, MEDIUM, HIGH, VERY_HIGH, NOT_APPLICABLE",
            id="wrong-dc-srp-band",
        ),
        pytest.param(
            nested("predictors.dc_srp.score", 0.59),
            "predictors.dc_srp.score",
            "a MEDIUM band needs a score of at least 0.60",
            id="medium-dc-srp-below-0.60",
        ),
        pytest.param(
            nested("lifer_release_date", "27/11/2026"),
            "lifer_release_date",
            "must be a real date",
            id="lifer-date-format",
        ),
        pytest.param(nested("women", True), "women", "must be a JSON object", id="women-not-object"),
    ],
)
def test_contract_rejects(request_: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ContractError) as caught:
        tiering.handle(request_)
    assert caught.value.field == field
    assert message in caught.value.message


def test_contract_accepts_medium_dc_srp_with_score_0_as_ignored() -> None:
    response = tiering.handle(nested("predictors.dc_srp.score", 0))
    assert response["single"]["tier"] == "C"


@pytest.mark.parametrize(
    ("request_", "field", "message"),
    [
        pytest.param([EXAMPLE], "", "must be a JSON object", id="not-an-object"),
        pytest.param(nested("rsr", float("nan")), "rsr", "must be a finite number", id="rsr-nan"),
        pytest.param(nested("rsr", True), "rsr", "must be a number", id="rsr-boolean"),
        pytest.param(nested("predictors.arp", "55"), "predictors.arp", "must be a number", id="arp-string"),
        pytest.param(nested("predictors.csrp", float("inf")), "predictors.csrp", "must be a finite number",
                     id="csrp-infinite"),
        pytest.param(nested("mappa.level", 2.5), "mappa.level", "must be a whole number", id="mappa-level-fraction"),
        pytest.param(nested("mappa.level", True), "mappa.level", "must be a number", id="mappa-level-boolean"),
        pytest.param(nested("registrations", None), "registrations", "must not be null", id="registrations-null"),
        pytest.param(nested("assessment.needs.ATTITUDES", None), "assessment.needs.ATTITUDES",
                     "must not be null", id="severity-null"),
        pytest.param(nested("predictors.dc_srp", []), "predictors.dc_srp", "must be a JSON object",
                     id="dc-srp-not-object"),
    ],
)
def test_contract_rejects_what_is_not_a_json_value_of_its_type(request_: Any, field: str, message: str) -> None:
    with pytest.raises(ContractError) as caught:
        tiering.handle(request_)
    assert (caught.value.field, caught.value.message) == (field, message)


def test_contract_reads_whole_numbers_written_with_a_point() -> None:
    request = contract_request(ogrs=59.0, mappa={"level": 2.0, "category": 1.0})
    assert tiering.handle(request) == tiering.handle(contract_request())


def test_contract_keeps_numbers_as_written() -> None:
    # 55 and 55.0 are the same number; the explanation shows each as the request wrote it.
    lines = tiering.handle(contract_request(predictors={"arp": 55, "csrp": 1.20}))["explanation"]["single"]
    assert lines[0] == "Reoffending table: CSRP 1.2 (row 1.0+), ARP 55 (column 50+) → D"


def test_the_contract_has_one_definition() -> None:
    from casework.rules import registry

    handle = registry.handler("tier")
    assert handle is tiering.handle
    assert (handle.request_model, handle.response_model) == (tiering.TierRequest, tiering.TierResponse)
    request = tiering.TierRequest.model_json_schema()
    assert request["additionalProperties"] is False
    assert set(request["required"]) == {
        "as_of", "gender", "active_sentence", "rosh", "rsr", "mappa", "registrations", "ogrs", "assessment",
        "mandate_for_change", "predictors", "sexual_offence_history",
    }
    assert set(request["properties"]) == set(EXAMPLE)
    rsr = next(s for s in request["properties"]["rsr"]["anyOf"] if s.get("type") == "number")
    assert (rsr["minimum"], rsr["maximum"]) == (0, 999.99)
    response = tiering.TierResponse.model_json_schema()
    assert set(response["properties"]) == {"two_axis", "single", "rules_version", "explanation"}
    assert set(tiering.handle(contract_request())) == set(response["properties"])

# --- Properties ------------------------------------------------------------------------------------

two_places = st.decimals(min_value=0, max_value=Decimal("99.99"), places=2)
scores = st.decimals(min_value=0, max_value=100, places=2)
mappas = st.none() | st.builds(Mappa, st.integers(1, 3), st.integers(1, 4))
# RoSH codes and MAPP must agree with rosh/mappa, so generated registrations leave them out.
free_codes = [code for code in Registration if code.value not in {"RVHR", "RHRH", "RMRH", "RLRH", "MAPP"}]
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31))

tier_inputs = st.builds(
    TierInputs,
    gender=st.sampled_from(Gender),
    active_sentence=st.booleans(),
    rosh=st.none() | st.sampled_from(Rosh),
    rsr=st.none() | two_places | st.just(Decimal("999.99")),
    mappa=mappas,
    registrations=st.frozensets(st.sampled_from(free_codes)),
    ogrs=st.none() | st.integers(0, 100),
    assessment=st.none() | st.builds(Assessment, st.dictionaries(st.sampled_from(Need), st.sampled_from(NeedSeverity))),
    mandate_for_change=st.booleans(),
    women=st.none() | st.builds(WomenFactors, st.booleans(), st.booleans(), st.booleans()),
    predictors=st.none()
    | st.builds(
        Predictors,
        arp=st.none() | scores,
        arp_static=st.none() | st.booleans(),
        csrp=st.none() | scores,
        csrp_static=st.none() | st.booleans(),
        dc_srp=st.none() | st.builds(DcSrp, st.none() | st.sampled_from(DcSrpBand), st.none() | scores),
    ),
    lifer_release_date=st.none() | dates,
    sexual_offence_history=st.booleans(),
    unsupervised=st.booleans(),
)


def _replace(inputs: TierInputs, **changes: Any) -> TierInputs:
    fields = {name: getattr(inputs, name) for name in TierInputs.__dataclass_fields__}
    fields.update(changes)
    return TierInputs(**fields)


@given(tier_inputs, st.sampled_from(free_codes))
def test_adding_a_registration_never_lowers_protect_points(inputs: TierInputs, code: Registration) -> None:
    before = protect_level(inputs).points
    assert protect_level(_replace(inputs, registrations=inputs.registrations | {code})).points >= before


@given(tier_inputs, st.sampled_from(Rosh))
def test_raising_rosh_never_lowers_protect_points(inputs: TierInputs, higher: Rosh) -> None:
    if inputs.rosh is not None and higher.rank < inputs.rosh.rank:
        return
    assert protect_level(_replace(inputs, rosh=higher)).points >= protect_level(inputs).points


@given(tier_inputs, st.integers(1, 3), st.integers(1, 4))
def test_raising_mappa_never_lowers_protect_points(inputs: TierInputs, level: int, category: int) -> None:
    if inputs.mappa is not None and level < inputs.mappa.level:
        return
    assert protect_level(_replace(inputs, mappa=Mappa(level, category))).points >= protect_level(inputs).points


@given(tier_inputs, st.sampled_from(["parenting", "impulsivity_or_temper", "breach_or_recall_last_year"]))
def test_adding_a_women_factor_never_lowers_protect_points(inputs: TierInputs, factor: str) -> None:
    current = inputs.women or WomenFactors()
    women = WomenFactors(**{**current.__dict__, factor: True})
    assert protect_level(_replace(inputs, women=women)).points >= protect_level(inputs).points


@given(tier_inputs, st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 1, 1)))
def test_results_are_well_formed(inputs: TierInputs, as_of: dt.date) -> None:
    result = calculate_tier(inputs, as_of=as_of)
    assert TIER_RE.match(result.two_axis.tier)
    for part in (result.two_axis.protect, result.two_axis.change):
        assert sum(line.points for line in part.breakdown) == part.points
    single_result = result.single
    if single_result.tier in (SingleScaleTier.MISSING, SingleScaleTier.NOT_SUPERVISED):
        assert single_result.provisional is False
    else:
        given_tiers = [r.tier for r in single_result.results if r.tier is not None]
        assert single_result.tier.value == min(given_tiers)
        assert single_result.provisional == bool(single_result.provisional_reasons)


def _upstream_provisional(inputs: TierInputs, result: tiering.SingleTier) -> bool:
    """The HMPPS service's reading: in (c) as well, the table counts only when both are dynamic."""
    p = inputs.predictors
    assert p is not None and p.arp is not None and p.csrp is not None
    results = result.results

    def best(rs: Any) -> str:
        letters = [r.tier for r in rs if r.tier is not None]
        return min(letters) if letters else "G"

    others = best(r for r in results if r.rule is not SingleRule.REOFFENDING)
    flag = False
    if p.arp_static and p.csrp_static:
        flag = others > "A"
    elif p.arp_static or p.csrp_static:
        inf = Decimal("Infinity")
        flag = others > reoffending_tier(inf if p.arp_static else p.arp, inf if p.csrp_static else p.csrp)
    both_dynamic = p.arp_static is False and p.csrp_static is False
    non_rosh = best(
        r
        for r in results
        if r.rule is not SingleRule.MAPPA_ROSH and (r.rule is not SingleRule.REOFFENDING or both_dynamic)
    )
    if inputs.rosh is None:
        flag = flag or non_rosh > ("A" if inputs.mappa is not None else "C")
    return flag


@given(tier_inputs)
def test_reading_of_rule_c_matches_the_hmpps_service_when_static_flags_are_known(inputs: TierInputs) -> None:
    p = inputs.predictors
    if not inputs.active_sentence or p is None or p.arp is None or p.csrp is None:
        return
    if p.arp_static is None or p.csrp_static is None:
        return
    result = single_scale_tier(inputs, as_of=AS_OF)
    assert result.provisional == _upstream_provisional(inputs, result)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
FIELD_NAMES = [*EXAMPLE, "level", "category", "needs", "arp", "csrp", "dc_srp", "band", "score"]


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), json_values, max_size=16))
def test_handle_raises_only_contract_errors_on_arbitrary_json(request_: dict[str, Any]) -> None:
    try:
        response = tiering.handle(request_)
    except ContractError:
        return
    json.dumps(response)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


EXAMPLE_PATHS = _paths(EXAMPLE)


@settings(max_examples=500)
@given(
    st.sampled_from(EXAMPLE_PATHS),
    json_values
    | st.sampled_from(
        [
            None,
            0,
            -1,
            1.5,
            100,
            999.99,
            1e300,
            "2026-02-29",
            "2024-02-29",
            "0001-01-01",
            "INLL",
            "MEDIUM",
            True,
            [],
            {},
        ]
    ),
)
def test_handle_raises_only_contract_errors_on_mutated_requests(path: tuple[Any, ...], value: Any) -> None:
    request = copy.deepcopy(EXAMPLE)
    request["registrations"] = ["RCCO", "ADVP", "INLL"]
    target: Any = request
    for part in path[:-1]:
        target = target[part]
    if isinstance(target, list) and path[-1] >= len(target):
        return
    target[path[-1]] = value
    try:
        response = tiering.handle(request)
    except ContractError:
        return
    assert TIER_RE.match(response["two_axis"]["tier"])
    json.dumps(response)
