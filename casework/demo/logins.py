"""The demo logins printed by ``make run`` and shown on the sign-in page, in demo mode only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

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
    DemoLogin("qa", "Quality assurance lead", "Every case in the region, read-only; runs quality assurance exercises"),
    DemoLogin("assessor", "Quality assurance officer", "Every case in the region, read-only; assesses sampled cases"),
    DemoLogin("admin", "Administrator", "Reference data in administration; no case data"),
)


def print_logins(stdout: TextIO) -> None:
    """The demo logins table: username, role and the shared password."""
    width = max(len("username"), *(len(login.username) for login in DEMO_LOGINS))
    role_width = max(len(login.role) for login in DEMO_LOGINS)
    stdout.write("Demo logins (every one uses the same password):\n")
    stdout.write(f"  {'username':<{width}}  {'role':<{role_width}}  password\n")
    for login in DEMO_LOGINS:
        stdout.write(f"  {login.username:<{width}}  {login.role:<{role_width}}  {DEMO_PASSWORD}\n")
