"""Production settings: every secret from the environment, nothing defaulted that matters."""

from __future__ import annotations

from casework.settings.base import *  # noqa: F403
from casework.settings.base import database_from_env, env, stop

SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50:
    stop("SECRET_KEY must be set (50 or more random characters) in production")
DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    stop("DEBUG must be off in production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    stop("ALLOWED_HOSTS must list the host names Casework is served on")
DATABASES = {"default": database_from_env(default=None)}
DEMO_MODE = False
SECOND_FACTOR_ENFORCED = True
# Email goes out through an SMTP relay: enrolment codes for authenticator apps go to work addresses.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SITE_URL = env.str("SITE_URL", default=f"https://{ALLOWED_HOSTS[0].lstrip('.')}").rstrip("/")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    stop("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on: choose STARTTLS (587) or implicit TLS (465)")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# A load balancer probes /healthz and /readyz over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# One JSON object per line on standard error, each with the request's id (casework/core/logs.py); Casework's
# own loggers at INFO, so the access log ("casework.request": one line per request) is written.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "casework.core.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "casework.core.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {"casework": {"level": env.str("CASEWORK_LOG_LEVEL", default="INFO")}},
}
