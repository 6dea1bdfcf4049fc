"""What several browser tests share: a program they need, and a staff member's session."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import Page


def tool(name: str) -> str:
    """The path of a poppler program; its absence fails the test (never a skip)."""
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is missing: apt-get install poppler-utils", pytrace=False)
    return path


def sign_in_staff(page: Page, client, user, live_server) -> None:
    """The browser takes over the test client's session for `user` (no login form)."""
    page.context.clear_cookies()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
