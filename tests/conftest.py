"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os

import pytest
from django.apps import apps
from django.core import serializers
from hypothesis import settings as hypothesis_settings

from tests import factories
from tests.pagecheck import CheckedClient

# On CI (any CI environment variable set, as CI services do) property tests have no deadline: a
# shared runner's pauses would fail a test for its timing, not its logic. Examples and database as
# the default profile; HYPOTHESIS_PROFILE chooses another explicitly.
hypothesis_settings.register_profile("ci", deadline=None, print_blob=True)
if os.environ.get("HYPOTHESIS_PROFILE"):
    hypothesis_settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
elif os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


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


@pytest.fixture(scope="session")
def seeded_data(django_db_setup, django_db_blocker) -> str:
    """Casework's reference data as the migrations seeded it (offence and registration types, rule
    configuration), serialized before the first browser test empties the database."""
    with django_db_blocker.unblock():
        objects = [
            obj
            for model in apps.get_models()
            if model._meta.app_config.name.startswith("casework.") and model._meta.managed
            for obj in model._base_manager.order_by("pk")
        ]
    if not objects:
        pytest.fail("the test database has no reference data: did a test before the browser tests empty it?",
                    pytrace=False)
    return serializers.serialize("json", objects)
