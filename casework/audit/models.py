"""The append-only audit log: who did or saw what, when, with before and after."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only")

    def delete(self):
        raise PermissionError("The audit log is append-only")


class AuditEvent(models.Model):
    """One audited action. Written only by ``casework.audit.services.audit_record``."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="Username when the action happened")
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    crn = models.CharField(max_length=7, blank=True, db_index=True)
    detail = models.CharField(max_length=500, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True, help_text="The X-Request-ID of the request that wrote it")
    # The hash chain (casework.audit.chain): this row's hash over its content and the previous row's hash.
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["actor", "-at"]),
            # A case's history page reads the case's rows newest first: without this, a scan of the whole log.
            models.Index(fields=["crn", "-at"], name="audit_case_history"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        # Append-only is an integrity rule of the log itself, not business logic.
        if self.pk is not None and not self._state.adding:
            raise PermissionError("The audit log is append-only")
        if not self.hash:
            # Every new row joins the hash chain, however it was created.
            from casework.audit.services import _append

            _append([self], using=kwargs.get("using"))
            return
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only")
