"""Development and demo settings: SQLite by default, a generated local secret key under var/."""

from __future__ import annotations

import secrets

from casework.settings.base import *  # noqa: F403
from casework.settings.base import VAR_DIR, database_from_env, env


def _local_secret_key() -> str:
    """A per-checkout key kept in var/ so sessions survive restarts; never used in production."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
DATABASES = {"default": database_from_env(default=f"sqlite:///{VAR_DIR / 'casework.sqlite3'}")}
DEMO_MODE = env.bool("CASEWORK_DEMO", default=True)
# Demo mode lets people who have not set up an authenticator app in (ADR 0002); anyone who has set
# one up is still asked for a code. Production settings always enforce the second factor.
SECOND_FACTOR_ENFORCED = not DEMO_MODE
# Email (enrolment codes for authenticator apps) is printed to the console while developing.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# Serve static files straight from the app directories while developing; production collects them.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns if it is missing
