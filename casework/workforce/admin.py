from django.contrib import admin

from casework.workforce.models import Staff, TeamMembership


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["code", "last_name", "first_name", "grade", "started_in_post", "ended"]
    list_filter = ["grade"]
    search_fields = ["code", "last_name", "first_name"]
    raw_id_fields = ["user"]
    inlines = [MembershipInline]
