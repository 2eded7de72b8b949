"""Register API clients and issue, list and revoke their tokens (``casework manage apitoken ...``).

Every change is made as a named administrator (``--by``) and audited. A new token is printed once
and never stored: only its digest is kept.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from casework.access import services
from casework.access.models import ApiClient, ApiScope, ApiToken
from casework.core.errors import DomainValidationError, NotPermittedError
from casework.organisation.models import Pdu, Region, Team

DEFAULT_DAYS = 90


class Command(BaseCommand):
    help = "Manage API clients and their tokens. Tokens are shown once, when issued."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        client = sub.add_parser("add-client", help="register another system")
        client.add_argument("name")
        client.add_argument("--by", required=True, help="the administrator making the change")
        scope = client.add_mutually_exclusive_group()
        scope.add_argument("--team", help="team code: the client reads this team's cases")
        scope.add_argument("--pdu", help="PDU code")
        scope.add_argument("--region", help="region code")
        scope.add_argument("--national", action="store_true", help="every case in England and Wales")
        issue = sub.add_parser("issue", help="issue a token for a client (printed once)")
        issue.add_argument("client", help="the client's name")
        issue.add_argument("--by", required=True, help="the administrator making the change")
        issue.add_argument("--scope", action="append", required=True, choices=ApiScope.values, dest="scopes",
                           help="repeat for several")
        issue.add_argument("--days", type=int, default=DEFAULT_DAYS, help=f"valid for (default {DEFAULT_DAYS}, "
                                                                           "at most 366)")
        revoke = sub.add_parser("revoke", help="stop a token working")
        revoke.add_argument("prefix", help="the token's prefix, as listed")
        revoke.add_argument("--by", required=True, help="the administrator making the change")
        sub.add_parser("list", help="clients and their tokens (never the tokens themselves)")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action.replace('-', '_')}")(**options)
        except DomainValidationError as exc:
            raise CommandError("; ".join(exc.errors.values())) from None
        except NotPermittedError as exc:
            raise CommandError(str(exc)) from None

    def _admin(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no account called {username!r}")
        return user

    @staticmethod
    def _get(model, code: str | None):
        if code is None:
            return None
        found = model.objects.filter(code=code).first()
        if found is None:
            raise CommandError(f"There is no {model._meta.verbose_name} with code {code!r}")
        return found

    def _add_client(self, *, name, by, team, pdu, region, national, **_):
        client = services.api_client_create(
            name=name, by=self._admin(by), team=self._get(Team, team), pdu=self._get(Pdu, pdu),
            region=self._get(Region, region), national=national)
        self.stdout.write(f"API client {client.name} registered (account {client.user.username}; "
                          f"cases: {client.scope_label})")

    def _issue(self, *, client, by, scopes, days, **_):
        found = ApiClient.objects.filter(name=client).first()
        if found is None:
            raise CommandError(f"There is no API client called {client!r}")
        token, secret = services.api_token_issue(client=found, scopes=scopes, by=self._admin(by),
                                                 expires_at=timezone.now() + dt.timedelta(days=days))
        self.stdout.write(f"Token {token.prefix} for {found.name}, scopes {', '.join(token.scopes)}, "
                          f"expires {timezone.localtime(token.expires_at):%d %B %Y %H:%M}.")
        self.stdout.write("Copy it now: it is not stored and cannot be shown again.")
        self.stdout.write(secret)

    def _revoke(self, *, prefix, by, **_):
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"There is no token {prefix!r}")
        services.api_token_revoke(token=token, by=self._admin(by))
        self.stdout.write(f"Token {prefix} revoked")

    def _list(self, **_):
        now = timezone.now()
        for client in ApiClient.objects.order_by("name"):
            self.stdout.write(f"{client.name} ({client.user.username}; cases: {client.scope_label})")
            for token in client.tokens.order_by("-created_at"):
                state = ("revoked" if token.revoked_at else "expired" if token.expires_at <= now else "active")
                self.stdout.write(f"  {token.prefix}  {', '.join(token.scopes):<18} {state:<8} "
                                  f"expires {timezone.localtime(token.expires_at):%Y-%m-%d}")
