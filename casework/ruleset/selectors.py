"""The rule configuration in force. Rule data is not case data: any signed-in service may read it."""

from __future__ import annotations

from typing import Any

from casework.rules import eligibility, rating, workload
from casework.ruleset.kinds import SPECS, ConfigKind, Source
from casework.ruleset.models import RuleConfig


def active_config(kind: str, key: str) -> RuleConfig | None:
    """The latest version of ``kind``/``key`` (None only if the seed migration has not run)."""
    return RuleConfig.objects.filter(kind=kind, key=key).order_by("-version").first()


def _loaded(kind: str, key: str) -> tuple[Any, RuleConfig | None]:
    config = active_config(kind, key)
    if config is None:
        return SPECS[kind].defaults[key], None
    return SPECS[kind].load(config.data), config


def points_table() -> tuple[workload.PointsTable, RuleConfig | None]:
    return _loaded(ConfigKind.POINTS_TABLE, "default")


def grade_matrix() -> tuple[eligibility.GradeMatrix, RuleConfig | None]:
    return _loaded(ConfigKind.GRADE_MATRIX, "default")


def framework(key: str) -> tuple[rating.Framework, RuleConfig | None]:
    return _loaded(ConfigKind.RATING_FRAMEWORK, key)


def local_policies() -> list[RuleConfig]:
    """Configuration where a local policy has replaced the rules.md default (shown in the UI)."""
    latest = {}
    for config in RuleConfig.objects.order_by("kind", "key", "version"):
        latest[(config.kind, config.key)] = config
    return [c for c in latest.values() if c.source == Source.LOCAL_POLICY]
