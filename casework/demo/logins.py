"""The demo logins printed by ``make run`` and shown on the sign-in page, in demo mode only."""

from __future__ import annotations

from dataclasses import dataclass

# Demo data only: the demo command refuses to run unless settings.DEMO_MODE is on, which production
# settings force off, so this password can never open a production account.
DEMO_PASSWORD = "casework-demo"  # noqa: S105


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    sees: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("po", "Probation officer (PO)", "Own caseload; their team's cases read-only"),
    DemoLogin("pso", "Probation services officer, core training complete", "Own caseload; team read-only"),
    DemoLogin("pso.new", "Probation services officer, new in post without core training", "Own caseload"),
    DemoLogin("pqip", "Trainee probation officer (PQiP)", "Own caseload; team read-only"),
    DemoLogin("spo", "Senior probation officer (SPO)", "The teams they manage, and their PDU's allocation queue"),
    DemoLogin("head", "Head of PDU", "Every case in their probation delivery unit"),
    DemoLogin("qa", "Quality assurance lead", "Every case in the region, read-only"),
    DemoLogin("admin", "Administrator", "Reference data in administration; no case data"),
)
