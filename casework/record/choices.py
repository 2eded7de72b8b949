"""Enumerations of the case record. Values are the UPPER_SNAKE codes the rule contracts use.

Where a rule engine has the same enumeration (tiering's RoSH, needs and gender; the contact and
sentence rules' kinds and outcomes), the codes are equal (``tests/record/test_enums.py``), and the
rule itself lives in the engine (``casework.rules``), not here.
"""

from __future__ import annotations

from django.db import models

from casework.rules import contacts


class Gender(models.TextChoices):
    MALE = "MALE", "Male"
    FEMALE = "FEMALE", "Female"
    OTHER = "OTHER", "Other"
    NOT_KNOWN = "NOT_KNOWN", "Not known"


class YesNoUnknown(models.TextChoices):
    YES = "YES", "Yes"
    NO = "NO", "No"
    UNKNOWN = "UNKNOWN", "Not known"


class RiskLevel(models.TextChoices):
    LOW = "LOW", "Low"
    MEDIUM = "MEDIUM", "Medium"
    HIGH = "HIGH", "High"
    VERY_HIGH = "VERY_HIGH", "Very high"

    @classmethod
    def rank(cls, value: str | None) -> int:
        """Order of severity (0 = not assessed) for comparisons."""
        return {None: 0, "": 0, cls.LOW: 1, cls.MEDIUM: 2, cls.HIGH: 3, cls.VERY_HIGH: 4}[value]


class SentenceKind(models.TextChoices):
    COMMUNITY_ORDER = "COMMUNITY_ORDER", "Community order"
    SUSPENDED_SENTENCE_ORDER = "SUSPENDED_SENTENCE_ORDER", "Suspended sentence order"
    CUSTODY = "CUSTODY", "Custody then licence"
    POST_SENTENCE_SUPERVISION = "POST_SENTENCE_SUPERVISION", "Post-sentence supervision"


class CustodialType(models.TextChoices):
    DETERMINATE = "DETERMINATE", "Standard determinate sentence"
    EXTENDED = "EXTENDED", "Extended determinate sentence"
    SOPC = "SOPC", "Sentence for offenders of particular concern"
    LIFE = "LIFE", "Life sentence"
    IPP = "IPP", "Imprisonment for public protection"
    YOUTH_DETERMINATE = "YOUTH_DETERMINATE", "Youth determinate (detention and training order)"


class SentenceStatus(models.TextChoices):
    """Where the sentence is."""

    PRE_RELEASE = "PRE_RELEASE", "In custody"
    COMMUNITY = "COMMUNITY", "In the community"
    LICENCE = "LICENCE", "On licence"
    POST_SENTENCE_SUPERVISION = "POST_SENTENCE_SUPERVISION", "On post-sentence supervision"
    ENDED = "ENDED", "Ended"

    @property
    def is_current(self) -> bool:
        return self != SentenceStatus.ENDED



class RequirementKind(models.TextChoices):
    REHABILITATION_ACTIVITY = "REHABILITATION_ACTIVITY", "Rehabilitation activity requirement"
    UNPAID_WORK = "UNPAID_WORK", "Unpaid work"
    ACCREDITED_PROGRAMME = "ACCREDITED_PROGRAMME", "Accredited programme"
    CURFEW = "CURFEW", "Curfew"
    DRUG_TREATMENT = "DRUG_TREATMENT", "Drug rehabilitation"
    ALCOHOL_TREATMENT = "ALCOHOL_TREATMENT", "Alcohol treatment"
    MENTAL_HEALTH_TREATMENT = "MENTAL_HEALTH_TREATMENT", "Mental health treatment"
    EXCLUSION = "EXCLUSION", "Exclusion"
    RESIDENCE = "RESIDENCE", "Residence"
    ORDER_EXTENDED = "ORDER_EXTENDED", "Order extended"


class RequirementUnit(models.TextChoices):
    DAYS = "DAYS", "days"
    HOURS = "HOURS", "hours"
    MONTHS = "MONTHS", "months"
    SESSIONS = "SESSIONS", "sessions"


class ProgressStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    COMPLETED = "COMPLETED", "Completed"
    TERMINATED = "TERMINATED", "Terminated"


class LicenceConditionKind(models.TextChoices):
    STANDARD = "STANDARD", "Standard"
    ADDITIONAL = "ADDITIONAL", "Additional"
    BESPOKE = "BESPOKE", "Bespoke"
    POST_SENTENCE_SUPERVISION = "POST_SENTENCE_SUPERVISION", "Post-sentence supervision requirement"


class RegistrationGroup(models.TextChoices):
    ROSH = "ROSH", "Risk of serious harm"
    MAPPA = "MAPPA", "MAPPA"
    DOMESTIC_ABUSE = "DOMESTIC_ABUSE", "Domestic abuse"
    CHILD = "CHILD", "Children"
    COMPLEXITY = "COMPLEXITY", "Complexity"
    STALKING = "STALKING", "Stalking"
    IOM = "IOM", "Integrated offender management"
    LIFER = "LIFER", "Lifer or IPP"
    SUPERVISION = "SUPERVISION", "Supervision level"
    OTHER = "OTHER", "Other"


class RiskSource(models.TextChoices):
    OASYS_LAYER_3 = "OASYS_LAYER_3", "OASys full (layer 3)"
    OASYS_LAYER_1 = "OASYS_LAYER_1", "OASys basic (layer 1)"
    ROSH_SCREENING = "ROSH_SCREENING", "RoSH screening"
    PRE_SENTENCE_REPORT = "PRE_SENTENCE_REPORT", "Pre-sentence report"


class Need(models.TextChoices):
    ACCOMMODATION = "ACCOMMODATION", "Accommodation"
    EDUCATION_TRAINING_EMPLOYMENT = "EDUCATION_TRAINING_EMPLOYMENT", "Education, training and employment"
    RELATIONSHIPS = "RELATIONSHIPS", "Relationships"
    LIFESTYLE_AND_ASSOCIATES = "LIFESTYLE_AND_ASSOCIATES", "Lifestyle and associates"
    DRUG_MISUSE = "DRUG_MISUSE", "Drug misuse"
    ALCOHOL_MISUSE = "ALCOHOL_MISUSE", "Alcohol misuse"
    THINKING_AND_BEHAVIOUR = "THINKING_AND_BEHAVIOUR", "Thinking and behaviour"
    ATTITUDES = "ATTITUDES", "Attitudes"
    FINANCE = "FINANCE", "Finance"
    EMOTIONAL_WELLBEING = "EMOTIONAL_WELLBEING", "Emotional wellbeing"


class NeedSeverity(models.TextChoices):
    NO_NEED = "NO_NEED", "No need"
    STANDARD = "STANDARD", "Standard"
    SEVERE = "SEVERE", "Severe"


class DcSrpBand(models.TextChoices):
    LOW = "LOW", "Low"
    MEDIUM = "MEDIUM", "Medium"
    HIGH = "HIGH", "High"
    VERY_HIGH = "VERY_HIGH", "Very high"
    NOT_APPLICABLE = "NOT_APPLICABLE", "Not applicable"


class AllocationReason(models.TextChoices):
    INITIAL_ALLOCATION = "INITIAL_ALLOCATION", "Initial allocation"
    CASELOAD_ADJUSTMENT = "CASELOAD_ADJUSTMENT", "Caseload adjustment"
    CHANGE_IN_TIER_OR_RISK = "CHANGE_IN_TIER_OR_RISK", "Change in tier or risk"
    CHANGE_OF_ADDRESS = "CHANGE_OF_ADDRESS", "Change of address"
    OFFICER_LEFT = "OFFICER_LEFT", "Officer left"
    RISK_TO_STAFF = "RISK_TO_STAFF", "Risk to staff"
    TRANSFER_IN = "TRANSFER_IN", "Transfer in"
    OTHER = "OTHER", "Other"


class ContactKind(models.TextChoices):
    OFFICE_APPOINTMENT = "OFFICE_APPOINTMENT", "Office appointment"
    HOME_VISIT = "HOME_VISIT", "Home visit"
    PHONE = "PHONE", "Phone call"
    VIDEO = "VIDEO", "Video call"
    THIRD_PARTY = "THIRD_PARTY", "Third-party contact"
    EMAIL_OR_TEXT = "EMAIL_OR_TEXT", "Email or text message"
    PROGRAMME_SESSION = "PROGRAMME_SESSION", "Programme session"
    UNPAID_WORK_SESSION = "UNPAID_WORK_SESSION", "Unpaid work session"
    CASE_NOTE = "CASE_NOTE", "Case note"
    MANAGEMENT_OVERSIGHT = "MANAGEMENT_OVERSIGHT", "Management oversight"

    @property
    def is_appointment(self) -> bool:
        """Appointments are attended or not, and need an outcome once they have happened."""
        return contacts.is_appointment(self)


class ContactOutcome(models.TextChoices):
    """Appointment outcomes (rules.md §5.1)."""

    ATTENDED_COMPLIED = "ATTENDED_COMPLIED", "Attended – complied"
    ATTENDED_FAILED_TO_COMPLY = "ATTENDED_FAILED_TO_COMPLY", "Attended – failed to comply"
    SENT_HOME = "SENT_HOME", "Sent home (behaviour)"
    UNACCEPTABLE_ABSENCE = "UNACCEPTABLE_ABSENCE", "Unacceptable absence"
    ACCEPTABLE_ABSENCE = "ACCEPTABLE_ABSENCE", "Acceptable absence"
    RESCHEDULED = "RESCHEDULED", "Rescheduled"


class AbsenceReason(models.TextChoices):
    COURT = "COURT", "Court"
    EMPLOYMENT = "EMPLOYMENT", "Employment"
    FAMILY = "FAMILY", "Family"
    HOLIDAY = "HOLIDAY", "Holiday"
    MEDICAL = "MEDICAL", "Medical"
    RELIGIOUS = "RELIGIOUS", "Religious"
    PROFESSIONAL_JUDGEMENT = "PROFESSIONAL_JUDGEMENT", "Professional judgement"


class AccessKind(models.TextChoices):
    EXCLUDED = "EXCLUDED", "Excluded"
    PERMITTED = "PERMITTED", "Permitted"
