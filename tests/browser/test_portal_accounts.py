"""A new person signs up on a phone, opens the emailed link and lands signed in; a guest asks
for a code. Screenshots of the sign-up, sign-in and code pages at 375 px and 1280 px."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"
WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}
LINK = re.compile(r"https?://[^/\s]+(/portal/account/confirm/\S+)")
CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)


def shoot(page: Page, name: str) -> None:
    """One screenshot per width, after checking nothing scrolls sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in WIDTHS.values():
        page.set_viewport_size(size)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        page.screenshot(path=str(SHOTS / f"accounts-{name}-{size['width']}.png"), full_page=True)
    page.set_viewport_size(WIDTHS["phone"])


def test_it_signs_up_and_lands_signed_in_from_the_emailed_link(
    live_server, page: Page, mailoutbox
) -> None:
    page.set_viewport_size(WIDTHS["phone"])
    page.goto(live_server.url + "/portal/")
    page.get_by_role("link", name="Create an account").first.click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()

    # A mistake first: the page says what is wrong next to the field and keeps the rest.
    page.get_by_label("Your full name").fill("Ana María Rivera")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Choose a password").fill("Quiet-harbor-2026")
    page.get_by_label("Type the password again").fill("Quiet-harbor-2025")
    page.get_by_label("English").check()
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("The two passwords are not the same.")).to_be_visible()
    expect(page.get_by_label("Your full name")).to_have_value("Ana María Rivera")
    shoot(page, "signup-error")

    page.get_by_label("Choose a password").fill("Quiet-harbor-2026")
    page.get_by_label("Type the password again").fill("Quiet-harbor-2026")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_text("ana@example.org")).to_be_visible()

    (message,) = mailoutbox
    assert message.to == ["ana@example.org"]
    page.goto(live_server.url + LINK.search(message.body).group(1))
    expect(page.get_by_text("Your email is confirmed and you are signed in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_text("Hello, Ana María Rivera.")).to_be_visible()
    assert get_user_model().objects.get(username="ana@example.org").is_active
    shoot(page, "signed-in")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_the_sign_up_and_sign_in_pages_fit_a_phone_and_a_desktop(live_server, page: Page) -> None:
    page.goto(live_server.url + "/portal/account/signup/")
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    shoot(page, "signup")
    page.goto(live_server.url + "/portal/account/login/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shoot(page, "login")
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("not-this-one")
    page.get_by_role("button", name="Sign in").last.click()
    expect(page.get_by_text("That email and password do not match")).to_be_visible()
    shoot(page, "login-error")
    page.goto(live_server.url + "/portal/")
    shoot(page, "home")


def test_a_guest_gets_a_code_and_types_it(live_server, page: Page, mailoutbox) -> None:
    page.set_viewport_size(WIDTHS["phone"])
    page.goto(live_server.url + "/portal/guest/")
    shoot(page, "guest-start")
    page.get_by_label("Email").fill("guest@example.org")
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    shoot(page, "code")

    page.get_by_label("The 6-digit code from the email").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    shoot(page, "code-error")

    (message,) = mailoutbox
    page.get_by_label("The 6-digit code from the email").fill(CODE.search(message.body).group(1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Thank you, your email is confirmed.")).to_be_visible()
    expect(
        page.get_by_text("You are continuing as a guest with guest@example.org.")
    ).to_be_visible()


def test_the_follow_page_fits_a_phone_and_a_desktop(live_server, page: Page) -> None:
    page.goto(live_server.url + "/portal/follow/")
    expect(page.get_by_role("heading", name="Follow a request")).to_be_visible()
    shoot(page, "follow")
