"""Health checks for a load balancer: ``/healthz`` (liveness) and ``/readyz`` (readiness).

``/healthz`` says the process is up and answering: no database, no session, no template. ``/readyz``
says it can serve pages: the database answers ``SELECT 1`` and no migration is waiting to be applied
(the migration check reads every migration file, so once it has passed it is not repeated for the
life of the process: migrations are applied before a release starts serving).

Both are answered by ``HealthCheckMiddleware``, placed before the session and sign-in middleware, so
a probe is never asked to sign in or for a second factor, never reads or writes a session (and so
never needs the database to answer ``/healthz``), and is not written to the access log every few
seconds. The routes are also in the URLconf (marked public and ``login_not_required``), so the URL
walk of the permission matrix knows them.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.http import require_safe

logger = logging.getLogger("casework.health")

OK = "ok"
UNAVAILABLE = "unavailable"
PENDING = "pending"
UNKNOWN = "unknown"

# Set once the migration check has passed in this process.
_migrations_applied = False


def _public(view):
    """Open to anyone, signed in or not, before any second factor (as the sign-in page is)."""
    view = login_not_required(require_safe(view))
    view.casework_public = True
    view.casework_before_second_factor = True
    return view


@_public
def healthz(request):
    """Liveness: the process answers. Touches nothing else."""
    return JsonResponse({"status": OK})


def database_check(alias: str = DEFAULT_DB_ALIAS) -> str:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Error as exc:
        logger.warning("Readiness: the database did not answer: %s: %s", type(exc).__name__, exc)
        return UNAVAILABLE
    return OK


def migrations_check(alias: str = DEFAULT_DB_ALIAS) -> str:
    global _migrations_applied
    if _migrations_applied:
        return OK
    try:
        executor = MigrationExecutor(connections[alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Error as exc:
        logger.warning("Readiness: could not read the applied migrations: %s: %s", type(exc).__name__, exc)
        return UNKNOWN
    if plan:
        logger.warning("Readiness: %d migrations are not applied", len(plan))
        return PENDING
    _migrations_applied = True
    return OK


@_public
def readyz(request):
    """Readiness: 200 when the database answers and every migration is applied, else 503."""
    database = database_check()
    checks = {"database": database, "migrations": migrations_check() if database == OK else UNKNOWN}
    if all(value == OK for value in checks.values()):
        return JsonResponse({"status": OK, "checks": checks})
    response = JsonResponse({"status": UNAVAILABLE, "checks": checks}, status=503, headers={"Retry-After": "5"})
    response._has_been_logged = True  # the check above said why, once; Django need not add a line per probe
    return response


HEALTH_PATHS = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answer ``/healthz`` and ``/readyz`` before the session, sign-in and access-log middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = HEALTH_PATHS.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)
