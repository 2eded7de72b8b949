"""A database that refuses connections, for the outage and health tests."""

from __future__ import annotations

import contextlib
from unittest import mock

from django.db import OperationalError, connections

REFUSED = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused'


@contextlib.contextmanager
def database_refusing():
    """Every query (and every transaction) fails as it does when the database server is down."""

    def refuse(self, *args, **kwargs):
        raise OperationalError(REFUSED)

    with mock.patch.object(type(connections["default"]), "ensure_connection", refuse):
        yield
