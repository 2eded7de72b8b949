"""The case record: the person on probation, sentences, registrations, risk, assignments, contacts.

Writes go through ``casework.record.services``; reads through ``casework.record.selectors``. Models
hold data and small derived properties only — no business logic in ``save()``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from casework.organisation.models import Pdu, Team
from casework.record import identifiers
from casework.record.choices import (
    AbsenceReason,
    AccessKind,
    AllocationReason,
    ContactKind,
    ContactOutcome,
    CustodialType,
    DcSrpBand,
    Gender,
    LicenceConditionKind,
    ProgressStatus,
    RegistrationGroup,
    RequirementKind,
    RequirementUnit,
    RiskLevel,
    RiskSource,
    SentenceKind,
    SentenceStatus,
    YesNoUnknown,
)
from casework.workforce.models import Staff


def validate_crn(value: str) -> None:
    if not identifiers.is_valid_crn(value):
        raise ValidationError(identifiers.CRN_ERROR, code="invalid_crn")


def validate_pnc(value: str) -> None:
    try:
        canonical = identifiers.normalise_pnc(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid_pnc") from None
    if canonical != value:
        raise ValidationError("Store PNC numbers in the form YYYY/NNNNNNNA", code="pnc_not_canonical")


# Reference data (edited by administrators in the Django admin).


class OffenceType(models.Model):
    """A Home Office offence code."""

    code = models.CharField(max_length=10, unique=True)
    description = models.CharField(max_length=300)
    category = models.CharField(max_length=100)
    sexual = models.BooleanField(default=False)
    violent = models.BooleanField(default=False)
    domestic_abuse_related = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.description} ({self.code})"


class RegistrationType(models.Model):
    """A kind of registration (risk flag), with its nDelius code (rules.md §1.2)."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    group = models.CharField(max_length=16, choices=RegistrationGroup.choices)
    review_period_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


# The case.


class Case(models.Model):
    """A person on probation, identified by their case reference number (CRN)."""

    class Status(models.TextChoices):
        CURRENT = "CURRENT", "Currently supervised"
        PREVIOUSLY_KNOWN = "PREVIOUSLY_KNOWN", "Previously supervised"

    crn = models.CharField("CRN", max_length=7, unique=True, validators=[validate_crn])
    pnc = models.CharField("PNC number", max_length=13, blank=True, db_index=True, validators=[validate_pnc])
    first_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    # "last first" and "first last" without accents or case (``identifiers.surname_key`` and
    # ``first_name_key``), for indexed prefix search by name without a function index.
    name_key = models.CharField(max_length=201, db_index=True, editable=False)
    first_name_key = models.CharField(max_length=201, db_index=True, editable=False, default="")
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=10, choices=Gender.choices)
    phone = models.CharField(max_length=30, blank=True)
    mobile = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    children_contact = models.CharField(
        "lives with or has contact with children",
        max_length=8,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.UNKNOWN,
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CURRENT)

    # Who holds the case now. History is in Assignment; these are kept in step by the services.
    pdu = models.ForeignKey(Pdu, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    manager = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="caseload"
    )

    # Limited access: ``restricted`` cases are seen only by staff with a PERMITTED CaseAccess row;
    # staff with an EXCLUDED row never see the case. ``has_exclusions`` lets selectors skip the
    # exclusion subquery cheaply for the great majority of cases.
    restricted = models.BooleanField(default=False)
    has_exclusions = models.BooleanField(default=False)

    # Latest derived values, written by the tiering/risk services with the calculation kept.
    tier = models.CharField(max_length=4, blank=True, help_text="Two-axis tier, e.g. B2 or B2S")
    tier_single = models.CharField(max_length=16, blank=True, help_text="Single-scale tier A–G")
    rosh = models.CharField("RoSH", max_length=10, choices=RiskLevel.choices, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["manager", "status"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["pdu", "status"]),
            # Team caseload pages read 50 cases in name order: with the order in the index the
            # database walks it and stops at 50, instead of computing the list columns (four
            # subqueries each) for every case in the team and sorting (docs/adr/0003).
            models.Index(fields=["team", "status", "last_name", "first_name", "crn"], name="case_team_name_order"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.crn})"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_allocated(self) -> bool:
        return self.manager_id is not None


class CaseAccess(models.Model):
    """A member of staff excluded from, or permitted to see, a limited-access case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_rules")
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="case_access")
    kind = models.CharField(max_length=10, choices=AccessKind.choices)
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "case access rule"
        verbose_name_plural = "case access rules"
        constraints = [models.UniqueConstraint(fields=["case", "staff"], name="one_access_rule_per_staff")]
        indexes = [models.Index(fields=["staff", "kind"])]

    def __str__(self) -> str:
        return f"{self.staff} {self.get_kind_display().lower()} on {self.case.crn}"


class Address(models.Model):
    """An address in the person's history; ``end_date`` empty means current."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="addresses")
    no_fixed_abode = models.BooleanField(default=False)
    line_1 = models.CharField(max_length=200, blank=True)
    line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    kind = models.CharField(max_length=60, blank=True, help_text="e.g. approved premises, family home")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["case", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="address_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return "No fixed abode" if self.no_fixed_abode else ", ".join(self.lines)

    @property
    def lines(self) -> list[str]:
        return [x for x in (self.line_1, self.line_2, self.town, self.postcode) if x]


class Sentence(models.Model):
    """A sentence (event) the person is supervised on."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sentences")
    number = models.PositiveSmallIntegerField(help_text="Event number within the case")
    kind = models.CharField(max_length=32, choices=SentenceKind.choices)
    custodial_type = models.CharField(max_length=20, choices=CustodialType.choices, blank=True)
    status = models.CharField(max_length=32, choices=SentenceStatus.choices)
    court = models.CharField(max_length=200, blank=True)
    length_months = models.PositiveSmallIntegerField(null=True, blank=True)
    sentence_date = models.DateField()
    start_date = models.DateField()
    release_date = models.DateField(null=True, blank=True)
    expected_end_date = models.DateField(null=True, blank=True)
    licence_expiry_date = models.DateField(null=True, blank=True)
    termination_date = models.DateField(null=True, blank=True)
    termination_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-sentence_date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="one_event_number_per_case"),
            models.CheckConstraint(condition=models.Q(start_date__gte=models.F("sentence_date")),
                                   name="sentence_starts_on_or_after_sentence_date"),
        ]
        indexes = [models.Index(fields=["case", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.sentence_date:%d %b %Y})"

    @property
    def is_current(self) -> bool:
        return self.status != SentenceStatus.ENDED


class Offence(models.Model):
    """An offence on a sentence; exactly one is the main offence."""

    sentence = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="offences")
    offence_type = models.ForeignKey(OffenceType, on_delete=models.PROTECT)
    main = models.BooleanField(default=False)
    offence_date = models.DateField(null=True, blank=True)
    count = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["-main", "offence_date"]
        constraints = [
            models.UniqueConstraint(fields=["sentence"], condition=models.Q(main=True), name="one_main_offence")
        ]

    def __str__(self) -> str:
        return str(self.offence_type)


class Requirement(models.Model):
    """A requirement of a community or suspended sentence order."""

    sentence = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(max_length=32, choices=RequirementKind.choices)
    detail = models.CharField(max_length=300, blank=True)
    length = models.PositiveIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=10, choices=RequirementUnit.choices, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ProgressStatus.choices, default=ProgressStatus.ACTIVE)

    class Meta:
        ordering = ["start_date", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class LicenceCondition(models.Model):
    """A licence or post-sentence supervision condition."""

    sentence = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="licence_conditions")
    kind = models.CharField(max_length=32, choices=LicenceConditionKind.choices)
    description = models.CharField(max_length=500)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.description


class Registration(models.Model):
    """A registration (risk flag) on the case, e.g. MAPPA level 2, domestic abuse perpetrator."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="registrations")
    type = models.ForeignKey(RegistrationType, on_delete=models.PROTECT, related_name="registrations")
    level = models.PositiveSmallIntegerField(null=True, blank=True, help_text="MAPPA level 1–3")
    category = models.PositiveSmallIntegerField(null=True, blank=True, help_text="MAPPA category 1–4")
    start_date = models.DateField()
    next_review_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True, help_text="Deregistered on")
    historic = models.BooleanField(default=False, help_text="Historic (HREG): ignored by tiering")
    notes = models.TextField(blank=True)
    registered_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["case", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(level__gte=1, level__lte=3),
                name="mappa_level_1_to_3",
            ),
            models.CheckConstraint(
                condition=models.Q(category__isnull=True) | models.Q(category__gte=1, category__lte=4),
                name="mappa_category_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return str(self.type)

    @property
    def is_active(self) -> bool:
        return self.end_date is None and not self.historic


class RiskAssessment(models.Model):
    """A risk record: RoSH by risk group, predictor scores and criminogenic needs."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    assessed_on = models.DateField()
    source = models.CharField(max_length=24, choices=RiskSource.choices)
    rosh_overall = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    rosh_public = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    rosh_known_adult = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    rosh_children = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    rosh_staff = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    rosh_prisoners = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    ogrs = models.PositiveSmallIntegerField("OGRS (%)", null=True, blank=True)
    rsr = models.DecimalField("RSR", max_digits=5, decimal_places=2, null=True, blank=True)
    arp = models.DecimalField("ARP", max_digits=5, decimal_places=2, null=True, blank=True)
    arp_static = models.BooleanField(default=False)
    csrp = models.DecimalField("CSRP", max_digits=5, decimal_places=2, null=True, blank=True)
    csrp_static = models.BooleanField(default=False)
    dc_srp_band = models.CharField("DC-SRP band", max_length=16, choices=DcSrpBand.choices, blank=True)
    dc_srp_score = models.DecimalField("DC-SRP score", max_digits=5, decimal_places=2, null=True, blank=True)
    # Women's factors read by tiering (rules.md §1.1); null means not assessed.
    parenting_responsibilities = models.BooleanField(null=True, blank=True)
    impulsivity_or_temper = models.BooleanField("impulsivity or temper control a problem", null=True, blank=True)
    # {"ACCOMMODATION": "STANDARD", ...}; a missing key means the need was not assessed.
    needs = models.JSONField(default=dict, blank=True)
    assessor = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["case", "-assessed_on"])]
        get_latest_by = "assessed_on"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ogrs__isnull=True) | models.Q(ogrs__lte=100), name="ogrs_percentage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} on {self.assessed_on:%d %b %Y}"

    @property
    def rosh_by_group(self) -> list[tuple[str, str]]:
        return [
            ("Public", self.get_rosh_public_display()),
            ("Known adult", self.get_rosh_known_adult_display()),
            ("Children", self.get_rosh_children_display()),
            ("Staff", self.get_rosh_staff_display()),
            ("Prisoners", self.get_rosh_prisoners_display()),
        ]


class Assignment(models.Model):
    """Who managed the case, from when, and why: the case manager assignment history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="assignments")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=24, choices=AllocationReason.choices)
    notes = models.TextField(blank=True)
    allocated_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["case", "-start"]), models.Index(fields=["staff", "start"])]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=models.Q(end__isnull=True),
                                    name="one_open_assignment_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.staff} from {self.start:%d %b %Y}"


class Contact(models.Model):
    """A contact with or about the person: an appointment, a visit, a call, a note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    sentence = models.ForeignKey(Sentence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=24, choices=ContactKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    location = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=28, choices=ContactOutcome.choices, blank=True)
    absence_reason = models.CharField(max_length=24, choices=AbsenceReason.choices, blank=True)
    notes = models.TextField(blank=True)
    sensitive = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["case", "-starts_at"]),
            models.Index(fields=["case", "kind", "-starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(absence_reason="") | models.Q(outcome=ContactOutcome.ACCEPTABLE_ABSENCE),
                name="absence_reason_only_for_acceptable_absence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.starts_at:%d %b %Y}"

    @property
    def is_appointment(self) -> bool:
        return ContactKind(self.kind).is_appointment


class SubmissionKey(models.Model):
    """The one-time key of a submitted form, so the same form sent twice (a double click) writes once.

    The form carries a new key each time it is shown; the service stores it in the transaction of
    the write it made. A second request with the same key meets the primary key (even when both
    arrive at once) and is answered with the write the first one made. ``action`` is the audit
    action of that write; ``contact`` the contact it recorded or changed.
    """

    key = models.UUIDField(primary_key=True)
    action = models.CharField(max_length=40)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.action} {self.key}"


class TierCalculation(models.Model):
    """One tier calculation with every input, so "why is this case B2?" has a stored answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tier_calculations")
    calculated_at = models.DateTimeField()
    as_of = models.DateField()
    trigger = models.CharField(max_length=100)
    rules_version = models.CharField(max_length=40)
    tier = models.CharField(max_length=4)
    tier_single = models.CharField(max_length=16)
    inputs = models.JSONField()
    result = models.JSONField()

    class Meta:
        ordering = ["-calculated_at", "-id"]
        indexes = [models.Index(fields=["case", "-calculated_at"])]
        get_latest_by = "calculated_at"

    def __str__(self) -> str:
        return f"{self.tier} for {self.case_id} at {self.calculated_at:%d %b %Y %H:%M}"
