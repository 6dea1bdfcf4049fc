"""The request file over HTTP, as a clerk would use it: every section, the attachments and
letters behind permission checks, and 404 for another entity's staff."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.utils.html import escape
from PIL import Image

from requests_app.models import Attachment, Authorization, TimelineEvent
from requests_app.rules.kinds import (
    DeliveryMethod,
    RepresentativeAuthority,
    RequesterRole,
    RequestKind,
)
from requests_app.services import staff_actions as sa
from requests_app.services import transitions as t

from ..factories import PatientFactory, RequesterFactory, submit


def png_bytes(mode: str = "RGB", fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (40, 50), "white").save(buffer, fmt)
    return buffer.getvalue()


def attach(req, kind: str, data: bytes, name: str, content_type: str) -> Attachment:
    attachment = Attachment(
        request=req,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256="0" * 64,
    )
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def attorney_request(entity_a, staff_a):
    patient = PatientFactory(
        first_name="Rosa",
        middle_name="Elena",
        last_name="Quintero",
        other_names="Rosa Elena Marsh",
        date_of_birth=date(1961, 7, 14),
    )
    requester = RequesterFactory(
        role=RequesterRole.THIRD_PARTY,
        full_name="Daniel Okafor",
        organization_name="Okafor & Lin LLP",
        third_party_type="attorney",
        address="600 Wilshire Blvd\nLos Angeles, CA 90017",
    )
    req = submit(
        entity=entity_a,
        patient=patient,
        requester=requester,
        kind=RequestKind.AUTHORIZED,
        delivery=DeliveryMethod.MAIL,
        recipient_name="Okafor & Lin LLP",
        recipient_address="600 Wilshire Blvd\nLos Angeles, CA 90017",
        purpose="Litigation",
        estimated_pages=120,
        authorization={
            "source": Authorization.Source.SCANNED,
            "description": "All records 2020-2025",
            "discloser": "City of Hope",
            "recipient_name": "Okafor & Lin LLP",
            "recipient_address": "",
            "purpose": "Litigation",
            "signature_name": "Rosa Quintero",
            "statement_revocation": True,
            "statement_conditioning": True,
            "statement_redisclosure": False,
        },
    )
    attach(
        req, Attachment.Kind.SCANNED_AUTHORIZATION, b"%PDF-1.4 fake", "auth.pdf", "application/pdf"
    )
    attach(req, Attachment.Kind.PHOTO_ID, png_bytes(), "id.png", "image/png")
    t.request_add_note(req, actor=staff_a, text="Called the firm: they will fax page 2.")
    sa.request_message_requester(req, actor=staff_a, text="We received your request.")
    return req


def url(req, suffix: str = "") -> str:
    return f"/staff/requests/{req.number}/{suffix}"


def test_it_shows_every_section(client, staff_a, attorney_request) -> None:
    client.force_login(staff_a)
    response = client.get(url(attorney_request))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Rosa Elena Quintero",
        "Rosa Elena Marsh",
        "1961-07-14",  # patient, other names, DOB
        "Daniel Okafor",
        "Okafor &amp; Lin LLP",
        "Attorney",  # requester and authority
        "Authorization and authority checklist",
        "Recipient&#x27;s address",
        "Tell us where to send the records.",  # a defect, in place
        "Statement: redisclosure may lose protection",
        "auth.pdf",
        "id.png",  # attachments
        "Complete medical record",
        "All dates",  # items
        "Fee estimate",
        "Total",  # fee
        "Due dates",
        "Rule",
        "Timeline",
        "Request received",
        "Internal notes",
        "Called the firm",
        "staff only",
        "Messages with the requester",
        "We received your request.",
        "Start review",
        "Add note",
    ]:
        assert text in html, text
    assert escape(attorney_request.due_rule_text) in html  # the rule behind the due date
    assert 'data-element="recipient_address"' in html
    assert "Internal" in html  # the internal note is marked on the timeline


def test_the_checklist_shows_present_and_missing_elements(client, staff_a, attorney_request):
    client.force_login(staff_a)
    html = client.get(url(attorney_request)).content.decode()
    present = html.split('data-element="description"')[0].rsplit("<li", 1)[1]
    missing = html.split('data-element="statement_redisclosure"')[0].rsplit("<li", 1)[1]
    assert "rf-ok" in present and "rf-missing" in missing


def test_a_continuity_request_needs_no_signature(client, staff_a, entity_a) -> None:
    provider = RequesterFactory(
        role=RequesterRole.PROVIDER,
        full_name="Dr. Mei Chen",
        organization_name="Pasadena Oncology Associates",
    )
    req = submit(
        entity=entity_a,
        requester=provider,
        kind=RequestKind.CONTINUITY,
        delivery=DeliveryMethod.FAX,
    )
    client.force_login(staff_a)
    html = client.get(url(req)).content.decode()
    assert "Requesting provider identified" in html and "Pasadena Oncology Associates" in html
    assert "No defects" in html and "Signature" not in html.split("rf-checklist")[1][:2000]


def test_a_representative_shows_authority_and_death_certificate(client, staff_a, entity_a):
    patient = PatientFactory(date_of_death=date(2025, 12, 1))
    executor = RequesterFactory(
        role=RequesterRole.EXECUTOR,
        full_name="Paul Marsh",
        representative_authority=RepresentativeAuthority.EXECUTOR,
    )
    req = submit(entity=entity_a, patient=patient, requester=executor)
    client.force_login(staff_a)
    html = client.get(url(req)).content.decode()
    assert "Deceased" in html and "2025-12-01" in html
    assert "Death certificate attached" in html and "Proof of authority attached" in html
    assert "Please include a copy of the death certificate." in html
    attach(req, Attachment.Kind.DEATH_CERTIFICATE, png_bytes(), "dc.png", "image/png")
    attach(req, Attachment.Kind.REPRESENTATIVE_AUTHORITY, png_bytes(), "letters.png", "image/png")
    html = client.get(url(req)).content.decode()
    assert "No defects" in html


def test_it_serves_attachments_inline_and_previews_a_fax_tiff(client, staff_a, attorney_request):
    tiff = attach(
        attorney_request, Attachment.Kind.OTHER, png_bytes("1", "TIFF"), "fax.tif", "image/tiff"
    )
    client.force_login(staff_a)
    html = client.get(url(attorney_request)).content.decode()
    assert f"attachments/{tiff.pk}/?preview=1" in html
    pdf = attorney_request.attachments.get(original_name="auth.pdf")
    response = client.get(url(attorney_request, f"attachments/{pdf.pk}/"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 fake"
    preview = client.get(url(attorney_request, f"attachments/{tiff.pk}/?preview=1"))
    assert preview["Content-Type"] == "image/png"
    assert b"".join(preview.streaming_content).startswith(b"\x89PNG")


def test_staff_of_another_entity_get_404_everywhere(
    client, staff_b, attorney_request, django_capture_on_commit_callbacks
) -> None:
    req = attorney_request
    with django_capture_on_commit_callbacks(execute=True):
        sa.request_pend_with_notice(req, actor=None, missing="Page 2 of the authorization.")
    letter = req.letters.get()
    attachment = req.attachments.first()
    event = req.events.get(action="pend")
    client.force_login(staff_b)
    from requests_app.views.staff.request_file_actions import STAFF_ACTIONS

    paths = [
        url(req),
        url(req, "letters/"),
        url(req, f"letters/{letter.pk}/"),
        url(req, f"attachments/{attachment.pk}/"),
        url(req, f"attachments/{attachment.pk}/?preview=1"),
    ]
    paths += [url(req, f"{slug}/") for slug in STAFF_ACTIONS]
    for path in paths:
        assert client.get(path).status_code == 404, path
    for path in [url(req, f"{slug}/") for slug in STAFF_ACTIONS]:
        assert client.post(path, {"text": "x", "reason": "x"}).status_code == 404, path
    assert client.post(url(req, f"letters/retry/{event.pk}/")).status_code == 404
    assert not req.events.filter(kind=TimelineEvent.Kind.NOTE, reason="x").exists()


def test_a_patient_or_anonymous_user_never_sees_the_file(client, patient_user, attorney_request):
    assert client.get(url(attorney_request)).status_code == 302  # to the staff sign-in
    client.force_login(patient_user)
    assert client.get(url(attorney_request)).status_code == 404


def test_it_lists_letters_and_polls_while_one_is_made(
    client, staff_a, attorney_request, django_capture_on_commit_callbacks
) -> None:
    client.force_login(staff_a)
    sa.request_pend_with_notice(attorney_request, actor=staff_a, missing="Page 2.")
    # Not committed yet in this test transaction: the letter is still being prepared.
    html = client.get(url(attorney_request)).content.decode()
    assert "being prepared" in html and 'hx-trigger="every 2s"' in html
    from requests_app.services.letters import letter_for_event

    letter_for_event(event_id=attorney_request.events.get(action="pend").pk)
    fragment = client.get(url(attorney_request, "letters/")).content.decode()
    assert "Missing information notice" in fragment and "hx-trigger" not in fragment
    letter = attorney_request.letters.get()
    response = client.get(url(attorney_request, f"letters/{letter.pk}/"))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_failed_letter_can_be_tried_again(
    client, staff_a, attorney_request, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from requests_app.services import letters

    monkeypatch.setattr(
        letters, "render_pdf", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("no fonts"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        sa.request_pend_with_notice(attorney_request, actor=staff_a, missing="Page 2.")
    client.force_login(staff_a)
    html = client.get(url(attorney_request)).content.decode()
    assert "could not be made" in html and "no fonts" in html
    monkeypatch.undo()
    event = attorney_request.events.get(action="pend")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(attorney_request, f"letters/retry/{event.pk}/"))
    assert response.status_code == 302
    assert attorney_request.letters.count() == 1
