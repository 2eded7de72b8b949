"""Create an administrator account (``casework createadmin``)."""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create an administrator. The password comes from CASEWORK_ADMIN_PASSWORD or a prompt."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=False)
        parser.add_argument("--email", default="")

    def handle(self, *args, username=None, email="", **options):
        User = get_user_model()
        username = username or input("Username: ").strip()
        if not username:
            raise CommandError("Enter a username")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"An account called {username!r} already exists")
        password = os.environ.get("CASEWORK_ADMIN_PASSWORD") or getpass.getpass("Password: ")
        user = User(username=username, email=email, is_staff=True, is_superuser=True)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"Administrator {username} created"))
