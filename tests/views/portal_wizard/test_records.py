"""What records: date ranges added without JavaScript, and sensitive records only through
their own consent step (psychotherapy notes on a form of their own)."""

from __future__ import annotations

import pytest

from requests_app.models import Request, RequestDraft

from ...factories import UserFactory
from .steps import PATIENT, answer, key_of, start, step

pytestmark = pytest.mark.django_db


def test_add_another_date_range_keeps_what_was_typed(patient_client, entity_a) -> None:
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    answer(patient_client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    response = patient_client.post(
        step(key, "records"),
        {
            "types": ["imaging_reports"],
            "rows_imaging_reports": "1",
            "from_imaging_reports_0": "2024-01-01",
            "to_imaging_reports_0": "2024-03-31",
            "sensitive": "no",
            "add_range": "imaging_reports",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2024-01-01"' in html
    assert 'name="from_imaging_reports_1"' in html
    assert 'name="rows_imaging_reports" value="2"' in html  # the added row is posted back
    assert "This field is required" not in html
    # A start after the end is refused beside the field; only one end means "until today".
    response = answer(
        patient_client,
        key,
        "records",
        {
            "types": ["imaging_reports"],
            "rows_imaging_reports": "2",
            "from_imaging_reports_0": "2024-05-01",
            "to_imaging_reports_0": "2024-03-31",
            "sensitive": "no",
        },
    )
    assert "This date is before the start." in response.content.decode()
    answer(
        patient_client,
        key,
        "records",
        {
            "types": ["imaging_reports"],
            "rows_imaging_reports": "2",
            "from_imaging_reports_0": "2024-01-01",
            "to_imaging_reports_0": "2024-03-31",
            "from_imaging_reports_1": "2025-01-01",
            "sensitive": "no",
        },
        expect="delivery",
    )
    draft = RequestDraft.objects.get(key=key)
    ranges = draft.data["records"]["ranges"]["imaging_reports"]
    assert ranges[0] == ["2024-01-01", "2024-03-31"]
    assert ranges[1][0] == "2025-01-01"
    # Never more than ten rows, whatever is posted.
    response = patient_client.post(
        step(key, "records"),
        {
            "types": ["imaging_reports"],
            "rows_imaging_reports": "99",
            "add_range": "imaging_reports",
        },
    )
    assert response.content.decode().count('name="from_imaging_reports_') == 10
    assert 'name="from_imaging_reports_10"' not in response.content.decode()


def test_sensitive_records_need_their_own_consent_step(patient_client, entity_a) -> None:
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    answer(patient_client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    records = patient_client.get(step(key, "records")).content.decode()
    assert "HIV" in records and 'name="sensitive"' in records
    assert 'name="categories"' not in records  # never ticked in passing
    answer(
        patient_client,
        key,
        "records",
        {"types": ["complete"], "sensitive": "yes"},
        expect="consent",
    )
    response = answer(patient_client, key, "consent", {})
    assert "Choose at least one" in response.content.decode()
    answer(patient_client, key, "consent", {"categories": ["hiv"]}, expect="delivery")
    answer(patient_client, key, "delivery", {"method": "portal"}, expect="uploads")
    answer(patient_client, key, "uploads", {}, expect="review")
    review = patient_client.get(step(key, "review")).content.decode()
    assert "HIV test results" in review and "with your specific consent" in review
    patient_client.post(step(key, "review"), {"signature_name": "María García", "attest": "on"})
    assert Request.objects.get().sensitive_categories == ["hiv"]


def test_psychotherapy_notes_cannot_ride_along_with_a_third_party_authorization(
    client, entity_a
) -> None:
    client.force_login(UserFactory(username="insurer"))
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
        {**PATIENT, "requester_name": "Ivy", "requester_email": "i@x.example"},
        expect="where",
    )
    answer(client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    answer(client, key, "records", {"types": ["complete"], "sensitive": "yes"}, expect="consent")
    response = client.post(step(key, "consent"), {"categories": ["psychotherapy_notes"]})
    assert response.url == step(key, "consent")
    page = client.get(response.url).content.decode()
    assert "Psychotherapy notes need a separate permission form of their own." in page
    # Alone, they are their own authorization.
    answer(client, key, "records", {"types": [], "sensitive": "yes"}, expect="consent")
    answer(client, key, "consent", {"categories": ["psychotherapy_notes"]}, expect="delivery")
