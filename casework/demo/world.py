"""The world in the database as a whole: is one loaded, delete it, and write the organisation.

Both writers (``casework.demo.builder`` and ``casework.demo.national``) write the organisation the
same way: it is a few thousand rows at most, and the people stage needs its ids.
"""

from __future__ import annotations

from django.db import models

from casework.access.models import ScopeGrant
from casework.account.models import User
from casework.allocation.models import AllocationDecision, Proposal, ProposalLine
from casework.demo.organisation import Organisation
from casework.organisation.models import FundedPost, Pdu, Provider, Region, Team
from casework.record.models import (
    Address,
    Assignment,
    Case,
    CaseAccess,
    Contact,
    LicenceCondition,
    Offence,
    Registration,
    Requirement,
    RiskAssessment,
    Sentence,
    TierCalculation,
)
from casework.workforce.models import CourtReport, Reduction, Staff, TeamMembership, WorkloadSnapshot


def world_exists() -> bool:
    """Whether any organisation, staff or case data is already loaded."""
    return Team.objects.exists() or Staff.objects.exists() or Case.objects.exists()


def delete_world() -> None:
    """Delete every case, staff and organisation record; reference data stays."""
    user_ids = list(Staff.objects.exclude(user=None).values_list("user_id", flat=True))
    # Allocation decisions and proposals point at cases and staff (PROTECT): first.
    for model in (ProposalLine, Proposal, AllocationDecision):
        model.objects.all().delete()
    # Quality assurance exercises point at cases and staff (PROTECT): first, children before parents.
    from casework.quality.models import AnswerRow, Assessment, Exercise, SampledCase, StandardOverride, StandardRating

    for model in (AnswerRow, Assessment, StandardOverride, StandardRating):
        model.objects.all().delete()
    SampledCase.objects.update(replaced_by=None)
    SampledCase.objects.all().delete()
    Exercise.objects.all().delete()
    # Recall steps point at staff (PROTECT): before the staff go.
    from casework.recall.models import Recall, RecallStep

    for model in (RecallStep, Recall):
        model.objects.all().delete()
    # Children first, each a single DELETE; the cascades from Case then find nothing left to collect.
    for model in (TierCalculation, Contact, Assignment, RiskAssessment, Registration, LicenceCondition,
                  Requirement, Offence, Sentence, Address, CaseAccess):
        model.objects.all().delete()
    Case.objects.all().delete()
    ScopeGrant.objects.all().delete()
    CourtReport.objects.all().delete()
    WorkloadSnapshot.objects.all().delete()
    Reduction.objects.all().delete()
    Staff.objects.all().delete()
    for model in (FundedPost, Team, Pdu, Region, Provider):
        model.objects.all().delete()
    # Accounts still referenced by records that stay (the append-only audit log, rule configuration,
    # inspection exercises) cannot be deleted; they are kept and reused by the next build.
    kept: set[int] = set()
    for relation in User._meta.get_fields(include_hidden=True):
        if relation.is_relation and relation.auto_created and getattr(relation, "on_delete", None) is models.PROTECT:
            kept.update(relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": user_ids})
                        .values_list(relation.field.attname, flat=True))
    User.objects.filter(pk__in=user_ids).exclude(pk__in=kept).delete()


def write_organisation(org: Organisation, batch: int) -> None:
    """The provider, regions, PDUs, teams, accounts, staff, memberships, grants and reductions, with ids."""
    Provider.objects.bulk_create([org.provider])
    Region.objects.bulk_create(org.regions, batch_size=batch)
    Pdu.objects.bulk_create(org.pdus, batch_size=batch)
    Team.objects.bulk_create(org.teams, batch_size=batch)
    users = [plan.user for plan in org.staff]
    existing = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    reused = []
    for plan in org.staff:
        old = existing.get(plan.user.username)
        if old is not None:
            # Accounts kept from an earlier build (see delete_world) take the new person's details.
            for name in ("first_name", "last_name", "email", "password", "is_staff", "is_superuser", "is_active"):
                setattr(old, name, getattr(plan.user, name))
            plan.user = plan.staff.user = old
            reused.append(old)
    User.objects.bulk_create([u for u in (p.user for p in org.staff) if u.pk is None], batch_size=batch)
    User.objects.bulk_update(reused, ["first_name", "last_name", "email", "password", "is_staff", "is_superuser",
                                      "is_active"], batch_size=batch)
    Staff.objects.bulk_create([plan.staff for plan in org.staff], batch_size=batch)
    TeamMembership.objects.bulk_create(org.memberships, batch_size=batch)
    ScopeGrant.objects.bulk_create(org.grants, batch_size=batch)
    Reduction.objects.bulk_create(org.reductions, batch_size=batch)
    FundedPost.objects.bulk_create(org.funded_posts, batch_size=batch)


def write_court_reports(reports: list[CourtReport], batch: int) -> None:
    """The generated court reports (``casework.demo.workload``)."""
    CourtReport.objects.bulk_create(reports, batch_size=batch)


def write_snapshots(snapshots: list[WorkloadSnapshot], batch: int) -> None:
    """The generated weekly workload snapshots (``casework.demo.workload``)."""
    WorkloadSnapshot.objects.bulk_create(snapshots, batch_size=batch)
