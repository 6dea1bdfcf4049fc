"""A signed-in patient on a phone opens "My requests", opens the request that waits for her,
reads what is missing and answers with a photo."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import Page, expect

from requests_app.models import Attachment, TimelineEvent
from requests_app.services import transitions as t

from ..factories import submit
from ..views.test_portal_requests_support import PDF_BYTES, add_packet, release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"


def sign_in(page: Page, client, user, base_url: str) -> None:
    # Sign-in pages belong to another area; the session cookie is what the portal reads.
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
    )


def test_it_lists_opens_and_replies_on_a_phone(
    live_server,
    page: Page,
    client,
    entity_a,
    entity_b,
    patient,
    patient_requester,
    staff_a,
    tmp_path,
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    submit(entity=entity_b, patient=patient, requester=patient_requester)
    waiting = submit(entity=entity_a, patient=patient, requester=patient_requester)
    t.request_pend(waiting, actor=staff_a, missing="A clear photo of your driver's license")
    photo = tmp_path / "license.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 25), "lightblue").save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())

    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, client, patient.user, live_server.url)
    page.goto(live_server.url + "/portal/requests/")
    expect(page.get_by_role("heading", name="My requests")).to_be_visible()
    expect(page.get_by_text("We need something from you").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SHOTS / "requests-list.png"), full_page=True)

    card = page.locator(".request-card", has_text=waiting.number)
    card.get_by_role("link").click()
    expect(page.get_by_role("heading", name="What we need from you")).to_be_visible()
    expect(page.get_by_text("A clear photo of your driver's license").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SHOTS / "requests-detail.png"), full_page=True)

    page.get_by_label("Your message").fill("Here is my license.")
    page.get_by_label("Add files (optional)").set_input_files(str(photo))
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your message was sent to our staff.")).to_be_visible()
    expect(page.get_by_text("You answered on")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SHOTS / "requests-replied.png"), full_page=True)

    event = waiting.events.get(kind=TimelineEvent.Kind.MESSAGE_FROM_REQUESTER)
    assert event.reason == "Here is my license."
    assert Attachment.objects.get(request=waiting).original_name == "license.png"


def test_it_files_an_amendment_and_downloads_a_released_packet_on_a_phone(
    live_server, page: Page, client, entity_a, patient, patient_requester, staff_a
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    released = submit(entity=entity_a, patient=patient, requester=patient_requester)
    release(released, staff_a)
    add_packet(released)
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, client, patient.user, live_server.url)

    page.goto(live_server.url + f"/portal/requests/{released.number}/")
    expect(page.get_by_text("Your records are ready to download")).to_be_visible()
    page.screenshot(path=str(SHOTS / "requests-released.png"), full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your records (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"{released.number}.pdf"
    assert Path(download.path()).read_bytes() == PDF_BYTES
    assert released.events.filter(kind=TimelineEvent.Kind.DOWNLOAD).count() == 1

    page.goto(live_server.url + "/portal/requests/")
    page.get_by_role("link", name="Ask us to correct it").click()
    expect(page.get_by_text("We must answer within 60 days")).to_be_visible()
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Tell us what is wrong.")).to_be_visible()
    expect(page.get_by_label("What is wrong in the records?")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SHOTS / "requests-amendment-errors.png"), full_page=True)

    # The only place there is comes chosen, with its due date shown before submit.
    expect(page.get_by_label("City of Hope National Medical Center")).to_be_checked()
    expect(page.get_by_text("Sent today, we must answer by")).to_be_visible()
    page.get_by_label("What is wrong in the records?").fill("My allergy list says penicillin.")
    page.get_by_label("What should it say instead?").fill("No known drug allergies.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("We received your request")).to_be_visible()
    expect(page.get_by_role("heading", name="A correction to the records")).to_be_visible()
    page.screenshot(path=str(SHOTS / "requests-amendment-filed.png"), full_page=True)
