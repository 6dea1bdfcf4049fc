"""Set-up shared by the "after submitting" view tests (no tests here): the patient's own
request and someone else's, a guest session, a released request with its packet, an upload.
Test modules import the fixtures by name."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from requests_app.access.portal import GUEST_EMAIL, GUEST_REQUESTS
from requests_app.models import Packet, Request
from requests_app.services import transitions as t

from ..factories import PatientFactory, RequesterFactory, UserFactory, submit

# The smallest PDF a reader opens: enough to check bytes round-trip through storage.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def guest_session(client: Client, email: str, requests: list[Request]) -> None:
    """What the guest pages leave in the session once the emailed code is checked (the
    contract of access/portal.py)."""
    session = client.session
    session[GUEST_EMAIL] = email.lower()
    session[GUEST_REQUESTS] = [r.pk for r in requests]
    session.save()


def release(req: Request, staff: User) -> Request:
    t.request_start_review(req, actor=staff)
    t.request_verify(req, actor=staff)
    t.request_mark_ready(req, actor=staff)
    return t.request_release(req, actor=staff)


def add_packet(req: Request, content: bytes = PDF_BYTES) -> Packet:
    packet = Packet(request=req, state=Packet.State.BUILT, page_count=1, built_at=timezone.now())
    packet.file.save("packet.pdf", ContentFile(content), save=False)
    packet.save()
    return packet


def png_upload(name: str = "id-card.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def detail_url(req: Request) -> str:
    return reverse("portal:request_detail", args=[req.number])


@pytest.fixture
def mine(entity_a, patient, patient_requester) -> Request:
    return submit(entity=entity_a, patient=patient, requester=patient_requester)


@pytest.fixture
def signed_in(client, patient_user):
    client.force_login(patient_user)
    return client


@pytest.fixture
def someone_elses(entity_a) -> Request:
    other = PatientFactory(
        first_name="Pedro", last_name="Other", user=UserFactory(username="pedro")
    )
    requester = RequesterFactory(
        full_name="Pedro Other", email="pedro@example.org", user=other.user
    )
    return submit(entity=entity_a, patient=other, requester=requester)
