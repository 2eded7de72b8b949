from django.contrib import admin

from casework.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log cannot be edited through the application.

    The before and after values are left out: they can hold a person's name, date of birth or contact
    details, which administrators never see. The Casework audit page shows them only to people who may
    read the case.
    """

    list_display = ["at", "actor_label", "action", "object_type", "object_id", "crn"]
    list_filter = ["action"]
    search_fields = ["actor_label", "crn", "object_id"]
    date_hierarchy = "at"
    fields = ["at", "actor_label", "action", "object_type", "object_id", "crn", "detail", "fields_changed",
              "ip_address", "request_id", "hash"]
    readonly_fields = fields

    @admin.display(description="Fields changed")
    def fields_changed(self, obj):
        names = {*(obj.before or {}), *(obj.after or {})} if isinstance(obj.before or {}, dict) and \
            isinstance(obj.after or {}, dict) else set()
        return ", ".join(sorted(names)) or "None"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
