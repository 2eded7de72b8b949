"""factory_boy factories, one per state the tests need (named for the state they build)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from casework.account.models import User
from casework.organisation.models import Pdu, Provider, Region, Team
from casework.record.choices import (
    AccessKind,
    AllocationReason,
    ContactKind,
    Gender,
    RiskLevel,
    RiskSource,
    SentenceKind,
    SentenceStatus,
)
from casework.record.models import (
    Address,
    Assignment,
    Case,
    CaseAccess,
    Contact,
    Offence,
    OffenceType,
    Registration,
    RegistrationType,
    RiskAssessment,
    Sentence,
)
from casework.record.services import name_key
from casework.workforce.models import Grade, Staff, TeamMembership

PASSWORD = "correct-horse-battery"


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        skip_postgeneration_save = True
        django_get_or_create = ("code",)

    code = "PS"
    name = "Probation Service"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    code = factory.Sequence(lambda n: f"R{n:03d}")
    name = factory.Sequence(lambda n: f"Region {n}")


class PduFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pdu
        skip_postgeneration_save = True

    region = factory.SubFactory(RegionFactory)
    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"PDU {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    pdu = factory.SubFactory(PduFactory)
    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class StaffFactory(factory.django.DjangoModelFactory):
    """A probation officer with a sign-in account and no team yet."""

    class Meta:
        model = Staff
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    code = factory.Sequence(lambda n: f"S{n:06d}")
    first_name = factory.Sequence(lambda n: f"Staff{n}")
    last_name = "Officer"
    grade = Grade.PO
    started_in_post = dt.date(2020, 1, 6)
    core_training_completed = dt.date(2020, 6, 1)

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        """``StaffFactory(team=t)`` makes them a member (or manager, for an SPO) of team ``t``."""
        if create and extracted is not None:
            role = TeamMembership.Role.MANAGER if self.grade == Grade.SPO else TeamMembership.Role.MEMBER
            TeamMembership.objects.create(staff=self, team=extracted, role=role, start_date=dt.date(2020, 1, 6))


class PsoFactory(StaffFactory):
    grade = Grade.PSO


class UntrainedPsoFactory(StaffFactory):
    grade = Grade.PSO
    started_in_post = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))
    core_training_completed = None


class PqipFactory(StaffFactory):
    grade = Grade.PQIP


class SpoFactory(StaffFactory):
    grade = Grade.SPO


class HeadOfPduFactory(StaffFactory):
    grade = Grade.ACO


class AdminStaffFactory(StaffFactory):
    grade = Grade.ADMIN
    user = factory.SubFactory(UserFactory, is_staff=True, is_superuser=True)


class OffenceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OffenceType
        skip_postgeneration_save = True
        django_get_or_create = ("code",)

    code = "04600"
    description = "Theft from a shop"
    category = "Theft offences"


class UnallocatedCaseFactory(factory.django.DjangoModelFactory):
    """A current case in a PDU's queue: no team and no case manager yet."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    crn = factory.Sequence(lambda n: f"X{n:06d}")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = "Smith"
    name_key = factory.LazyAttribute(lambda o: name_key(o.first_name, o.last_name))
    date_of_birth = dt.date(1990, 3, 31)
    gender = Gender.MALE
    pdu = factory.SubFactory(PduFactory)
    tier = "C2"
    rosh = RiskLevel.MEDIUM


class AllocatedCaseFactory(UnallocatedCaseFactory):
    """A case held by ``manager`` in the manager's team, with its open assignment."""

    manager = factory.SubFactory(StaffFactory)
    team = factory.LazyAttribute(lambda o: o.manager.memberships.first().team if o.manager.memberships.exists()
                                 else TeamFactory())
    pdu = factory.LazyAttribute(lambda o: o.team.pdu)

    @factory.post_generation
    def assignment(self, create, extracted, **kwargs):
        if create:
            Assignment.objects.create(case=self, staff=self.manager, team=self.team,
                                      start=timezone.now() - dt.timedelta(days=90),
                                      reason=AllocationReason.INITIAL_ALLOCATION)


class TeamCaseFactory(UnallocatedCaseFactory):
    """A case given to a team but not yet to a case manager."""

    team = factory.SubFactory(TeamFactory)
    pdu = factory.LazyAttribute(lambda o: o.team.pdu)


def restrict(case: Case, *, permitted=(), excluded=()) -> Case:
    """Make ``case`` limited-access: visible only to ``permitted``, never to ``excluded``."""
    for staff in permitted:
        CaseAccess.objects.create(case=case, staff=staff, kind=AccessKind.PERMITTED, reason="Test")
    for staff in excluded:
        CaseAccess.objects.create(case=case, staff=staff, kind=AccessKind.EXCLUDED, reason="Test")
    Case.objects.filter(pk=case.pk).update(restricted=bool(permitted), has_exclusions=bool(excluded))
    case.refresh_from_db()
    return case


class CommunityOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sentence
        skip_postgeneration_save = True

    case = factory.SubFactory(AllocatedCaseFactory)
    number = factory.Sequence(lambda n: n + 1)
    kind = SentenceKind.COMMUNITY_ORDER
    status = SentenceStatus.COMMUNITY
    length_months = 12
    sentence_date = dt.date(2026, 6, 1)
    start_date = dt.date(2026, 6, 1)
    expected_end_date = dt.date(2027, 5, 31)

    @factory.post_generation
    def main_offence(self, create, extracted, **kwargs):
        if create:
            Offence.objects.create(sentence=self, offence_type=extracted or OffenceTypeFactory(), main=True)


class LicenceFactory(CommunityOrderFactory):
    kind = SentenceKind.CUSTODY
    status = SentenceStatus.LICENCE
    custodial_type = "DETERMINATE"
    length_months = 24
    release_date = dt.date(2026, 5, 1)
    licence_expiry_date = dt.date(2027, 5, 1)


class AppointmentFactory(factory.django.DjangoModelFactory):
    """An office appointment a week ago with no outcome recorded yet."""

    class Meta:
        model = Contact
        skip_postgeneration_save = True

    case = factory.SubFactory(AllocatedCaseFactory)
    kind = ContactKind.OFFICE_APPOINTMENT
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))
    staff = factory.LazyAttribute(lambda o: o.case.manager)
    notes = "Discussed accommodation."


class FutureAppointmentFactory(AppointmentFactory):
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration
        skip_postgeneration_save = True

    case = factory.SubFactory(AllocatedCaseFactory)
    type = factory.LazyFunction(lambda: RegistrationType.objects.get(code="ADVP"))
    start_date = dt.date(2026, 1, 12)


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskAssessment
        skip_postgeneration_save = True

    case = factory.SubFactory(AllocatedCaseFactory)
    assessed_on = dt.date(2026, 7, 1)
    source = RiskSource.OASYS_LAYER_3
    rosh_overall = RiskLevel.MEDIUM
    rosh_public = RiskLevel.MEDIUM
    ogrs = 45
    needs = factory.LazyFunction(lambda: {"ACCOMMODATION": "STANDARD", "THINKING_AND_BEHAVIOUR": "SEVERE"})


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address
        skip_postgeneration_save = True

    case = factory.SubFactory(AllocatedCaseFactory)
    line_1 = "1 High Street"
    town = "Sheffield"
    postcode = "S1 2AB"
    start_date = dt.date(2025, 1, 1)
