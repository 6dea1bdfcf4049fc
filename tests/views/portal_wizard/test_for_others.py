"""Records for someone other than the patient: a third party under the patient's authorization
(defects shown on their step and on the review, an end event outside California), a copy the
patient directs to someone else, a provider asking for continuity of care."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from requests_app.models import Authorization, Request

from ...factories import EntityFactory, UserFactory
from .steps import NOW, PATIENT, answer, key_of, start, step

pytestmark = pytest.mark.django_db


@time_machine.travel(NOW, tick=False)
def test_a_third_party_sees_a_defect_on_its_step_and_corrects_it_before_submit(
    client, entity_a, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    lawyer = UserFactory(username="lawyer", email="paralegal@lawfirm.example")
    client.force_login(lawyer)
    key = key_of(start(client))
    answer(
        client,
        key,
        "whose",
        {"choice": "third_party", "third_party_type": "attorney"},
        expect="patient",
    )
    patient_page = client.get(step(key, "patient")).content.decode()
    # Nothing about the recipient or the signature yet: those are asked later.
    assert "Tell us who should receive the records" not in patient_page
    assert "Please sign the form" not in patient_page
    answer(
        client,
        key,
        "patient",
        {
            **PATIENT,
            "requester_name": "Pat Paralegal",
            "requester_organization": "Smith & Jones LLP",
            "requester_address": "200 Spring St\nLos Angeles, CA 90012",
        },
        expect="where",
    )
    answer(client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    answer(client, key, "records", {"types": ["complete"], "sensitive": "no"}, expect="delivery")
    delivery = client.get(step(key, "delivery")).content.decode()
    assert 'name="purpose"' in delivery
    assert 'value="Smith &amp; Jones LLP"' in delivery  # the firm receives the records itself
    # Forgot the purpose: the answers are saved and the defect shows beside the field.
    response = client.post(
        step(key, "delivery"),
        {
            "method": "mail",
            "recipient_name": "Smith & Jones LLP",
            "recipient_address": "200 Spring St\nLos Angeles, CA 90012",
            "purpose": "",
        },
    )
    assert response.url == step(key, "delivery")
    page = client.get(response.url).content.decode()
    assert "Tell us why the records are needed." in page
    assert 'id="id_purpose_error"' in page
    assert "Your answers are saved" in page
    assert client.get(step(key, "uploads")).url == step(key, "delivery")
    answer(
        client,
        key,
        "delivery",
        {
            "method": "mail",
            "recipient_name": "Smith & Jones LLP",
            "recipient_address": "200 Spring St\nLos Angeles, CA 90012",
            "purpose": "Personal injury claim",
        },
        expect="uploads",
    )
    answer(client, key, "uploads", {}, expect="review")
    review = client.get(step(key, "review")).content.decode()
    assert "Authorization to release health information" in review
    assert "revoke" in review and "redisclosed" not in review  # plain words instead
    assert "may then no longer be protected" in review
    assert "right to receive a copy" in review
    assert "does not depend on whether I sign" in review
    assert 'value="2026-05-31"' in review  # 90 days (the policy default) after today
    assert 'name="expiration_event"' not in review  # California needs a date, not an event
    assert "Estimated fee" in review
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            step(key, "review"),
            {"signature_name": "María García", "attest": "on", "expiration_date": "2026-09-30"},
            REMOTE_ADDR="198.51.100.4",
            HTTP_USER_AGENT="Mozilla/5.0 test",
        )
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.kind == "authorized"
    assert request.purpose == "Personal injury claim"
    assert request.requester.third_party_type == "attorney"
    assert request.requester.organization_name == "Smith & Jones LLP"
    auth = request.authorization
    assert auth.source == "electronic"
    assert auth.signature_name == "María García"
    assert auth.signature_ip == "198.51.100.4"
    assert auth.signature_user_agent == "Mozilla/5.0 test"
    assert auth.signed_at == NOW
    assert auth.expiration_date == date(2026, 9, 30)
    assert auth.recipient_name == "Smith & Jones LLP"
    assert auth.discloser == entity_a.name
    assert "Complete medical record" in auth.description
    assert all(
        [auth.statement_revocation, auth.statement_conditioning, auth.statement_redisclosure]
    )
    assert auth.statement_copy_right and auth.font_size_pt == 14
    assert auth.signer_role == "self"
    assert request.fee_estimate["basis"].startswith("Release to a third party")


@time_machine.travel(NOW, tick=False)
def test_the_review_page_shows_every_remaining_defect_before_submit(client, entity_a) -> None:
    lawyer = UserFactory(username="lawyer2")
    client.force_login(lawyer)
    key = key_of(start(client))
    answer(
        client,
        key,
        "whose",
        {"choice": "third_party", "third_party_type": "insurer"},
        expect="patient",
    )
    answer(
        client,
        key,
        "patient",
        {**PATIENT, "requester_name": "Ivy Insurer", "requester_email": "ivy@insurer.example"},
        expect="where",
    )
    answer(client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    answer(client, key, "records", {"types": ["billing"], "sensitive": "no"}, expect="delivery")
    answer(
        client,
        key,
        "delivery",
        {
            "method": "portal",
            "recipient_name": "Ivy",
            "recipient_address": "1 Road",
            "purpose": "Claim",
        },
        expect="uploads",
    )
    answer(client, key, "uploads", {}, expect="review")
    response = client.post(
        step(key, "review"),
        {"signature_name": "Ana", "attest": "on", "expiration_date": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "The end date must be after today." in response.content.decode()
    assert not Request.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_outside_california_an_authorization_may_end_at_an_event(client) -> None:
    boston = EntityFactory(
        name="Dana-Farber Cancer Institute",
        bates_prefix="DFCI",
        jurisdiction="MA",
        timezone="America/New_York",
    )
    client.force_login(UserFactory(username="attorney"))
    key = key_of(start(client))
    answer(
        client,
        key,
        "whose",
        {"choice": "third_party", "third_party_type": "attorney"},
        expect="patient",
    )
    answer(
        client,
        key,
        "patient",
        {**PATIENT, "requester_name": "Al Attorney", "requester_email": "al@law.example"},
        expect="where",
    )
    answer(client, key, "where", {"place": f"entity:{boston.pk}"}, expect="records")
    answer(client, key, "records", {"types": ["complete"], "sensitive": "no"}, expect="delivery")
    answer(
        client,
        key,
        "delivery",
        {
            "method": "portal",
            "recipient_name": "Al",
            "recipient_address": "1 Court St, Boston",
            "purpose": "Litigation",
        },
        expect="uploads",
    )
    answer(client, key, "uploads", {}, expect="review")
    review = client.get(step(key, "review")).content.decode()
    assert 'name="expiration_event"' in review
    assert "Federal law" in review or "Our policy" in review  # the rule behind the due date
    client.post(
        step(key, "review"),
        {
            "signature_name": "María García",
            "attest": "on",
            "expiration_date": "",
            "expiration_event": "When the case is settled",
        },
    )
    auth = Request.objects.get().authorization
    assert auth.expiration_event == "When the case is settled"
    assert auth.expiration_date is None


@time_machine.travel(NOW, tick=False)
def test_a_patient_sends_a_copy_to_someone_else(
    patient_client, entity_a, django_capture_on_commit_callbacks
) -> None:
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "directed"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    answer(patient_client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    answer(
        patient_client,
        key,
        "records",
        {"types": ["complete"], "sensitive": "no"},
        expect="delivery",
    )
    delivery = patient_client.get(step(key, "delivery")).content.decode()
    assert 'value="portal"' not in delivery  # the copy goes to the recipient, not the portal
    assert 'name="purpose"' not in delivery
    response = answer(patient_client, key, "delivery", {"method": "secure_email"})
    assert response.status_code == 200
    assert "Tell us the email address" in response.content.decode()
    response = answer(
        patient_client,
        key,
        "delivery",
        {"method": "secure_email", "recipient_email": "dr@x.example"},
    )
    page = patient_client.get(response.url).content.decode()
    assert "Tell us who should receive the records." in page
    assert "Tell us where to send the records." in page
    answer(
        patient_client,
        key,
        "delivery",
        {
            "method": "secure_email",
            "recipient_email": "dr@x.example",
            "recipient_name": "Dr. Rivera",
            "recipient_address": "5 Clinic Way, Pasadena, CA",
        },
        expect="uploads",
    )
    answer(patient_client, key, "uploads", {}, expect="review")
    with django_capture_on_commit_callbacks(execute=True):
        patient_client.post(
            step(key, "review"),
            {"signature_name": "María García", "attest": "on", "expiration_date": "2026-12-31"},
        )
    request = Request.objects.get()
    assert request.kind == "directed"
    assert request.recipient_email == "dr@x.example"
    assert request.authorization.recipient_name == "Dr. Rivera"
    assert request.authorization.signer_role == "self"


def test_a_provider_asks_for_continuity_of_care_without_uploads(client, entity_a) -> None:
    doctor = UserFactory(username="drwho")
    client.force_login(doctor)
    key = key_of(start(client))
    answer(client, key, "whose", {"choice": "provider"}, expect="patient")
    answer(
        client,
        key,
        "patient",
        {
            **PATIENT,
            "requester_name": "Dr. Who",
            "requester_organization": "Pasadena Family Practice",
            "requester_fax": "626-555-0199",
        },
        expect="where",
    )
    answer(client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    answer(client, key, "records", {"types": ["last_visit"], "sensitive": "no"}, expect="delivery")
    answer(
        client,
        key,
        "delivery",
        {
            "method": "fax",
            "recipient_name": "Pasadena Family Practice",
            "recipient_fax": "626-555-0199",
        },
        expect="review",
    )
    client.post(step(key, "review"), {"signature_name": "Dr. Who", "attest": "on"})
    request = Request.objects.get()
    assert request.kind == "continuity"
    assert request.fee_estimate["total"] == "0.00"
    assert not hasattr(request, "authorization") or not Authorization.objects.exists()
