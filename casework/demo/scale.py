"""How big a world to build: the sizes and shares every stage reads (docs/scale.md).

The demo builder (``casework demo``) and the generator (``casework generate``) run the same stages
(``casework.demo.stages``); a ``Scale`` is one of the two things that differ between them (the
other is the writer).
"""

from __future__ import annotations

from dataclasses import dataclass

from casework.record.choices import RiskLevel
from casework.workforce.models import Grade

LOW, MEDIUM, HIGH, VERY_HIGH = RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.VERY_HIGH


@dataclass(frozen=True)
class Scale:
    """How big a world to build and the shares it should reproduce (docs/scale.md)."""

    name: str
    regions: int
    pdus_per_region: int
    teams_per_pdu: int
    # Practitioners in each team by grade; every team also has one SPO managing it.
    team_make_up: tuple[tuple[str, int], ...]
    people: int
    months_of_contacts: int = 18
    weeks_ahead: int = 6
    unallocated_share: float = 0.08
    # Of the unallocated: the share given to a team but not yet to a case manager (the rest wait
    # in their PDU's queue with no team).
    team_queue_share: float = 0.5
    restricted_cases: int = 4
    excluded_cases: int = 5  # besides the one case in po's team that po is excluded from
    leavers_per_pdu: int = 1
    head_for_every_pdu: bool = False
    # Caseload sizes of the demo logins that hold cases (the rest are shared out to fill demand).
    po_caseload: int = 40
    new_pso_caseload: int = 6
    # The mean current caseload of a probation officer (scale.md: about 35–37). When set, POs' caseload
    # targets are scaled to it and the other grades share what is left; when None, every grade's targets
    # are scaled by one factor (the demo worlds).
    po_caseload_mean: float | None = None
    rosh_shares: tuple[tuple[str, float], ...] = ((LOW, 0.30), (MEDIUM, 0.50), (HIGH, 0.18), (VERY_HIGH, 0.02))
    women_share: float = 0.10
    young_share: float = 0.15
    domestic_abuse_share: float = 0.30
    child_registration_share: float = 0.20
    outstanding_outcome_share: float = 0.03
    sensitive_share: float = 0.03
    seed: int = 20210626  # unification of probation services, 26 June 2021
    chunk_people: int = 1000
    batch_size: int = 2000
    # Stretches the gaps between contacts (1.0: the national standard's weekly-then-fortnightly
    # rhythm). The national dataset uses it to land on scale.md's 5,000,000 contacts in two years.
    contact_spacing: float = 1.0
    # When set, po's first case gets exactly this many contacts: the benchmarks' heavy case.
    heavy_case_contacts: int = 0


DEMO = Scale(
    name="demo", regions=1, pdus_per_region=2, teams_per_pdu=3,
    team_make_up=((Grade.PO, 5), (Grade.PSO, 3), (Grade.PQIP, 1)), people=2000,
)
# A few dozen people in two small teams: for tests and for a quick look at a fresh checkout.
SMALL = Scale(
    name="small", regions=1, pdus_per_region=2, teams_per_pdu=1,
    team_make_up=((Grade.PO, 2), (Grade.PSO, 2), (Grade.PQIP, 1)), people=36, months_of_contacts=6,
    restricted_cases=1, excluded_cases=1, po_caseload=5, new_pso_caseload=2, chunk_people=20,
)
# National shape (docs/scale.md): 245,000 people, 12 regions, ~110 PDUs (12 x 9 = 108),
# ~900 teams (108 x 8 = 864) of six POs, four PSOs, a PQiP and an SPO: about 11,000 staff with the
# leavers, heads of PDU and QA leads. 15,000 unallocated of 245,000. Contacts: the demo rhythm gives
# about 55 a person over two years; spacing the gaps 2.6 times lands near 5,000,000 in all.
NATIONAL = Scale(
    name="national", regions=12, pdus_per_region=9, teams_per_pdu=8,
    team_make_up=((Grade.PO, 6), (Grade.PSO, 4), (Grade.PQIP, 1)), people=245_000, months_of_contacts=24,
    unallocated_share=15_000 / 245_000, restricted_cases=120, excluded_cases=240, head_for_every_pdu=True,
    po_caseload=60, po_caseload_mean=36.0, contact_spacing=2.6, heavy_case_contacts=300, chunk_people=2500,
)
# One region of the national shape (a twelfth): minutes, not a quarter of an hour, for trying things out.
REGION = Scale(
    name="region", regions=1, pdus_per_region=9, teams_per_pdu=8,
    team_make_up=NATIONAL.team_make_up, people=20_400, months_of_contacts=24,
    unallocated_share=NATIONAL.unallocated_share, restricted_cases=10, excluded_cases=20, head_for_every_pdu=True,
    po_caseload=60, po_caseload_mean=NATIONAL.po_caseload_mean, contact_spacing=2.6, heavy_case_contacts=300,
    chunk_people=2500,
)

# What each command offers: the demo builder the two everyday sizes, the generator every size.
DEMO_SCALES: dict[str, Scale] = {scale.name: scale for scale in (DEMO, SMALL)}
GENERATE_SCALES: dict[str, Scale] = {scale.name: scale for scale in (NATIONAL, REGION, DEMO, SMALL)}
# The national figures the generator's summary compares against.
TARGETS = {"national": {"people": 245_000, "staff": 11_000, "regions": 12, "pdus": 110, "teams": 900,
                        "contacts": 5_000_000, "unallocated": 15_000}}
