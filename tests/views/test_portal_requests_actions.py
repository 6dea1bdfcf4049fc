"""What a requester does on a request's page, over HTTP: reply with files (checked, kept on
error), withdraw after a confirmation page (only where the workflow allows), revoke the
authorization once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from requests_app.models import Attachment, Authorization, Request, TimelineEvent
from requests_app.rules.kinds import RequestKind
from requests_app.services import transitions as t
from requests_app.workflow import Status

from ..factories import RequesterFactory, UserFactory, submit
from .test_portal_requests_support import (
    detail_url,
    guest_session,
    mine,
    png_upload,
    release,
    signed_in,
)

pytestmark = pytest.mark.django_db
# Fixtures shared by the "after submitting" test modules; pytest finds them by name here.
SHARED_FIXTURES = (mine, signed_in)


def test_a_reply_with_a_photo_answers_what_we_asked_for(
    signed_in, mine, staff_a, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    t.request_pend(mine, actor=staff_a, missing="A copy of your photo ID")
    page = signed_in.get(detail_url(mine)).content.decode()
    assert "What we need from you" in page and "A copy of your photo ID" in page
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            reverse("portal:request_reply", args=[mine.number]),
            {"text": "Here is my ID.", "files": [png_upload()]},
            follow=True,
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Your message was sent" in body
    assert "You answered on" in body
    assert "Here is my ID." in body and "id-card.png" in body

    mine.refresh_from_db()
    assert mine.status == Status.PENDING_REQUESTER  # staff resume, not the reply
    event = mine.events.get(kind=TimelineEvent.Kind.MESSAGE_FROM_REQUESTER)
    assert event.visible_to_requester and event.actor == mine.requester.user
    assert event.data["answers_pending"] is True
    attachment = Attachment.objects.get(request=mine)
    assert attachment.kind == Attachment.Kind.OTHER
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "id-card.png"
    assert attachment.file.name.endswith(".png") and "id-card" not in attachment.file.name
    assert [m.to for m in mailoutbox] == [["maria@example.org"]]
    assert mine.number in mailoutbox[0].subject


def test_a_bad_upload_is_refused_and_the_message_kept(signed_in, mine) -> None:
    fake = SimpleUploadedFile(
        "scan.pdf", b"this is not a pdf at all", content_type="application/pdf"
    )
    response = signed_in.post(
        reverse("portal:request_reply", args=[mine.number]),
        {"text": "My long explanation", "files": [fake]},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "“scan.pdf”: This file is not a PDF, JPEG, PNG or HEIC photo we can open." in body
    assert "My long explanation" in body
    assert 'aria-invalid="true"' in body
    assert 'aria-describedby="id_files_error id_files_help"' in body
    assert '<div id="id_files_error" class="invalid-feedback d-block">' in body
    assert not mine.events.filter(kind=TimelineEvent.Kind.MESSAGE_FROM_REQUESTER).exists()


def test_a_damaged_or_oversized_upload_is_refused(signed_in, mine) -> None:
    truncated = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    url = reverse("portal:request_reply", args=[mine.number])
    body = signed_in.post(url, {"text": "a", "files": [truncated]}).content.decode()
    assert "“photo.png”: This file is not a PDF, JPEG, PNG or HEIC photo we can open." in body
    body = signed_in.post(url, {"text": "a", "files": [big]}).content.decode()
    assert "big.pdf is 10.0\xa0MB. Each file can be at most 10.0\xa0MB." in body
    body = signed_in.post(url, {"text": "  "}).content.decode()
    assert "Write a message or add a file." in body
    assert not Attachment.objects.exists()


def test_a_guest_replies_and_is_named_by_email(client, entity_a) -> None:
    requester = RequesterFactory(full_name="Ana", email="ana@example.org")
    req = submit(entity=entity_a, requester=requester)
    guest_session(client, "ana@example.org", [req])
    response = client.post(
        reverse("portal:request_reply", args=[req.number]), {"text": "Any news?"}, follow=True
    )
    assert "Any news?" in response.content.decode()
    event = req.events.get(kind=TimelineEvent.Kind.MESSAGE_FROM_REQUESTER)
    assert event.actor is None
    assert event.data["guest_email"] == "ana@example.org"
    assert event.actor_label == "ana@example.org (guest)"


def test_it_withdraws_after_a_confirmation_page(
    signed_in, mine, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    page = signed_in.get(detail_url(mine)).content.decode()
    assert "Withdraw this request" in page
    confirm = signed_in.get(reverse("portal:request_withdraw", args=[mine.number]))
    assert "Withdraw this request?" in confirm.content.decode()
    mine.refresh_from_db()
    assert mine.status == Status.SUBMITTED  # the GET changed nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            reverse("portal:request_withdraw", args=[mine.number]),
            {"reason": "I got them at my visit"},
            follow=True,
        )
    body = response.content.decode()
    assert "was withdrawn" in body
    mine.refresh_from_db()
    assert mine.status == Status.WITHDRAWN
    event = mine.events.get(action="withdraw")
    assert event.actor == mine.requester.user
    assert event.reason == "I got them at my visit"
    assert event.data["by"] == "requester"
    assert mailoutbox, "the withdrawal is confirmed by email"


def test_it_refuses_to_withdraw_a_released_request(signed_in, mine, staff_a) -> None:
    release(mine, staff_a)
    assert "Withdraw this request" not in signed_in.get(detail_url(mine)).content.decode()
    url = reverse("portal:request_withdraw", args=[mine.number])
    response = signed_in.post(url, {"reason": "x"}, follow=True)
    assert "can no longer be withdrawn" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == Status.RELEASED
    assert not mine.events.filter(action="withdraw").exists()


def test_a_guest_withdraws_with_the_email_on_the_event(client, entity_a) -> None:
    requester = RequesterFactory(full_name="Ana", email="ana@example.org")
    req = submit(entity=entity_a, requester=requester)
    guest_session(client, "ana@example.org", [req])
    client.post(reverse("portal:request_withdraw", args=[req.number]), {"reason": ""})
    req.refresh_from_db()
    assert req.status == Status.WITHDRAWN
    event = req.events.get(action="withdraw")
    assert event.actor is None
    assert event.data == {"by": "guest", "guest_email": "ana@example.org"}


@pytest.fixture
def authorized(entity_a, patient, patient_requester) -> Request:
    return submit(
        entity=entity_a,
        patient=patient,
        requester=patient_requester,
        kind=RequestKind.DIRECTED,
        recipient_name="Dr. Jones",
        recipient_address="1 Main St",
        authorization={"recipient_name": "Dr. Jones", "signature_name": "María García"},
    )


def test_it_revokes_the_authorization_once(
    signed_in, authorized, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    page = signed_in.get(detail_url(authorized)).content.decode()
    assert "Revoke the authorization" in page
    url = reverse("portal:authorization_revoke", args=[authorized.number])
    confirm = signed_in.get(url).content.decode()
    assert "164.508(b)(5)" in confirm
    assert "does not undo what was already released" in confirm

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url, {"reason": "I changed my mind"}, follow=True)
    body = response.content.decode()
    assert "The authorization is revoked." in body
    assert "Revoked on" in body
    assert "Revoke the authorization" not in body
    authorization = Authorization.objects.get(request=authorized)
    assert authorization.revoked_at is not None
    assert authorization.revocation_reason == "I changed my mind"
    event = authorized.events.get(kind=TimelineEvent.Kind.AUTHORIZATION)
    assert event.action == "revoke" and event.visible_to_requester
    assert any("164.508(b)(5)" in m.body for m in mailoutbox)

    again = signed_in.post(url, {"reason": "again"}, follow=True)
    assert "There is no authorization to revoke" in again.content.decode()
    assert authorized.events.filter(kind=TimelineEvent.Kind.AUTHORIZATION).count() == 1
    authorization.refresh_from_db()
    assert authorization.revocation_reason == "I changed my mind"


def test_there_is_nothing_to_revoke_without_an_authorization(signed_in, mine) -> None:
    assert "Revoke the authorization" not in signed_in.get(detail_url(mine)).content.decode()
    response = signed_in.post(reverse("portal:authorization_revoke", args=[mine.number]))
    assert response.status_code == 302
    assert not mine.events.filter(kind=TimelineEvent.Kind.AUTHORIZATION).exists()


def test_a_guests_files_are_listed_with_the_request(client, entity_a) -> None:
    requester = RequesterFactory(full_name="Ana", email="ana@example.org")
    req = submit(entity=entity_a, requester=requester)
    guest_session(client, "ana@example.org", [req])
    client.post(
        reverse("portal:request_reply", args=[req.number]),
        {"text": "", "files": [png_upload("lab-result.png")]},
    )
    body = client.get(detail_url(req)).content.decode()
    assert "Files sent with this request" in body and "lab-result.png" in body
    assert "Letters from us" not in body


def test_only_the_one_who_filed_withdraws(client, entity_a, patient, representative) -> None:
    req = submit(entity=entity_a, patient=patient, requester=representative)
    client.force_login(patient.user)  # she follows it, but her representative filed it
    assert "Withdraw this request" not in client.get(detail_url(req)).content.decode()
    response = client.post(reverse("portal:request_withdraw", args=[req.number]), follow=True)
    assert "Only the person who sent this request can withdraw it." in response.content.decode()
    req.refresh_from_db()
    assert req.status == Status.SUBMITTED
    client.force_login(representative.user)
    client.post(reverse("portal:request_withdraw", args=[req.number]))
    req.refresh_from_db()
    assert req.status == Status.WITHDRAWN


def test_the_patient_revokes_what_a_third_party_holds(client, entity_a, patient) -> None:
    attorney = RequesterFactory(
        role="third_party",
        full_name="Saul Lawyer",
        email="saul@example.org",
        user=UserFactory(username="saul"),
    )
    req = submit(
        entity=entity_a,
        patient=patient,
        requester=attorney,
        kind=RequestKind.AUTHORIZED,
        recipient_name="Saul Lawyer",
        authorization={"recipient_name": "Saul Lawyer", "signature_name": "María García"},
    )
    url = reverse("portal:authorization_revoke", args=[req.number])
    client.force_login(attorney.user)
    page = client.get(detail_url(req)).content.decode()
    assert "Revoke the authorization" not in page
    assert "personal representative, may revoke" in page
    client.post(url, {"reason": "not mine to revoke"})
    assert Authorization.objects.get(request=req).revoked_at is None

    client.force_login(patient.user)
    client.post(url, {"reason": "I settled the case"})
    assert Authorization.objects.get(request=req).revoked_at is not None
