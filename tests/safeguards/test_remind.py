"""``casework remind``: overdue and soon-due tasks emailed once a day per person, safe from cron."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from casework.audit.models import AuditEvent
from casework.safeguards import services
from casework.safeguards.models import ReminderSent
from casework.supervision.models import CaseEvent
from tests import factories
from tests.safeguards.conftest import START, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def po_with_tasks(po):
    po.email = "po@probation.example"
    po.save()
    case = factories.AllocatedCaseFactory(manager=po)
    factories.CommunityOrderFactory(case=case, sentence_date=START, start_date=START)
    services.tasks_recompute(case=case, trigger="test", today=TODAY)
    return po, case


def test_a_practitioner_gets_their_overdue_and_soon_due_tasks(po_with_tasks, settings):
    settings.SITE_URL = "https://casework.example"
    po, case = po_with_tasks
    CaseEvent.objects.create(case=case, type="ARREST", occurred_on=dt.date(2026, 11, 20), notes="Arrested")
    services.tasks_recompute(case=case, trigger="test", today=TODAY)
    run = services.reminders_send(today=TODAY)
    assert run.sent == [po.code]
    [email] = mail.outbox
    assert email.to == ["po@probation.example"]
    assert email.subject == "Casework: safeguard tasks – 3 overdue and 1 due in the next 5 working days"
    assert "Domestic abuse enquiry with the police, case " + case.crn + ", was due 23 November 2026" in email.body
    assert "Risk review, case " + case.crn + ", due 4 December 2026" in email.body
    assert email.body.count("Risk review") == 1  # the periodic review is not due within 5 working days
    assert "https://casework.example/cases/" in email.body and "/tasks/" in email.body
    assert case.first_name not in email.body and case.last_name not in email.body
    assert AuditEvent.objects.filter(action="safeguard_reminder.send").count() == 1


def test_at_most_one_email_a_day_per_person(po_with_tasks):
    po, _case = po_with_tasks
    services.reminders_send(today=TODAY)
    again = services.reminders_send(today=TODAY)
    assert (again.sent, again.already_sent, len(mail.outbox)) == ([], [po.code], 1)
    assert services.reminders_send(today=TODAY + dt.timedelta(days=1)).sent == [po.code]
    assert len(mail.outbox) == 2


def test_two_runs_at_once_send_one_email(po_with_tasks):
    """The second run got past the 'already sent?' check before the first wrote its row: the unique row refuses it."""
    po, _case = po_with_tasks
    services.reminders_send(today=TODAY)
    with mock.patch.object(services.ReminderSent.objects, "filter") as already:
        already.return_value.exists.return_value = False
        second = services.reminders_send(today=TODAY)
    assert (second.sent, second.already_sent, len(mail.outbox)) == ([], [po.code], 1)


def test_a_failed_email_is_retried_by_the_next_run(po_with_tasks):
    po, _case = po_with_tasks
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("down")):
        failed = services.reminders_send(today=TODAY)
    assert failed.failed == [po.code] and not ReminderSent.objects.exists()
    assert not AuditEvent.objects.filter(action="safeguard_reminder.send").exists()
    assert services.reminders_send(today=TODAY).sent == [po.code]


def test_nobody_without_tasks_due_is_emailed(po_with_tasks):
    early = START - dt.timedelta(days=1)  # before anything is overdue, and nothing due within 5 working days
    assert services.reminders_send(today=early).sent == []
    assert mail.outbox == []


def test_someone_without_an_email_address_is_reported(po_with_tasks):
    po, _case = po_with_tasks
    po.email = ""
    po.save()
    assert services.reminders_send(today=TODAY).no_email == [po.code]


def test_the_command(po_with_tasks, capsys):
    call_command("remind", "--date", TODAY.isoformat(), "--dry-run")
    assert "Would email 1 person" in capsys.readouterr().out and mail.outbox == []
    call_command("remind", "--date", TODAY.isoformat())
    assert "Emailed 1 person; already reminded today: 0" in capsys.readouterr().out and len(mail.outbox) == 1
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("remind", "--date", "tomorrow")


def test_the_recompute_command_after_a_policy_change(po_with_tasks, capsys):
    _po, case = po_with_tasks
    call_command("recompute_safeguards", "--pdu", case.pdu.code, "--workers", "1")
    assert "0 tasks created" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no PDU"):
        call_command("recompute_safeguards", "--pdu", "NOPE")
