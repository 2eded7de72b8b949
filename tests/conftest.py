"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest

from tests import factories
from tests.pagecheck import CheckedClient


@pytest.fixture
def client():
    """Every page fetched through ``client`` is checked by tests.pagecheck."""
    return CheckedClient()


@pytest.fixture
def team(db):
    return factories.TeamFactory()


@pytest.fixture
def po(team):
    return factories.StaffFactory(team=team, user__username="po")


@pytest.fixture
def signed_in(client):
    """``signed_in(staff)`` returns the page client signed in as that member of staff."""

    def sign_in(staff):
        client.force_login(staff.user)
        return client

    return sign_in
