"""Bad input in the wizard never loses answers and never gives a 500: a refused date, a forged
step order, another person's draft, a double submit, a missing signature, a changed answer."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from requests_app.models import Request, RequestDraft

from ...factories import UserFactory
from .steps import NOW, PATIENT, answer, key_of, self_request_until_review, start, step

pytestmark = pytest.mark.django_db


def test_it_refuses_a_date_of_birth_in_the_future_and_keeps_the_answers(
    patient_client, entity_a
) -> None:
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    response = answer(patient_client, key, "patient", {**PATIENT, "date_of_birth": "2999-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The date of birth cannot be in the future." in html
    assert 'value="María López"' in html or "María López" in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_date_of_birth_error"' in html
    old = answer(patient_client, key, "patient", {**PATIENT, "date_of_birth": "1850-01-01"})
    assert "Please check the year of birth." in old.content.decode()


def test_a_forged_step_order_goes_back_to_the_first_step_still_to_do(patient_client, entity_a):
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    for forged in ("delivery", "review", "uploads"):
        response = patient_client.post(step(key, forged), {"method": "portal"})
        assert response.status_code == 302
        assert response.url == step(key, "patient")
    page = patient_client.get(step(key, "review"), follow=True)
    assert page.status_code == 200
    assert "Please finish this step first." in page.content.decode()
    assert patient_client.get(step(key, "no-such-step")).status_code == 404
    assert not Request.objects.exists()


def test_another_persons_draft_key_is_a_404(client, patient_client, entity_a) -> None:
    key = key_of(start(patient_client))
    outsider = UserFactory(username="outsider")
    other = Client()
    other.force_login(outsider)
    assert other.get(step(key, "whose")).status_code == 404
    assert other.post(step(key, "whose"), {"choice": "self"}).status_code == 404
    assert other.get(reverse("portal:wizard_done", kwargs={"key": key})).status_code == 404
    anonymous = Client()
    assert anonymous.get(step(key, "whose")).status_code == 404
    # A made-up key is no different.
    assert (
        patient_client.get(step("0" * 8 + "-0000-0000-0000-" + "0" * 12, "whose")).status_code
        == 404
    )


@time_machine.travel(NOW, tick=False)
def test_a_double_submit_creates_nothing_twice(
    patient_client, entity_a, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    key = self_request_until_review(patient_client, f"entity:{entity_a.pk}")
    signature = {"signature_name": "María García", "attest": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        first = patient_client.post(step(key, "review"), signature)
        second = patient_client.post(step(key, "review"), signature)
    done = reverse("portal:wizard_done", kwargs={"key": key})
    assert first.url == done and second.url == done
    assert Request.objects.count() == 1
    assert len([m for m in mailoutbox if "We received" in m.subject]) == 1
    # The service itself, called again, returns the same request.
    from requests_app.services.drafts import SignatureInput, draft_submit

    again = draft_submit(
        draft=RequestDraft.objects.get(key=key),
        signature=SignatureInput("María García", None, "", None, ""),
        language="en",
    )
    assert [r.pk for r in again] == [Request.objects.get().pk]


def test_the_review_page_refuses_a_submit_without_signature(patient_client, entity_a) -> None:
    key = self_request_until_review(patient_client, f"entity:{entity_a.pk}")
    response = patient_client.post(step(key, "review"), {"signature_name": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert not Request.objects.exists()


def test_changing_an_earlier_answer_sends_the_person_back_where_needed(patient_client, entity_a):
    key = self_request_until_review(patient_client, f"entity:{entity_a.pk}")
    # Now the person says they ask for someone they represent: "About you" must be filled.
    answer(
        patient_client,
        key,
        "whose",
        {"choice": "representative", "authority": "healthcare_poa"},
        expect="patient",
    )
    response = patient_client.get(step(key, "review"))
    assert response.url == step(key, "patient")
