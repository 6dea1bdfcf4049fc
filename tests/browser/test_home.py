"""A person opens the portal's home page on a phone and switches it to Spanish."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from requests_app.models import Location

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_where_to_ask_and_switches_to_spanish(live_server, page: Page, entity_a) -> None:
    Location.objects.create(
        entity=entity_a, name="Duarte campus", address="1500 East Duarte Road\nDuarte, CA 91010"
    )
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Get a copy of your medical records")).to_be_visible()
    expect(page.get_by_text("City of Hope National Medical Center")).to_be_visible()
    expect(page.get_by_text("within 15 days")).to_be_visible()
    # Nothing overflows sideways on a 375 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
