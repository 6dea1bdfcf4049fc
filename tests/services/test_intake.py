"""Intake of paper, fax, phone and walk-in requests: the real receipt time starts the clock,
scans are checked by content, the paper authorization becomes a checked Authorization row."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pikepdf
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from requests_app.models import Attachment, Authorization, Patient, TimelineEvent
from requests_app.rules.kinds import DeliveryMethod, RequesterRole, RequestKind
from requests_app.services.intake import (
    IntakeSpec,
    PaperAuthorization,
    PatientSpec,
    RequesterSpec,
    intake_record,
    scan_check,
    scan_stash,
    scan_unstash,
)
from requests_app.services.submission import ItemSpec

LA = ZoneInfo("America/Los_Angeles")


def pdf_upload(pages: int = 2, name: str = "fax.pdf") -> SimpleUploadedFile:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def tiff_upload(pages: int = 3) -> SimpleUploadedFile:
    frames = [Image.new("1", (200, 260), 1) for _ in range(pages)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], compression="group4")
    return SimpleUploadedFile("fax.tif", buffer.getvalue())


def test_it_checks_scans_by_content() -> None:
    assert scan_check(pdf_upload(3)).pages == 3
    tiff = scan_check(tiff_upload(3))
    assert (tiff.content_type, tiff.pages) == ("image/tiff", 3)
    png = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png, "PNG")
    assert scan_check(SimpleUploadedFile("x.pdf", png.getvalue())).content_type == "image/png"
    with pytest.raises(ValidationError, match="not a PDF, JPEG, PNG or TIFF"):
        scan_check(SimpleUploadedFile("auth.pdf", b"MZ\x90\x00 this is an exe"))
    with pytest.raises(ValidationError, match="could not be opened"):
        scan_check(SimpleUploadedFile("auth.pdf", b"%PDF-1.7\n garbage"))
    with pytest.raises(ValidationError, match="empty"):
        scan_check(SimpleUploadedFile("auth.pdf", b""))


def test_it_keeps_a_scan_for_the_same_clerk_once(staff_a, staff_b) -> None:
    token = scan_stash(scan_check(pdf_upload(1)), user=staff_a)
    with pytest.raises(ValidationError):
        scan_unstash(token, user=staff_b)
    assert scan_check(scan_unstash(token, user=staff_a)).pages == 1
    with pytest.raises(ValidationError, match="expired"):
        scan_unstash(token, user=staff_a)  # read once
    with pytest.raises(ValidationError):
        scan_unstash(token + "x", user=staff_a)


def fax_spec(entity, **overrides) -> IntakeSpec:
    values = {
        "entity": entity,
        "channel": "fax",
        "received_at": datetime(2026, 3, 2, 16, 40, tzinfo=LA),
        "kind": RequestKind.AUTHORIZED,
        "delivery_method": DeliveryMethod.MAIL,
        "requester": RequesterSpec(
            role=RequesterRole.THIRD_PARTY,
            full_name="Daniel Okafor",
            organization_name="Okafor & Lin LLP",
            third_party_type="attorney",
            fax="213-555-0199",
            address="600 Wilshire Blvd\nLos Angeles, CA 90017",
        ),
        "new_patient": PatientSpec(
            first_name="Rosa", last_name="Quintero", date_of_birth=date(1961, 7, 14)
        ),
        "items": [ItemSpec(record_type="complete")],
        "recipient_name": "Okafor & Lin LLP",
        "recipient_address": "600 Wilshire Blvd\nLos Angeles, CA 90017",
        "purpose": "Litigation",
        "authorization": PaperAuthorization(
            description="All records",
            discloser="City of Hope",
            names_recipient=True,
            gives_recipient_address=False,
            purpose="Litigation",
            expiration_date=date(2026, 12, 31),
            signature_name="Rosa Quintero",
            signed_on=date(2026, 2, 27),
            statement_revocation=True,
            statement_conditioning=True,
            statement_redisclosure=True,
        ),
        "scans": [(Attachment.Kind.SCANNED_AUTHORIZATION, scan_check(pdf_upload(2)))],
    }
    values.update(overrides)
    return IntakeSpec(**values)


def test_a_faxed_request_starts_its_clock_on_the_day_it_came_in(entity_a, staff_a) -> None:
    with time_machine.travel(datetime(2026, 3, 5, 9, tzinfo=LA), tick=False):
        req = intake_record(actor=staff_a, spec=fax_spec(entity_a))
    assert req.channel == "fax"
    assert req.received_at == datetime(2026, 3, 2, 16, 40, tzinfo=LA)
    assert req.due_on == date(2026, 3, 17)  # 15 days from 2 March, not from 5 March
    auth = req.authorization
    assert auth.source == Authorization.Source.SCANNED
    assert auth.recipient_name == "Okafor & Lin LLP" and auth.recipient_address == ""
    assert auth.signed_at.astimezone(LA).date() == date(2026, 2, 27)
    (scan,) = req.attachments.all()
    assert scan.kind == Attachment.Kind.SCANNED_AUTHORIZATION and scan.uploaded_by == staff_a
    assert scan.file.name.endswith(".pdf") and "fax" not in scan.file.name
    assert req.events.filter(kind=TimelineEvent.Kind.AUTHORIZATION, visible_to_requester=False)


def test_it_refuses_a_future_receipt_and_a_missing_authorization(entity_a, staff_a) -> None:
    with time_machine.travel(datetime(2026, 3, 5, 9, tzinfo=LA), tick=False):
        with pytest.raises(ValidationError, match="future"):
            intake_record(
                actor=staff_a,
                spec=fax_spec(entity_a, received_at=datetime(2026, 3, 5, 10, tzinfo=LA)),
            )
        with pytest.raises(ValidationError, match="scanned authorization"):
            intake_record(actor=staff_a, spec=fax_spec(entity_a, scans=[]))
        with pytest.raises(ValidationError, match="more than a year"):
            intake_record(
                actor=staff_a,
                spec=fax_spec(entity_a, received_at=datetime(2024, 3, 5, 10, tzinfo=LA)),
            )
    assert not Patient.objects.exists()


def test_it_refuses_an_entity_the_clerk_does_not_work_for(entity_b, staff_a) -> None:
    with pytest.raises(ValidationError, match="do not work"):
        intake_record(actor=staff_a, spec=fax_spec(entity_b))


def test_a_continuity_fax_from_a_provider_is_free_and_needs_no_signature(entity_a, staff_a) -> None:
    spec = fax_spec(
        entity_a,
        kind=RequestKind.CONTINUITY,
        delivery_method=DeliveryMethod.FAX,
        requester=RequesterSpec(
            role=RequesterRole.PROVIDER,
            full_name="Dr. Mei Chen",
            organization_name="Pasadena Oncology Associates",
        ),
        recipient_fax="626-555-0142",
        authorization=None,
        scans=[],
    )
    req = intake_record(actor=staff_a, spec=spec)
    assert req.fee_estimate["total"] == "0.00"
    assert not Authorization.objects.filter(request=req).exists()


def test_a_continuity_request_must_come_from_a_provider(entity_a, staff_a) -> None:
    spec = fax_spec(entity_a, kind=RequestKind.CONTINUITY, authorization=None, scans=[])
    with pytest.raises(ValidationError, match="from a provider"):
        intake_record(actor=staff_a, spec=spec)


def test_it_uses_an_existing_patient(entity_a, staff_a, patient) -> None:
    before = Patient.objects.count()
    req = intake_record(actor=staff_a, spec=fax_spec(entity_a, patient=patient, new_patient=None))
    assert req.patient == patient and Patient.objects.count() == before


def test_a_walk_in_may_be_received_earlier_today(entity_a, staff_a) -> None:
    now = datetime(2026, 3, 5, 9, tzinfo=LA)
    with time_machine.travel(now, tick=False):
        req = intake_record(
            actor=staff_a,
            spec=fax_spec(entity_a, channel="walk_in", received_at=now - timedelta(hours=2)),
        )
    assert req.channel == "walk_in" and req.due_on == date(2026, 3, 20)
