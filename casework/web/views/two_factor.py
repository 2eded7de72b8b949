"""The second factor: setting up an authenticator app, and entering its code after the password."""

from __future__ import annotations

import smtplib

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login

from casework.access.policy import Perm, requires
from casework.account import authenticator
from casework.account.middleware import SECOND_FACTOR_PENDING
from casework.account.selectors import has_authenticator, masked_email, work_email
from casework.account.services import CODE_WRONG, enrolment_code_send, second_factor_enrol, second_factor_verify
from casework.core.errors import DomainValidationError, NotPermittedError
from casework.web.page_forms import EnrolmentForm, SecurityCodeForm

SETUP_KEY = "casework_authenticator_setup_key"
EMAIL_FAILED = "We could not send the email just now. Try again in a few minutes, or ask an administrator for a code"


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


def _send_enrolment_code(request) -> str:
    """Email the person a one-time enrolment code; what went wrong, or "" when it was sent."""
    try:
        enrolment_code_send(user=request.user)
    except DomainValidationError as exc:
        return next(iter(exc.errors.values()))
    except NotPermittedError as exc:
        return str(exc)
    except (OSError, smtplib.SMTPException):
        return EMAIL_FAILED
    messages.success(request, f"We sent an enrolment code to {masked_email(work_email(request.user))}")
    return ""


@requires(Perm.SIGNED_IN)
def two_factor_setup(request):
    """Set up an authenticator app: an enrolment code (emailed, or from an administrator) proves it is
    them; then the secret as a QR code and as text, and one code from the app."""
    user = request.user
    if has_authenticator(user):
        if not user.is_verified():
            return redirect(_with_next("two-factor", request))
        return render(request, "registration/two_factor_setup.html", {"already": True})
    send_error = ""
    if request.method == "POST" and request.POST.get("action") == "send":
        send_error = _send_enrolment_code(request)
        if not send_error:
            return redirect(_with_next("two-factor-setup", request))
    key = request.session.get(SETUP_KEY)
    if not key:  # assigning the same key again would save the session on every view of the page
        key = request.session[SETUP_KEY] = authenticator.new_secret()
    form = EnrolmentForm(None if send_error else request.POST or None)
    if request.method == "POST" and not send_error and form.is_valid():
        try:
            device = second_factor_enrol(user=user, key=key, token=form.cleaned_data["code"],
                                         enrolment_code=form.cleaned_data["enrolment_code"])
        except DomainValidationError as exc:
            for field, message in exc.errors.items():
                form.add_error("code" if field == "token" else field if field in form.fields else None, message)
        except NotPermittedError:
            return redirect(_with_next("two-factor", request))
        else:
            otp_login(request, device)
            request.session.pop(SETUP_KEY, None)
            request.session.pop(SECOND_FACTOR_PENDING, None)
            messages.success(request, "Authenticator app set up")
            return redirect(_next_url(request))
    uri = authenticator.otpauth_uri(key=key, username=user.get_username())
    address = work_email(user)
    return render(request, "registration/two_factor_setup.html", {
        "form": form, "secret": authenticator.secret_for_people(key), "uri": uri,
        "qr_code": authenticator.qr_code_svg(uri), "next": _next_url(request),
        "email": masked_email(address) if address else "", "send_error": send_error,
    })


two_factor_setup.casework_before_second_factor = True
