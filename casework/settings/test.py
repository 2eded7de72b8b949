"""Settings for the test suite: like local, with a fast password hasher."""

from __future__ import annotations

import base64
import hashlib

from casework.settings.base import BASE_DIR, CONTENT_SECURITY_POLICY
from casework.settings.local import *  # noqa: F403

DEBUG = False
DEMO_MODE = True
# As in demo mode: tests that sign in as an SPO, head of PDU or administrator through the form need no
# authenticator. The security tests switch it on (tests/account, tests/access/test_permissions.py).
SECOND_FACTOR_ENFORCED = False
# Argon2 is deliberately slow; the suite creates thousands of users. Production keeps Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def _axe_injection_hash() -> str | None:
    """The CSP hash of axe-core exactly as Playwright's ``add_script_tag(path=...)`` injects it.

    The browser tests keep the real policy (so they would catch a script of ours that it blocks);
    this one hash lets them run axe-core, and nothing else, inline.
    """
    path = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        return None
    content = path.read_text(encoding="utf-8", errors="replace") + f"\n//# sourceURL={path}"
    digest = hashlib.sha256(content.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


if (_axe := _axe_injection_hash()) is not None:
    CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"],
                       "script-src": [*CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"], _axe]},
    }
# Sent email is kept in django.core.mail.outbox.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# API throttling: counted in memory, and high enough that no test meets it by accident; the
# throttling tests (tests/api/test_throttling.py) set their own low rates.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"},
}
REST_FRAMEWORK = {**REST_FRAMEWORK,  # noqa: F405
                  "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute",
                                             "token": "100000/minute"}}
