"""Intake over HTTP, as a clerk keys in a fax: the real receipt time starts the clock, the
scan is checked and kept, the request file lists the authorization's defects."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pikepdf
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from requests_app.models import Attachment, Request

from ..factories import PatientFactory, submit

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 3, 5, 9, 30, tzinfo=LA)


def pdf_file(name: str = "authorization.pdf") -> SimpleUploadedFile:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def fax_form(entity, **overrides) -> dict:
    data = {
        "entity": entity.pk,
        "channel": "fax",
        "received_at": "2026-03-02T16:40",
        "language": "en",
        "patient_first_name": "Rosa",
        "patient_last_name": "Quintero",
        "patient_date_of_birth": "1961-07-14",
        "requester_role": "third_party",
        "requester_name": "Daniel Okafor",
        "requester_organization": "Okafor & Lin LLP",
        "third_party_type": "attorney",
        "requester_address": "600 Wilshire Blvd\nLos Angeles, CA 90017",
        "kind": "authorized",
        "delivery_method": "mail",
        "record_types": ["discharge_summary", "lab_results"],
        "dates_from": "2024-01-01",
        "dates_to": "2025-12-31",
        "recipient_name": "Okafor & Lin LLP",
        "recipient_address": "600 Wilshire Blvd\nLos Angeles, CA 90017",
        "purpose": "Litigation",
        "auth_description": "Discharge summaries and labs 2024-2025",
        "auth_discloser": "City of Hope",
        "auth_names_recipient": "on",
        "auth_purpose": "Litigation",
        "auth_expiration_date": "2026-12-31",
        "auth_signature_name": "Rosa Quintero",
        "auth_signed_on": "2026-02-27",
        "auth_statement_revocation": "on",
        "auth_statement_conditioning": "on",
        "auth_signature_separate": "on",
        "scan_authorization": pdf_file(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_it_offers_only_the_clerks_entities(client, staff_a, entity_a, entity_b) -> None:
    client.force_login(staff_a)
    html = client.get("/staff/intake/").content.decode()
    assert entity_a.name in html and entity_b.name not in html
    assert 'type="datetime-local"' in html and "2026-03-05T09:30" in html


def test_a_faxed_request_received_days_ago_gets_its_real_due_date_and_defects(
    client, staff_a, entity_a
) -> None:
    client.force_login(staff_a)
    response = client.post("/staff/intake/", fax_form(entity_a))
    assert response.status_code == 302, response.content.decode()[:3000]
    req = Request.objects.get()
    assert response["Location"] == f"/staff/requests/{req.number}/"
    assert req.channel == "fax" and req.received_at == datetime(2026, 3, 2, 16, 40, tzinfo=LA)
    assert req.due_on == date(2026, 3, 17)
    assert [i.record_type for i in req.items.all()] == ["discharge_summary", "lab_results"]
    assert req.items.first().date_ranges == [["2024-01-01", "2025-12-31"]]
    scan = req.attachments.get()
    assert scan.kind == Attachment.Kind.SCANNED_AUTHORIZATION and scan.original_name == (
        "authorization.pdf"
    )
    page = client.get(response["Location"]).content.decode()
    assert "2026-03-17" in page and "recorded as received 2026-03-02 16:40" in page
    # What the paper lacks, from the authorization rules.
    assert "Tell us where to send the records." in page  # the address was not ticked
    assert "The form must say that the receiver could share the records again." in page
    assert "The form must say that you can have a copy of it." in page  # California


def test_a_continuity_fax_from_a_provider_is_free_and_needs_no_signature(
    client, staff_a, entity_a
) -> None:
    client.force_login(staff_a)
    data = fax_form(
        entity_a,
        kind="continuity",
        delivery_method="fax",
        requester_role="provider",
        requester_name="Dr. Mei Chen",
        requester_organization="Pasadena Oncology Associates",
        third_party_type="",
        recipient_fax="626-555-0142",
        purpose="Treatment",
        scan_authorization=None,
        **dict.fromkeys(
            [
                "auth_description",
                "auth_discloser",
                "auth_purpose",
                "auth_signature_name",
                "auth_signed_on",
                "auth_expiration_date",
            ],
            "",
        ),
    )
    response = client.post("/staff/intake/", data)
    assert response.status_code == 302
    req = Request.objects.get()
    assert req.fee_estimate["total"] == "0.00" and not req.fee_estimate["lines"]
    page = client.get(response["Location"]).content.decode()
    assert "No defects" in page and "Requesting provider identified" in page
    assert "Please sign the form." not in page


def test_bad_input_keeps_everything_and_the_scan(client, staff_a, entity_a) -> None:
    client.force_login(staff_a)
    response = client.post(
        "/staff/intake/",
        fax_form(entity_a, received_at="2026-03-06T08:00", patient_date_of_birth=""),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The date received cannot be in the future." in html
    assert "Needed for a new patient" in html
    assert 'value="Quintero"' in html and "Okafor &amp; Lin LLP" in html
    assert "Kept: authorization.pdf" in html
    token = re.search(r'name="scan_authorization_kept" value="([^"]+)"', html).group(1)
    assert not Request.objects.exists()
    # The next try sends no file: the kept scan is used.
    response = client.post(
        "/staff/intake/", fax_form(entity_a, scan_authorization=None, scan_authorization_kept=token)
    )
    assert response.status_code == 302
    assert Request.objects.get().attachments.get().original_name == "authorization.pdf"


def test_a_file_that_is_not_a_scan_is_refused(client, staff_a, entity_a) -> None:
    client.force_login(staff_a)
    fake = SimpleUploadedFile("auth.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post("/staff/intake/", fax_form(entity_a, scan_authorization=fake))
    assert response.status_code == 200
    assert "is not a PDF, JPEG, PNG or TIFF file" in response.content.decode()
    assert not Request.objects.exists()


def test_it_finds_an_existing_patient_by_name_and_birth_date(client, staff_a, entity_a, entity_b):
    mine = PatientFactory(first_name="Rosa", last_name="Quintero", date_of_birth=date(1961, 7, 14))
    submit(entity=entity_a, patient=mine)
    elsewhere = PatientFactory(
        first_name="Rosa",
        last_name="Quintero",
        date_of_birth=date(1961, 7, 14),
        other_names="Other entity",
    )
    submit(entity=entity_b, patient=elsewhere)
    client.force_login(staff_a)
    data = fax_form(entity_a, find_patient="1", patient_date_of_birth="1961-07-14")
    html = client.post("/staff/intake/", data).content.decode()
    assert f'value="{mine.pk}"' in html and f'value="{elsewhere.pk}"' not in html
    assert "is-invalid" not in html  # searching validates nothing
    fragment = client.post("/staff/intake/patients/", data).content.decode()
    assert f'id="patient-{mine.pk}"' in fragment and "Other entity" not in fragment
    response = client.post("/staff/intake/", fax_form(entity_a, patient_id=mine.pk))
    assert response.status_code == 302
    assert Request.objects.get(channel="fax").patient == mine
    # A patient of another entity cannot be forced in.
    response = client.post("/staff/intake/", fax_form(entity_a, patient_id=elsewhere.pk))
    assert "That patient cannot be chosen" in response.content.decode()


def test_staff_of_another_entity_cannot_file_into_it(client, staff_b, entity_a) -> None:
    client.force_login(staff_b)
    response = client.post("/staff/intake/", fax_form(entity_a))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Request.objects.exists()


def test_only_staff_may_open_intake(client, patient_user) -> None:
    assert client.get("/staff/intake/").status_code == 302
    client.force_login(patient_user)
    assert client.get("/staff/intake/").status_code == 404
    assert client.post("/staff/intake/patients/", {}).status_code == 404
