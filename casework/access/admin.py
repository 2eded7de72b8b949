from django.contrib import admin

from casework.access.models import ScopeGrant


@admin.register(ScopeGrant)
class ScopeGrantAdmin(admin.ModelAdmin):
    list_display = ["staff", "role", "scope_label", "starts_on", "ends_on"]
    list_filter = ["role"]
    raw_id_fields = ["staff", "team", "pdu", "region"]
