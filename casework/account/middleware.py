"""Session rules every request passes through: the idle and maximum session time, and the second factor."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import reverse

from casework.access.policy import second_factor_required
from casework.access.scope_cache import kept_viewer
from casework.access.viewer import request_viewer, viewer_for
from casework.account.services import SignOutReason, sign_out_record

LAST_SEEN = "casework_last_seen"
SIGNED_IN_AT = "casework_signed_in_at"
SIGNED_OUT_REASON = "casework_signed_out_reason"
# Set at sign-in for someone with an authenticator app: they must enter a code before anything else.
SECOND_FACTOR_PENDING = "casework_second_factor_pending"
# Refresh the last-seen time (a session write) at most this often, not on every request.
TOUCH_SECONDS = 60
SECOND_FACTOR_NEEDED = "Enter the security code from your authenticator app first"


def stamp_new_session(sender, request, user, **kwargs) -> None:
    """On sign-in: start the session clocks (connected to ``user_logged_in``)."""
    now = int(time.time())
    request.session[LAST_SEEN] = now
    request.session[SIGNED_IN_AT] = now
    # Work out the access scope now, while the session is being written anyway, so the first page after
    # signing in reuses it instead of writing the session again.
    kept_viewer(request.session, user, viewer_for)


class IdleTimeoutMiddleware:
    """Sign out a session unused for ``SESSION_IDLE_SECONDS`` or older than ``SESSION_MAX_SECONDS``; audited.

    The request then carries on signed out, so pages send the person to sign in again (with a note
    saying why) and the API answers 401 or 403.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        session = request.session
        now = int(time.time())
        seen, started = session.get(LAST_SEEN), session.get(SIGNED_IN_AT)
        reason = None
        if seen is not None and now - seen > settings.SESSION_IDLE_SECONDS:
            reason = SignOutReason.IDLE
        elif started is not None and now - started > settings.SESSION_MAX_SECONDS:
            reason = SignOutReason.MAX_AGE
        if reason is not None:
            sign_out_record(user=request.user, reason=reason)
            logout(request)
            request.session[SIGNED_OUT_REASON] = reason.value
            return
        if seen is None or now - seen >= TOUCH_SECONDS:
            session[LAST_SEEN] = now
            session.setdefault(SIGNED_IN_AT, now)


class SecondFactorMiddleware:
    """Until a one-time password is confirmed, a signed-in person may use only the pages that ask for it.

    Applies to everyone whose role needs a second factor (``second_factor_required``) and to anyone
    who has set up an authenticator app (marked at sign-in). Pages redirect to the code page; the API
    answers 403.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or getattr(view_func, "casework_before_second_factor", False):
            return None
        needed = request.session.get(SECOND_FACTOR_PENDING) or second_factor_required(request_viewer(request))
        if not needed or user.is_verified():
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"error": {"field": "", "message": SECOND_FACTOR_NEEDED}}, status=403)
        return redirect_to_login(request.get_full_path(), login_url=reverse("two-factor"))
