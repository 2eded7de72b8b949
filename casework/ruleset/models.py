"""Stored rule configuration: every version kept, the latest per (kind, key) in force."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from casework.ruleset.kinds import ConfigKind, Source


class RuleConfig(models.Model):
    """One version of one piece of rule data (a points table, a grade matrix, a rating framework).

    Versions are never edited: a change is a new version, written by
    ``casework.ruleset.services.rule_config_change`` with its audit row. ``pdu`` empty: the national
    configuration; set: that PDU's own versions, which replace the national ones there (selectors).
    """

    kind = models.CharField(max_length=20, choices=ConfigKind.choices)
    key = models.CharField(max_length=40, help_text="'default', or the framework key")
    pdu = models.ForeignKey(
        "organisation.Pdu", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="PDU", help_text="Leave empty for the national configuration; choose a PDU for its own policy",
    )
    version = models.PositiveIntegerField()
    data = models.JSONField()
    source = models.CharField(max_length=16, choices=Source.choices)
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kind", "key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "version"], condition=models.Q(pdu__isnull=True),
                                    name="one_config_version"),
            models.UniqueConstraint(fields=["kind", "key", "pdu", "version"], condition=models.Q(pdu__isnull=False),
                                    name="one_pdu_config_version"),
        ]
        verbose_name = "rule configuration version"

    def __str__(self) -> str:
        scope = f" for {self.pdu.name}" if self.pdu_id else ""
        return f"{self.get_kind_display()} {self.key}{scope} v{self.version}"

    @property
    def label(self) -> str:
        """``KIND/key/vN`` nationally, ``KIND/key/PDU-code/vN`` for a PDU's own version."""
        scope = f"/{self.pdu.code}" if self.pdu_id else ""
        return f"{self.kind}/{self.key}{scope}/v{self.version}"
