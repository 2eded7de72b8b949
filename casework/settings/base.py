"""Settings shared by every environment. Values come from the environment (django-environ)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import environ
from csp.constants import NONCE as CSP_NONCE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("CASEWORK_VAR_DIR", default=str(BASE_DIR / "var")))

SQLITE_ENGINE = "django.db.backends.sqlite3"
POSTGRES_ENGINE = "django.db.backends.postgresql"


def stop(message: str) -> None:
    """Stop start-up with one clear line on stderr (no traceback)."""
    sys.stderr.write(f"casework: {message}\n")
    raise SystemExit(2)


def database_from_env(*, default: str | None) -> dict:
    """The default database from DATABASE_URL, or ``default`` when it is unset."""
    url = env.str("DATABASE_URL", default="") or default
    if not url:
        stop("DATABASE_URL is not set; set it to postgres://USER:PASSWORD@HOST:PORT/NAME")
    assert url is not None
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        stop(
            f"DATABASE_URL is malformed: expected sqlite:///PATH or postgres://USER@HOST:PORT/NAME, "
            f"got scheme {scheme or '(none)'!r}"
        )
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several types for a bad URL
        stop(f"DATABASE_URL is malformed: {exc}")
    if config["ENGINE"] == SQLITE_ENGINE:
        name = config.get("NAME") or ""
        if not name or name == ":memory:":
            stop("DATABASE_URL for SQLite needs a file path, e.g. sqlite:///var/casework.sqlite3")
        path = Path(name)
        if not path.is_absolute():
            path = BASE_DIR / path
        path.parent.mkdir(parents=True, exist_ok=True)
        config["NAME"] = str(path)
        config["OPTIONS"] = {
            # WAL lets pages read while a write is in progress; IMMEDIATE takes the write lock at
            # BEGIN so two concurrent writers queue instead of failing mid-transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        if not config.get("NAME"):
            stop("DATABASE_URL for PostgreSQL must name a database, e.g. postgres://localhost:5432/casework")
        config.setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
        config["CONN_HEALTH_CHECKS"] = True
        # Server-side parameters and prepared statements (docs/adr/0003): at national scale planning a
        # page's queries cost more than running them (the case page spent 14 ms of its 15 queries in
        # the database, 6 ms once each statement is prepared on first use and its plan reused).
        # DATABASE_PREPARE_THRESHOLD=none turns prepared statements off, e.g. behind a pooler in
        # transaction mode that cannot keep them.
        options = config.setdefault("OPTIONS", {})
        options.setdefault("server_side_binding", env.bool("DATABASE_SERVER_SIDE_BINDING", default=True))
        threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="1")
        options.setdefault("prepare_threshold", None if threshold.lower() == "none" else int(threshold))
        # A database host that does not answer at all (not even to refuse) fails a request after this many
        # seconds, not the operating system's minutes: pages answer 503 during an outage (casework/core/outage.py).
        options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
    return config


INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "casework.account",
    "casework.organisation",
    "casework.workforce",
    "casework.record",
    "casework.access",
    "casework.audit",
    "casework.ruleset",
    "casework.supervision",
    "casework.safeguards",
    "casework.enforcement",
    "casework.allocation",
    "casework.recall",
    "casework.quality",
    "casework.web",
    "casework.api",
    "casework.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so everything after it (the access log, a 503 during an outage) has the request's id.
    "casework.audit.context.AuditContextMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files keep their caching; every other response is no-store.
    "casework.core.middleware.NoStoreMiddleware",
    # /healthz and /readyz, before the session and sign-in (and not in the access log).
    "casework.core.health.HealthCheckMiddleware",
    "casework.core.middleware.RequestLogMiddleware",
    # A view failing because the database cannot be reached answers 503 (casework/core/outage.py).
    "casework.core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "casework.account.middleware.IdleTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "casework.account.middleware.SecondFactorMiddleware",
    # Innermost, so it sees the sign-in view's verdict and answers a locked-out attempt with its own page.
    "axes.middleware.AxesMiddleware",
]

# How many reverse proxies (load balancer, nginx …) stand in front of Casework and append to
# X-Forwarded-For. The audit log's client address is read through exactly these; 0 (the default)
# ignores the header, which the client could have written.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    stop("TRUSTED_PROXY_COUNT must be 0 or more: the number of reverse proxies in front of Casework")

# API request counts (throttling) are kept in files under VAR_DIR, so every worker process of one
# server counts against the same limit; everything else uses the per-process memory cache.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                 "LOCATION": str(VAR_DIR / "throttle")},
}

ROOT_URLCONF = "casework.urls"
WSGI_APPLICATION = "casework.wsgi.application"
AUTH_USER_MODEL = "account.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casework.web.context.casework",
                "csp.context_processors.nonce",
            ],
            "builtins": ["casework.web.templatetags.govuk"],
        },
    }
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes checks every password sign-in first and refuses one for a locked-out username.
# django-axes' lockout check and Django's password check, each loading the user with their staff record
# (casework/account/backends.py): one query for both on every signed-in request.
AUTHENTICATION_BACKENDS = [
    "casework.account.backends.LockoutBackend",
    "casework.account.backends.PasswordBackend",
]
# Lockout: 5 failed sign-ins for a username lock it for 15 minutes, counted from the fifth failure
# (attempts while locked do not extend it). By username, not address: staff share office addresses.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# Counted under the username trimmed and lower-cased, so changing its case or spacing gives no more tries.
AXES_USERNAME_CALLABLE = "casework.account.lockout.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Sign-ins and failures are in the audit log; axes keeps only the failure counts it needs.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# axes.W006 asks for the client address as a lockout parameter too. Casework locks usernames only: a
# probation office signs in from one address, and five mistakes across a whole office must not lock
# everyone out. Guessing across many usernames shows in the audit log (every failure is recorded)
# and is for the edge proxy to rate-limit (docs/security.md).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Time-based one-time passwords (django-otp): required for SPOs, heads of PDU and administrators
# (casework.access.policy.second_factor_required). Only local demo settings may switch it off.
SECOND_FACTOR_ENFORCED = True
# Who Casework's email (enrolment codes for authenticator apps) comes from.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Casework <casework@localhost>")
# Where links in email point (``casework remind``): the address people open Casework at.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
OTP_TOTP_ISSUER = "Casework"
OTP_TOTP_THROTTLE_FACTOR = 1

# Sessions end after 30 minutes without a request, and 10 hours after sign-in whatever happens
# (casework.account.middleware.IdleTimeoutMiddleware).
SESSION_IDLE_SECONDS = 30 * 60
SESSION_MAX_SECONDS = 10 * 60 * 60

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, g:ia"
SHORT_DATE_FORMAT = "j M Y"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "casework" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
# The CSRF token lives in the session, not in a cookie of its own that scripts or other sites could read.
CSRF_USE_SESSIONS = True
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): everything from this origin only; scripts also need the
# per-response nonce (request.csp_nonce), so no inline script runs unless the server wrote it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

REST_FRAMEWORK = {
    # Other systems send "Authorization: Bearer <token>"; people use their signed-in session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "casework.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only, with a depth limit (casework/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["casework.api.parsers.JSONBodyParser"],
    "EXCEPTION_HANDLER": "casework.api.errors.exception_handler",
    # Requests per caller (casework/api/throttling.py): by address when signed out, by account when
    # signed in, by token for other systems. Over the rate: 429 with the JSON error and Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "casework.api.throttling.AnonRate",
        "casework.api.throttling.UserRate",
        "casework.api.throttling.TokenRate",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="30/minute"),
        "user": env.str("API_THROTTLE_USER", default="300/minute"),
        "token": env.str("API_THROTTLE_TOKEN", default="600/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Casework API",
    "DESCRIPTION": "Probation case supervision: rule engines and case data.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# Demo logins are shown and the demo world can be built only when this is on (never in production).
DEMO_MODE = False

# Readable lines here; production writes JSON (casework/settings/production.py). Every record carries
# the request's id (casework/core/logs.py); the access log ("casework.request") is written at INFO, so
# it shows with LOG_LEVEL=INFO.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "casework.core.logs.RequestIdFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
