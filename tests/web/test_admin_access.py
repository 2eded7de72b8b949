"""The Django admin for someone who is not an administrator: the 403 page, never a loop of sign-ins."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/", "/admin/record/caseaccess/", "/admin/login/?next=/admin/"])
def test_signed_in_non_administrator_sees_the_403_page(signed_in, po, path):
    response = signed_in(po).get(path)
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


def test_signed_in_spo_sees_the_403_page(client, team):
    spo = factories.SpoFactory(team=team)
    factories.sign_in_fully(client, spo.user)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 1


def test_not_signed_in_goes_to_sign_in_once(client, db):
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/sign-in/"
    assert len(response.redirect_chain) <= 2


def test_administrator_sees_the_admin(client):
    admin = factories.AdminStaffFactory()
    factories.sign_in_fully(client, admin.user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Case access rules" in response.content.decode()
    assert "Case accesss" not in response.content.decode()
