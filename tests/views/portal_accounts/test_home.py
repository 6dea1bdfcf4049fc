"""The portal home: the right of access explained, and what it offers to whoever is there (a
visitor, a signed-in requester, staff)."""

from __future__ import annotations

import pytest

from .helpers import make_user, text

pytestmark = pytest.mark.django_db


def test_the_portal_home_explains_the_right_of_access(client) -> None:
    body = text(client.get("/portal/"))
    assert "45 CFR 164.524" in body
    for href in (
        "/portal/account/login/",
        "/portal/account/signup/",
        "/portal/guest/",
        "/portal/follow/",
    ):
        assert f'href="{href}"' in body


def test_the_portal_home_greets_a_signed_in_requester(client) -> None:
    client.force_login(make_user("ana@example.org", first_name="Ana", last_name="Rivera"))
    body = text(client.get("/portal/"))
    assert "Hello, Ana Rivera." in body
    assert 'href="/portal/guest/"' not in body


def test_the_portal_home_treats_staff_as_visitors(client, staff_a) -> None:
    client.force_login(staff_a)
    body = text(client.get("/portal/"))
    assert 'href="/portal/account/login/"' in body
