"""Home, sign-in and sign-out, and the accessibility statement."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator

from casework.access.policy import Perm, has_perm, requires, second_factor_required
from casework.access.viewer import viewer_for
from casework.account.lockout import normalise_username
from casework.account.middleware import SECOND_FACTOR_PENDING, SIGNED_OUT_REASON
from casework.account.selectors import has_authenticator
from casework.account.services import (
    SignInFailure,
    SignOutReason,
    sign_in_failure_record,
    sign_in_record,
    sign_out_record,
)
from casework.record.selectors import teams_for_user
from casework.web.page_forms import SignInForm


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    """Sign in with a password (then a security code, for those who need one); demo mode lists the demo logins."""

    template_name = "registration/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["signed_out_reason"] = self.request.session.pop(SIGNED_OUT_REASON, "")
        context["idle_minutes"] = settings.SESSION_IDLE_SECONDS // 60
        if settings.DEMO_MODE:
            from casework.demo.logins import DEMO_LOGINS, DEMO_PASSWORD

            context["demo_logins"] = DEMO_LOGINS
            context["demo_password"] = DEMO_PASSWORD
        return context

    def form_valid(self, form):
        user = form.get_user()
        response = super().form_valid(form)
        sign_in_record(user=user)
        if has_authenticator(user) or second_factor_required(viewer_for(user)):
            self.request.session[SECOND_FACTOR_PENDING] = True
            return redirect_to_login(self.get_success_url(), login_url=reverse("two-factor"))
        return response

    def form_invalid(self, form):
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            typed = str(form.data.get("username", ""))[:150]
            # Recorded under the username as lockout counts it (trimmed, lower-case), the account
            # found by what was typed or, failing that, by that normalised form.
            username = normalise_username(typed)
            request = self.request
            if getattr(request, "axes_locked_out", False):
                # axes counts a failure (and sets the count) only when it is not already locked out.
                just_locked = getattr(request, "axes_failures_since_start", None) is not None
                failure = SignInFailure.LOCKED_OUT if just_locked else SignInFailure.REFUSED_WHILE_LOCKED
            else:
                failure = SignInFailure.WRONG_CREDENTIALS
            users = get_user_model().objects
            user = users.filter(username=typed).first() or users.filter(username=username).first()
            sign_in_failure_record(username=username, user=user, failure=failure)
        return super().form_invalid(form)


SignInView.casework_public = True


class SignOutView(auth_views.LogoutView):
    """Sign out (by POST only, so a link cannot sign someone out); audited. A GET (a typed or
    bookmarked address) shows a page with the sign-out button instead of an empty 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "web/sign_out.html")

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            sign_out_record(user=request.user, reason=SignOutReason.USER)
        return super().post(request, *args, **kwargs)


sign_out = SignOutView.as_view()
sign_out.casework_permission = Perm.SIGNED_IN
sign_out.casework_before_second_factor = True


@requires(Perm.SIGNED_IN)
def home(request):
    viewer = request.viewer
    return render(
        request,
        "web/home.html",
        {
            "can_caseload": has_perm(viewer, Perm.CASELOAD_OWN),
            "can_search": has_perm(viewer, Perm.CASE_SEARCH),
            "can_admin": has_perm(viewer, Perm.ADMIN),
            "can_audit": has_perm(viewer, Perm.AUDIT_VIEW),
            "can_approve": has_perm(viewer, Perm.GRANT_APPROVE),
            "can_oversee": has_perm(viewer, Perm.OVERSIGHT_VIEW),
            "has_authenticator": has_authenticator(request.user),
            "teams": teams_for_user(viewer=viewer)[:20] if has_perm(viewer, Perm.TEAM_VIEW) else [],
        },
    )


@login_not_required
def accessibility(request):
    return render(request, "web/accessibility.html")


accessibility.casework_public = True
accessibility.casework_before_second_factor = True
