"""Time-based one-time passwords: required for SPOs, heads of PDU and administrators; set up with a QR code."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest
from django.core import mail
from django.core.checks import Warning as CheckWarning
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.account import services
from casework.account.checks import second_factor_enforced
from casework.account.models import EnrolmentCode
from casework.audit.models import AuditEvent
from casework.core.errors import DomainValidationError, NotPermittedError
from casework.web.views.two_factor import SETUP_KEY
from tests import factories
from tests.factories import PASSWORD
from tests.pagecheck import CheckedClient

pytestmark = pytest.mark.django_db
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.SECOND_FACTOR_ENFORCED = True


@pytest.fixture
def team(db):
    return factories.TeamFactory()


@pytest.fixture
def spo(team):
    return factories.SpoFactory(team=team, user__username="lead", email="lead.officer@probation.example")


def sign_in(client, username, next_url=""):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": PASSWORD, "next": next_url})


def code_for_key(key: str, steps_ahead: int = 0) -> str:
    totp = TOTP(bytes.fromhex(key))
    totp.time = timezone.now().timestamp() + 30 * steps_ahead
    return f"{totp.token():06d}"


def wrong_code_for_key(key: str) -> str:
    """A 6-digit code that no step within the accepted drift produces."""
    valid = {code_for_key(key, steps) for steps in (-2, -1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in valid)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_an_spo_without_an_app_is_sent_to_set_one_up_and_can_do_nothing_else(client, spo, team):
    response = sign_in(client, "lead", next_url=reverse("team-list"))
    assert response["Location"].startswith(reverse("two-factor"))
    assert client.get(response["Location"])["Location"].startswith(reverse("two-factor-setup"))
    for url in (reverse("home"), reverse("team-caseload", args=[team.code]), "/admin/"):
        assert client.get(url)["Location"].startswith(reverse("two-factor")), url
    api = client.get(reverse("api-case-list"))
    assert api.status_code == 403 and "security code" in api.json()["error"]["message"]


def emailed_code(address: str) -> str:
    """The enrolment code in the last email sent to ``address``."""
    (message,) = [m for m in mail.outbox if m.to == [address]][-1:]
    return re.search(r"\b([A-Z2-9]{5}-[A-Z2-9]{5})\b", message.body).group(1)


def test_setting_up_shows_a_qr_code_secret_and_uri_then_checks_a_code(client, spo):
    sign_in(client, "lead", next_url=reverse("team-list"))
    page = client.get(reverse("two-factor-setup") + "?next=" + reverse("team-list"))
    assert page.status_code == 200
    key = client.session[SETUP_KEY]
    html = page.content.decode()
    assert re.search(r'<svg[^>]+role="img"[^>]+aria-label="QR code', html)
    assert page.context["secret"].replace(" ", "") in page.context["uri"]
    assert page.context["uri"].startswith("otpauth://totp/Casework%3Alead?secret=")
    assert "issuer=Casework" in page.context["uri"]

    sent = client.post(reverse("two-factor-setup") + "?next=" + reverse("team-list"), {"action": "send"})
    assert sent["Location"] == reverse("two-factor-setup") + "?next=%2Fteams%2F"
    enrolment = emailed_code(spo.email)
    wrong = client.post(reverse("two-factor-setup"), {"enrolment_code": enrolment, "code": wrong_code_for_key(key),
                                                      "next": reverse("team-list")})
    assert b"Enter a correct security code" in wrong.content
    assert not TOTPDevice.objects.filter(user=spo.user).exists()

    done = client.post(reverse("two-factor-setup"), {"enrolment_code": enrolment.lower(), "code": code_for_key(key),
                                                     "next": reverse("team-list")})
    assert done.status_code == 302 and done["Location"] == reverse("team-list")
    device = TOTPDevice.objects.get(user=spo.user)
    assert device.confirmed and device.key == key
    assert client.get(reverse("team-list")).status_code == 200
    assert actions() == ["auth.sign_in", "auth.enrolment_code_sent", "auth.second_factor_enrolled"]


# Enrolment codes: the password alone never sets up a second factor.


def test_the_password_alone_cannot_set_up_an_app(client, spo):
    """The finding: the first set-up (and the one after a reset) needed nothing but the password."""
    sign_in(client, "lead")
    client.get(reverse("two-factor-setup"))
    key = client.session[SETUP_KEY]
    response = client.post(reverse("two-factor-setup"), {"code": code_for_key(key)})
    assert response.status_code == 200 and b"govuk-error-summary" in response.content
    assert b"Enter the enrolment code from the email we sent you" in response.content
    guessed = client.post(reverse("two-factor-setup"), {"enrolment_code": "ABCDE-FGHJK", "code": code_for_key(key)})
    assert b"Enter a correct enrolment code" in guessed.content
    assert not TOTPDevice.objects.filter(user=spo.user).exists()
    assert client.get(reverse("team-list"))["Location"].startswith(reverse("two-factor"))
    with pytest.raises(DomainValidationError):
        services.second_factor_enrol(user=spo.user, key=key, token=code_for_key(key), enrolment_code="")


def test_after_a_reset_a_new_enrolment_code_is_needed(client, spo):
    admin = factories.AdminStaffFactory()
    first = services.enrolment_code_issue(user=spo.user, by=admin.user)
    services.second_factor_enrol(user=spo.user, key="ab" * 20, token=code_for_key("ab" * 20), enrolment_code=first)
    services.second_factor_reset(user=spo.user, by=admin.user)
    sign_in(client, "lead")
    client.get(reverse("two-factor-setup"))
    key = client.session[SETUP_KEY]
    reused = client.post(reverse("two-factor-setup"), {"enrolment_code": first, "code": code_for_key(key)})
    assert b"Enter a correct enrolment code" in reused.content  # single use
    second = services.enrolment_code_issue(user=spo.user, by=admin.user)
    done = client.post(reverse("two-factor-setup"), {"enrolment_code": second, "code": code_for_key(key)})
    assert done.status_code == 302


def test_codes_are_hashed_at_rest_single_use_and_expire(spo):
    admin = factories.AdminStaffFactory()
    code = services.enrolment_code_issue(user=spo.user, by=admin.user)
    row = EnrolmentCode.objects.get(user=spo.user)
    assert code.replace("-", "") not in row.digest and row.digest.count("$") >= 2  # a salted hash, not the code
    assert row.expires_at - row.created_at == dt.timedelta(hours=24) and row.issued_by == admin.user
    later = timezone.now() + dt.timedelta(hours=24, seconds=1)
    with pytest.raises(DomainValidationError) as exc:
        services.second_factor_enrol(user=spo.user, key="ab" * 20, token=code_for_key("ab" * 20),
                                     enrolment_code=code, now=later)
    assert exc.value.errors == {"enrolment_code": services.ENROLMENT_CODE_WRONG}
    services.second_factor_enrol(user=spo.user, key="ab" * 20, token=code_for_key("ab" * 20), enrolment_code=code)
    assert EnrolmentCode.objects.get(user=spo.user).used_at is not None


def test_five_wrong_codes_use_a_code_up(spo):
    code = services.enrolment_code_issue(user=spo.user, by=factories.AdminStaffFactory().user)
    for _ in range(services.ENROLMENT_CODE_MAX_ATTEMPTS):
        with pytest.raises(DomainValidationError):
            services.second_factor_enrol(user=spo.user, key="ab" * 20, token=code_for_key("ab" * 20),
                                         enrolment_code="ZZZZZ-ZZZZZ")
    with pytest.raises(DomainValidationError):
        services.second_factor_enrol(user=spo.user, key="ab" * 20, token=code_for_key("ab" * 20),
                                     enrolment_code=code)
    assert actions().count("auth.enrolment_code_failed") == services.ENROLMENT_CODE_MAX_ATTEMPTS + 1


def test_codes_go_only_to_the_work_email_on_record_at_most_once_a_minute(client, spo):
    sign_in(client, "lead")
    client.post(reverse("two-factor-setup"), {"action": "send", "email": "attacker@example.com"})
    assert [m.to for m in mail.outbox] == [[spo.email]]
    again = client.post(reverse("two-factor-setup"), {"action": "send"})
    assert again.status_code == 200 and b"We sent a code less than a minute ago" in again.content
    assert len(mail.outbox) == 1
    event = AuditEvent.objects.get(action="auth.enrolment_code_sent")
    assert spo.email not in event.detail and event.detail.endswith(spo.email.split("@")[1])


def test_without_a_work_email_the_page_says_to_ask_an_administrator(client, team):
    lead = factories.SpoFactory(team=team, user__username="noemail", email="", user__email="")
    sign_in(client, "noemail")
    page = client.get(reverse("two-factor-setup"))
    assert b"ask an administrator for an enrolment code" in page.content
    refused = client.post(reverse("two-factor-setup"), {"action": "send"})
    assert b"There is no work email on your record" in refused.content and not mail.outbox
    assert not EnrolmentCode.objects.filter(user=lead.user).exists()


def test_an_administrator_issues_codes_for_others_only_and_it_is_audited(spo, capsys):
    admin = factories.AdminStaffFactory(user__username="itadmin")
    with pytest.raises(NotPermittedError):
        services.enrolment_code_issue(user=admin.user, by=admin.user)
    with pytest.raises(NotPermittedError):
        services.enrolment_code_issue(user=admin.user, by=spo.user)
    call_command("enrolmentcode", "lead", "--by", "itadmin")
    code = re.search(r"([A-Z2-9]{5}-[A-Z2-9]{5})", capsys.readouterr().out).group(1)
    event = AuditEvent.objects.get(action="auth.enrolment_code_issued")
    assert (event.actor, event.object_id) == (admin.user, str(spo.user.pk))
    assert code not in str(event.after) and code not in event.detail
    services.second_factor_enrol(user=spo.user, key="ab" * 20, token=code_for_key("ab" * 20), enrolment_code=code)


def test_the_admin_action_shows_a_code_once(client, spo):
    admin = factories.AdminStaffFactory()
    factories.sign_in_fully(client, admin.user)
    response = client.post("/admin/account/user/", {"action": "issue_enrolment_code",
                                                   "_selected_action": [spo.user.pk]})
    assert response.status_code == 200
    code = re.search(rb"([A-Z2-9]{5}-[A-Z2-9]{5})", response.content).group(1).decode()
    assert AuditEvent.objects.filter(action="auth.enrolment_code_issued", actor=admin.user).count() == 1
    services.second_factor_enrol(user=spo.user, key="ab" * 20, token=code_for_key("ab" * 20), enrolment_code=code)


def test_after_set_up_each_sign_in_asks_for_a_code(client, spo):
    device = factories.authenticator_for(spo.user)
    response = sign_in(client, "lead", next_url=reverse("team-list"))
    assert response["Location"] == f"{reverse('two-factor')}?next={reverse('team-list')}"
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"Enter your security code" in page.content
    wrong = client.post(reverse("two-factor"), {"code": wrong_code_for_key(device.key), "next": reverse("team-list")})
    assert b"Enter a correct security code" in wrong.content
    assert client.get(reverse("team-list"))["Location"].startswith(reverse("two-factor"))
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    ok = client.post(reverse("two-factor"), {"code": factories.current_code(device), "next": reverse("team-list")})
    assert ok["Location"] == reverse("team-list")
    assert client.get(reverse("team-list")).status_code == 200
    assert actions() == ["auth.sign_in", "auth.second_factor_failed", "auth.second_factor_verified"]


def test_a_wrong_code_makes_the_next_try_wait_even_with_the_right_code(client, spo):
    device = factories.authenticator_for(spo.user)
    sign_in(client, "lead")
    client.post(reverse("two-factor"), {"code": wrong_code_for_key(device.key)})
    refused = client.post(reverse("two-factor"), {"code": factories.current_code(device)})
    assert refused.status_code == 200 and b"Enter a correct security code" in refused.content
    assert AuditEvent.objects.filter(action="auth.second_factor_failed").order_by("id").last().detail == \
        "too many wrong codes: waiting"


def test_a_code_cannot_be_used_twice(client, spo):
    device = factories.authenticator_for(spo.user)
    code = factories.current_code(device)
    sign_in(client, "lead")
    assert client.post(reverse("two-factor"), {"code": code}).status_code == 302
    other = CheckedClient()
    sign_in(other, "lead")
    replay = other.post(reverse("two-factor"), {"code": code})
    assert replay.status_code == 200 and b"Enter a correct security code" in replay.content


def test_a_practitioner_is_not_asked_unless_they_set_up_an_app(client, team):
    po = factories.StaffFactory(team=team, user__username="officer")
    assert sign_in(client, "officer")["Location"] == reverse("home")
    client.post(reverse("logout"))
    factories.authenticator_for(po.user)
    assert sign_in(client, "officer")["Location"].startswith(reverse("two-factor"))
    assert client.get(reverse("caseload"))["Location"].startswith(reverse("two-factor"))


@pytest.mark.parametrize("factory", [factories.HeadOfPduFactory, factories.AdminStaffFactory],
                         ids=["head-of-pdu", "administrator"])
def test_heads_of_pdu_and_administrators_need_it_too(client, factory):
    staff = factory(user__username="senior")
    if factory is factories.HeadOfPduFactory:
        factories.grant(staff, "HEAD_OF_PDU", pdu=factories.PduFactory())
    assert sign_in(client, "senior")["Location"].startswith(reverse("two-factor"))


def test_quality_assurance_is_not_required_to(client):
    qa = factories.QualityAssuranceFactory(user__username="checker")
    factories.grant(qa, "QUALITY_ASSURANCE", region=factories.RegionFactory())
    assert sign_in(client, "checker")["Location"] == reverse("home")


def test_when_not_enforced_demo_style_an_spo_without_an_app_goes_straight_in(client, spo, settings):
    settings.SECOND_FACTOR_ENFORCED = False
    assert sign_in(client, "lead")["Location"] == reverse("home")
    assert client.get(reverse("team-list")).status_code == 200


def test_when_not_enforced_someone_with_an_app_is_still_asked(client, spo, settings):
    settings.SECOND_FACTOR_ENFORCED = False
    factories.authenticator_for(spo.user)
    assert sign_in(client, "lead")["Location"].startswith(reverse("two-factor"))


def test_an_unconfirmed_session_cannot_replace_the_app(client, spo):
    factories.authenticator_for(spo.user)
    sign_in(client, "lead")
    response = client.get(reverse("two-factor-setup"))
    assert response["Location"].startswith(reverse("two-factor"))
    with pytest.raises(NotPermittedError):
        services.second_factor_enrol(user=spo.user, key="00" * 20, token="123456", enrolment_code="ABCDE-FGHJK")


def test_an_administrator_resets_a_lost_app_and_the_person_sets_up_again(client, spo):
    admin = factories.AdminStaffFactory()
    factories.authenticator_for(spo.user)
    assert services.second_factor_reset(user=spo.user, by=admin.user) == 1
    event = AuditEvent.objects.get(action="auth.second_factor_reset")
    assert (event.actor, event.object_id) == (admin.user, str(spo.user.pk))
    sign_in(client, "lead")
    assert client.get(reverse("two-factor"))["Location"].startswith(reverse("two-factor-setup"))
    with pytest.raises(NotPermittedError):
        services.second_factor_reset(user=admin.user, by=spo.user)


def test_the_code_field_is_checked_before_the_app(client, spo):
    factories.authenticator_for(spo.user)
    sign_in(client, "lead")
    response = client.post(reverse("two-factor"), {"code": ""})
    assert b"Enter the 6-digit security code from your authenticator app" in response.content
    assert not AuditEvent.objects.filter(action__startswith="auth.second_factor").exists()


def test_production_refuses_to_run_without_the_second_factor(settings):
    settings.DEBUG, settings.DEMO_MODE, settings.SECOND_FACTOR_ENFORCED = False, False, False
    assert [w.id for w in second_factor_enforced(None)] == ["casework.W001"]
    assert isinstance(second_factor_enforced(None)[0], CheckWarning)
    settings.SECOND_FACTOR_ENFORCED = True
    assert second_factor_enforced(None) == []


def test_an_idle_setup_key_is_kept_across_page_loads(client, spo):
    sign_in(client, "lead")
    client.get(reverse("two-factor-setup"))
    first = client.session[SETUP_KEY]
    client.get(reverse("two-factor-setup"))
    assert client.session[SETUP_KEY] == first


def _production_email_settings(extra: dict[str, str]):
    code = ("import django; from django.conf import settings as s; django.setup(); "
            "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS, "
            "s.DEFAULT_FROM_EMAIL)")
    env = {**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
           "DJANGO_SETTINGS_MODULE": "casework.settings.production", "SECRET_KEY": "x" * 64,
           "ALLOWED_HOSTS": "casework.example.org", "DATABASE_URL": "postgres://localhost/casework", **extra}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_production_sends_email_through_smtp_from_the_environment():
    result = _production_email_settings({"EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "587",
                                         "EMAIL_HOST_USER": "casework", "EMAIL_USE_TLS": "true",
                                         "DEFAULT_FROM_EMAIL": "casework@example.org"})
    assert result.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "smtp.example.org", "587",
                                     "casework", "True", "casework@example.org"], result.stderr
    both = _production_email_settings({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"})
    assert both.returncode != 0 and "cannot both be on" in both.stderr


@pytest.mark.parametrize("typed", ["³³³³³³", "١٢٣٤٥٦", "12 34 5x"])
def test_a_security_code_of_other_digits_is_refused_not_a_server_error(typed):
    # str.isdigit() is true for superscripts and other scripts' digits; int() fails on some of them.
    with pytest.raises(DomainValidationError):
        services._code(typed)
