"""Where the patient was seen: a request to the organization is split into one per entity and
the split is shown before submit; a clinic's own scope, the delivery methods every entity
offers, and an organization not set up."""

from __future__ import annotations

import re

import pytest
import time_machine

from requests_app.models import Location, Request
from requests_app.rules.kinds import ReleaseScope

from ...factories import EntityFactory, OrganizationFactory
from .steps import NOW, PATIENT, answer, key_of, start, step

pytestmark = pytest.mark.django_db


@time_machine.travel(NOW, tick=False)
def test_it_splits_a_request_to_the_organization_into_one_per_entity(
    patient_client, org, entity_a, entity_b, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    where = None
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    where = patient_client.get(step(key, "where")).content.decode()
    assert "All of City of Hope" in where
    assert "2 requests, one to each" in where
    answer(patient_client, key, "where", {"place": f"org:{org.pk}"}, expect="records")
    answer(
        patient_client,
        key,
        "records",
        {"types": ["complete"], "sensitive": "no"},
        expect="delivery",
    )
    answer(patient_client, key, "delivery", {"method": "secure_email"}, expect="uploads")
    answer(patient_client, key, "uploads", {}, expect="review")
    review = patient_client.get(step(key, "review")).content.decode()
    assert "This makes 2 requests" in review
    assert review.count("California law: within 15 days") == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = patient_client.post(
            step(key, "review"), {"signature_name": "María García", "attest": "on"}
        )
    done = patient_client.get(response.url).content.decode()
    requests = list(Request.objects.order_by("number"))
    assert {r.entity for r in requests} == {entity_a, entity_b}
    assert len({r.submission for r in requests}) == 1
    for request in requests:
        assert request.number in done
    # One confirmation for the whole submission, not one email per split request.
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert "We received" in mail.subject
    assert all(r.number in mail.body for r in requests)


def test_a_clinic_that_releases_its_own_records_is_explained(patient_client, entity_a) -> None:
    Location.objects.create(
        entity=entity_a,
        name="USC Care clinic, Pasadena",
        address="Pasadena, CA",
        release_scope=ReleaseScope.OWN_LOCATION,
    )
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    where = patient_client.get(step(key, "where")).content.decode()
    assert "Only the clinic USC Care clinic, Pasadena" in where
    assert "only the records made at this clinic" in where


def test_only_delivery_methods_every_entity_offers_are_shown(patient_client, org, entity_a):
    other = EntityFactory(organization=org, name="Small clinic", bates_prefix="SMALL")
    other.policy.delivery_methods = ["mail", "secure_email"]
    other.policy.save()
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    answer(patient_client, key, "where", {"place": f"org:{org.pk}"}, expect="records")
    answer(
        patient_client,
        key,
        "records",
        {"types": ["complete"], "sensitive": "no"},
        expect="delivery",
    )
    html = patient_client.get(step(key, "delivery")).content.decode()
    assert 'value="portal"' not in html
    assert re.search(r'value="secure_email"[^>]*checked', html)
    assert 'value="mail"' in html
    # A forged method is refused on the page.
    response = answer(patient_client, key, "delivery", {"method": "portal"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_second_organization_with_no_policy_is_not_offered(patient_client, entity_a) -> None:
    broken = OrganizationFactory(name="Not set up")
    EntityFactory(organization=broken, name="No policy", bates_prefix="NOPOL", with_policy=False)
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    html = patient_client.get(step(key, "where")).content.decode()
    assert "No policy" not in html
    response = answer(patient_client, key, "where", {"place": f"org:{broken.pk}"})
    assert response.status_code == 200
