"""Sign-in events and the second factor. Each function writes its audit row in one transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.access.viewer import viewer_for
from casework.account.models import EnrolmentCode
from casework.account.selectors import masked_email, work_email
from casework.audit.services import audit_record
from casework.core.errors import DomainValidationError, NotPermittedError

CODE_WRONG = "Enter a correct security code"
CODE_FORMAT = "Enter the 6-digit security code from your authenticator app"
ALREADY_SET_UP = "An authenticator app is already set up for this account"
# Authenticator apps show 6 digits and change them every 30 seconds; one step of clock drift either
# way is accepted (RFC 6238 §5.2).
TOTP_TOLERANCE = 1
USERNAME_MAX = 150
# Enrolment codes: 10 characters from 32 that are hard to confuse (50 bits), shown as two groups of five.
ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ENROLMENT_CODE_LENGTH = 10
ENROLMENT_CODE_EMAIL_LIFETIME = dt.timedelta(minutes=30)
ENROLMENT_CODE_ISSUED_LIFETIME = dt.timedelta(hours=24)
ENROLMENT_CODE_RESEND_WAIT = dt.timedelta(minutes=1)
ENROLMENT_CODE_MAX_ATTEMPTS = 5
ENROLMENT_CODE_REQUIRED = "Enter the enrolment code from the email we sent you, or from your administrator"
ENROLMENT_CODE_WRONG = ("Enter a correct enrolment code. Codes work once and for a limited time: "
                        "send a new one if yours has expired")
ENROLMENT_CODE_JUST_SENT = "We sent a code less than a minute ago. Check your email, or wait a minute and send again"
NO_WORK_EMAIL = "There is no work email on your record: ask an administrator for an enrolment code"
ONLY_ADMINISTRATORS_ISSUE = "Only administrators issue enrolment codes"
NOT_FOR_YOURSELF = "You cannot issue an enrolment code to yourself: ask another administrator"
USERNAME_REQUIRED = "Enter a username"
USERNAME_TAKEN = "An account called {username!r} already exists"
# Who the audit log names for accounts made on the server's command line, where nobody is signed in.
COMMAND_LINE = "command line: casework createadmin"


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
    if not (token.isascii() and token.isdigit() and len(token) == 6):
        raise DomainValidationError({"token": CODE_FORMAT})
    return int(token)


# Enrolment codes: what proves, besides the password, that the person setting up an app is who they say.


def _normalise_enrolment_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _new_enrolment_code(*, user, channel: str, by, now: dt.datetime) -> tuple[EnrolmentCode, str]:
    """A fresh code for ``user`` (any earlier unused one stops working): the stored row and the code."""
    EnrolmentCode.objects.filter(user=user, used_at__isnull=True).delete()
    raw = "".join(secrets.choice(ENROLMENT_CODE_ALPHABET) for _ in range(ENROLMENT_CODE_LENGTH))
    lifetime = ENROLMENT_CODE_EMAIL_LIFETIME if channel == EnrolmentCode.Channel.EMAIL else \
        ENROLMENT_CODE_ISSUED_LIFETIME
    row = EnrolmentCode.objects.create(user=user, digest=make_password(raw), channel=channel, created_at=now,
                                       expires_at=now + lifetime, issued_by=by)
    half = ENROLMENT_CODE_LENGTH // 2
    return row, f"{raw[:half]}-{raw[half:]}"


@transaction.atomic
def enrolment_code_send(*, user, now: dt.datetime | None = None) -> EnrolmentCode:
    """Email ``user`` a one-time code for setting up their authenticator app; audited.

    Only to the work email on their record (never an address typed in), at most once a minute, and
    only while they have no app. The code works once, for 30 minutes; an earlier one stops working.
    """
    now = now or timezone.now()
    address = work_email(user)
    if not address:
        raise NotPermittedError(NO_WORK_EMAIL)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise NotPermittedError(ALREADY_SET_UP)
    recent = EnrolmentCode.objects.select_for_update().filter(
        user=user, channel=EnrolmentCode.Channel.EMAIL, created_at__gt=now - ENROLMENT_CODE_RESEND_WAIT)
    if recent.exists():
        raise DomainValidationError({"send": ENROLMENT_CODE_JUST_SENT})
    row, code = _new_enrolment_code(user=user, channel=EnrolmentCode.Channel.EMAIL, by=None, now=now)
    audit_record(actor=user, action="auth.enrolment_code_sent", obj=user, detail=f"to {masked_email(address)}",
                 after={"expires_at": row.expires_at})
    minutes = int(ENROLMENT_CODE_EMAIL_LIFETIME.total_seconds() // 60)
    send_mail(
        subject="Your Casework enrolment code",
        message=(f"Your code for setting up an authenticator app for Casework is {code}\n\n"
                 f"It works once, for {minutes} minutes. If you did not ask for it, tell your administrator: "
                 "someone may know your password.\n"),
        from_email=None, recipient_list=[address],
    )
    return row


@transaction.atomic
def enrolment_code_issue(*, user, by, now: dt.datetime | None = None) -> str:
    """An administrator issues ``user`` a one-time enrolment code to pass on out of band (in person, by
    phone); audited. Returns the code, which is shown once and never kept. Nobody issues one to themselves.
    """
    if not viewer_for(by).is_admin:
        raise NotPermittedError(ONLY_ADMINISTRATORS_ISSUE)
    if user.pk == by.pk:
        raise NotPermittedError(NOT_FOR_YOURSELF)
    now = now or timezone.now()
    row, code = _new_enrolment_code(user=user, channel=EnrolmentCode.Channel.ADMINISTRATOR, by=by, now=now)
    audit_record(actor=by, action="auth.enrolment_code_issued", obj=user, detail=f"for {user.get_username()}",
                 after={"expires_at": row.expires_at})
    return code


def _check_enrolment_code(*, user, enrolment_code: str, now: dt.datetime) -> EnrolmentCode | None:
    """The user's usable code if ``enrolment_code`` matches it; a wrong try counts against it (and is
    audited) in a transaction of its own, so the caller's refusal does not roll the count back."""
    typed = _normalise_enrolment_code(enrolment_code)
    with transaction.atomic():
        row = (EnrolmentCode.objects.select_for_update().filter(user=user, used_at__isnull=True)
               .order_by("-created_at").first())
        usable = row is not None and row.is_usable_at(now, max_attempts=ENROLMENT_CODE_MAX_ATTEMPTS)
        if usable and typed and check_password(typed, row.digest):
            return row
        if usable:
            row.failed_attempts += 1
            row.save(update_fields=["failed_attempts"])
        audit_record(actor=user, action="auth.enrolment_code_failed", obj=user,
                     detail="wrong code" if usable else "no usable code: expired, used up or never sent")
    return None


def second_factor_enrol(*, user, key: str, token: str, enrolment_code: str,
                        now: dt.datetime | None = None) -> TOTPDevice:
    """Set up an authenticator app for ``user`` from the secret ``key`` (hex) they were shown, proved by
    ``token`` from the app and by the one-time ``enrolment_code`` sent to their work email or issued by
    an administrator (the password alone is never enough); audited. The code is used up on success.
    """
    now = now or timezone.now()
    code = _code(token)
    if not _normalise_enrolment_code(enrolment_code):
        raise DomainValidationError({"enrolment_code": ENROLMENT_CODE_REQUIRED})
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise NotPermittedError(ALREADY_SET_UP)
    row = _check_enrolment_code(user=user, enrolment_code=enrolment_code, now=now)
    if row is None:
        raise DomainValidationError({"enrolment_code": ENROLMENT_CODE_WRONG})
    with transaction.atomic():
        if TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).exists():
            raise NotPermittedError(ALREADY_SET_UP)
        totp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6)
        if not totp.verify(code, tolerance=TOTP_TOLERANCE):
            raise DomainValidationError({"token": CODE_WRONG})
        if EnrolmentCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now) != 1:
            raise DomainValidationError({"enrolment_code": ENROLMENT_CODE_WRONG})  # used meanwhile
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", key=key, confirmed=True,
                                           tolerance=TOTP_TOLERANCE, last_t=totp.t())
        audit_record(actor=user, action="auth.second_factor_enrolled", obj=user,
                     detail=f"with an enrolment code {row.get_channel_display().lower()}")
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


@transaction.atomic
def administrator_create(*, username: str, password: str, email: str = ""):
    """Create an administrator account (``casework createadmin``, on the server); audited.

    Nobody is signed in on the command line, so the audit row names the command as the actor.
    """
    User = get_user_model()
    username = username.strip()
    if not username:
        raise DomainValidationError({"username": USERNAME_REQUIRED})
    if User.objects.select_for_update().filter(username=username).exists():
        raise DomainValidationError({"username": USERNAME_TAKEN.format(username=username)})
    user = User(username=username, email=email, is_staff=True, is_superuser=True)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainValidationError({"password": " ".join(exc.messages)}) from None
    user.set_password(password)
    user.save()
    audit_record(actor=None, actor_label=COMMAND_LINE, action="account.administrator_create", obj=user,
                 after={"username": username, "email": email, "is_staff": True, "is_superuser": True})
    return user
