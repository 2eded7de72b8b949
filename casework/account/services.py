"""Sign-in events and the second factor. Each function writes its audit row in one transaction."""

from __future__ import annotations

from enum import StrEnum

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.access.viewer import viewer_for
from casework.audit.services import audit_record
from casework.core.errors import DomainValidationError, NotPermittedError

CODE_WRONG = "Enter a correct security code"
CODE_FORMAT = "Enter the 6-digit security code from your authenticator app"
ALREADY_SET_UP = "An authenticator app is already set up for this account"
# Authenticator apps show 6 digits and change them every 30 seconds; one step of clock drift either
# way is accepted (RFC 6238 §5.2).
TOTP_TOLERANCE = 1
USERNAME_MAX = 150


class SignInFailure(StrEnum):
    WRONG_CREDENTIALS = "auth.sign_in_failed"
    LOCKED_OUT = "auth.locked_out"
    REFUSED_WHILE_LOCKED = "auth.sign_in_refused_locked"


class SignOutReason(StrEnum):
    USER = "signed out"
    IDLE = "idle timeout"
    MAX_AGE = "session too old"


@transaction.atomic
def sign_in_record(*, user) -> None:
    """Record a successful password sign-in."""
    audit_record(actor=user, action="auth.sign_in", obj=user)


@transaction.atomic
def sign_in_failure_record(*, username: str, user, failure: SignInFailure) -> None:
    """Record a refused sign-in: wrong credentials, the failure that locks the username, or one while locked.

    ``user`` is the account ``username`` names, or None when there is none (the username typed is
    kept so that guessing is visible in the log).
    """
    audit_record(actor=user, actor_label=(user.get_username() if user else f"unknown: {username}")[:USERNAME_MAX],
                 action=failure.value, detail=f"username {username!r}"[:500])


@transaction.atomic
def sign_out_record(*, user, reason: SignOutReason) -> None:
    """Record the end of a session: signed out, or ended by the idle or maximum session time."""
    audit_record(actor=user, action="auth.sign_out", obj=user, detail=reason.value)


def _code(token: str) -> int:
    token = "".join(token.split())
    if not (token.isdigit() and len(token) == 6):
        raise DomainValidationError({"token": CODE_FORMAT})
    return int(token)


@transaction.atomic
def second_factor_enrol(*, user, key: str, token: str) -> TOTPDevice:
    """Set up an authenticator app for ``user`` from the secret ``key`` (hex) they were shown, proved by ``token``."""
    code = _code(token)
    if TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).exists():
        raise NotPermittedError(ALREADY_SET_UP)
    totp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6)
    if not totp.verify(code, tolerance=TOTP_TOLERANCE):
        raise DomainValidationError({"token": CODE_WRONG})
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", key=key, confirmed=True,
                                       tolerance=TOTP_TOLERANCE, last_t=totp.t())
    audit_record(actor=user, action="auth.second_factor_enrolled", obj=user)
    return device


@transaction.atomic
def second_factor_verify(*, user, token: str) -> TOTPDevice | None:
    """Check a security code from the user's authenticator app; the device on success, else None.

    Failures are counted by the device (each one doubles the wait before the next try) and audited,
    so this returns rather than raises: an exception would roll both back.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None:
        raise NotPermittedError("No authenticator app is set up for this account")
    allowed, _ = device.verify_is_allowed()
    ok = allowed and device.verify_token("".join(token.split()))
    audit_record(actor=user, action="auth.second_factor_verified" if ok else "auth.second_factor_failed",
                 obj=user, detail="" if allowed else "too many wrong codes: waiting")
    return device if ok else None


@transaction.atomic
def second_factor_reset(*, user, by) -> int:
    """Remove ``user``'s authenticator app (a lost phone) so they set one up again at next sign-in."""
    if not viewer_for(by).is_admin:
        raise NotPermittedError("Only administrators reset authenticator apps")
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    audit_record(actor=by, action="auth.second_factor_reset", obj=user,
                 before={"devices": removed}, after={"devices": 0})
    return removed
