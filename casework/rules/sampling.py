"""The inspection case sample (rules.md §6.3): who is eligible, how many per stratum, who is drawn.

The algorithm, step by step (README.md "Case sampling" has the worked examples):

1. **Eligibility.** Each record is excluded for the first of these that applies: outside the
   sampling window (when one is given), sensitive, not yet started (start date after ``as_of``),
   unknown gender (``NOT_KNOWN`` or null), gender outside the two strata (``OTHER``). Of the rest,
   records of the same person are reduced to the one with the earliest start (ties: the smallest
   CRN, then every other field, so the choice never depends on input order). Two records are the
   same person when they have the same CRN, or the same PNC, or the same first name, last name
   and date of birth where at least one of the two has no PNC (two different PNCs mean two
   people). "Same person" is transitive.
2. **Strata.** Women; then men by sentence kind (community / post-custody) and RoSH (low / above
   low). RoSH null (not assessed) goes with low: it scores 0 in the tier rules (§1.1), as low does.
3. **Allocation.** The requested size n (capped at the eligible population) is shared out in
   proportion to the strata's eligible counts: each exact share is rounded half up, then the total
   is repaired. When short, one is added to each of the smallest strata (by eligible count) among
   those that rounding left below their exact share; when over, one is taken from each of the
   largest among those that rounding put above it. So every allocation is its exact share rounded
   down or up: within one case of proportional.
4. **Buffer.** Each stratum gets ``ceil(allocated × buffer% ÷ 100)`` reserves (never more than
   its eligible cases left), so replacements can be like for like.
5. **Cascade.** Each stratum's allocation plus reserves is shared out the same way (round, then
   repair) to regions in proportion to that stratum's eligible cases in each, then to each
   region's PDUs, then to each PDU's practitioners.
6. **Cap.** No practitioner gets more than six cases, reserves included (a reserve that replaces a
   case must not break the cap). A practitioner over six gives one case at a time, from their
   largest stratum, to the practitioner in the same PDU with the fewest cases so far who has an
   undrawn case of that stratum and room under the cap. A case nobody in the PDU can take is
   dropped and counted in the shortfall; strata totals stay as allocated otherwise.
7. **Draw.** Within each practitioner and stratum the cases are sorted by CRN and drawn with
   ``random.Random(seed)``, practitioners in (region, PDU, practitioner) order and strata in their
   fixed order; then each stratum's drawn cases are shuffled once more with the same generator and
   the first ``allocated`` are the sample, the rest reserves. Everything is sorted before any
   random call, so the same seed and population give the same sample in any input order.

``shortfall`` is how many of the requested n could not be drawn (a population smaller than n,
or the cap); ``reserve_shortfall`` the same for reserves.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Field, model_validator

from casework.rules.contract import ContractError
from casework.rules.schema import Choice, ContractModel, Date, contract_handler, matching, problem
from casework.rules.tiering import Gender, Rosh  # the tier contract's codes: one definition for both

RULES_VERSION = "sample-2026.1"

PRACTITIONER_CAP = 6
DEFAULT_BUFFER_PERCENT = 20
MAX_POPULATION = 1_000_000
# 80% confidence (two-sided z) and ±5% margin, the Inspectorate's published basis.
DEFAULT_Z = 1.2816
DEFAULT_MARGIN = 0.05
DEFAULT_P = 0.5

CRN_PATTERN = re.compile(r"[A-Z][0-9]{6}")
PNC_PATTERN = re.compile(r"([0-9]{2}|[0-9]{4})/0*([0-9]+)([A-Z])")

K = TypeVar("K", bound=Hashable)


class SentenceKind(StrEnum):
    COMMUNITY = "COMMUNITY"
    POST_CUSTODY = "POST_CUSTODY"


class Stratum(StrEnum):
    FEMALE = "FEMALE"
    MALE_COMMUNITY_LOW = "MALE_COMMUNITY_LOW"
    MALE_COMMUNITY_HIGHER = "MALE_COMMUNITY_HIGHER"
    MALE_POST_CUSTODY_LOW = "MALE_POST_CUSTODY_LOW"
    MALE_POST_CUSTODY_HIGHER = "MALE_POST_CUSTODY_HIGHER"


class Exclusion(StrEnum):
    """Why a record is not eligible; a record counts under the first that applies, in this order."""

    OUTSIDE_WINDOW = "OUTSIDE_WINDOW"
    SENSITIVE = "SENSITIVE"
    NOT_STARTED = "NOT_STARTED"
    UNKNOWN_GENDER = "UNKNOWN_GENDER"
    GENDER_OUTSIDE_STRATA = "GENDER_OUTSIDE_STRATA"
    DUPLICATE = "DUPLICATE"


STRATA: tuple[Stratum, ...] = tuple(Stratum)

ERR_PRACTITIONER_IN_TWO_PDUS = (
    "practitioner {practitioner} is also in region {region}, PDU {pdu}; a practitioner belongs to one PDU"
)
ERR_WINDOW_ORDER = "must not be before window.start"


@dataclass(frozen=True)
class CaseRecord:
    """One case on the long list."""

    crn: str
    gender: Gender | None
    sentence_kind: SentenceKind
    rosh: Rosh | None
    start_date: dt.date
    region: str
    pdu: str
    practitioner: str
    sensitive: bool = False
    team: str | None = None
    pnc: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: dt.date | None = None


@dataclass(frozen=True)
class Window:
    """The sampling window: cases that started from ``start`` to ``end`` inclusive."""

    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class SampledCase:
    crn: str
    stratum: Stratum
    reserve: bool
    region: str
    pdu: str
    team: str | None
    practitioner: str


@dataclass(frozen=True)
class StratumResult:
    population: int  # eligible cases in the stratum
    allocated: int  # its share of the sample
    reserve: int  # reserves wanted
    drawn: int  # sample cases actually drawn
    reserve_drawn: int


@dataclass(frozen=True)
class SampleResult:
    sample: tuple[SampledCase, ...]  # the sample first, then reserves; each by stratum, then CRN
    strata: Mapping[Stratum, StratumResult]
    size: int  # requested
    eligible: int
    excluded: Mapping[Exclusion, int]
    shortfall: int
    reserve_shortfall: int
    rules_version: str = RULES_VERSION


# --- sample size ----------------------------------------------------------------------------------


def sample_size(population: int, *, z: float = DEFAULT_Z, margin: float = DEFAULT_MARGIN,
                p: float = DEFAULT_P) -> int:
    """Cases needed for ±margin at confidence z, finite-population corrected, rounded up."""
    if population < 0:
        raise ValueError("population must not be negative")
    if z <= 0 or not 0 < margin < 1 or not 0 < p < 1:
        raise ValueError("need z > 0, 0 < margin < 1 and 0 < p < 1")
    if population == 0:
        return 0
    # Exact rationals from the decimal parameters, so 164.24… never becomes 165 by float error.
    zf, mf, pf = Fraction(str(z)), Fraction(str(margin)), Fraction(str(p))
    n0 = zf * zf * pf * (1 - pf) / (mf * mf)
    n = n0 / (1 + (n0 - 1) / population)
    return min(math.ceil(n), population)


# --- eligibility ----------------------------------------------------------------------------------


def exclusion_reason(record: CaseRecord, *, as_of: dt.date, window: Window | None = None) -> Exclusion | None:
    """The first reason, other than being a duplicate, that ``record`` cannot be sampled."""
    if window is not None and not window.start <= record.start_date <= window.end:
        return Exclusion.OUTSIDE_WINDOW
    if record.sensitive:
        return Exclusion.SENSITIVE
    if record.start_date > as_of:
        return Exclusion.NOT_STARTED
    if record.gender in (None, Gender.NOT_KNOWN):
        return Exclusion.UNKNOWN_GENDER
    if record.gender is Gender.OTHER:
        return Exclusion.GENDER_OUTSIDE_STRATA
    return None


def normalise_pnc(pnc: str | None) -> str | None:
    """A PNC in one spelling (upper case, no spaces, serial without leading zeros); None if blank."""
    if pnc is None or not pnc.strip():
        return None
    value = re.sub(r"\s+", "", pnc).upper()
    match = PNC_PATTERN.fullmatch(value)
    if match:
        year, serial, check = match.groups()
        return f"{year}/{int(serial)}{check}"
    return value


def _name(value: str | None) -> str | None:
    if value is None:
        return None
    folded = " ".join(value.casefold().split())
    return folded or None


def _identity(record: CaseRecord) -> tuple[str, str, dt.date] | None:
    first, last = _name(record.first_name), _name(record.last_name)
    if first is None or last is None or record.date_of_birth is None:
        return None
    return first, last, record.date_of_birth


def record_order(record: CaseRecord) -> tuple[Any, ...]:
    """A total order on records: earliest start, then CRN, then every other field."""
    return (
        record.start_date, record.crn, record.pnc or "", record.first_name or "", record.last_name or "",
        record.date_of_birth or dt.date.min, record.gender or "", record.sentence_kind, record.rosh or "",
        record.region, record.pdu, record.team or "", record.practitioner, record.sensitive,
    )


def deduplicate(records: Sequence[CaseRecord]) -> tuple[list[CaseRecord], list[CaseRecord]]:
    """Split records into (one per person — the earliest start, duplicates)."""
    ordered = sorted(records, key=record_order)
    parent = list(range(len(ordered)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            # The smaller index (earlier in record order) stays the root: it is the one kept.
            parent[max(ri, rj)] = min(ri, rj)

    by_crn: dict[str, list[int]] = defaultdict(list)
    by_pnc: dict[str, list[int]] = defaultdict(list)
    by_identity: dict[tuple[str, str, dt.date], list[int]] = defaultdict(list)
    for index, record in enumerate(ordered):
        by_crn[record.crn].append(index)
        pnc = normalise_pnc(record.pnc)
        if pnc is not None:
            by_pnc[pnc].append(index)
        identity = _identity(record)
        if identity is not None:
            by_identity[identity].append(index)
    for group in (*by_crn.values(), *by_pnc.values()):
        for other in group[1:]:
            union(group[0], other)
    for group in by_identity.values():
        # Names and date of birth link two records unless both carry a PNC (then the PNC decides).
        without_pnc = [i for i in group if normalise_pnc(ordered[i].pnc) is None]
        if without_pnc:
            for other in group:
                union(without_pnc[0], other)

    kept, duplicates = [], []
    for index, record in enumerate(ordered):
        (kept if find(index) == index else duplicates).append(record)
    return kept, duplicates


def stratum_of(record: CaseRecord) -> Stratum:
    """The stratum of an eligible record (gender MALE or FEMALE)."""
    if record.gender is Gender.FEMALE:
        return Stratum.FEMALE
    if record.gender is not Gender.MALE:
        raise ValueError(f"{record.crn}: only MALE and FEMALE records are stratified")
    higher = record.rosh in (Rosh.MEDIUM, Rosh.HIGH, Rosh.VERY_HIGH)
    if record.sentence_kind is SentenceKind.COMMUNITY:
        return Stratum.MALE_COMMUNITY_HIGHER if higher else Stratum.MALE_COMMUNITY_LOW
    return Stratum.MALE_POST_CUSTODY_HIGHER if higher else Stratum.MALE_POST_CUSTODY_LOW


# --- proportional allocation ----------------------------------------------------------------------


def apportion(total: int, weights: Sequence[tuple[K, int]]) -> dict[K, int]:
    """Share ``total`` in proportion to ``weights``: round half up, then repair the total.

    Short: add one to each of the smallest (by weight, then given order) that rounding left below
    their exact share. Over: take one from each of the largest that rounding put above it. Every
    result is its exact share rounded down or up, so never more than its weight.
    """
    whole = sum(w for _, w in weights)
    if total < 0 or any(w < 0 for _, w in weights):
        raise ValueError("total and weights must not be negative")
    if total > whole:
        raise ValueError(f"cannot share {total} among weights summing to {whole}")
    if whole == 0:
        return {key: 0 for key, _ in weights}
    # Exact share = total × w / whole; compare shares as integers scaled by ``whole``.
    shares = {key: (2 * total * w + whole) // (2 * whole) for key, w in weights}
    gap = total - sum(shares.values())
    if gap > 0:
        below = [(w, i, key) for i, (key, w) in enumerate(weights) if shares[key] * whole < total * w]
        for _, _, key in sorted(below)[:gap]:
            shares[key] += 1
    elif gap < 0:
        above = [(-w, i, key) for i, (key, w) in enumerate(weights) if shares[key] * whole > total * w]
        for _, _, key in sorted(above)[:-gap]:
            shares[key] -= 1
    # Rounding half up moves each share by at most a half, so there are always enough candidates.
    assert sum(shares.values()) == total
    return shares


# --- the draw -------------------------------------------------------------------------------------

Leaf = tuple[str, str, str]  # (region, pdu, practitioner)


def _check_practitioners(records: Sequence[CaseRecord]) -> None:
    home: dict[str, tuple[str, str]] = {}
    for record in sorted(records, key=record_order):
        unit = (record.region, record.pdu)
        seen = home.setdefault(record.practitioner, unit)
        if seen != unit:
            message = ERR_PRACTITIONER_IN_TWO_PDUS.format(
                practitioner=record.practitioner, region=seen[0], pdu=seen[1])
            raise ContractError("population", message)


def _leaf(record: CaseRecord) -> Leaf:
    return (record.region, record.pdu, record.practitioner)


def _cascade(total: int, cases: Sequence[CaseRecord]) -> dict[Leaf, int]:
    """Share one stratum's total down region → PDU → practitioner."""
    tree: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for record in cases:
        tree[record.region][record.pdu][record.practitioner] += 1

    def count(node: Any) -> int:
        return node if isinstance(node, int) else sum(count(child) for child in node.values())

    result: dict[Leaf, int] = {}
    by_region = apportion(total, sorted((region, count(pdus)) for region, pdus in tree.items()))
    for region, region_total in by_region.items():
        pdus = tree[region]
        by_pdu = apportion(region_total, sorted((pdu, count(people)) for pdu, people in pdus.items()))
        for pdu, pdu_total in by_pdu.items():
            for practitioner, k in apportion(pdu_total, sorted(pdus[pdu].items())).items():
                result[(region, pdu, practitioner)] = k
    return result


def _apply_cap(allocation: dict[Leaf, dict[Stratum, int]], available: dict[Leaf, dict[Stratum, int]],
               cap: int) -> None:
    """Move each practitioner's cases over ``cap`` to others in the same PDU, or drop them."""
    units: dict[tuple[str, str], list[Leaf]] = defaultdict(list)
    for leaf in sorted(allocation):
        units[leaf[:2]].append(leaf)

    def load(leaf: Leaf) -> int:
        return sum(allocation[leaf].values())

    for unit in sorted(units):
        for giver in units[unit]:
            while load(giver) > cap:
                # The giver's largest stratum first; strata in fixed order on a tie.
                strata = sorted((s for s in STRATA if allocation[giver][s] > 0),
                                key=lambda s: (-allocation[giver][s], STRATA.index(s)))
                for stratum in strata:
                    receivers = [
                        leaf for leaf in units[unit]
                        if leaf != giver and load(leaf) < cap
                        and allocation[leaf][stratum] < available[leaf][stratum]
                    ]
                    if receivers:
                        # Smallest first: the practitioner with fewest sampled cases so far.
                        receiver = min(receivers, key=lambda leaf: (load(leaf), leaf))
                        allocation[giver][stratum] -= 1
                        allocation[receiver][stratum] += 1
                        break
                else:
                    # Nobody in the PDU can take it: the case is not drawn (shortfall).
                    allocation[giver][strata[0]] -= 1


def draw_sample(records: Sequence[CaseRecord], *, size: int | None, as_of: dt.date, seed: int,
                buffer_percent: int = DEFAULT_BUFFER_PERCENT, window: Window | None = None,
                cap: int = PRACTITIONER_CAP) -> SampleResult:
    """Draw the inspection sample and reserves from the long list (rules.md §6.3)."""
    if size is not None and size < 0:
        raise ValueError("size must not be negative")
    if not 0 <= buffer_percent <= 100:
        raise ValueError("buffer_percent must be 0–100")
    if cap < 1:
        raise ValueError("cap must be at least 1")

    excluded = dict.fromkeys(Exclusion, 0)
    candidates = []
    for record in records:
        reason = exclusion_reason(record, as_of=as_of, window=window)
        if reason is None:
            candidates.append(record)
        else:
            excluded[reason] += 1
    eligible, duplicates = deduplicate(candidates)
    excluded[Exclusion.DUPLICATE] = len(duplicates)
    _check_practitioners(eligible)

    by_stratum: dict[Stratum, list[CaseRecord]] = {s: [] for s in STRATA}
    for record in eligible:
        by_stratum[stratum_of(record)].append(record)

    requested = sample_size(len(eligible)) if size is None else size
    n = min(requested, len(eligible))
    allocated = apportion(n, [(s, len(by_stratum[s])) for s in STRATA])
    # ceil(allocated × buffer% ÷ 100) in integers, never more than the stratum has left.
    reserve = {
        s: min((allocated[s] * buffer_percent + 99) // 100, len(by_stratum[s]) - allocated[s]) for s in STRATA
    }

    pools: dict[tuple[Leaf, Stratum], list[CaseRecord]] = defaultdict(list)
    for stratum in STRATA:
        for record in by_stratum[stratum]:
            pools[(_leaf(record), stratum)].append(record)
    leaves = sorted({leaf for leaf, _ in pools})
    available = {leaf: {s: len(pools.get((leaf, s), ())) for s in STRATA} for leaf in leaves}
    # Every practitioner with an eligible case is in ``allocation``, so each can receive moved cases.
    allocation = {leaf: dict.fromkeys(STRATA, 0) for leaf in leaves}
    for stratum in STRATA:
        for leaf, k in _cascade(allocated[stratum] + reserve[stratum], by_stratum[stratum]).items():
            allocation[leaf][stratum] = k
    _apply_cap(allocation, available, cap)

    rng = random.Random(seed)
    drawn: dict[Stratum, list[CaseRecord]] = {s: [] for s in STRATA}
    for leaf in sorted(allocation):
        for stratum in STRATA:
            k = allocation[leaf][stratum]
            if k:
                pool = sorted(pools[(leaf, stratum)], key=lambda r: r.crn)
                drawn[stratum].extend(rng.sample(pool, k))

    sample: list[SampledCase] = []
    strata: dict[Stratum, StratumResult] = {}
    for stratum in STRATA:
        chosen = sorted(drawn[stratum], key=lambda r: r.crn)
        rng.shuffle(chosen)
        main = min(allocated[stratum], len(chosen))
        for position, record in enumerate(chosen):
            sample.append(SampledCase(
                crn=record.crn, stratum=stratum, reserve=position >= main, region=record.region,
                pdu=record.pdu, team=record.team, practitioner=record.practitioner,
            ))
        strata[stratum] = StratumResult(
            population=len(by_stratum[stratum]),
            allocated=allocated[stratum],
            reserve=reserve[stratum],
            drawn=main,
            reserve_drawn=len(chosen) - main,
        )
    sample.sort(key=lambda c: (c.reserve, STRATA.index(c.stratum), c.crn))
    drawn_main = sum(r.drawn for r in strata.values())
    return SampleResult(
        sample=tuple(sample),
        strata=strata,
        size=requested,
        eligible=len(eligible),
        excluded=excluded,
        shortfall=requested - drawn_main,
        reserve_shortfall=sum(r.reserve - r.reserve_drawn for r in strata.values()),
    )


# --- the JSON contract ----------------------------------------------------------------------------


def _label(value: str) -> str:
    value = value.strip()
    if not value:
        raise problem("must not be empty")
    return value


#: An organisation or practitioner name: trimmed, not blank, at most 200 characters.
Label = Annotated[str, Field(max_length=200), AfterValidator(_label)]
Name = Annotated[str, Field(max_length=200)]
Crn = matching(CRN_PATTERN.pattern, "must be one letter and six digits, like X123456", example="X123456")


class SampleCaseRecord(ContractModel):
    """One case on the long list. Every field must be given; those marked "or null" may be null."""

    crn: Crn  # type: ignore[valid-type]
    """Case reference: one capital letter and six digits."""
    pnc: Annotated[str, Field(max_length=20)] | None
    """Police National Computer number, or null (used to find the same person twice)."""
    first_name: Name | None
    """First name, or null."""
    last_name: Name | None
    """Last name, or null."""
    date_of_birth: Date | None
    """Date of birth (YYYY-MM-DD), or null."""
    gender: Choice[Gender] | None
    """MALE, FEMALE, OTHER or NOT_KNOWN, or null (not known)."""
    sentence_kind: Choice[SentenceKind]
    """COMMUNITY or POST_CUSTODY."""
    rosh: Choice[Rosh] | None
    """Risk of serious harm: LOW, MEDIUM, HIGH or VERY_HIGH, or null when not assessed."""
    start_date: Date
    """When the sentence or licence started (YYYY-MM-DD)."""
    region: Label
    """Region."""
    pdu: Label
    """Probation delivery unit."""
    team: Label | None
    """Team, or null."""
    practitioner: Label
    """Who holds the case (one practitioner belongs to one PDU)."""
    sensitive: bool
    """Sensitive cases are never sampled."""


class SampleWindow(ContractModel):
    """The sampling window: cases that started from ``start`` to ``end`` inclusive."""

    start: Date
    """First start date included (YYYY-MM-DD)."""
    end: Date
    """Last start date included (YYYY-MM-DD), not before ``start``."""

    @model_validator(mode="after")
    def _in_order(self) -> SampleWindow:
        if self.end < self.start:
            raise ContractError("end", ERR_WINDOW_ORDER)
        return self


class SampleRequest(ContractModel):
    """The long list and how many cases to draw."""

    population: Annotated[list[SampleCaseRecord], Field(max_length=MAX_POPULATION)]
    """Every case on the long list."""
    size: Annotated[int, Field(ge=0, le=MAX_POPULATION)] | None
    """Cases wanted; null for the Inspectorate's sample size for the eligible population."""
    buffer_percent: Annotated[int, Field(ge=0, le=100)] = DEFAULT_BUFFER_PERCENT
    """Reserves per stratum as a percentage of its allocation, rounded up (default 20)."""
    as_of: Date
    """The date eligibility is judged on (YYYY-MM-DD)."""
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)]
    """Random seed: the same seed and population give the same sample."""
    window: SampleWindow | None = None
    """Only cases that started in this window are eligible (none when left out or null)."""


class SampleCase(ContractModel):
    """One drawn case."""

    crn: str
    stratum: Stratum
    """FEMALE, MALE_COMMUNITY_LOW, MALE_COMMUNITY_HIGHER, MALE_POST_CUSTODY_LOW or MALE_POST_CUSTODY_HIGHER."""
    reserve: bool
    """True for a reserve (a like-for-like replacement), false for the sample itself."""
    region: str
    pdu: str
    team: str | None
    practitioner: str


class SampleStratum(ContractModel):
    """One stratum's counts."""

    population: int
    """Eligible cases in the stratum."""
    allocated: int
    """Its share of the sample."""
    reserve: int
    """Reserves wanted."""
    drawn: int
    """Sample cases actually drawn."""
    reserve_drawn: int
    """Reserves actually drawn."""


class SampleResponse(ContractModel):
    """The sample, then the reserves; the counts per stratum and why cases were not eligible."""

    sample: list[SampleCase]
    """The sample first, then reserves; each by stratum, then CRN."""
    strata: dict[Stratum, SampleStratum]
    """Counts for every stratum."""
    shortfall: int
    """How many of the requested cases could not be drawn."""
    reserve_shortfall: int
    """How many of the wanted reserves could not be drawn."""
    size: int
    """The size requested (or computed, when ``size`` was null)."""
    eligible: int
    """Eligible cases after exclusions and duplicates."""
    excluded: dict[Exclusion, int]
    """Cases not eligible, by the first reason that applied."""
    rules_version: str
    """The version of the sampling rules that produced this answer."""


def _record(r: SampleCaseRecord) -> CaseRecord:
    return CaseRecord(
        crn=r.crn, gender=r.gender, sentence_kind=r.sentence_kind, rosh=r.rosh, start_date=r.start_date,
        region=r.region, pdu=r.pdu, practitioner=r.practitioner, sensitive=r.sensitive, team=r.team,
        pnc=r.pnc, first_name=r.first_name, last_name=r.last_name, date_of_birth=r.date_of_birth,
    )


def to_response(result: SampleResult) -> SampleResponse:
    """The contract response for a sample."""
    return SampleResponse(
        sample=[
            SampleCase(crn=c.crn, stratum=c.stratum, reserve=c.reserve, region=c.region, pdu=c.pdu,
                           team=c.team, practitioner=c.practitioner)
            for c in result.sample
        ],
        strata={
            s: SampleStratum(population=r.population, allocated=r.allocated, reserve=r.reserve, drawn=r.drawn,
                          reserve_drawn=r.reserve_drawn)
            for s, r in result.strata.items()
        },
        shortfall=result.shortfall,
        reserve_shortfall=result.reserve_shortfall,
        size=result.size,
        eligible=result.eligible,
        excluded=dict(result.excluded),
        rules_version=result.rules_version,
    )


def sample(request: SampleRequest) -> SampleResponse:
    """``casework rules sample``: the sample for one validated request."""
    window = None if request.window is None else Window(start=request.window.start, end=request.window.end)
    result = draw_sample([_record(r) for r in request.population], size=request.size,
                         buffer_percent=request.buffer_percent, as_of=request.as_of, seed=request.seed,
                         window=window)
    return to_response(result)


#: ``handle(request) -> dict``: the ``sample`` contract (ContractError if invalid).
handle = contract_handler(SampleRequest, SampleResponse, sample)
