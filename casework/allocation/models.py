"""Allocation decisions and batch proposals.

Who holds a case is on the record (``Case.manager``/``team`` with ``record.Assignment`` for the history);
this app keeps what the record does not: each allocation decision with the workload it caused and any
SPO override with its written reason (reported at ``/allocations/overrides/``), and the batch proposals
an SPO reviews line by line before accepting. Written only by ``casework.allocation.services``.
"""

from __future__ import annotations

from django.db import models

from casework.organisation.models import Pdu, Team
from casework.record.choices import AllocationReason
from casework.record.models import Case
from casework.workforce.models import Staff

OVERRIDE_WORDS = {
    "ROSH_ABOVE_LIMIT": "RoSH above what their grade may hold",
    "ROSH_NOT_ASSESSED": "RoSH not assessed",
    "MAPPA_LEVEL_2_OR_3": "MAPPA level 2 or 3",
    "LIFER_OR_IPP": "Lifer or IPP",
    "PROTECT_LEVEL_NOT_ALLOWED": "Protect level their grade may not hold",
    "NO_TIER": "Not tiered",
    "DOMESTIC_ABUSE_OR_CHILD_PROTECTION": "Domestic abuse or child protection registration",
    "OVER_LIMIT": "Over 110% workload",
    "NO_CAPACITY": "No available points",
}


class AllocationDecision(models.Model):
    """One allocation or reallocation of a case, as decided: by whom, why, the workload it caused."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocation_decisions")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="allocations_received")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    previous_staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField()
    reason = models.CharField(max_length=24, choices=AllocationReason.choices)
    notes = models.TextField(blank=True)
    capacity_before = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    capacity_after = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    # An allocation outside the grade matrix or over the limit (rules.md §3.2): the SPO's written reason
    # and what was overridden (the eligibility restriction codes, and OVER_LIMIT / NO_CAPACITY).
    override = models.BooleanField(default=False)
    override_reasons = models.JSONField(default=list, blank=True)
    override_note = models.TextField(blank=True)
    proposal = models.ForeignKey("Proposal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-decided_at"]
        indexes = [models.Index(fields=["team", "-decided_at"]), models.Index(fields=["override", "-decided_at"])]

    def __str__(self) -> str:
        return f"{self.case.crn} to {self.staff}"

    @property
    def override_words(self) -> str:
        return "; ".join(OVERRIDE_WORDS.get(code, code) for code in self.override_reasons)


class Proposal(models.Model):
    """A batch allocation proposal for the queue of one team or one PDU, reviewed before it is accepted."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        ACCEPTED = "ACCEPTED", "Accepted"
        DISCARDED = "DISCARDED", "Discarded"

    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pdu = models.ForeignKey(Pdu, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    peak_capacity_percent = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    rules_version = models.CharField(max_length=40, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Proposal {self.pk} for {self.team or self.pdu}"


class ProposalLine(models.Model):
    """One case of a proposal: who the solver (or the SPO) proposes, and why."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="lines")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    # The case as it was when proposed: accepting re-checks it has not been allocated or changed since.
    case_version = models.PositiveIntegerField()
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    capacity_after = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    unallocated_reason = models.CharField(max_length=60, blank=True)
    changed = models.BooleanField(default=False, help_text="Changed by the SPO from what was proposed")
    override_note = models.TextField(blank=True, help_text="The SPO's reason when the changed line needs an override")
    outcome = models.CharField(max_length=120, blank=True, help_text="What accepting did with this line")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["proposal", "case"], name="one_line_per_case")]

    def __str__(self) -> str:
        return f"{self.case.crn} in proposal {self.proposal_id}"
