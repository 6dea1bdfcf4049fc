"""Uploads in the wizard: a representative's papers, a deceased patient's death certificate,
and files that are too big, damaged or not what their name says. Files are made here with
pikepdf, Pillow and pillow-heif."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pikepdf
import pillow_heif
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from requests_app.models import Attachment, DraftUpload, Request
from requests_app.services.uploads import MAX_UPLOAD_BYTES, upload_check

from .portal_wizard.steps import PATIENT, answer, key_of, start, step

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=LA)

pytestmark = pytest.mark.django_db


def pdf_bytes() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(612, 792))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def heic_bytes() -> bytes:
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), (200, 30, 30))).save(out, quality=60)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def rep_client(client, representative):
    client.force_login(representative.user)
    return client


def representative_until_uploads(client, entity) -> str:
    key = key_of(start(client))
    answer(
        client,
        key,
        "whose",
        {"choice": "representative", "authority": "guardian"},
        expect="patient",
    )
    answer(
        client,
        key,
        "patient",
        {
            **PATIENT,
            "first_name": "Tomás",
            "requester_name": "Linda Ortiz",
            "relationship": "Legal guardian",
            "requester_phone": "626-555-0101",
        },
        expect="where",
    )
    answer(client, key, "where", {"place": f"entity:{entity.pk}"}, expect="records")
    answer(client, key, "records", {"types": ["complete"], "sensitive": "no"}, expect="delivery")
    answer(client, key, "delivery", {"method": "portal"}, expect="uploads")
    return key


@time_machine.travel(NOW, tick=False)
def test_a_representative_sends_pdf_png_and_heic_papers(
    rep_client, representative, entity_a, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    key = representative_until_uploads(rep_client, entity_a)
    page = rep_client.get(step(key, "uploads")).content.decode()
    assert "Proof of your authority" in page
    assert "guardianship papers" in page

    # Continuing without the guardianship papers: kept on the step, told why, in place.
    response = rep_client.post(step(key, "uploads"), {})
    assert response.url == step(key, "uploads")
    html = rep_client.get(response.url).content.decode()
    assert "Please include the paper that shows your authority" in html
    assert 'id="id_representative_authority_error"' in html
    # The later step waits for this one.
    assert rep_client.get(step(key, "review")).url == step(key, "uploads")

    papers = pdf_bytes()
    response = rep_client.post(
        step(key, "uploads"),
        {
            "representative_authority": upload("guardianship.pdf", papers),
            "photo_id": upload("IMG_0001.HEIC", heic_bytes()),
        },
    )
    assert response.status_code == 302 and response.url == step(key, "review")
    # A second photo of the ID, a PNG of the back, added from the review's "Change" link.
    rep_client.post(step(key, "uploads"), {"photo_id": upload("back.png", png_bytes())})
    stored = {u.original_name: u for u in DraftUpload.objects.all()}
    assert stored["guardianship.pdf"].content_type == "application/pdf"
    assert stored["guardianship.pdf"].sha256 == hashlib.sha256(papers).hexdigest()
    assert stored["IMG_0001.HEIC"].content_type == "image/heic"
    assert stored["back.png"].content_type == "image/png"
    assert not stored["guardianship.pdf"].file.name.endswith("guardianship.pdf")  # random name

    review = rep_client.get(step(key, "review")).content.decode()
    assert "guardianship.pdf" in review
    assert "Legal guardian" in review
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(
            step(key, "review"), {"signature_name": "Linda Ortiz", "attest": "on"}
        )
    assert response.url == reverse("portal:wizard_done", kwargs={"key": key})
    request = Request.objects.get()
    assert request.kind == "access"
    assert request.requester.role == "representative"
    assert request.requester.representative_authority == "guardian"
    assert request.requester.user == representative.user
    assert request.patient.user is None  # the representative is not the patient
    attachments = {a.original_name: a for a in request.attachments.all()}
    assert set(attachments) == {"guardianship.pdf", "IMG_0001.HEIC", "back.png"}
    assert attachments["guardianship.pdf"].kind == Attachment.Kind.REPRESENTATIVE_AUTHORITY
    assert attachments["guardianship.pdf"].file.read() == papers
    assert attachments["guardianship.pdf"].file.name.startswith(f"attachments/{request.pk}/")
    assert not DraftUpload.objects.exists()  # the draft's copies are cleaned up


def test_a_file_can_be_removed_before_submit(rep_client, entity_a) -> None:
    key = representative_until_uploads(rep_client, entity_a)
    rep_client.post(step(key, "uploads"), {"photo_id": upload("wrong.png", png_bytes())})
    item = DraftUpload.objects.get()
    page = rep_client.get(step(key, "uploads")).content.decode()
    assert "wrong.png" in page
    rep_client.post(step(key, "uploads"), {"remove": str(item.pk)})
    assert not DraftUpload.objects.exists()


def test_an_oversized_file_gets_a_clear_message_and_other_files_are_kept(
    rep_client, entity_a
) -> None:
    key = representative_until_uploads(rep_client, entity_a)
    big = b"%PDF-1.4\n" + b"0" * (MAX_UPLOAD_BYTES + 1)
    response = rep_client.post(
        step(key, "uploads"),
        {
            "photo_id": upload("huge-scan.pdf", big),
            "representative_authority": upload("papers.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "huge-scan.pdf is 10.0" in html
    assert "Each file can be at most 10.0" in html
    assert "papers.pdf" in html  # the good file was kept and is listed
    assert list(DraftUpload.objects.values_list("original_name", flat=True)) == ["papers.pdf"]
    # The answers of earlier steps are untouched.
    assert 'value="Tomás"' in rep_client.get(step(key, "patient")).content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", b"%PDF-1.7\nthis is not really a pdf", "This PDF could not be opened"),
        ("photo.jpg", b"\xff\xd8\xff\xe0 truncated jpeg", "not a PDF, JPEG, PNG or HEIC"),
        ("notes.png", b"plain text pretending to be a picture", "not a PDF, JPEG, PNG or HEIC"),
        ("empty.pdf", b"", "file is empty"),
    ],
)
def test_a_damaged_or_fake_file_is_refused_with_a_message(
    rep_client, entity_a, name, content, message
) -> None:
    key = representative_until_uploads(rep_client, entity_a)
    response = rep_client.post(
        step(key, "uploads"), {"representative_authority": upload(name, content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DraftUpload.objects.exists()


def test_the_validator_judges_content_not_the_name() -> None:
    # A real HEIC named .jpg is a HEIC; a GIF named .png is refused.
    checked = upload_check(upload("looks-like.jpg", heic_bytes(), "image/jpeg"))
    assert checked.content_type == "image/heic"
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    with pytest.raises(Exception, match="PDF, JPEG, PNG or HEIC"):
        upload_check(upload("animation.png", gif.getvalue(), "image/png"))
    encrypted = io.BytesIO()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(encrypted, encryption=pikepdf.Encryption(owner="o", user="secret"))
    with pytest.raises(Exception, match="password"):
        upload_check(upload("locked.pdf", encrypted.getvalue()))
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8)).save(jpeg, format="JPEG")
    assert upload_check(upload("id.jpeg", jpeg.getvalue())).content_type == "image/jpeg"


@time_machine.travel(NOW, tick=False)
def test_a_deceased_patients_next_of_kin_sends_the_death_certificate(
    rep_client, entity_a, entity_b, org, django_capture_on_commit_callbacks
) -> None:
    key = key_of(start(rep_client))
    answer(
        rep_client,
        key,
        "whose",
        {"choice": "deceased", "deceased_authority": "next_of_kin"},
        expect="patient",
    )
    patient = {**PATIENT, "requester_name": "Linda Ortiz", "relationship": "Daughter"}
    response = answer(rep_client, key, "patient", patient)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()  # the date of death
    response = answer(rep_client, key, "patient", {**patient, "date_of_death": "1970-01-01"})
    assert "before the date of birth" in response.content.decode()
    answer(rep_client, key, "patient", {**patient, "date_of_death": "2025-12-01"}, expect="where")
    answer(rep_client, key, "where", {"place": f"org:{org.pk}"}, expect="records")
    answer(
        rep_client, key, "records", {"types": ["complete"], "sensitive": "no"}, expect="delivery"
    )
    answer(rep_client, key, "delivery", {"method": "portal"}, expect="uploads")
    response = rep_client.post(
        step(key, "uploads"), {"representative_authority": upload("kin.pdf", pdf_bytes())}
    )
    assert response.url == step(key, "uploads")
    html = rep_client.get(step(key, "uploads")).content.decode()
    assert "Please include a copy of the death certificate." in html
    response = rep_client.post(
        step(key, "uploads"), {"death_certificate": upload("certificate.png", png_bytes())}
    )
    assert response.url == step(key, "review")
    with django_capture_on_commit_callbacks(execute=True):
        rep_client.post(step(key, "review"), {"signature_name": "Linda Ortiz", "attest": "on"})
    requests = list(Request.objects.all())
    assert len(requests) == 2
    for request in requests:
        assert request.requester.role == "next_of_kin"
        assert request.patient.date_of_death.isoformat() == "2025-12-01"
        kinds = set(request.attachments.values_list("kind", flat=True))
        assert kinds == {"death_certificate", "representative_authority"}
    # The split requests share one stored copy of each file.
    names = {tuple(sorted(r.attachments.values_list("file", flat=True))) for r in requests}
    assert len(names) == 1
