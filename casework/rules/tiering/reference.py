"""The reference tier engine: rules.md §1, one readable function per rule, with its explanation.

Each function follows the text of rules.md line by line (§1.1 ``protect_level``, §1.2
``change_level``, §1.3 ``single_scale_tier``) and records why it gave what it gave: a line per
factor for the points, a line per single-scale rule, the reasons for the provisional flag.
tests/rules/test_tiering.py pins these functions to rules.md, cell by cell and edge by edge; the
fast path (``fast.py``) must give exactly what ``calculate_tier_reference`` gives, which
tests/rules/test_tiering_fast.py checks on arbitrary inputs.

Interpretations of rules.md text that admits more than one reading (also in README.md):

- RSR bands are the closed ranges rules.md gives (7.00–99.99 → 20, 3.00–6.99 → 10, else 0). RSR is a
  two-decimal percentage, so the contract rejects more than two decimal places; that keeps values
  such as 6.995 (which fall between the ranges) out of the engine's input.
- When RoSH and RSR score the same, one of them is dropped (the explanation names RSR).
- A missing OGRS scores 0; a need missing from the assessment was not assessed and scores 0.
- Missing RoSH with MAPPA counts as "low/none" in single-scale rule 3 (→ E); rule (c) of the
  provisional flag then marks the tier provisional unless the other rules give A.
- Lifer/IPP (rule 4) needs both an ``INLL`` registration and a release date; without a date the
  rule gives no result, and a date without ``INLL`` is ignored. "Released ≤ N years ago" is measured
  in calendar years back from ``as_of`` (not 365-day blocks): released on or after the same day and
  month N years before ``as_of`` counts as within N years, so a release exactly one year ago is still
  B. When that day does not exist (``as_of`` on 29 February) the anniversary is 28 February. A
  release date after ``as_of`` (release imminent) counts as within the first year → B.
- A predictor is *static* when its ``*_static`` flag is true and *dynamic* when it is false; null
  means not known, which is neither: it starts no static rule (a)/(b), and in (d) it keeps the
  reoffending table out of "the other rules", which counts only when both predictors are known to
  be dynamic.
- Provisional (a)/(b): "the other rules" are every single-scale rule except the reoffending table
  (including MAPPA/RoSH). In (b) "the best tier the static one could give" is the reoffending table
  read with the static predictor at its maximum and the dynamic one at its score.
- Provisional (c): "the non-RoSH rules" are every rule except MAPPA/RoSH (rule 3), the reoffending
  table included, because rules.md limits the dynamic-only condition to (d). (The HMPPS service
  applies it in (c) too; the final flag differs only when a static flag is unknown, since with a
  known static predictor (a)/(b) already decide.)
- ``MISSING`` (ARP or CSRP missing) and ``NOT_SUPERVISED`` are not tiers, so they are never
  provisional; the status itself says an input is missing.
- Two-axis tiers are computed whether or not there is an active sentence; only the single scale
  reports ``NOT_SUPERVISED``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from casework.rules.tiering.types import (
    ARP_THRESHOLDS,
    CHANGE_BANDS,
    COMPLEXITY_CODES,
    COMPLEXITY_POINTS,
    CSRP_THRESHOLDS,
    DC_SRP_BAND_TIERS,
    DC_SRP_MEDIUM,
    DOMESTIC_ABUSE_CODES,
    IOM_POINTS,
    LETTERS,
    LIFER_BANDS,
    LIFER_OLDER,
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
    SEVERITY_SCORES,
    WOMEN_FACTOR_POINTS,
    ChangeResult,
    Contribution,
    DcSrp,
    DcSrpBand,
    Gender,
    Need,
    Predictors,
    ProtectLevel,
    ProtectResult,
    Registration,
    RequirementKind,
    RuleResult,
    SingleRule,
    SingleScaleTier,
    SingleTier,
    TierFacts,
    TierInputs,
    TierResult,
    TwoAxisTier,
    WomenFactors,
)

_INFINITY = Decimal("Infinity")


# --- Two-axis: protect ----------------------------------------------------------------------------


def rsr_points(rsr: Decimal | None) -> int:
    """RSR protect points (rules.md §1.1); missing, the 999.99 sentinel and out-of-band score 0."""
    if rsr is None or rsr == RSR_SENTINEL:
        return 0
    for low, high, points in RSR_BANDS:
        if low <= rsr <= high:
            return points
    return 0


def protect_band(points: int) -> ProtectLevel:
    """Protect level for a points total."""
    return next((level for low, level in PROTECT_BANDS if points >= low), ProtectLevel.D)


def protect_level(inputs: TierInputs) -> ProtectResult:
    """Protect level and points (rules.md §1.1) with a line per factor."""
    lines: list[Contribution] = []
    rosh_pts = ROSH_POINTS[inputs.rosh] if inputs.rosh else 0
    if inputs.rosh is None:
        lines.append(Contribution("ROSH", 0, "RoSH not assessed: 0"))
    else:
        lines.append(Contribution("ROSH", rosh_pts, f"RoSH {inputs.rosh.label}: {rosh_pts}"))

    rsr_pts = rsr_points(inputs.rsr)
    if inputs.rsr is None:
        rsr_label = "RSR missing: 0"
    elif inputs.rsr == RSR_SENTINEL:
        rsr_label = "RSR 999.99 (not calculated): 0"
    else:
        rsr_label = f"RSR {inputs.rsr:.2f}: {rsr_pts}"
    lines.append(Contribution("RSR", rsr_pts, rsr_label))

    dropped = min(rosh_pts, rsr_pts)
    if dropped:
        # Ties drop RSR: either would do, and naming one keeps the explanation definite.
        name = "RSR" if rsr_pts <= rosh_pts else "RoSH"
        lines.append(Contribution(
            "ROSH_RSR_LARGER_ONLY", -dropped,
            f"Only the larger of RoSH and RSR counts: {name} {dropped} dropped",
        ))

    if inputs.mappa is None:
        lines.append(Contribution("MAPPA", 0, "No MAPPA: 0"))
    else:
        pts = MAPPA_POINTS.get(inputs.mappa.level, 0)
        lines.append(Contribution(
            "MAPPA", pts, f"MAPPA level {inputs.mappa.level} (category {inputs.mappa.category}): {pts}",
        ))

    for code in COMPLEXITY_CODES:
        if code in inputs.registrations:
            lines.append(Contribution(
                f"COMPLEXITY_{code.value}", COMPLEXITY_POINTS,
                f"Complexity registration {code.value} ({code.label}): {COMPLEXITY_POINTS}",
            ))

    women = inputs.women or WomenFactors()
    women_lines = (
        ("WOMEN_PARENTING", women.parenting, "parenting responsibilities"),
        ("WOMEN_IMPULSIVITY_OR_TEMPER", women.impulsivity_or_temper,
         "impulsivity or temper control a problem"),
        ("WOMEN_BREACH_OR_RECALL", women.breach_or_recall_last_year,
         "breach or recall in the last 365 days"),
    )
    if inputs.gender is Gender.FEMALE:
        for key, present, text in women_lines:
            if present:
                lines.append(Contribution(key, WOMEN_FACTOR_POINTS, f"Women: {text}: {WOMEN_FACTOR_POINTS}"))
    elif any(present for _, present, _ in women_lines):
        lines.append(Contribution(
            "WOMEN_IGNORED", 0, f"Women-only factors ignored (gender {inputs.gender.value}): 0",
        ))

    points = sum(line.points for line in lines)
    return ProtectResult(protect_band(points), points, tuple(lines))


# --- Two-axis: change -----------------------------------------------------------------------------


def change_band(points: int) -> int:
    """Change level (1–3) for a points total with a mandate and an assessment."""
    return next((level for low, level in CHANGE_BANDS if points >= low), 1)


def change_level(inputs: TierInputs) -> ChangeResult:
    """Change level and points (rules.md §1.2) with a line per factor."""
    if not inputs.mandate_for_change:
        # rules.md: no mandate wins over no assessment.
        return ChangeResult(NO_MANDATE_LEVEL, 0, (
            Contribution("NO_MANDATE", 0, "No mandate for change: level 0"),
        ))
    if inputs.assessment is None:
        return ChangeResult(NO_ASSESSMENT_LEVEL, 0, (
            Contribution("NO_ASSESSMENT", 0, "No valid assessment: level 2 with 0 points"),
        ))
    lines: list[Contribution] = []
    for need in Need:
        severity = inputs.assessment.needs.get(need)
        if severity is None:
            continue
        score, weight = SEVERITY_SCORES[severity], NEED_WEIGHTS[need]
        lines.append(Contribution(
            f"NEED_{need.value}", score * weight,
            f"{need.label}: {severity.value.lower().replace('_', ' ')} ({score}) × weight {weight} "
            f"= {score * weight}",
        ))
    if inputs.ogrs is None:
        lines.append(Contribution("OGRS", 0, "OGRS missing: 0"))
    else:
        ogrs_pts = int(inputs.ogrs) // 10
        lines.append(Contribution("OGRS", ogrs_pts, f"OGRS {inputs.ogrs} ÷ 10, whole part: {ogrs_pts}"))
    if Registration.IIOM in inputs.registrations:
        lines.append(Contribution("IOM", IOM_POINTS, f"Integrated offender management (IIOM): {IOM_POINTS}"))
    points = sum(line.points for line in lines)
    return ChangeResult(change_band(points), points, tuple(lines))


def two_axis_tier(inputs: TierInputs) -> TwoAxisTier:
    """The two-axis tier, e.g. ``B2`` or ``B2S`` when unsupervised."""
    protect = protect_level(inputs)
    change = change_level(inputs)
    suffix = "S" if inputs.is_unsupervised else ""
    tier = f"{protect.level.value}{change.level}{suffix}"
    return TwoAxisTier(tier, protect, change, inputs.is_unsupervised)


# --- Single scale -----------------------------------------------------------------------------------


def _rank(letter: str) -> int:
    return LETTERS.index(letter)


def _best(results: Iterable[RuleResult]) -> str | None:
    letters = [r.tier for r in results if r.tier is not None]
    return min(letters, key=_rank) if letters else None


def _reaches(tier: str | None, target: str) -> bool:
    return tier is not None and _rank(tier) <= _rank(target)


def reoffending_tier(arp: Decimal, csrp: Decimal) -> str:
    """Table 1 of rules.md §1.3: row by the first CSRP threshold reached, column by ARP."""
    row = next((i for i, t in enumerate(CSRP_THRESHOLDS) if csrp >= t), len(CSRP_THRESHOLDS) - 1)
    col = next((i for i, t in enumerate(ARP_THRESHOLDS) if arp >= t), len(ARP_THRESHOLDS) - 1)
    return REOFFENDING_TABLE[row][col]


def _reoffending_rule(arp: Decimal, csrp: Decimal) -> RuleResult:
    tier = reoffending_tier(arp, csrp)
    row = next((t for t in CSRP_THRESHOLDS if csrp >= t), CSRP_THRESHOLDS[-1])
    col = next((t for t in ARP_THRESHOLDS if arp >= t), ARP_THRESHOLDS[-1])
    return RuleResult(SingleRule.REOFFENDING, tier,
                      f"Reoffending table: CSRP {csrp} (row {row}+), ARP {arp} (column {col}+) → {tier}")


def dc_srp_rule(dc: DcSrp | None) -> RuleResult | None:
    if dc is None:
        return None
    if dc.band is None or dc.band is DcSrpBand.NOT_APPLICABLE:
        return RuleResult(SingleRule.DC_SRP, None, "DC-SRP ignored: no band or band not applicable")
    if dc.score is None or dc.score <= 0:
        return RuleResult(SingleRule.DC_SRP, None, "DC-SRP ignored: score not above 0")
    band = dc.band.value.lower().replace("_", " ")
    if dc.band is DcSrpBand.MEDIUM:
        for threshold, tier, note in DC_SRP_MEDIUM:
            if dc.score >= threshold:
                return RuleResult(SingleRule.DC_SRP, tier,
                                  f"DC-SRP medium, score {dc.score} ≥ {threshold} ({note}) → {tier}")
        # rules.md has no entry for a medium band below 0.60; the contract rejects it.
        return RuleResult(SingleRule.DC_SRP, None, f"DC-SRP medium, score {dc.score} below 0.60: no result")
    tier = DC_SRP_BAND_TIERS[dc.band]
    return RuleResult(SingleRule.DC_SRP, tier, f"DC-SRP {band} → {tier}")


def _mappa_rosh_rule(inputs: TierInputs) -> RuleResult:
    rosh_text = f"RoSH {inputs.rosh.label}" if inputs.rosh else "RoSH not assessed"
    if inputs.mappa is not None:
        tier = MAPPA_ROSH_TIERS[inputs.rosh]
        return RuleResult(SingleRule.MAPPA_ROSH, tier, f"MAPPA with {rosh_text} → {tier}")
    no_mappa_tier = NO_MAPPA_ROSH_TIERS.get(inputs.rosh) if inputs.rosh else None
    if no_mappa_tier is None:
        return RuleResult(SingleRule.MAPPA_ROSH, None, f"No MAPPA, {rosh_text}: no result")
    return RuleResult(SingleRule.MAPPA_ROSH, no_mappa_tier, f"No MAPPA, {rosh_text} → {no_mappa_tier}")


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day and month ``years`` earlier; 29 February becomes 28 February."""
    if day.year - years < dt.MINYEAR:
        return dt.date.min  # nothing can be earlier, and date() cannot go below year 1
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def lifer_rule(inputs: TierFacts, as_of: dt.date) -> RuleResult | None:
    if Registration.INLL not in inputs.registrations:
        return None
    released = inputs.lifer_release_date
    if released is None:
        return RuleResult(SingleRule.LIFER_IPP, None, "Lifer/IPP (INLL) without a release date: no result")
    for years, tier in LIFER_BANDS:
        if released >= years_before(as_of, years):
            when = "after as_of" if released > as_of else f"within {years} year{'s' if years > 1 else ''}"
            return RuleResult(SingleRule.LIFER_IPP, tier,
                              f"Lifer/IPP released {released.isoformat()} ({when}) → {tier}")
    return RuleResult(SingleRule.LIFER_IPP, LIFER_OLDER,
                      f"Lifer/IPP released {released.isoformat()} (over {LIFER_BANDS[-1][0]} years ago) "
                      f"→ {LIFER_OLDER}")


def _registration_rules(inputs: TierInputs) -> list[RuleResult]:
    results = []
    for code in DOMESTIC_ABUSE_CODES:
        if code in inputs.registrations:
            label = f"{code.label.capitalize()} ({code.value}) → E"
            results.append(RuleResult(SingleRule.DOMESTIC_ABUSE, "E", label))
    if Registration.SPO in inputs.registrations:
        results.append(RuleResult(SingleRule.STALKING, "F", "Stalking (SPO) → F"))
    if Registration.RCPR in inputs.registrations:
        results.append(RuleResult(SingleRule.CHILD_PROTECTION, "F", "Child protection (RCPR) → F"))
    if inputs.sexual_offence_history:
        results.append(RuleResult(SingleRule.SEXUAL_OFFENCE, "E", "Sexual offence in history → E"))
    return results


def _provisional_reasons(inputs: TierInputs, results: list[RuleResult]) -> list[str]:
    predictors = inputs.predictors
    assert predictors is not None and predictors.arp is not None and predictors.csrp is not None
    arp_static = predictors.arp_static is True
    csrp_static = predictors.csrp_static is True
    both_dynamic = predictors.arp_static is False and predictors.csrp_static is False
    others = _best(r for r in results if r.rule is not SingleRule.REOFFENDING)
    reasons = []
    if arp_static and csrp_static:
        if not _reaches(others, "A"):
            reasons.append("(a) ARP and CSRP are both static and no other rule gives A")
    elif arp_static or csrp_static:
        best_static = reoffending_tier(
            _INFINITY if arp_static else predictors.arp, _INFINITY if csrp_static else predictors.csrp,
        )
        if not _reaches(others, best_static):
            which = "ARP" if arp_static else "CSRP"
            reasons.append(f"(b) {which} is static and could give {best_static}; no other rule reaches it")
    if inputs.rosh is None:
        non_rosh = [r for r in results if r.rule is not SingleRule.MAPPA_ROSH]
        if inputs.mappa is not None:
            if not _reaches(_best(non_rosh), "A"):
                reasons.append("(c) RoSH missing with MAPPA and the rules other than MAPPA/RoSH "
                               "do not give A")
        else:
            counted = [r for r in non_rosh if r.rule is not SingleRule.REOFFENDING or both_dynamic]
            if not _reaches(_best(counted), "C"):
                reasons.append("(d) RoSH missing without MAPPA and the rules other than MAPPA/RoSH do not "
                               "give C or higher" + ("" if both_dynamic else
                                                     " (reoffending table not counted: predictors not "
                                                     "both dynamic)"))
    return reasons


def single_scale_tier(inputs: TierInputs, *, as_of: dt.date) -> SingleTier:
    """The single-scale tier A–G (rules.md §1.3) with the provisional flag and every rule's result."""
    if not inputs.active_sentence:
        return SingleTier(SingleScaleTier.NOT_SUPERVISED, False, None, (), (),
                          "No active sentence: not supervised")
    predictors = inputs.predictors or Predictors()
    others: list[RuleResult] = [
        r for r in (
            dc_srp_rule(predictors.dc_srp), _mappa_rosh_rule(inputs), lifer_rule(inputs, as_of),
        ) if r is not None
    ]
    others.extend(_registration_rules(inputs))
    missing = [name for name, value in (("ARP", predictors.arp), ("CSRP", predictors.csrp)) if value is None]
    if missing:
        note = RuleResult(SingleRule.REOFFENDING, None,
                          f"Reoffending table: {' and '.join(missing)} missing")
        return SingleTier(SingleScaleTier.MISSING, False, None, (note, *others), (),
                          f"{' and '.join(missing)} missing: tier cannot be calculated")
    assert predictors.arp is not None and predictors.csrp is not None
    results = [_reoffending_rule(predictors.arp, predictors.csrp), *others]
    best = _best(results)
    assert best is not None  # the reoffending table always gives a tier
    rule = next(r for r in results if r.tier == best)
    reasons = _provisional_reasons(inputs, results)
    summary = f"Tier {best}: {rule.label}"
    return SingleTier(SingleScaleTier(best), bool(reasons), rule.rule, tuple(results), tuple(reasons),
                      summary)


def calculate_tier_reference(inputs: TierInputs, *, as_of: dt.date) -> TierResult:
    """Both tiers by the reference steps above (one readable function per rule).

    ``fast.calculate_tier`` gives exactly this result faster; tests/rules/test_tiering_fast.py checks that.
    """
    return TierResult(two_axis_tier(inputs), single_scale_tier(inputs, as_of=as_of))


# --- Mandate for change ---------------------------------------------------------------------------


def has_mandate_for_change(*, any_custodial_sentence: bool, requirements: Iterable[RequirementKind]) -> bool:
    """rules.md §1.2: a custodial sentence or a rehabilitative requirement gives a mandate."""
    # Unpaid work and "order extended" are ignored; restrictive requirements never give a mandate.
    return any_custodial_sentence or any(RequirementKind(r) is RequirementKind.REHABILITATIVE
                                         for r in requirements)
