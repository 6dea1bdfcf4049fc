"""Whole journeys on a phone (375 px), each as a new person would take it: sign up and ask for
one's own records, ask as a guest with an emailed code, ask as a third party and fix a defect
before submitting, and ask a whole organization at once. Screenshots: var/shots/journey-*.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from requests_app.models import Authorization, Request

from .test_portal_wizard import continue_, places  # noqa: F401 (places is a fixture)

# Every journey has the same places to choose from: the two City of Hope entities.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("places"),
]

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"
PHONE = {"width": 375, "height": 812}
LINK = re.compile(r"https?://[^/\s]+(/portal/account/confirm/\S+)")
CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)
NUMBER = re.compile(r"ROI-\d{4}-\d{6}")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"journey-{name}.png"), full_page=True)
    # Nothing may overflow sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name


def header_link(page: Page, name: str):
    return page.locator("nav").get_by_role("link", name=name, exact=True)


def sign_and_submit(page: Page, name: str) -> None:
    page.get_by_label("Type your full name to sign").fill(name)
    page.get_by_label(re.compile("I have read the text above")).check()
    page.get_by_role("button", name="Sign and submit").click()


def done_numbers(page: Page) -> list[str]:
    expect(page).to_have_url(re.compile(r"/done/$"))
    expect(page.get_by_role("heading", name="Your request was sent")).to_be_visible()
    numbers = [n.strip() for n in page.locator(".done-card .request-number").all_inner_texts()]
    for number in numbers:
        assert NUMBER.fullmatch(number), number
    return numbers


def start_as_guest(page: Page, live_server, mailoutbox, email: str) -> None:
    """From the wizard start, without an account: an emailed code confirms the address."""
    page.goto(live_server.url + "/portal/request/")
    page.get_by_role("link", name=re.compile("Continue with my email only")).click()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    (message,) = mailoutbox
    page.get_by_label("The 6-digit code from the email").fill(CODE.search(message.body).group(1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Thank you, your email is confirmed.")).to_be_visible()
    page.get_by_role("button", name=re.compile("Start")).click()


def own_records_steps(page: Page, entity, shots: str) -> None:
    """Steps 1 to 6 for one's own records, to one entity, from "Whose records?"."""
    expect(page).to_have_url(re.compile(r"/whose/$"))
    page.get_by_label("My own records").check()
    continue_(page)
    expect(page).to_have_url(re.compile(r"/patient/$"))
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("Date of birth").fill("1975-07-14")
    shot(page, f"{shots}-patient")
    continue_(page)
    expect(page).to_have_url(re.compile(r"/where/$"))
    page.get_by_label(f"Only {entity.name}").check()
    continue_(page)
    expect(page).to_have_url(re.compile(r"/records/$"))
    page.get_by_label("Billing records").check()
    continue_(page)
    expect(page).to_have_url(re.compile(r"/delivery/$"))
    expect(page.get_by_label("Download from the portal")).to_be_checked()
    continue_(page)
    expect(page).to_have_url(re.compile(r"/uploads/$"))
    continue_(page)
    expect(page).to_have_url(re.compile(r"/review/$"))
    shot(page, f"{shots}-review")


def see_in_my_requests(page: Page, numbers: list[str]) -> None:
    header_link(page, "My requests").click()
    expect(page.get_by_role("heading", name="My requests")).to_be_visible()
    for number in numbers:
        request = Request.objects.get(number=number)
        card = page.locator(".request-card", has_text=number)
        expect(card).to_be_visible()
        expect(card.locator(".status-badge")).to_have_text(request.get_status_display())


def test_a_new_patient_signs_up_files_her_own_request_and_sees_it_listed(
    live_server, page: Page, mailoutbox, entity_a
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/portal/")
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("Your full name").fill("Ana Rivera")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Choose a password").fill("Quiet-harbor-2026")
    page.get_by_label("Type the password again").fill("Quiet-harbor-2026")
    page.get_by_label("English").check()
    shot(page, "signup-1-form")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    (message,) = mailoutbox
    page.goto(live_server.url + LINK.search(message.body).group(1))
    expect(page.get_by_text("Your email is confirmed and you are signed in")).to_be_visible()
    shot(page, "signup-2-confirmed")

    header_link(page, "New request").click()
    page.get_by_role("button", name=re.compile("Start")).click()
    own_records_steps(page, entity_a, "signup-3")
    sign_and_submit(page, "Ana Rivera")

    (number,) = done_numbers(page)
    shot(page, "signup-4-done")
    request = Request.objects.get()
    assert request.number == number
    assert request.kind == "access"
    see_in_my_requests(page, [number])
    shot(page, "signup-5-my-requests")


def test_a_guest_files_a_request_with_an_emailed_code(
    live_server, page: Page, mailoutbox, entity_a
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/portal/request/")
    page.get_by_role("link", name=re.compile("Continue with my email only")).click()
    page.get_by_label("Email").fill("guest@example.org")
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    shot(page, "guest-1-code")

    (message,) = mailoutbox
    page.get_by_label("The 6-digit code from the email").fill(CODE.search(message.body).group(1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Thank you, your email is confirmed.")).to_be_visible()
    shot(page, "guest-2-confirmed")
    page.get_by_role("button", name=re.compile("Start")).click()
    own_records_steps(page, entity_a, "guest-3")
    sign_and_submit(page, "Ana Rivera")

    (number,) = done_numbers(page)
    shot(page, "guest-4-done")
    request = Request.objects.get()
    assert request.number == number
    see_in_my_requests(page, [number])
    shot(page, "guest-5-my-requests")


def test_a_third_party_fixes_a_defect_before_submitting(
    live_server, page: Page, mailoutbox, entity_a
) -> None:
    page.set_viewport_size(PHONE)
    start_as_guest(page, live_server, mailoutbox, "counsel@lawfirm.example")

    expect(page).to_have_url(re.compile(r"/whose/$"))
    page.get_by_label("I am a third party with the patient's written permission").check()
    expect(page.get_by_label("Attorney", exact=True)).to_be_visible()
    page.get_by_label("Attorney", exact=True).check()
    shot(page, "third-1-whose")
    continue_(page)

    expect(page).to_have_url(re.compile(r"/patient/$"))
    page.get_by_label("First name").fill("Jorge")
    page.get_by_label("Last name").fill("Méndez")
    page.get_by_label("Date of birth").fill("1969-03-02")
    page.get_by_label("Your full name").fill("Paula Reyes")
    page.get_by_label("Company, firm or agency (if any)").fill("Reyes & Stone LLP")
    page.get_by_label("Your mailing address").fill("200 Spring St, Los Angeles, CA 90012")
    continue_(page)

    expect(page).to_have_url(re.compile(r"/where/$"))
    page.get_by_label(f"Only {entity_a.name}").check()
    continue_(page)
    expect(page).to_have_url(re.compile(r"/records/$"))
    page.get_by_label("Billing records").check()
    continue_(page)

    # The purpose is left out: the rules' defect shows beside the field, before any submit.
    expect(page).to_have_url(re.compile(r"/delivery/$"))
    expect(page.get_by_label("Who should receive them?")).to_have_value("Reyes & Stone LLP")
    purpose = page.get_by_label(re.compile("Why are the records needed"))
    expect(purpose).to_have_value("")
    continue_(page)
    expect(page).to_have_url(re.compile(r"/delivery/$"))
    error = page.locator("#id_purpose_error")
    expect(error).to_have_text("Tell us why the records are needed.")
    expect(purpose).to_have_attribute("aria-invalid", "true")
    assert Request.objects.count() == 0
    shot(page, "third-2-delivery-defect")

    purpose.fill("A personal injury claim")
    continue_(page)
    expect(page).to_have_url(re.compile(r"/uploads/$"))
    page.get_by_role("link", name="Back", exact=True).click()
    expect(page).to_have_url(re.compile(r"/delivery/$"))
    expect(page.get_by_label(re.compile("Why are the records needed"))).to_have_value(
        "A personal injury claim"
    )
    expect(page.locator("#id_purpose_error")).to_have_count(0)
    expect(page.get_by_text("Tell us why the records are needed.")).to_have_count(0)
    shot(page, "third-3-delivery-fixed")
    continue_(page)

    expect(page).to_have_url(re.compile(r"/uploads/$"))
    continue_(page)
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(page.get_by_text("Tell us why the records are needed.")).to_have_count(0)
    shot(page, "third-4-review")
    sign_and_submit(page, "Jorge Méndez")

    (number,) = done_numbers(page)
    shot(page, "third-5-done")
    request = Request.objects.get()
    assert request.number == number
    assert request.kind == "authorized"
    assert Authorization.objects.filter(request=request).exists()


def test_a_request_to_the_whole_organization_becomes_two(
    live_server, page: Page, mailoutbox, entity_a, entity_b
) -> None:
    page.set_viewport_size(PHONE)
    start_as_guest(page, live_server, mailoutbox, "ana@example.org")

    page.get_by_label("My own records").check()
    continue_(page)
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("Date of birth").fill("1975-07-14")
    continue_(page)
    expect(page).to_have_url(re.compile(r"/where/$"))
    page.get_by_label("All of City of Hope").check()
    shot(page, "org-1-where")
    continue_(page)
    page.get_by_label("Billing records").check()
    continue_(page)
    expect(page).to_have_url(re.compile(r"/delivery/$"))
    continue_(page)
    expect(page).to_have_url(re.compile(r"/uploads/$"))
    continue_(page)
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(page.get_by_text("This makes 2 requests, one to each:")).to_be_visible()
    shot(page, "org-2-review")
    sign_and_submit(page, "Ana Rivera")

    numbers = done_numbers(page)
    shot(page, "org-3-done")
    assert len(numbers) == 2 and len(set(numbers)) == 2
    requests = list(Request.objects.all())
    assert sorted(r.number for r in requests) == sorted(numbers)
    assert {r.entity_id for r in requests} == {entity_a.pk, entity_b.pk}
    assert len({r.submission for r in requests}) == 1
