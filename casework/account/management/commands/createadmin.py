"""Create an administrator account (``casework createadmin``), through the audited account service."""

from __future__ import annotations

import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from casework.account.services import USERNAME_REQUIRED, administrator_create
from casework.core.errors import DomainValidationError


class Command(BaseCommand):
    help = "Create an administrator. The password comes from CASEWORK_ADMIN_PASSWORD or a prompt."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=False)
        parser.add_argument("--email", default="")

    def handle(self, *args, username=None, email="", **options):
        username = (username or input("Username: ")).strip()
        if not username:
            raise CommandError(USERNAME_REQUIRED)
        password = os.environ.get("CASEWORK_ADMIN_PASSWORD") or getpass.getpass("Password: ")
        try:
            administrator_create(username=username, password=password, email=email)
        except DomainValidationError as exc:
            raise CommandError(" ".join(exc.errors.values())) from None
        self.stdout.write(self.style.SUCCESS(f"Administrator {username} created"))
