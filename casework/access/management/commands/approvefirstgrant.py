"""Approve the first national grant of a new deployment (``casework manage approvefirstgrant GRANT --by NAME``).

On a new deployment nobody has national authority, so the usual approval page has nobody to offer the
first national grant to. This command lets a second administrator approve it from the server, once:
it refuses as soon as an approved national grant exists, and everything else about approval holds
(not for yourself, not a grant you asked for, a reason, an audit row). See docs/security.md.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from casework.access import services
from casework.access.models import ScopeGrant
from casework.core.errors import DomainValidationError, NotPermittedError


class Command(BaseCommand):
    help = "Approve the first national grant of a new deployment, as a second administrator."

    def add_arguments(self, parser):
        parser.add_argument("grant", type=int, help="the pending national grant's number (shown in the admin)")
        parser.add_argument("--by", required=True, help="the administrator approving it (not the one who asked)")
        parser.add_argument("--reason", required=True, help="why this person needs national access")

    def handle(self, *args, **options):
        by = get_user_model().objects.filter(username=options["by"]).first()
        if by is None:
            raise CommandError(f"No user called {options['by']!r}")
        grant = ScopeGrant.objects.filter(pk=options["grant"]).first()
        if grant is None:
            raise CommandError(f"No grant number {options['grant']}")
        try:
            grant = services.scope_grant_approve_first_national(grant=grant, by=by, reason=options["reason"])
        except NotPermittedError as exc:
            raise CommandError(str(exc)) from None
        except DomainValidationError as exc:
            raise CommandError("; ".join(str(message) for message in exc.errors.values())) from None
        self.stdout.write(f"Approved: {grant} (ends {grant.ends_on:%-d %B %Y})")
