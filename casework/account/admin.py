from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.account.models import User
from casework.account.services import second_factor_reset
from casework.core.errors import NotPermittedError

# django-otp's own admin would show each person's authenticator secret to administrators, and edit
# devices without an audit row. Resetting goes through the audited service below instead.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(User)
class CaseworkUserAdmin(UserAdmin):
    actions = ["reset_authenticator"]

    @admin.action(description="Reset authenticator app (they set one up again at next sign-in)")
    def reset_authenticator(self, request, queryset):
        try:
            removed = sum(second_factor_reset(user=user, by=request.user) for user in queryset)
        except NotPermittedError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"Removed {removed} authenticator app{'s' if removed != 1 else ''}")
