from django.contrib import admin

from casework.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log cannot be edited through the application."""

    list_display = ["at", "actor_label", "action", "object_type", "object_id", "crn"]
    list_filter = ["action"]
    search_fields = ["actor_label", "crn", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
