"""factory_boy factories, one per state the tests need (named for the state they build)."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import factory
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.access.models import ApiClient, ApiToken, InspectionExercise, ScopeGrant
from casework.access.tokens import digest_of, new_token
from casework.account.models import User
from casework.organisation.models import Pdu, Provider, Region, Team
from casework.record import identifiers
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
from casework.rules import workload
from casework.workforce.models import Grade, Reduction, ReductionReason, Staff, TeamMembership

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


class ReductionFactory(factory.django.DjangoModelFactory):
    """Long-term sickness, 100% of a PO's 37 hours, open-ended from 1 June 2026 (test set-up: not audited)."""

    class Meta:
        model = Reduction
        skip_postgeneration_save = True

    staff = factory.SubFactory(StaffFactory)
    reason = ReductionReason.LONG_TERM_SICKNESS
    percent = Decimal(100)
    hours = factory.LazyAttribute(lambda o: workload.Reduction(percent=o.percent).hours_for(o.staff.contracted_hours)
                                  if o.percent is not None else Decimal(0))
    start = dt.date(2026, 6, 1)
    end = None


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
    first_name_key = factory.LazyAttribute(lambda o: identifiers.first_name_key(o.first_name, o.last_name))
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


# Access: scope grants, inspection exercises, API clients and the second factor.


class QualityAssuranceFactory(StaffFactory):
    grade = Grade.QA


class InspectorFactory(StaffFactory):
    """An inspector. The grade gives no access to cases; only a grant within a running exercise does."""

    grade = Grade.QA


def grant(staff: Staff, role: str, *, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2099, 12, 31), exercise=None,
          status="APPROVED", **scope) -> ScopeGrant:
    """An approved scope grant for ``staff`` (test set-up: written directly, not audited or approved)."""
    return ScopeGrant.objects.create(staff=staff, role=role, starts_on=starts_on, ends_on=ends_on,
                                     exercise=exercise, reason="Test", status=status, **scope)


def running_exercise(**scope) -> InspectionExercise:
    """An inspection exercise that started a week ago and ends in three weeks."""
    today = timezone.localdate()
    return InspectionExercise.objects.create(
        name=f"Inspection {InspectionExercise.objects.count() + 1}", starts_on=today - dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=21), **scope)


def inspector_on(exercise: InspectionExercise, staff: Staff | None = None) -> Staff:
    """An inspector on ``exercise``, with a grant over its whole scope and dates."""
    staff = staff or InspectorFactory()
    grant(staff, "INSPECTOR", starts_on=exercise.starts_on, ends_on=exercise.ends_on, exercise=exercise,
          team=exercise.team, pdu=exercise.pdu, region=exercise.region, national=exercise.national)
    return staff


def api_client(name: str, *, scopes=("cases:read", "rules"), expires_in=dt.timedelta(days=30),
               **scope) -> tuple[ApiClient, ApiToken, str]:
    """An API client with one token: ``(client, token row, the token itself)``."""
    user = User.objects.create(username=f"api.{name}")
    user.set_unusable_password()
    user.save()
    client = ApiClient.objects.create(name=name, user=user, **scope)
    secret, prefix = new_token()
    token = ApiToken.objects.create(client=client, prefix=prefix, digest=digest_of(secret), scopes=list(scopes),
                                    expires_at=timezone.now() + expires_in)
    return client, token, secret


def authenticator_for(user) -> TOTPDevice:
    """A confirmed authenticator app (TOTP device) for ``user``."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def current_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code ``device``'s authenticator app shows now (or ``steps_ahead`` 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def sign_in_fully(client, user):
    """Sign ``client`` in as ``user`` with both factors (an authenticator is set up if need be)."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or authenticator_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
