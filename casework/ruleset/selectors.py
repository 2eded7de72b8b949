"""The rule configuration in force. Rule data is not case data: any signed-in service may read it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from casework.organisation.models import Pdu
from casework.rules import eligibility, enforcement, rating, safeguard_deciders, safeguards, workload
from casework.ruleset.kinds import SPECS, ConfigKind, Source
from casework.ruleset.models import RuleConfig


def active_config(kind: str, key: str, pdu: Pdu | None = None) -> RuleConfig | None:
    """The latest national version of ``kind``/``key`` (None only if the seed migration has not run),
    or with ``pdu`` the latest of that PDU's own versions (None when it has none)."""
    scope = {"pdu__isnull": True} if pdu is None else {"pdu": pdu}
    return RuleConfig.objects.select_related("pdu").filter(kind=kind, key=key, **scope).order_by("-version").first()


def config_in_force(kind: str, key: str, pdu: Pdu | None = None) -> RuleConfig | None:
    """What is in force for ``pdu``: its own latest version if it has one, else the national one."""
    own = active_config(kind, key, pdu) if pdu is not None else None
    return own if own is not None else active_config(kind, key)


def _loaded(kind: str, key: str, pdu: Pdu | None = None) -> tuple[Any, RuleConfig | None]:
    config = config_in_force(kind, key, pdu)
    if config is None:
        return SPECS[kind].defaults[key], None
    return SPECS[kind].load(config.data), config


def points_table() -> tuple[workload.PointsTable, RuleConfig | None]:
    return _loaded(ConfigKind.POINTS_TABLE, "default")


def grade_matrix() -> tuple[eligibility.GradeMatrix, RuleConfig | None]:
    return _loaded(ConfigKind.GRADE_MATRIX, "default")


def framework(key: str) -> tuple[rating.Framework, RuleConfig | None]:
    return _loaded(ConfigKind.RATING_FRAMEWORK, key)


def enforcement_policy(pdu: Pdu | None = None) -> tuple[enforcement.EnforcementPolicy, RuleConfig | None]:
    """The enforcement deadlines in force for ``pdu`` (its own policy, else the national one)."""
    return _loaded(ConfigKind.ENFORCEMENT_POLICY, "default", pdu)


def safeguard_schedule(pdu: Pdu | None = None) -> tuple[safeguards.SafeguardSchedule, RuleConfig | None]:
    """The safeguard schedule in force for ``pdu`` (its own policy, else the national one)."""
    return _loaded(ConfigKind.SAFEGUARD_POLICY, "default", pdu)


def safeguard_deciders_in_force(pdu: Pdu | None = None) -> tuple[safeguard_deciders.NotRequiredDeciders,
                                                                 RuleConfig | None]:
    """Who may record a safeguard as not required in ``pdu`` (its own configuration, else the national one)."""
    return _loaded(ConfigKind.SAFEGUARD_DECIDERS, "default", pdu)


def local_policies() -> list[RuleConfig]:
    """Configuration where a local policy has replaced the rules.md default (shown in the UI), national
    and per PDU."""
    latest = {}
    for config in RuleConfig.objects.select_related("pdu").order_by("kind", "key", "pdu_id", "version"):
        latest[(config.kind, config.key, config.pdu_id)] = config
    return [c for c in latest.values() if c.source == Source.LOCAL_POLICY]


T = TypeVar("T")


def per_pdu(selector: Callable[[Pdu], T]) -> Callable[[int], T]:
    """``selector`` (what is in force for a PDU) as a lookup by PDU id that reads each PDU once: for a
    recompute of many cases across the country."""
    cache: dict[int, T] = {}

    def lookup(pdu_id: int) -> T:
        if pdu_id not in cache:
            cache[pdu_id] = selector(Pdu(pk=pdu_id))
        return cache[pdu_id]

    return lookup

