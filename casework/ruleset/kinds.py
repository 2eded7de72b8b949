"""The configurable rule data: what each kind is, how it is validated, and its published default."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from casework.rules import eligibility, enforcement, rating, safeguard_deciders, safeguards, workload


class ConfigKind(models.TextChoices):
    POINTS_TABLE = "POINTS_TABLE", "Workload points table"
    GRADE_MATRIX = "GRADE_MATRIX", "Grade eligibility matrix"
    RATING_FRAMEWORK = "RATING_FRAMEWORK", "Inspection rating framework"
    SAFEGUARD_POLICY = "SAFEGUARD_POLICY", "Risk-of-harm safeguard schedule"
    ENFORCEMENT_POLICY = "ENFORCEMENT_POLICY", "Enforcement deadlines"
    SAFEGUARD_DECIDERS = "SAFEGUARD_DECIDERS", "Who may record a safeguard as not required"


class Source(models.TextChoices):
    RULES_DEFAULT = "RULES_DEFAULT", "Default from the rules reference"
    LOCAL_POLICY = "LOCAL_POLICY", "Local policy"


@dataclass(frozen=True)
class KindSpec:
    """How to load (and so validate) one kind of configuration, and its defaults by key."""

    load: Callable[[Any], Any]
    defaults: Mapping[str, Any]
    provenance: str  # the rules.md tag of the default values


SPECS: dict[str, KindSpec] = {
    ConfigKind.POINTS_TABLE: KindSpec(
        load=workload.PointsTable.from_dict,
        defaults={"default": workload.DEFAULT_POINTS_TABLE},
        provenance="published default values (rules.md §2.1)",
    ),
    ConfigKind.GRADE_MATRIX: KindSpec(
        load=eligibility.GradeMatrix.from_dict,
        defaults={"default": eligibility.DEFAULT_GRADE_MATRIX},
        provenance="default (rules.md §3.2)",
    ),
    ConfigKind.RATING_FRAMEWORK: KindSpec(
        load=rating.Framework.from_dict,
        defaults=dict(rating.FRAMEWORKS),
        provenance="published and unverified rules, per framework (rules.md §6.2)",
    ),
    ConfigKind.SAFEGUARD_POLICY: KindSpec(
        load=safeguards.SafeguardSchedule.from_dict,
        defaults={"default": safeguards.DEFAULT_SCHEDULE},
        provenance="default (rules.md §4)",
    ),
    ConfigKind.ENFORCEMENT_POLICY: KindSpec(
        load=enforcement.EnforcementPolicy.from_dict,
        defaults={"default": enforcement.DEFAULT_POLICY},
        provenance="default (rules.md §5.4)",
    ),
    ConfigKind.SAFEGUARD_DECIDERS: KindSpec(
        load=safeguard_deciders.NotRequiredDeciders.from_dict,
        defaults={"default": safeguard_deciders.DEFAULT_DECIDERS},
        provenance="default (issue 12: the SPO, and the practitioner for a safeguarding enquiry without children)",
    ),
}
