"""A signed-in patient asks for their own records on a phone, in English and in Spanish,
with a screenshot of every step at 375 and 1280 px (var/shots/wizard-*.png)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from requests_app.models import Location, Request
from requests_app.rules.kinds import ReleaseScope

from ..factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"


def sign_in(page: Page, live_server, username: str = "maria") -> None:
    """The portal login pages belong to another area: sign in through Django's session."""
    user = UserFactory(username=username, first_name="María", last_name="García")
    user.email = "maria@example.org"
    user.save()
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def shot(page: Page, name: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"wizard-{width}-{name}.png"), full_page=True)
    # Nothing may overflow sideways, on a phone or a desktop.
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name


def continue_(page: Page) -> None:
    page.locator(".wizard-nav").get_by_role("button").click()


def file_self_request(page: Page, live_server, width: int, entity) -> None:
    page.goto(live_server.url + "/portal/request/")
    shot(page, "0-start", width)
    page.get_by_role("button", name=re.compile("Start")).click()

    expect(page).to_have_url(re.compile(r"/whose/$"))
    shot(page, "1-whose", width)
    page.get_by_label("My own records").check()
    continue_(page)

    expect(page).to_have_url(re.compile(r"/patient/$"))
    expect(page.get_by_label("First name")).to_have_value("María")
    page.get_by_label("Last name").fill("")
    page.get_by_label("Date of birth").fill("1980-02-29")
    continue_(page)
    # A missing last name is shown beside the field, and the rest is kept.
    expect(page.get_by_text("This field is required.")).to_be_visible()
    expect(page.get_by_label("Date of birth")).to_have_value("1980-02-29")
    shot(page, "2-patient-error", width)
    page.get_by_label("Last name").fill("García")
    page.get_by_label("Other names used").fill("María López")
    continue_(page)

    expect(page).to_have_url(re.compile(r"/where/$"))
    shot(page, "3-where", width)
    page.get_by_label("All of City of Hope").check()
    continue_(page)

    expect(page).to_have_url(re.compile(r"/records/$"))
    page.get_by_label("Test results").check()
    ranges = page.locator("#ranges-lab_results")
    expect(ranges).to_be_visible()  # the dates appear once the box is ticked
    ranges.get_by_label("From").fill("2025-01-01")
    ranges.get_by_label("To").fill("2025-06-30")
    page.get_by_role("button", name="Add another date range").first.click()
    expect(page.locator("#id_from_lab_results_1")).to_be_visible()
    expect(page.locator("#id_from_lab_results_0")).to_have_value("2025-01-01")
    page.locator("#id_from_lab_results_1").fill("2025-10-01")
    page.locator("#id_to_lab_results_1").fill("2025-12-31")
    page.get_by_label("Billing records").check()
    shot(page, "4-records", width)
    continue_(page)

    expect(page).to_have_url(re.compile(r"/delivery/$"))
    expect(page.get_by_label("Download from the portal")).to_be_checked()
    shot(page, "5-delivery", width)
    continue_(page)

    expect(page).to_have_url(re.compile(r"/uploads/$"))
    expect(page.get_by_text("up to 10.0")).to_be_visible()
    shot(page, "6-uploads", width)
    continue_(page)

    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(page.get_by_text("This makes 2 requests, one to each:")).to_be_visible()
    expect(page.get_by_text("California law: within 15 days").first).to_be_visible()
    size = page.locator(".signed-text").evaluate("e => getComputedStyle(e).fontSize")
    assert float(size.removesuffix("px")) >= 14 * 4 / 3 - 0.01  # 14 pt in CSS pixels
    assert page.locator("[name=purpose]").count() == 0
    shot(page, "7-review", width)
    page.get_by_label("Type your full name to sign").fill("María García")
    page.get_by_label(re.compile("I have read the text above")).check()
    page.get_by_role("button", name="Sign and submit").click()

    expect(page).to_have_url(re.compile(r"/done/$"))
    expect(page.get_by_role("heading", name="Your request was sent")).to_be_visible()
    for request in Request.objects.all():
        expect(page.get_by_text(request.number)).to_be_visible()
    shot(page, "8-done", width)


@pytest.fixture
def places(entity_a, entity_b) -> None:
    Location.objects.create(
        entity=entity_a, name="Duarte campus", address="1500 East Duarte Road, Duarte, CA"
    )
    Location.objects.create(
        entity=entity_b,
        name="USC Care clinic, Pasadena",
        address="Pasadena, CA",
        release_scope=ReleaseScope.OWN_LOCATION,
    )


def test_it_files_a_self_request_on_a_phone(live_server, page: Page, entity_a, places) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, live_server)
    file_self_request(page, live_server, 375, entity_a)
    assert Request.objects.count() == 2
    assert {r.kind for r in Request.objects.all()} == {"access"}
    for request in Request.objects.all():
        items = {i.record_type: i.date_ranges for i in request.items.all()}
        assert items == {
            "lab_results": [["2025-01-01", "2025-06-30"], ["2025-10-01", "2025-12-31"]],
            "billing": [],
        }


def test_it_files_a_self_request_on_a_desktop(live_server, page: Page, entity_a, places) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server)
    file_self_request(page, live_server, 1280, entity_a)
    assert Request.objects.count() == 2


def test_it_works_without_javascript(live_server, browser, entity_a, places) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 812})
    page = context.new_page()
    sign_in(page, live_server)
    file_self_request(page, live_server, 375, entity_a)
    assert Request.objects.count() == 2
    context.close()


def test_it_files_the_same_request_in_spanish(live_server, page: Page, entity_a, places) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, live_server)
    page.goto(live_server.url + "/")
    page.get_by_label("Language").select_option("es")
    page.locator("form[action*='i18n'] button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.goto(live_server.url + "/portal/request/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/whose/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    # Whatever the words, the structure is the same: the first answer is "Myself".
    page.locator("input[name=choice][value=self]").check()
    continue_(page)
    expect(page).to_have_url(re.compile(r"/patient/$"))
    page.locator("[name=last_name]").fill("García")
    page.locator("[name=date_of_birth]").fill("1980-02-29")
    continue_(page)
    expect(page).to_have_url(re.compile(r"/where/$"))
    page.locator(f"input[name=place][value='entity:{entity_a.pk}']").check()
    continue_(page)
    page.locator("input[name=types][value=complete]").check()
    continue_(page)
    expect(page).to_have_url(re.compile(r"/delivery/$"))
    continue_(page)
    expect(page).to_have_url(re.compile(r"/uploads/$"))
    continue_(page)
    expect(page).to_have_url(re.compile(r"/review/$"))
    shot(page, "es-7-review", 375)
    page.locator("[name=signature_name]").fill("María García")
    page.locator("[name=attest]").check()
    page.locator(".wizard-nav button").click()
    expect(page).to_have_url(re.compile(r"/done/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    request = Request.objects.get()
    expect(page.get_by_text(request.number)).to_be_visible()
    assert request.language == "es"
    shot(page, "es-8-done", 375)


def test_a_representative_uploads_papers_and_fixes_a_bad_file(
    live_server, page: Page, entity_a, places, tmp_path
) -> None:
    import io

    import pikepdf
    import pillow_heif
    from PIL import Image

    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, live_server, username="linda")
    page.goto(live_server.url + "/portal/request/")
    page.get_by_role("button", name=re.compile("Start")).click()
    page.get_by_label("Records of someone I represent").check()
    expect(page.get_by_label("Legal guardian")).to_be_visible()
    page.get_by_label("Legal guardian").check()
    shot(page, "rep-1-whose", 375)
    continue_(page)
    page.get_by_label("First name").fill("Tomás")
    page.get_by_label("Last name").fill("Ortiz")
    page.get_by_label("Date of birth").fill("2012-05-01")
    page.get_by_label("Your full name").fill("Linda Ortiz")
    page.get_by_label("Your relationship to the patient").fill("Mother")
    shot(page, "rep-2-patient", 375)
    continue_(page)
    page.get_by_label(f"Only {entity_a.name}").check()
    continue_(page)
    page.get_by_label("Everything (my complete medical record)").check()
    page.get_by_label("Yes, I will give my specific consent").check()
    continue_(page)
    expect(page).to_have_url(re.compile(r"/consent/$"))
    shot(page, "rep-4b-consent", 375)
    page.get_by_label(re.compile("Include HIV test results")).check()
    continue_(page)
    continue_(page)  # delivery: the portal, preselected
    expect(page).to_have_url(re.compile(r"/uploads/$"))

    broken = tmp_path / "guardianship.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot a real pdf")
    page.get_by_label("Proof of your authority").set_input_files(str(broken))
    continue_(page)
    expect(page.get_by_text("This PDF could not be opened")).to_be_visible()
    shot(page, "rep-6-uploads-error", 375)

    good = io.BytesIO()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(good)
    broken.write_bytes(good.getvalue())
    heic = tmp_path / "IMG_0042.HEIC"
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (120, 80), (90, 90, 90))).save(out, quality=50)
    heic.write_bytes(out.getvalue())
    page.get_by_label("Proof of your authority").set_input_files(str(broken))
    page.get_by_label("Photo ID").set_input_files(str(heic))
    continue_(page)
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(page.get_by_text("guardianship.pdf")).to_be_visible()
    expect(page.get_by_text("HIV test results")).to_be_visible()
    shot(page, "rep-7-review", 375)
    page.get_by_label("Type your full name to sign").fill("Linda Ortiz")
    page.get_by_label(re.compile("I have read the text above")).check()
    page.get_by_role("button", name="Sign and submit").click()
    expect(page).to_have_url(re.compile(r"/done/$"))
    request = Request.objects.get()
    assert request.requester.role == "representative"
    assert request.attachments.count() == 2
    assert request.sensitive_categories == ["hiv"]
