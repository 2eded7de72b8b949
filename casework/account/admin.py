from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.account.models import User
from casework.account.services import ENROLMENT_CODE_ISSUED_LIFETIME, enrolment_code_issue, second_factor_reset
from casework.core.errors import NotPermittedError

# django-otp's own admin would show each person's authenticator secret to administrators, and edit
# devices without an audit row. Resetting goes through the audited service below instead.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(User)
class CaseworkUserAdmin(UserAdmin):
    actions = ["reset_authenticator", "issue_enrolment_code"]

    @admin.action(description="Issue an enrolment code (shown once, to pass on in person or by phone)")
    def issue_enrolment_code(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select one account: each code is for one person", messages.ERROR)
            return None
        person = queryset.get()
        try:
            code = enrolment_code_issue(user=person, by=request.user)
        except NotPermittedError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        # Shown on this response only: never put in a message (kept in the session) or a log.
        return TemplateResponse(request, "admin/account/enrolment_code.html", {
            **self.admin_site.each_context(request), "title": "Enrolment code", "person": person, "code": code,
            "hours": int(ENROLMENT_CODE_ISSUED_LIFETIME.total_seconds() // 3600), "opts": self.model._meta,
        })

    @admin.action(description="Reset authenticator app (they set one up again at next sign-in)")
    def reset_authenticator(self, request, queryset):
        try:
            removed = sum(second_factor_reset(user=user, by=request.user) for user in queryset)
        except NotPermittedError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"Removed {removed} authenticator app{'s' if removed != 1 else ''}")
