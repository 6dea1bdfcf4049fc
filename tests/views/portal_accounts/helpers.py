"""What the account tests share: a password, links and codes read from the emails, a sign-up
as a person types it, and what this browser session may open."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from requests_app.access import portal as access

from ...factories import UserFactory

LA = ZoneInfo("America/Los_Angeles")


User = get_user_model()


PASSWORD = "Quiet-harbor-2026"


LINK = re.compile(r"https?://testserver(/\S+)")


CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)


def link_in(message) -> str:
    return LINK.search(message.body).group(1)


def code_in(message) -> str:
    return CODE.search(message.body).group(1)


def text(response) -> str:
    return response.content.decode()


def visible_numbers(client) -> set[str]:
    """What this browser session may open, through the portal's one access helper."""
    http_request = RequestFactory().get("/")
    http_request.session = client.session
    http_request.user = AnonymousUser()
    return set(access.portal_requests(http_request).values_list("number", flat=True))


def sign_up(post, email: str = "ana@example.org", **extra) -> object:
    data = {
        "full_name": "Ana María Rivera",
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "language": "en",
        **extra,
    }
    return post("/portal/account/signup/", data)


def make_user(email: str, *, active: bool = True, **extra) -> User:
    return UserFactory(username=email, email=email, is_active=active, password=PASSWORD, **extra)
