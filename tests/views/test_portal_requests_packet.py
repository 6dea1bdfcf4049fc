"""Downloading the released packet (a signed link for 10 minutes, for one request and one
viewer; every download on the timeline) and the letters and documents from staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from requests_app.models import Attachment, Letter, Request, TimelineEvent
from requests_app.services import transitions as t

from ..factories import PatientFactory, RequesterFactory, UserFactory, submit
from .test_portal_requests_support import (
    PDF_BYTES,
    add_packet,
    detail_url,
    guest_session,
    mine,
    release,
    signed_in,
    someone_elses,
)

pytestmark = pytest.mark.django_db
# Fixtures shared by the "after submitting" test modules; pytest finds them by name here.
SHARED_FIXTURES = (mine, signed_in, someone_elses)


@pytest.fixture
def released(entity_a, patient, patient_requester, staff_a) -> Request:
    req = submit(entity=entity_a, patient=patient, requester=patient_requester)
    release(req, staff_a)
    add_packet(req)
    return req


def signed_link(client, req: Request) -> str:
    response = client.get(reverse("portal:packet_link", args=[req.number]))
    assert response.status_code == 302
    assert response.url.startswith(f"/portal/requests/{req.number}/packet/")
    return response.url


def downloads(req: Request) -> int:
    return req.events.filter(kind=TimelineEvent.Kind.DOWNLOAD).count()


def test_it_downloads_the_packet_and_records_each_download(client, patient_user, released) -> None:
    client.force_login(patient_user)
    page = client.get(reverse("portal:request_detail", args=[released.number])).content.decode()
    assert "Download your records (PDF)" in page
    assert "works for 10 minutes" in page

    url = signed_link(client, released)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{released.number}.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]

    client.get(url)
    assert downloads(released) == 2
    event = released.events.filter(kind=TimelineEvent.Kind.DOWNLOAD).first()
    assert event.actor == patient_user and event.visible_to_requester
    page = client.get(reverse("portal:request_detail", args=[released.number])).content.decode()
    assert "You downloaded the records." in page


def test_an_expired_link_gets_a_friendly_page(client, patient_user, released) -> None:
    client.force_login(patient_user)
    with time_machine.travel(timezone.now(), tick=False):
        url = signed_link(client, released)
    with time_machine.travel(timezone.now() + timedelta(minutes=9), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        response = client.get(url)
    assert response.status_code == 410
    body = response.content.decode()
    assert "This download link has expired" in body
    assert reverse("portal:packet_link", args=[released.number]) in body
    assert downloads(released) == 1


def test_a_tampered_link_is_refused(client, patient_user, released) -> None:
    client.force_login(patient_user)
    url = signed_link(client, released)
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = url.replace(token, token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"))
    response = client.get(forged)
    assert response.status_code == 403
    assert "This download link does not work" in response.content.decode()
    garbage = reverse("portal:packet_download", args=[released.number, "not-a-token"])
    assert client.get(garbage).status_code == 403
    assert downloads(released) == 0


def test_another_users_link_is_refused(client, patient_user, released) -> None:
    client.force_login(patient_user)
    url = signed_link(client, released)
    client.force_login(UserFactory(username="stranger"))
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign in
    assert downloads(released) == 0


def test_a_link_issued_to_the_representative_is_not_the_patients(
    client, entity_a, patient, representative, staff_a
) -> None:
    req = submit(entity=entity_a, patient=patient, requester=representative)
    release(req, staff_a)
    add_packet(req)
    client.force_login(representative.user)
    url = signed_link(client, req)
    client.force_login(patient.user)  # may see the request, but this link was not made for her
    response = client.get(url)
    assert response.status_code == 403
    assert "made for someone else" in response.content.decode()
    assert client.get(signed_link(client, req)).status_code == 200


def test_a_link_for_one_request_does_not_open_another(
    client, entity_a, patient, patient_requester, released, staff_a
) -> None:
    second = submit(entity=entity_a, patient=patient, requester=patient_requester)
    release(second, staff_a)
    add_packet(second)
    client.force_login(patient.user)
    token = signed_link(client, released).rstrip("/").rsplit("/", 1)[1]
    url = reverse("portal:packet_download", args=[second.number, token])
    assert client.get(url).status_code == 403


def test_nothing_to_download_before_release_or_without_a_packet(
    client, entity_a, patient, patient_requester, staff_a
) -> None:
    client.force_login(patient.user)
    waiting = submit(entity=entity_a, patient=patient, requester=patient_requester)
    add_packet(waiting)
    no_packet = submit(entity=entity_a, patient=patient, requester=patient_requester)
    release(no_packet, staff_a)
    for req in (waiting, no_packet):
        page = client.get(reverse("portal:request_detail", args=[req.number])).content.decode()
        assert "Download your records" not in page
        assert client.get(reverse("portal:packet_link", args=[req.number])).status_code == 404
        forged = reverse("portal:packet_download", args=[req.number, "x:y:z"])
        assert client.get(forged).status_code == 404


def test_a_guest_downloads_with_a_link_bound_to_the_confirmed_email(
    client, entity_a, staff_a
) -> None:
    patient = PatientFactory(email="ana@example.org")
    requester = RequesterFactory(full_name="Ana", email="ana@example.org")
    req = submit(entity=entity_a, patient=patient, requester=requester)
    release(req, staff_a)
    add_packet(req)
    guest_session(client, "ana@example.org", [req])
    response = client.get(signed_link(client, req))
    assert response.status_code == 200
    event = req.events.get(kind=TimelineEvent.Kind.DOWNLOAD)
    assert event.actor is None and event.data["guest_email"] == "ana@example.org"


def test_it_offers_our_letters_and_documents_to_download(
    signed_in, mine, someone_elses, staff_a
) -> None:
    assert "Letters from us" not in signed_in.get(detail_url(mine)).content.decode()
    t.request_pend(mine, actor=staff_a, missing="Your photo ID")
    pend = mine.events.get(action="pend")
    letter = Letter(request=mine, kind=Letter.Kind.PENDING, sha256="0" * 64, created_by=staff_a)
    letter.file.save("pending.pdf", ContentFile(b"%PDF letter"), save=True)
    pend.data = {**pend.data, "letter_id": letter.pk}
    pend.save()
    hidden = Letter(
        request=mine, kind=Letter.Kind.DENIAL, sha256="0" * 64, visible_to_requester=False
    )
    hidden.file.save("draft.pdf", ContentFile(b"%PDF draft"), save=True)
    document = Attachment(
        request=mine,
        kind=Attachment.Kind.OTHER,
        original_name="accounting-report.pdf",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
        uploaded_by=staff_a,
    )
    document.file.save("report.pdf", ContentFile(b"%PDF"), save=True)

    body = signed_in.get(detail_url(mine)).content.decode()
    assert "Letters from us" in body
    assert "Missing information notice (PDF)" in body
    assert "Our letter: Missing information notice (PDF)" in body  # on the timeline
    assert "Denial letter" not in body
    assert "accounting-report.pdf" in body

    response = signed_in.get(reverse("portal:letter_download", args=[mine.number, letter.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF letter"
    assert response["Content-Disposition"] == f'attachment; filename="{mine.number}-pending.pdf"'
    assert (
        signed_in.get(reverse("portal:letter_download", args=[mine.number, hidden.pk])).status_code
        == 404
    )
    response = signed_in.get(reverse("portal:document_download", args=[mine.number, document.pk]))
    assert b"".join(response.streaming_content) == b"%PDF"
    # The ids under someone else's number are not found.
    for name, pk in (("letter_download", letter.pk), ("document_download", document.pk)):
        assert (
            signed_in.get(reverse(f"portal:{name}", args=[someone_elses.number, pk])).status_code
            == 404
        )
