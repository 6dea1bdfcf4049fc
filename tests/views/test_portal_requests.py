"""My requests and one request's page, driven over HTTP as a patient, a representative and a
guest would: what they see (status in words, due date and rule, timeline, messages, fee, what
was sent), and what they never see (another patient's request, internal notes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from requests_app.models import Request, TimelineEvent
from requests_app.rules.kinds import DeliveryMethod, RequestKind
from requests_app.services import transitions as t
from requests_app.services.submission import request_submit
from requests_app.services.timeline import event_record

from ..factories import PatientFactory, RequesterFactory, submit
from .test_portal_requests_support import (
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


def test_it_sends_anonymous_visitors_to_sign_in(client, mine) -> None:
    try:
        login = reverse("portal:login")
    except NoReverseMatch:
        login = "/portal/"
    for url in (reverse("portal:my_requests"), detail_url(mine)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(login + "?next=")
        assert "admin" not in response.url


def test_it_treats_staff_as_strangers(client, mine, staff_a) -> None:
    client.force_login(staff_a)
    assert client.get(detail_url(mine)).status_code == 302


def test_it_lists_my_requests_newest_first_in_plain_words(
    signed_in, entity_a, entity_b, patient, patient_requester, someone_elses, staff_a
) -> None:
    older = submit(
        entity=entity_b,
        patient=patient,
        requester=patient_requester,
        received_at=timezone.now() - timedelta(days=3),
    )
    newer = submit(entity=entity_a, patient=patient, requester=patient_requester)
    t.request_pend(older, actor=staff_a, missing="A copy of your photo ID")

    response = signed_in.get(reverse("portal:my_requests"))
    assert response.status_code == 200
    body = response.content.decode()
    assert newer.number in body and older.number in body
    assert body.index(newer.number) < body.index(older.number)
    assert someone_elses.number not in body
    assert "We need something from you" in body
    assert "We have your request. We will start on it soon." in body
    assert "City of Hope Medical Foundation" in body
    assert "A copy of the records" in body
    assert f"Due by {date_format(newer.current_due_on, 'DATE_FORMAT')}" in body


def test_it_marks_an_extended_due_date(signed_in, mine, staff_a) -> None:
    Request.objects.filter(pk=mine.pk).update(
        extended_due_on=mine.due_on + timedelta(days=10), extension_reason="Records in storage"
    )
    body = signed_in.get(reverse("portal:my_requests")).content.decode()
    assert "extended" in body
    detail = signed_in.get(detail_url(mine)).content.decode()
    assert "Records in storage" in detail
    assert "The law allows this only once" in detail


def test_it_groups_requests_split_from_one_submission(
    signed_in, org, entity_a, entity_b, patient, patient_requester
) -> None:
    split = request_submit(
        organization=org,
        patient=patient,
        requester=patient_requester,
        kind=RequestKind.ACCESS,
        delivery_method=DeliveryMethod.PORTAL,
        received_at=timezone.now(),
    )
    assert len(split) == 2
    body = signed_in.get(reverse("portal:my_requests")).content.decode()
    assert "Sent together on" in body
    assert "so your request became 2 requests" in body
    for req in split:
        assert req.number in body


def test_it_never_opens_another_patients_request(client, signed_in, mine, someone_elses) -> None:
    assert signed_in.get(detail_url(mine)).status_code == 200
    assert signed_in.get(detail_url(someone_elses)).status_code == 404
    base = reverse("portal:my_requests")
    for guess in (
        f"{base}{someone_elses.pk}/",
        f"{base}{someone_elses.number.lower()}/",
        f"{base}ROI-2026-999999/",
        f"{base}{someone_elses.number}/withdraw/",
        f"{base}{someone_elses.number}/revoke/",
        f"{base}{someone_elses.number}/packet/",
    ):
        assert signed_in.get(guess).status_code == 404, guess
    response = signed_in.post(f"{base}{someone_elses.number}/reply/", {"text": "hello"})
    assert response.status_code == 404
    assert not someone_elses.events.filter(kind=TimelineEvent.Kind.MESSAGE_FROM_REQUESTER).exists()


def test_a_guest_sees_only_requests_filed_with_the_confirmed_email(client, entity_a) -> None:
    patient = PatientFactory(email="ana@example.org")
    requester = RequesterFactory(full_name="Ana", email="ana@example.org")
    theirs = submit(entity=entity_a, patient=patient, requester=requester)
    other = submit(entity=entity_a)  # filed by a different guest address

    guest_session(client, "ANA@example.org", [theirs])
    assert client.get(detail_url(theirs)).status_code == 200
    assert client.get(detail_url(other)).status_code == 404
    # A forged session listing another guest's request still needs that guest's address.
    guest_session(client, "ana@example.org", [theirs, other])
    assert client.get(detail_url(other)).status_code == 404
    guest_session(client, "someone@example.org", [theirs])
    assert client.get(detail_url(theirs)).status_code == 404
    assert theirs.number not in client.get(reverse("portal:my_requests")).content.decode()


def test_a_representative_and_the_patient_both_follow_the_request(
    client, entity_a, patient, representative
) -> None:
    req = submit(entity=entity_a, patient=patient, requester=representative)
    client.force_login(representative.user)
    assert client.get(detail_url(req)).status_code == 200
    client.force_login(patient.user)
    assert client.get(detail_url(req)).status_code == 200


def test_it_shows_the_due_date_with_its_rule(signed_in, mine) -> None:
    body = signed_in.get(detail_url(mine)).content.decode()
    assert "We must answer by" in body
    assert mine.due_rule_text and escape(mine.due_rule_text) in body
    assert "within 15 days" in body


def test_it_never_shows_internal_notes(signed_in, mine, staff_a) -> None:
    t.request_add_note(mine, actor=staff_a, text="Internal: patient called twice, rude")
    t.request_assign(mine, actor=staff_a, assignee=staff_a)
    # Even a note saved with the wrong flag stays out (defence in depth).
    event_record(request=mine, kind=TimelineEvent.Kind.NOTE, reason="Wrong-flag secret note")
    t.request_pend(mine, actor=staff_a, missing="Please send a photo ID")
    body = signed_in.get(detail_url(mine)).content.decode()
    assert "patient called twice" not in body
    assert "Wrong-flag secret note" not in body
    assert "clerk.a" not in body and "Alma" not in body  # staff are named by their office
    assert "Please send a photo ID" in body
    assert "We received the request." in body


def test_it_shows_staff_messages(signed_in, mine, staff_a) -> None:
    event_record(
        request=mine,
        kind=TimelineEvent.Kind.MESSAGE_TO_REQUESTER,
        actor=staff_a,
        reason="Your records will be ready next week.",
    )
    body = signed_in.get(detail_url(mine)).content.decode()
    assert "Your records will be ready next week." in body
    assert "We sent you a message." in body


def test_it_shows_the_fee_lines(signed_in, entity_a, patient, patient_requester) -> None:
    entity_a.policy.postage = "1.50"
    entity_a.policy.save()
    req = submit(
        entity=entity_a,
        patient=patient,
        requester=patient_requester,
        delivery=DeliveryMethod.MAIL,
    )
    body = signed_in.get(detail_url(req)).content.decode()
    assert "Estimated fee" in body
    assert "Postage" in body and "$1.50" in body
    assert "45 CFR 164.524(c)(4)" in body


def test_it_tells_what_was_mailed_and_when(
    signed_in, entity_a, patient, patient_requester, staff_a
) -> None:
    req = submit(
        entity=entity_a, patient=patient, requester=patient_requester, delivery=DeliveryMethod.CD
    )
    release(req, staff_a)
    event_record(
        request=req,
        kind=TimelineEvent.Kind.SYSTEM,
        actor=staff_a,
        reason="Mailed today",
        data={"shipped": {"carrier": "USPS", "tracking": "9400 1000 0000"}},
    )
    body = signed_in.get(detail_url(req)).content.decode()
    assert "What we sent and when" in body
    assert "CD/DVD" in body
    assert "USPS" in body and "9400 1000 0000" in body and "Tracking number" in body
    assert "Your invoice" in body
