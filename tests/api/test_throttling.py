"""API throttling: each caller counted once (address, account or token), 429 in the JSON error shape."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.urls import reverse
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from casework.api.throttling import AnonRate
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    """``rates(anon=..., user=..., token=...)`` sets the API's rates for this test, with fresh counts."""

    def set_rates(**given):
        caches["throttle"].clear()
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
            "anon": "1000/minute", "user": "1000/minute", "token": "1000/minute", **given}}

    yield set_rates
    caches["throttle"].clear()


def test_a_person_over_the_rate_gets_429_in_the_usual_error_shape(client, po, rates):
    rates(user="2/minute")
    client.force_login(po.user)
    url = reverse("api-case-list")
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    response = client.get(url)
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"error"} and body["error"]["field"] == ""
    assert body["error"]["message"].startswith("Request was throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    other = factories.StaffFactory()
    client.force_login(other.user)
    assert client.get(url).status_code == 200  # counted by account: someone else is not held back


def test_tokens_are_counted_by_token_and_not_as_their_account(client, team, rates):
    rates(user="1/minute", token="2/minute")
    _, _, first = factories.api_client("first", pdu=team.pdu)
    _, _, second = factories.api_client("second", pdu=team.pdu)
    url = reverse("api-case-list")
    get = lambda secret: client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code  # noqa: E731
    assert [get(first), get(first), get(first)] == [200, 200, 429]
    assert get(second) == 200


class _Open(APIView):
    permission_classes = ()
    authentication_classes = ()


def test_callers_not_signed_in_are_counted_by_address(rates, settings):
    rates(anon="1/minute")
    settings.TRUSTED_PROXY_COUNT = 1
    factory = APIRequestFactory()
    one = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    another = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    view = _Open()
    assert [AnonRate().allow_request(view.initialize_request(r), view) for r in (one, one, another)] == [
        True, False, True]
