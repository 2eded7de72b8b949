"""Issue a one-time enrolment code for setting up an authenticator app (``casework manage enrolmentcode``).

For someone with no work email on their record, or whose email does not arrive: an administrator
(``--by``) issues the code and passes it on out of band (in person, or by phone to a number already
on their record). The code is printed once and never stored (only its hash); issuing is audited.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from casework.account.services import ENROLMENT_CODE_ISSUED_LIFETIME, enrolment_code_issue
from casework.core.errors import NotPermittedError


class Command(BaseCommand):
    help = "Issue a one-time enrolment code for USERNAME's authenticator app (printed once)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="the person setting up an authenticator app")
        parser.add_argument("--by", required=True, help="the administrator issuing the code")

    def handle(self, *args, username: str, by: str, **options):
        users = get_user_model().objects
        person, admin = users.filter(username=username).first(), users.filter(username=by).first()
        if person is None:
            raise CommandError(f"There is no account called {username!r}")
        if admin is None:
            raise CommandError(f"There is no account called {by!r}")
        try:
            code = enrolment_code_issue(user=person, by=admin)
        except NotPermittedError as exc:
            raise CommandError(str(exc)) from None
        hours = int(ENROLMENT_CODE_ISSUED_LIFETIME.total_seconds() // 3600)
        self.stdout.write(f"Enrolment code for {username}: {code}\n"
                          f"It works once, within {hours} hours. Give it to them in person or by phone; "
                          "it is not shown again.")
