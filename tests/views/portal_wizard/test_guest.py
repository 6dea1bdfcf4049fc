"""Who may file: a guest with a confirmed address files and follows the request; an unknown
visitor is offered to sign in or go on as a guest; staff never file through the portal."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from requests_app.access import portal as access
from requests_app.models import Request, RequestDraft

from .steps import NOW, PATIENT, answer, key_of, start, step

pytestmark = pytest.mark.django_db


@time_machine.travel(NOW, tick=False)
def test_a_guest_files_a_request_and_can_see_it(
    guest_client, entity_a, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    page = guest_client.get(step("00000000-0000-0000-0000-000000000000", "whose"))
    assert page.status_code == 404
    key = key_of(start(guest_client))
    answer(guest_client, key, "whose", {"choice": "self"}, expect="patient")
    html = guest_client.get(step(key, "patient")).content.decode()
    assert "ana.guest@example.org" in html  # the confirmed address, not asked again
    answer(guest_client, key, "patient", {**PATIENT, "first_name": "Ana"}, expect="where")
    answer(guest_client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    answer(
        guest_client, key, "records", {"types": ["complete"], "sensitive": "no"}, expect="delivery"
    )
    answer(guest_client, key, "delivery", {"method": "portal"}, expect="uploads")
    uploads = guest_client.get(step(key, "uploads")).content.decode()
    assert "Optional" in uploads  # ID helps, but is never a barrier
    answer(guest_client, key, "uploads", {}, expect="review")
    with django_capture_on_commit_callbacks(execute=True):
        response = guest_client.post(
            step(key, "review"), {"signature_name": "Ana García", "attest": "on"}
        )
    done = guest_client.get(response.url)
    request = Request.objects.get()
    assert done.status_code == 200
    assert request.number in done.content.decode()
    assert request.requester.user is None
    assert request.requester.email == "ana.guest@example.org"
    assert request.patient.user is None
    assert access.portal_requests(done.wsgi_request).get() == request
    mail = next(m for m in mailoutbox if "We received" in m.subject)
    assert mail.to == ["ana.guest@example.org"]
    assert request.number in mail.body
    link = re.search(re.escape(settings.SITE_URL) + r"(/portal/track/\S+)", mail.body)
    assert link, mail.body  # the guest follows the request from this link
    # Another guest session cannot open the done page.
    stranger = Client()
    session = stranger.session
    session[access.GUEST_EMAIL] = "someone.else@example.org"
    session.save()
    assert stranger.get(response.url).status_code == 404


def test_an_unknown_visitor_is_offered_to_sign_in_or_continue_as_guest(client, entity_a) -> None:
    page = client.get(reverse("portal:wizard_start"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{reverse('portal:guest_start')}?next=%2Fportal%2Frequest%2F" in html
    assert f"{reverse('portal:login')}?next=%2Fportal%2Frequest%2F" in html
    # Posting without an identity creates nothing.
    assert client.post(reverse("portal:wizard_start")).status_code == 200
    assert not RequestDraft.objects.exists()


def test_staff_never_file_through_the_portal(client, staff_a, entity_a) -> None:
    client.force_login(staff_a)
    client.post(reverse("portal:wizard_start"))
    assert not RequestDraft.objects.exists()
