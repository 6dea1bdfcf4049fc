"""Following a request without an account: by number, date of birth and a fresh code, or by
the tracking link in our emails; neither ever tells whether a request exists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from requests_app.access import portal as access
from requests_app.models import Patient, Request, TimelineEvent
from requests_app.rules.kinds import DeliveryMethod, RequesterRole, RequestKind
from requests_app.services import accounts as account_services
from requests_app.services.submission import ItemSpec, request_submit

from ...factories import PatientFactory, RequesterFactory, submit
from .helpers import code_in, make_user, text, visible_numbers

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest_submission(org, entity_a, entity_b) -> list[Request]:
    """A guest asked the whole organization: one request per entity, one submission."""
    patient = PatientFactory(date_of_birth=date(1980, 2, 29))
    requester = RequesterFactory(full_name=patient.full_name, email="Guest@Example.org")
    return request_submit(
        organization=org,
        patient=patient,
        requester=requester,
        kind=RequestKind.ACCESS,
        delivery_method=DeliveryMethod.PORTAL,
        received_at=timezone.now(),
        items=[ItemSpec(record_type="complete")],
    )


def follow_details(number: str, **extra) -> dict:
    return {"number": number, "date_of_birth": "1980-02-29", "email": "guest@example.org", **extra}


# --- By number, date of birth and code


def test_a_guest_follows_a_request_with_number_birth_date_and_code(
    client, post, mailoutbox, guest_submission
) -> None:
    first, second = guest_submission
    other = submit(entity=first.entity)  # someone else's request
    assert "Follow a request" in text(client.get("/portal/follow/"))

    response = post("/portal/follow/", follow_details(f" {first.number.lower()} "), follow=True)
    assert "If these details match a request, we sent a 6-digit code" in text(response)
    (message,) = mailoutbox
    assert first.number in message.body
    response = client.post("/portal/follow/verify/", {"code": code_in(message)})
    assert response.url == reverse("portal:request_detail", kwargs={"number": first.number})
    assert first.number in text(client.get(response.url))
    assert visible_numbers(client) == {first.number, second.number}
    assert other.number not in visible_numbers(client)
    assert TimelineEvent.objects.filter(
        request=first, action="guest_access", visible_to_requester=False
    ).exists()


@pytest.mark.parametrize(
    "change",
    [{"date_of_birth": "1980-03-01"}, {"email": "other@example.org"}, {"number": "ROI-1999-1"}],
)
def test_wrong_details_get_the_same_answer_and_no_email(
    client, post, mailoutbox, guest_submission, change
) -> None:
    response = post("/portal/follow/", {**follow_details(guest_submission[0].number), **change})
    assert response.url == "/portal/follow/verify/"
    page = client.get(response.url)
    assert "If these details match a request, we sent a 6-digit code" in text(page)
    assert mailoutbox == []
    refused = client.post("/portal/follow/verify/", {"code": "123456"})
    assert "That code is not right" in text(refused)
    assert visible_numbers(client) == set()


def test_a_request_filed_from_an_account_cannot_be_followed_as_a_guest(
    client, post, mailoutbox, entity_a, patient, patient_requester
) -> None:
    mine = submit(entity=entity_a, patient=patient, requester=patient_requester)
    details = {
        "number": mine.number,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "email": patient_requester.email,
    }
    post("/portal/follow/", details)
    assert mailoutbox == []


def test_the_follow_form_explains_bad_input_and_keeps_it(client) -> None:
    response = client.post(
        "/portal/follow/",
        {"number": "ROI-2026-000001", "date_of_birth": "2999-01-01", "email": "not-an-email"},
    )
    assert response.status_code == 200
    body = text(response)
    assert "A date of birth cannot be in the future." in body
    assert "Enter a valid email address." in body
    assert 'value="ROI-2026-000001"' in body
    assert client.post("/portal/follow/", {"date_of_birth": "31/31/1980"}).status_code == 200


# --- The tracking link in our emails


def test_the_tracking_link_opens_only_that_submission(client, guest_submission, entity_a) -> None:
    first, second = guest_submission
    requester = first.requester
    later = submit(entity=entity_a, patient=first.patient, requester=requester)
    stranger = submit(entity=entity_a, patient=first.patient)  # another email

    response = client.get(account_services.guest_tracking_url(first))
    assert response.url == reverse("portal:request_detail", kwargs={"number": first.number})
    assert visible_numbers(client) == {first.number, second.number}
    assert later.number not in visible_numbers(client)
    assert stranger.number not in visible_numbers(client)


def test_a_tampered_or_old_tracking_link_opens_nothing(client, guest_submission) -> None:
    url = account_services.guest_tracking_url(guest_submission[0])
    tampered = url[:-4] + ("x" if url[-4] != "x" else "y") + url[-3:]
    response = client.get(tampered)
    assert response.status_code == 200
    assert "This link does not work any more." in text(response)
    assert 'name="date_of_birth"' in text(response)
    assert visible_numbers(client) == set()

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert "This link does not work any more." in text(client.get(url))
    assert visible_numbers(client) == set()


def test_a_tracking_link_dies_when_the_requester_email_changes(client, guest_submission) -> None:
    url = account_services.guest_tracking_url(guest_submission[0])
    guest_submission[0].requester.__class__.objects.filter(
        pk=guest_submission[0].requester_id
    ).update(email="new@example.org")
    assert "This link does not work any more." in text(client.get(url))


def test_a_guest_cannot_open_another_patients_request(client, guest_submission, entity_a) -> None:
    other_patient = Patient.objects.create(
        first_name="Otto", last_name="Other", date_of_birth=date(1970, 1, 1)
    )
    other = submit(
        entity=entity_a,
        patient=other_patient,
        requester=RequesterFactory(role=RequesterRole.SELF, email="guest@example.org"),
    )
    client.get(account_services.guest_tracking_url(guest_submission[0]))
    http_request = RequestFactory().get("/")
    http_request.session = client.session
    http_request.user = AnonymousUser()
    assert access.get_portal_request_or_404(http_request, guest_submission[0].number)
    # Same address, but a different submission that this guest never proved: still hidden.
    with pytest.raises(Http404):
        access.get_portal_request_or_404(http_request, other.number)
    with pytest.raises(Http404):
        access.get_portal_request_or_404(http_request, "ROI-2026-999999")


def test_a_tracking_link_for_an_account_request_asks_to_sign_in(
    client, entity_a, patient, patient_requester
) -> None:
    mine = submit(entity=entity_a, patient=patient, requester=patient_requester)
    response = client.get(account_services.guest_tracking_url(mine))
    assert response.url.startswith("/portal/account/login/?next=")
    assert visible_numbers(client) == set()


def test_a_signed_in_account_is_told_to_sign_out_to_follow_as_a_guest(
    client, guest_submission
) -> None:
    client.force_login(make_user("ana@example.org"))
    response = client.get(account_services.guest_tracking_url(guest_submission[0]), follow=True)
    assert "To open one, sign out first" in text(response)
    assert "To open one, sign out first" in text(client.get("/portal/follow/", follow=True))
