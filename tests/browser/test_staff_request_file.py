"""A clerk at work on the request file, in Chromium: intake of a faxed request, a pend and a
resume, an extension (on an amendment: California copies allow none), a denial with its letter
(downloaded and read), and a supervisor reassigning. Screenshots: var/shots/staff-request-file-*.png
(the file at 1280 and 375 px, and the first page of each letter, rendered with pdftoppm)."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pikepdf
import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from requests_app.models import Letter, Request, StaffMembership
from requests_app.rules.kinds import RequestKind
from requests_app.workflow import Status

from ..factories import RequesterFactory, UserFactory, submit
from ..pdf import pdf_text
from .helpers import sign_in_staff, tool

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"
LA = ZoneInfo("America/Los_Angeles")


def _authorization_pdf(path: Path) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(612, 792))
    buffer = io.BytesIO()
    pdf.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def _letter(page: Page, live_server, name: str, shot: str) -> str:
    """Download the letter the page links to, keep it with a PNG of its first page, and
    return its text."""
    href = page.get_by_role("link", name=name).first.get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = SHOTS / f"staff-request-file-{shot}.pdf"
    pdf.write_bytes(response.body())
    subprocess.run(
        [
            tool("pdftoppm"),
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(SHOTS / f"staff-request-file-{shot}"),
        ],
        check=True,
    )
    return pdf_text(response.body())


def _confirm(page: Page, label: str) -> None:
    page.get_by_role("button", name=f"Confirm: {label}").click()


def test_a_clerk_works_a_faxed_request(
    live_server, page: Page, client, entity_a, staff_a, org, tmp_path
) -> None:
    entity_a.address = "1500 East Duarte Road\nDuarte, CA 91010"
    entity_a.phone = "626-218-2446"
    entity_a.fax = "626-301-8432"
    entity_a.him_department = "Health Information Management"
    entity_a.save()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1000})
    sign_in_staff(page, client, staff_a, live_server)

    # --- Intake of a fax that came in three days ago -----------------------------------
    received = timezone.localtime(timezone.now(), LA).replace(second=0, microsecond=0)
    received -= timedelta(days=3)
    page.goto(live_server.url + "/staff/intake/")
    page.get_by_label("Received by").select_option("fax")
    page.locator("#id_received_at").fill(received.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_patient_first_name").fill("Rosa")
    page.locator("#id_patient_last_name").fill("Quintero")
    page.locator("#id_patient_date_of_birth").fill("1961-07-14")
    page.locator("#id_requester_role").select_option("third_party")
    page.get_by_label("Requester's full name").fill("Daniel Okafor")
    page.get_by_label("Organization (firm, insurer, practice)").fill("Okafor & Lin LLP")
    page.get_by_label("Type of third party").select_option("attorney")
    page.get_by_label("Kind of request").select_option("authorized")
    page.locator("#id_delivery_method").select_option("mail")
    page.get_by_label("Discharge summary").check()
    page.get_by_label("Recipient", exact=True).fill("Okafor & Lin LLP")
    page.get_by_label("Recipient's address", exact=True).fill(
        "600 Wilshire Blvd\nLos Angeles, CA 90017"
    )
    page.get_by_label("Purpose", exact=True).fill("Litigation")
    page.get_by_label("Information to release, as written").fill("Discharge summaries")
    page.get_by_label("Who may disclose, as written").fill("City of Hope")
    page.get_by_label("Names the recipient above").check()
    page.get_by_label("Purpose, as written").fill("Litigation")
    page.get_by_label("Expiration date").fill("2027-12-31")
    page.get_by_label("Signed by").fill("Rosa Quintero")
    page.get_by_label("Date signed").fill(received.date().isoformat())
    page.get_by_label("Right to revoke in writing").check()
    page.get_by_label("Treatment or payment not conditioned on signing").check()
    page.locator("#id_scan_authorization").set_input_files(
        _authorization_pdf(tmp_path / "okafor-authorization.pdf")
    )
    page.screenshot(path=str(SHOTS / "staff-request-file-intake.png"), full_page=True)
    page.get_by_role("button", name="Record the request").click()

    req = Request.objects.get(channel="fax")
    expect(page).to_have_url(f"{live_server.url}/staff/requests/{req.number}/")
    assert req.due_on == received.date() + timedelta(days=15)  # from receipt, not from today
    expect(page.get_by_text(f"Due {req.due_on.isoformat()}", exact=False)).to_be_visible()
    checklist = page.locator(".rf-checklist")
    expect(checklist.get_by_text("Tell us where to send the records.")).to_be_visible()
    expect(page.get_by_role("link", name="okafor-authorization.pdf")).to_be_visible()

    # --- Pend for what is missing, then resume ----------------------------------------
    page.get_by_role("link", name="Pend for missing information").click()
    expect(page.get_by_text("What happens")).to_be_visible()
    page.get_by_label("What exactly is missing").fill(
        "Page 2 of the authorization, with the recipient's address."
    )
    _confirm(page, "Pend for missing information")
    expect(page.locator(".rf-status")).to_have_text("Waiting for information from you")
    expect(page.get_by_role("link", name="Missing information notice")).to_be_visible()
    assert "Page 2 of the authorization" in _letter(
        page, live_server, "Missing information notice", "letter-pending-browser"
    )
    page.get_by_role("link", name="Resume").click()
    page.get_by_label("What was received").fill("Page 2 faxed by the firm.")
    _confirm(page, "Resume")
    expect(page.locator(".rf-status")).to_have_text("In review")

    # Screenshots of the file with its history, wide and on a phone.
    page.screenshot(path=str(SHOTS / "staff-request-file-1280.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SHOTS / "staff-request-file-375.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 1000})

    # --- A denial with its letter ---------------------------------------------------------
    page.get_by_role("link", name="Deny", exact=True).click()
    reviewable = page.locator("#rf-reviewable")
    expect(reviewable).to_have_text("choose the grounds")
    page.get_by_label("Psychotherapy notes (not reviewable", exact=False).check()
    expect(reviewable).to_have_text("No")
    page.get_by_label("Likely to endanger the life", exact=False).check()
    expect(reviewable).to_have_text("Yes")
    page.get_by_label("Explanation in plain language").fill(
        "The psychotherapy notes are withheld, and a licensed professional judged that the "
        "rest could endanger the patient."
    )
    _confirm(page, "Deny")
    expect(page.get_by_text("Denied; the denial letter is being prepared.")).to_be_visible()
    expect(page.locator(".rf-status")).to_have_text("Denied")
    text = _letter(page, live_server, "Denial letter", "letter-denial-browser")
    assert "Likely to endanger the life or physical safety of someone" in text
    assert "Your right to a review" in text and "Office for Civil Rights" in text
    assert "1-800-368-1019" in text and "Privacy Officer" in text
    assert Letter.objects.get(request=req, kind="denial").visible_to_requester


def test_an_extension_on_an_amendment_not_on_california_copies(
    live_server, page: Page, client, entity_a, staff_a
) -> None:
    copies = submit(entity=entity_a)
    amendment = submit(
        entity=entity_a,
        kind=RequestKind.AMENDMENT,
        requester=RequesterFactory(
            full_name="Ana Rivera", address="412 Huntington Drive\nMonrovia, CA"
        ),
        amendment_what_is_wrong="My allergy list says penicillin.",
        amendment_should_say="No known drug allergies.",
    )
    sign_in_staff(page, client, staff_a, live_server)
    page.goto(f"{live_server.url}/staff/requests/{copies.number}/")
    expect(page.locator(".rf-no-extension")).to_contain_text("California law")
    expect(page.get_by_role("link", name="Extend the due date")).to_have_count(0)

    page.goto(f"{live_server.url}/staff/requests/{amendment.number}/")
    page.get_by_role("link", name="Extend the due date").click()
    new_date = amendment.due_on + timedelta(days=21)
    page.get_by_label("New due date").fill(new_date.isoformat())
    page.get_by_label("Reason for the delay").fill(
        "The physician who wrote the note must review the change and is away this month."
    )
    _confirm(page, "Extend the due date")
    expect(page.get_by_text("Extended; the written notice is being prepared.")).to_be_visible()
    expect(page.get_by_text(new_date.isoformat()).first).to_be_visible()
    expect(page.locator(".rf-no-extension")).to_contain_text("Already extended once")
    text = _letter(page, live_server, "Extension notice", "letter-extension-browser")
    assert "is away this month" in text and "one extension only" in text


def test_a_supervisor_reassigns(live_server, page: Page, client, entity_a, staff_a, org) -> None:
    boss = UserFactory(username="sup", first_name="Sara", last_name="Boss", is_staff=True)
    StaffMembership.objects.create(user=boss, organization=org, role="supervisor")
    req = submit(entity=entity_a)
    sign_in_staff(page, client, boss, live_server)
    page.goto(f"{live_server.url}/staff/requests/{req.number}/")
    expect(page.locator(".rf-actions")).to_contain_text("Assigned to: nobody")
    page.get_by_role("link", name="Assign").click()
    page.get_by_label("Assign to").select_option(label="Alma Clerk")
    _confirm(page, "Assign")
    expect(page.get_by_text("Assignment saved.")).to_be_visible()
    expect(page.locator(".rf-actions")).to_contain_text("Assigned to: Alma Clerk")
    req.refresh_from_db()
    assert req.assignee == staff_a and req.status == Status.SUBMITTED
