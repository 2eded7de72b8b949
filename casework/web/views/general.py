"""Home, sign-in and the accessibility statement."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.decorators import method_decorator

from casework.access.policy import Perm, has_perm, requires
from casework.record.selectors import teams_for_user
from casework.web.page_forms import SignInForm


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    """Sign in. In demo mode the page lists the demo logins."""

    template_name = "registration/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            from casework.demo.logins import DEMO_LOGINS, DEMO_PASSWORD

            context["demo_logins"] = DEMO_LOGINS
            context["demo_password"] = DEMO_PASSWORD
        return context


SignInView.casework_public = True


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, so a link cannot sign someone out)."""


sign_out = SignOutView.as_view()
sign_out.casework_permission = Perm.SIGNED_IN


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
            "teams": teams_for_user(viewer=viewer)[:20] if has_perm(viewer, Perm.TEAM_VIEW) else [],
        },
    )


@login_not_required
def accessibility(request):
    return render(request, "web/accessibility.html")


accessibility.casework_public = True
