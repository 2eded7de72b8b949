"""The second factor: setting up an authenticator app, and entering its code after the password."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login

from casework.access.policy import Perm, requires
from casework.account import authenticator
from casework.account.middleware import SECOND_FACTOR_PENDING
from casework.account.selectors import has_authenticator
from casework.account.services import CODE_WRONG, second_factor_enrol, second_factor_verify
from casework.core.errors import DomainValidationError, NotPermittedError
from casework.web.page_forms import SecurityCodeForm

SETUP_KEY = "casework_authenticator_setup_key"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def _with_next(name: str, request) -> str:
    target = request.GET.get("next")
    return f"{reverse(name)}?{urlencode({'next': target})}" if target else reverse(name)


@requires(Perm.SIGNED_IN)
def two_factor(request):
    """Ask for the security code from the authenticator app (after the password)."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not has_authenticator(user):
        return redirect(_with_next("two-factor-setup", request))
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor_verify(user=user, token=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.pop(SECOND_FACTOR_PENDING, None)
            return redirect(_next_url(request))
        form.add_error("code", CODE_WRONG)
    return render(request, "registration/two_factor.html", {"form": form, "next": _next_url(request)})


two_factor.casework_before_second_factor = True


@requires(Perm.SIGNED_IN)
def two_factor_setup(request):
    """Set up an authenticator app: show the secret as a QR code and as text, then check one code."""
    user = request.user
    if has_authenticator(user):
        if not user.is_verified():
            return redirect(_with_next("two-factor", request))
        return render(request, "registration/two_factor_setup.html", {"already": True})
    key = request.session.get(SETUP_KEY)
    if not key:  # assigning the same key again would save the session on every view of the page
        key = request.session[SETUP_KEY] = authenticator.new_secret()
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor_enrol(user=user, key=key, token=form.cleaned_data["code"])
        except DomainValidationError as exc:
            form.add_error("code", exc.errors["token"])
        except NotPermittedError:
            return redirect(_with_next("two-factor", request))
        else:
            otp_login(request, device)
            request.session.pop(SETUP_KEY, None)
            request.session.pop(SECOND_FACTOR_PENDING, None)
            messages.success(request, "Authenticator app set up")
            return redirect(_next_url(request))
    uri = authenticator.otpauth_uri(key=key, username=user.get_username())
    return render(request, "registration/two_factor_setup.html", {
        "form": form, "secret": authenticator.secret_for_people(key), "uri": uri,
        "qr_code": authenticator.qr_code_svg(uri), "next": _next_url(request),
    })


two_factor_setup.casework_before_second_factor = True
