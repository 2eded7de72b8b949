"""The fast path: the same tiers as ``reference.calculate_tier_reference``, for a caseload at a time.

``calculate_tier`` answers the contract (``casework rules tier``, ``POST /api/rules/tier``) and bulk
recalculation (245,000 people in seconds). It applies the rules of ``reference.py`` from tables made
once, at import, from the same data in ``types.py``: every explanation line that does not depend on a
free-form number is built here once, what a set of registration codes does is worked out once per
distinct set, and the reoffending table is read by bisection. ``explain=False`` skips the explanation
(and returns one shared result object per distinct outcome).

This is the only other implementation of the rules. tests/rules/test_tiering_fast.py proves on
arbitrary inputs that it gives exactly the reference's results, explanations and errors (values,
types and order); a change to how a rule works is made in ``reference.py`` first, then here, and
that test says whether the two still agree.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from operator import attrgetter
from typing import Any, NamedTuple

from casework.rules.tiering.reference import change_band, dc_srp_rule, lifer_rule, protect_band, rsr_points
from casework.rules.tiering.types import (
    ARP_THRESHOLDS,
    CHANGE_BANDS,
    COMPLEXITY_CODES,
    COMPLEXITY_POINTS,
    CSRP_THRESHOLDS,
    DOMESTIC_ABUSE_CODES,
    IOM_POINTS,
    LETTERS,
    MAPPA_POINTS,
    MAPPA_ROSH_TIERS,
    NEED_WEIGHTS,
    NO_ASSESSMENT_LEVEL,
    NO_MANDATE_LEVEL,
    NO_MAPPA_ROSH_TIERS,
    PROTECT_BANDS,
    REOFFENDING_TABLE,
    ROSH_POINTS,
    RSR_BANDS,
    RSR_SENTINEL,
    RULES_VERSION,
    SEVERITY_SCORES,
    WOMEN_FACTOR_POINTS,
    ChangeResult,
    Contribution,
    Gender,
    Need,
    NeedSeverity,
    ProtectResult,
    Registration,
    Rosh,
    RuleResult,
    SingleRule,
    SingleScaleTier,
    SingleTier,
    TierFacts,
    TierResult,
    TwoAxisTier,
)

#: Bound on each memo below, so odd inputs given through the Python API cannot grow them without end.
_MEMO_LIMIT = 1 << 16

# --- Result objects -------------------------------------------------------------------------------
#
# The frozen dataclasses' generated __init__ sets each field with object.__setattr__, which is where
# much of the time went; the results are made by filling each instance's __dict__ directly, with the
# same fields in the same order (checked here once, and by the tests that compare reprs).

_new_object = object.__new__
_points_of = attrgetter("points")
for _cls, _names in (
    (RuleResult, ("rule", "tier", "label")),
    (ProtectResult, ("level", "points", "breakdown")),
    (ChangeResult, ("level", "points", "breakdown")),
    (TwoAxisTier, ("tier", "protect", "change", "unsupervised")),
    (SingleTier, ("tier", "provisional", "rule", "results", "provisional_reasons", "summary")),
    (TierResult, ("two_axis", "single", "rules_version")),
):
    assert tuple(f.name for f in dataclass_fields(_cls)) == _names, _cls
    assert not hasattr(_cls, "__post_init__") and not hasattr(_cls, "__slots__"), _cls
del _cls, _names


# --- Protect level (rules.md §1.1) --------------------------------------------------------------------

_ROSH_LINES: dict[Rosh | None, Contribution] = {None: Contribution("ROSH", 0, "RoSH not assessed: 0")}
_ROSH_LINES.update({
    rosh: Contribution("ROSH", ROSH_POINTS[rosh], f"RoSH {rosh.label}: {ROSH_POINTS[rosh]}") for rosh in Rosh
})
_RSR_MISSING_LINE = Contribution("RSR", 0, "RSR missing: 0")
_RSR_SENTINEL_LINE = Contribution("RSR", 0, "RSR 999.99 (not calculated): 0")
#: RSR line by ``str(rsr)``: the line is a function of the exact decimal, which its string keeps.
_RSR_LINES: dict[str, Contribution] = {}
#: "Only the larger counts" line by (RoSH points, RSR points), when both score.
_DROPPED_LINES: dict[tuple[int, int], Contribution] = {
    (rosh_pts, rsr_pts): Contribution(
        "ROSH_RSR_LARGER_ONLY", -min(rosh_pts, rsr_pts),
        f"Only the larger of RoSH and RSR counts: {'RSR' if rsr_pts <= rosh_pts else 'RoSH'} "
        f"{min(rosh_pts, rsr_pts)} dropped",
    )
    for rosh_pts in ROSH_POINTS.values() if rosh_pts
    for rsr_pts in (points for _, _, points in RSR_BANDS) if rsr_pts
}
_NO_MAPPA_LINE = Contribution("MAPPA", 0, "No MAPPA: 0")
_MAPPA_LINES: dict[tuple[int, int], Contribution] = {}
_COMPLEXITY_LINES: tuple[tuple[Registration, Contribution], ...] = tuple(
    (code, Contribution(f"COMPLEXITY_{code.value}", COMPLEXITY_POINTS,
                        f"Complexity registration {code.value} ({code.label}): {COMPLEXITY_POINTS}"))
    for code in COMPLEXITY_CODES
)
_WOMEN_LINES: tuple[Contribution, ...] = tuple(
    Contribution(key, WOMEN_FACTOR_POINTS, f"Women: {text}: {WOMEN_FACTOR_POINTS}") for key, text in (
        ("WOMEN_PARENTING", "parenting responsibilities"),
        ("WOMEN_IMPULSIVITY_OR_TEMPER", "impulsivity or temper control a problem"),
        ("WOMEN_BREACH_OR_RECALL", "breach or recall in the last 365 days"),
    )
)
_WOMEN_IGNORED_LINES: dict[Gender, Contribution] = {
    gender: Contribution("WOMEN_IGNORED", 0, f"Women-only factors ignored (gender {gender.value}): 0")
    for gender in Gender
}
#: (protect level, its letter) by points, up to well past the highest band; more points use protect_band.
_PROTECT_BY_POINTS = tuple((protect_band(points), protect_band(points).value)
                           for points in range(PROTECT_BANDS[0][0] * 4))


def _rsr_line(rsr: Decimal) -> Contribution:
    """The RSR line for ``rsr``, made once per distinct written value."""
    key = str(rsr)
    line = _RSR_LINES.get(key)
    if line is None:
        if rsr == RSR_SENTINEL:
            line = _RSR_SENTINEL_LINE
        else:
            points = rsr_points(rsr)
            line = Contribution("RSR", points, f"RSR {rsr:.2f}: {points}")
        # Kept only when the label rounds nothing (at most two decimal places, no exponent), as the
        # rounding of the decimal context in force would otherwise change it.
        dot = key.find(".")
        if (dot < 0 or len(key) - dot <= 3) and "E" not in key and "e" not in key and len(_RSR_LINES) < _MEMO_LIMIT:
            _RSR_LINES[key] = line
    return line


def _mappa_line(level: Any, category: Any) -> Contribution:
    plain = type(level) is int and type(category) is int
    line = _MAPPA_LINES.get((level, category)) if plain else None
    if line is None:
        points = MAPPA_POINTS.get(level, 0)
        line = Contribution("MAPPA", points, f"MAPPA level {level} (category {category}): {points}")
        if plain and len(_MAPPA_LINES) < _MEMO_LIMIT:
            _MAPPA_LINES[level, category] = line
    return line


# --- Change level (rules.md §1.2) ---------------------------------------------------------------------

_NO_MANDATE_LINES = (Contribution("NO_MANDATE", 0, "No mandate for change: level 0"),)
_NO_ASSESSMENT_LINES = (Contribution("NO_ASSESSMENT", 0, "No valid assessment: level 2 with 0 points"),)
_NEED_ORDER: tuple[Need, ...] = tuple(Need)
#: Per need, in Need order: its line by severity, and None for a need not assessed.
_NEED_TABLES: tuple[dict[NeedSeverity | None, Contribution | None], ...] = tuple(
    {None: None, **{
        severity: Contribution(
            f"NEED_{need.value}", SEVERITY_SCORES[severity] * NEED_WEIGHTS[need],
            f"{need.label}: {severity.value.lower().replace('_', ' ')} ({SEVERITY_SCORES[severity]}) "
            f"× weight {NEED_WEIGHTS[need]} = {SEVERITY_SCORES[severity] * NEED_WEIGHTS[need]}",
        ) for severity in NeedSeverity
    }} for need in Need
)
#: Per need, in Need order: its points by severity, and 0 for a need not assessed.
_NEED_POINT_TABLES: tuple[dict[NeedSeverity | None, int], ...] = tuple(
    {severity: (line.points if line else 0) for severity, line in table.items()} for table in _NEED_TABLES
)
_OGRS_MISSING_LINE = Contribution("OGRS", 0, "OGRS missing: 0")
_OGRS_LINES: dict[int, Contribution] = {
    ogrs: Contribution("OGRS", ogrs // 10, f"OGRS {ogrs} ÷ 10, whole part: {ogrs // 10}") for ogrs in range(101)
}
_IOM_LINE = Contribution("IOM", IOM_POINTS, f"Integrated offender management (IIOM): {IOM_POINTS}")
#: Change level by points, up to well past the highest band; more points use change_band.
_CHANGE_BY_POINTS = tuple(change_band(points) for points in range(CHANGE_BANDS[0][0] * 4))


# --- Registrations ------------------------------------------------------------------------------------

#: Worse than any tier: stands for "no result" where rule results are compared as letters.
_NO_TIER = "H"
_DOMESTIC_ABUSE_RESULTS: tuple[tuple[Registration, RuleResult], ...] = tuple(
    (code, RuleResult(SingleRule.DOMESTIC_ABUSE, "E", f"{code.label.capitalize()} ({code.value}) → E"))
    for code in DOMESTIC_ABUSE_CODES
)
_STALKING = RuleResult(SingleRule.STALKING, "F", "Stalking (SPO) → F")
_CHILD_PROTECTION = RuleResult(SingleRule.CHILD_PROTECTION, "F", "Child protection (RCPR) → F")


class _Profile(NamedTuple):
    """What a set of registration codes does to the tier, worked out once per distinct set."""

    complexity: tuple[Contribution, ...]  # protect lines, in COMPLEXITY_CODES order
    complexity_points: int
    iom: bool
    unsupervised: bool  # PRC
    lifer: bool  # INLL
    rules: tuple[RuleResult, ...]  # domestic abuse, stalking and child protection, in rule order
    rules_best: str  # the best tier of ``rules``, or _NO_TIER


_PROFILES: dict[frozenset[Registration], _Profile] = {}


def _profile(registrations: frozenset[Registration]) -> _Profile:
    profile = _PROFILES.get(registrations)
    if profile is None:
        rules = [result for code, result in _DOMESTIC_ABUSE_RESULTS if code in registrations]
        if Registration.SPO in registrations:
            rules.append(_STALKING)
        if Registration.RCPR in registrations:
            rules.append(_CHILD_PROTECTION)
        complexity = tuple(line for code, line in _COMPLEXITY_LINES if code in registrations)
        profile = _Profile(
            complexity, sum(map(_points_of, complexity)),
            Registration.IIOM in registrations, Registration.PRC in registrations,
            Registration.INLL in registrations,
            tuple(rules), min((result.tier for result in rules), default=_NO_TIER),
        )
        if len(_PROFILES) < _MEMO_LIMIT:
            _PROFILES[registrations] = profile
    return profile


# --- Single scale (rules.md §1.3) -------------------------------------------------------------------

_REOFFENDING = SingleRule.REOFFENDING
_NOT_SUPERVISED_SUMMARY = "No active sentence: not supervised"
#: (ARP missing, CSRP missing) → (the reoffending line, the summary).
_MISSING_PREDICTORS: dict[tuple[bool, bool], tuple[RuleResult, str]] = {}
for _arp_missing, _csrp_missing in ((True, False), (False, True), (True, True)):
    _names = " and ".join(name for name, absent in (("ARP", _arp_missing), ("CSRP", _csrp_missing)) if absent)
    _MISSING_PREDICTORS[_arp_missing, _csrp_missing] = (
        RuleResult(_REOFFENDING, None, f"Reoffending table: {_names} missing"),
        f"{_names} missing: tier cannot be calculated",
    )
del _arp_missing, _csrp_missing, _names
# Table 1 by bisection: with k thresholds at or below a score, its row (or column) is the k-th from
# the end of the (descending) thresholds, or the last when k is 0.
assert list(CSRP_THRESHOLDS) == sorted(CSRP_THRESHOLDS, reverse=True)
assert list(ARP_THRESHOLDS) == sorted(ARP_THRESHOLDS, reverse=True)
_CSRP_ASCENDING: tuple[Decimal, ...] = CSRP_THRESHOLDS[::-1]
_ARP_ASCENDING: tuple[Decimal, ...] = ARP_THRESHOLDS[::-1]
_CSRP_ROW: tuple[int, ...] = (len(CSRP_THRESHOLDS) - 1, *range(len(CSRP_THRESHOLDS) - 1, -1, -1))
_ARP_COLUMN: tuple[int, ...] = (len(ARP_THRESHOLDS) - 1, *range(len(ARP_THRESHOLDS) - 1, -1, -1))
#: The reoffending line's text around ARP, by row and column: "Reoffending table: CSRP {csrp}" +
#: middle + "{arp}" + end.
_REOFFENDING_TEXT: tuple[tuple[tuple[str, str], ...], ...] = tuple(
    tuple((f" (row {row_from}+), ARP ", f" (column {column_from}+) → {REOFFENDING_TABLE[row][column]}")
          for column, column_from in enumerate(ARP_THRESHOLDS))
    for row, row_from in enumerate(CSRP_THRESHOLDS)
)
_MAPPA_ROSH_RESULTS: dict[Rosh | None, RuleResult] = {}
_NO_MAPPA_ROSH_RESULTS: dict[Rosh | None, RuleResult] = {}
for _rosh in (None, *Rosh):
    _text = f"RoSH {_rosh.label}" if _rosh else "RoSH not assessed"
    _MAPPA_ROSH_RESULTS[_rosh] = RuleResult(
        SingleRule.MAPPA_ROSH, MAPPA_ROSH_TIERS[_rosh], f"MAPPA with {_text} → {MAPPA_ROSH_TIERS[_rosh]}",
    )
    _tier = NO_MAPPA_ROSH_TIERS.get(_rosh) if _rosh else None
    _NO_MAPPA_ROSH_RESULTS[_rosh] = RuleResult(
        SingleRule.MAPPA_ROSH, _tier,
        f"No MAPPA, {_text}: no result" if _tier is None else f"No MAPPA, {_text} → {_tier}",
    )
del _rosh, _text, _tier
_SEXUAL_OFFENCE = RuleResult(SingleRule.SEXUAL_OFFENCE, "E", "Sexual offence in history → E")
_REASON_A = "(a) ARP and CSRP are both static and no other rule gives A"
_REASONS_B: dict[tuple[str, str], str] = {
    (which, tier): f"(b) {which} is static and could give {tier}; no other rule reaches it"
    for which in ("ARP", "CSRP") for tier in LETTERS
}
_REASON_C = "(c) RoSH missing with MAPPA and the rules other than MAPPA/RoSH do not give A"
_REASON_D = "(d) RoSH missing without MAPPA and the rules other than MAPPA/RoSH do not give C or higher"
_REASON_D_NOT_COUNTED = _REASON_D + " (reoffending table not counted: predictors not both dynamic)"
_SINGLE_TIERS: dict[str, SingleScaleTier] = {tier.value: tier for tier in SingleScaleTier}


def _single(inputs: TierFacts, profile: _Profile, as_of: dt.date,
            explain: bool) -> tuple[str, bool, SingleRule | None, list[RuleResult], list[str], str]:
    """single_scale_tier: (tier, provisional, deciding rule, results, provisional reasons, summary);
    without ``explain``, results and reasons are empty and the summary is ""."""
    if not inputs.active_sentence:
        return "NOT_SUPERVISED", False, None, [], [], _NOT_SUPERVISED_SUMMARY if explain else ""
    rosh = inputs.rosh
    has_mappa = inputs.mappa is not None
    mappa_rosh = (_MAPPA_ROSH_RESULTS if has_mappa else _NO_MAPPA_ROSH_RESULTS)[rosh]
    predictors = inputs.predictors
    dc_srp = None if predictors is None else predictors.dc_srp
    # rest: the best tier of the rules other than the reoffending table and MAPPA/RoSH.
    rest = profile.rules_best
    if dc_srp is None and not profile.lifer and not inputs.sexual_offence_history:
        others = [mappa_rosh, *profile.rules]
    else:  # the rules in the order rules.md lists them
        others = []
        if dc_srp is not None:
            result = dc_srp_rule(dc_srp)
            others.append(result)
            if result.tier is not None and result.tier < rest:
                rest = result.tier
        others.append(mappa_rosh)
        if profile.lifer:
            result = lifer_rule(inputs, as_of)
            others.append(result)
            if result.tier is not None and result.tier < rest:
                rest = result.tier
        others.extend(profile.rules)
        if inputs.sexual_offence_history:
            others.append(_SEXUAL_OFFENCE)
            if rest > "E":
                rest = "E"
    if predictors is None:
        arp = csrp = arp_static = csrp_static = None
    else:
        arp, csrp = predictors.arp, predictors.csrp
        arp_static, csrp_static = predictors.arp_static, predictors.csrp_static
    if arp is None or csrp is None:
        if not explain:
            return "MISSING", False, None, [], [], ""
        note, summary = _MISSING_PREDICTORS[arp is None, csrp is None]
        return "MISSING", False, None, [note, *others], [], summary

    row = _CSRP_ROW[bisect_right(_CSRP_ASCENDING, csrp)]
    column = _ARP_COLUMN[bisect_right(_ARP_ASCENDING, arp)]
    table = REOFFENDING_TABLE[row][column]
    mappa_rosh_tier = mappa_rosh.tier or _NO_TIER
    others_best = mappa_rosh_tier if mappa_rosh_tier < rest else rest
    if table <= others_best:  # a tie goes to the earlier rule, and the table comes first
        best, rule, deciding = table, _REOFFENDING, None
    else:
        best = others_best
        deciding = next(result for result in others if result.tier == best)
        rule = deciding.rule

    reasons = []
    arp_is_static = arp_static is True
    csrp_is_static = csrp_static is True
    if arp_is_static and csrp_is_static:
        if others_best > "A":
            reasons.append(_REASON_A)
    elif arp_is_static or csrp_is_static:
        # The table with the static predictor at its maximum: the first column or the first row.
        best_static = REOFFENDING_TABLE[row][0] if arp_is_static else REOFFENDING_TABLE[0][column]
        if others_best > best_static:
            reasons.append(_REASONS_B["ARP" if arp_is_static else "CSRP", best_static])
    if rosh is None:
        non_rosh_best = table if table < rest else rest
        if has_mappa:
            if non_rosh_best > "A":
                reasons.append(_REASON_C)
        else:
            both_dynamic = arp_static is False and csrp_static is False
            if (non_rosh_best if both_dynamic else rest) > "C":
                reasons.append(_REASON_D if both_dynamic else _REASON_D_NOT_COUNTED)
    if not explain:
        return best, bool(reasons), rule, [], [], ""
    middle, end = _REOFFENDING_TEXT[row][column]
    reoffending = _new_object(RuleResult)
    fields = reoffending.__dict__
    fields["rule"] = _REOFFENDING
    fields["tier"] = table
    fields["label"] = f"Reoffending table: CSRP {csrp!s}{middle}{arp!s}{end}"
    summary = f"Tier {best}: {(deciding or reoffending).label}"
    return best, bool(reasons), rule, [reoffending, *others], reasons, summary


# --- Both tiers -------------------------------------------------------------------------------------------

#: Without an explanation there are few distinct results, and they are immutable: each is made once.
_UNEXPLAINED: dict[tuple[Any, ...], TierResult] = {}


def calculate_tier(inputs: TierFacts, *, as_of: dt.date, explain: bool = True) -> TierResult:
    """Both tiers for one case as of a date: exactly ``calculate_tier_reference(inputs, as_of=as_of)``.

    ``inputs`` is a ``TierInputs`` or the contract's validated ``TierRequest`` (both ``TierFacts``).

    ``explain=False`` gives the same tiers, levels, points, provisional flags and deciding rule without
    their explanation (every ``breakdown``, ``results`` and ``provisional_reasons`` empty, ``summary``
    ""): for recalculating many tiers when only the tiers are kept.
    """
    profile = _PROFILES.get(inputs.registrations) or _profile(inputs.registrations)

    # Protect level: RoSH, RSR (only the larger counts), MAPPA, complexity, women's factors.
    rosh_line = _ROSH_LINES[inputs.rosh]
    rsr = inputs.rsr
    rsr_line = _RSR_MISSING_LINE if rsr is None else _rsr_line(rsr)
    mappa = inputs.mappa
    mappa_line = _NO_MAPPA_LINE if mappa is None else _mappa_line(mappa.level, mappa.category)
    rosh_points, rsr_points_ = rosh_line.points, rsr_line.points
    dropped = _DROPPED_LINES[rosh_points, rsr_points_] if rosh_points and rsr_points_ else None
    women, women_lines = inputs.women, ()
    if women is not None:
        present = (women.parenting, women.impulsivity_or_temper, women.breach_or_recall_last_year)
        if inputs.gender is Gender.FEMALE:
            women_lines = tuple(line for given, line in zip(present, _WOMEN_LINES, strict=True) if given)
        elif present[0] or present[1] or present[2]:
            women_lines = (_WOMEN_IGNORED_LINES[inputs.gender],)
    protect_points = rosh_points + rsr_points_ + mappa_line.points + profile.complexity_points
    if dropped is not None:
        protect_points += dropped.points
    if women_lines:
        protect_points += sum(map(_points_of, women_lines))
    if 0 <= protect_points < len(_PROTECT_BY_POINTS):
        level, letter = _PROTECT_BY_POINTS[protect_points]
    else:
        level = protect_band(protect_points)
        letter = level.value

    # Change level: no mandate, no assessment, or the needs, OGRS and IOM.
    assessment = inputs.assessment
    if not inputs.mandate_for_change:
        change_level, change_points, change_lines = NO_MANDATE_LEVEL, 0, _NO_MANDATE_LINES
    elif assessment is None:
        change_level, change_points, change_lines = NO_ASSESSMENT_LEVEL, 0, _NO_ASSESSMENT_LINES
    else:
        # Points by arithmetic (all that explain=False needs); the lines only for the explanation.
        needs = assessment.needs
        in_order = len(needs) == len(_NEED_ORDER) and tuple(needs) == _NEED_ORDER  # every need, in Need order
        if in_order:
            change_points = sum(map(dict.__getitem__, _NEED_POINT_TABLES, needs.values()))
        else:  # a need not assessed maps to None, which scores 0
            change_points = sum(map(dict.__getitem__, _NEED_POINT_TABLES, map(needs.get, _NEED_ORDER)))
        ogrs = inputs.ogrs
        ogrs_line = _OGRS_MISSING_LINE if ogrs is None else _OGRS_LINES.get(ogrs) if type(ogrs) is int else None
        if ogrs_line is None:
            ogrs_points = int(ogrs) // 10
            ogrs_line = Contribution("OGRS", ogrs_points, f"OGRS {ogrs} ÷ 10, whole part: {ogrs_points}")
        change_points += ogrs_line.points
        if profile.iom:
            change_points += IOM_POINTS
        change_level = (_CHANGE_BY_POINTS[change_points] if 0 <= change_points < len(_CHANGE_BY_POINTS)
                        else change_band(change_points))
        if explain:
            if in_order:
                change_lines = list(map(dict.__getitem__, _NEED_TABLES, needs.values()))
            else:  # each need's line in Need order; a need not assessed maps to None, which filter drops
                change_lines = list(filter(None, map(dict.__getitem__, _NEED_TABLES, map(needs.get, _NEED_ORDER))))
            change_lines.append(ogrs_line)
            if profile.iom:
                change_lines.append(_IOM_LINE)

    unsupervised = inputs.unsupervised or profile.unsupervised
    tier, provisional, rule, results, reasons, summary = _single(inputs, profile, as_of, explain)

    if explain:
        protect_lines = (rosh_line, rsr_line, *(() if dropped is None else (dropped,)), mappa_line,
                         *profile.complexity, *women_lines)
        return _result(level, letter, protect_points, protect_lines, change_level, change_points,
                       tuple(change_lines), unsupervised, tier, provisional, rule, tuple(results), tuple(reasons),
                       summary)
    if unsupervised is not True and unsupervised is not False:  # a value that only equals one of them
        return _result(level, letter, protect_points, (), change_level, change_points, (), unsupervised, tier,
                       provisional, rule, (), (), "")
    key = (protect_points, change_level, change_points, unsupervised, tier, provisional, rule)
    result = _UNEXPLAINED.get(key)
    if result is None:
        result = _result(level, letter, protect_points, (), change_level, change_points, (), unsupervised, tier,
                         provisional, rule, (), (), "")
        if len(_UNEXPLAINED) < _MEMO_LIMIT:
            _UNEXPLAINED[key] = result
    return result


def _result(level: Any, letter: str, protect_points: int, protect_lines: tuple[Contribution, ...], change_level: int,
            change_points: int, change_lines: tuple[Contribution, ...], unsupervised: Any, tier: str,
            provisional: bool, rule: SingleRule | None, results: tuple[RuleResult, ...], reasons: tuple[str, ...],
            summary: str) -> TierResult:
    protect = _new_object(ProtectResult)
    fields = protect.__dict__
    fields["level"] = level
    fields["points"] = protect_points
    fields["breakdown"] = protect_lines
    change = _new_object(ChangeResult)
    fields = change.__dict__
    fields["level"] = change_level
    fields["points"] = change_points
    fields["breakdown"] = change_lines
    two_axis = _new_object(TwoAxisTier)
    fields = two_axis.__dict__
    fields["tier"] = f"{letter}{change_level}{'S' if unsupervised else ''}"
    fields["protect"] = protect
    fields["change"] = change
    fields["unsupervised"] = unsupervised
    single = _new_object(SingleTier)
    fields = single.__dict__
    fields["tier"] = _SINGLE_TIERS[tier]
    fields["provisional"] = provisional
    fields["rule"] = rule
    fields["results"] = results
    fields["provisional_reasons"] = reasons
    fields["summary"] = summary
    result = _new_object(TierResult)
    fields = result.__dict__
    fields["two_axis"] = two_axis
    fields["single"] = single
    fields["rules_version"] = RULES_VERSION
    return result
