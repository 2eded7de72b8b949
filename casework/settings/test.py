"""Settings for the test suite: like local, with a fast password hasher."""

from __future__ import annotations

from casework.settings.local import *  # noqa: F403

DEBUG = False
DEMO_MODE = True
# Argon2 is deliberately slow; the suite creates thousands of users. Production keeps Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
