"""The amendment and accounting-of-disclosures forms: what they tell before submit, the
requests they create (kind, 60-day due date, fee), and bad input kept on the page."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from requests_app.models import Request
from requests_app.rules.kinds import RequestKind
from requests_app.workflow import Status

from ..factories import PatientFactory, UserFactory
from .test_portal_requests_support import guest_session

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
TODAY = NOON.date()


@pytest.fixture(autouse=True)
def _march_10():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def signed_in(client, patient):
    client.force_login(patient.user)
    return client


def test_it_shows_the_rule_and_fee_before_an_amendment_is_sent(signed_in, entity_a) -> None:
    response = signed_in.get(reverse("portal:amendment_new"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "We must answer within 60 days" in body
    assert "It is free." in body
    assert "Sent today, we must answer by May 9, 2026." in body
    assert "within 60 days (45 CFR 164.526(b)(2))" in body
    assert "María García (1980-02-29)" in body  # her own patient record, to pick
    assert "Social Security" in body  # ...which we never ask for


def test_it_files_an_amendment_for_my_own_record(signed_in, entity_a, patient) -> None:
    response = signed_in.post(
        reverse("portal:amendment_new"),
        {
            "patient": str(patient.pk),
            "entity": str(entity_a.pk),
            "what_is_wrong": "My allergy list says penicillin.",
            "should_say": "No known drug allergies.",
        },
        follow=True,
    )
    req = Request.objects.get()
    assert response.redirect_chain[-1][0] == reverse("portal:request_detail", args=[req.number])
    assert req.kind == RequestKind.AMENDMENT
    assert req.patient == patient
    assert req.requester.user == patient.user
    assert req.due_on == TODAY + timedelta(days=60)
    assert req.latest_extension_on == TODAY + timedelta(days=90)
    assert req.amendment_what_is_wrong == "My allergy list says penicillin."
    assert req.amendment_should_say == "No known drug allergies."
    assert req.delivery_method == "portal"
    body = response.content.decode()
    assert f"We received your request {req.number}" in body
    assert "No known drug allergies." in body
    assert "Free: there is nothing to pay." in body
    assert "45 CFR 164.526" in body


def test_a_guest_files_an_amendment_with_typed_details(client, entity_a) -> None:
    guest_session(client, "ana@example.org", [])
    page = client.get(reverse("portal:amendment_new")).content.decode()
    assert "We will write to ana@example.org" in page
    response = client.post(
        reverse("portal:amendment_new"),
        {
            "first_name": "Ana",
            "last_name": "Rivera",
            "date_of_birth": "1975-06-01",
            "entity": str(entity_a.pk),
            "what_is_wrong": "Wrong birth date",
            "should_say": "1975-06-01",
        },
        follow=True,
    )
    req = Request.objects.get()
    assert req.requester.email == "ana@example.org" and req.requester.user is None
    assert req.patient.date_of_birth == date(1975, 6, 1)
    # The guest follows the new request in this session.
    assert response.status_code == 200
    assert req.number in client.get(reverse("portal:my_requests")).content.decode()


def test_bad_amendment_input_is_shown_and_kept(signed_in, entity_a) -> None:
    response = signed_in.post(
        reverse("portal:amendment_new"),
        {
            "patient": "new",
            "first_name": "María",
            "date_of_birth": "2030-01-01",
            "what_is_wrong": "Kept text about the wrong record",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The date of birth cannot be in the future." in body
    assert "Enter the patient&#x27;s last name." in body
    assert "Choose where the records are." in body
    assert "Tell us what it should say." in body
    assert "Kept text about the wrong record" in body
    assert 'aria-describedby="id_date_of_birth_error"' in body
    assert not Request.objects.exists()


def test_it_refuses_another_users_patient_record(signed_in, entity_a) -> None:
    other = PatientFactory(user=UserFactory(username="pedro"))
    response = signed_in.post(
        reverse("portal:amendment_new"),
        {
            "patient": str(other.pk),
            "entity": str(entity_a.pk),
            "what_is_wrong": "x",
            "should_say": "y",
        },
    )
    body = response.content.decode()
    assert body.count("Choose one of the people listed.") == 1
    assert "Choose whose records" not in body
    assert not Request.objects.exists()


def test_it_files_an_accounting_for_six_years_by_default(signed_in, entity_a, patient) -> None:
    page = signed_in.get(reverse("portal:accounting_new")).content.decode()
    assert 'value="2020-03-10"' in page and 'value="2026-03-10"' in page
    assert "Your first list in any 12 months is free." in page
    assert "within 60 days (45 CFR 164.528(c)(1))" in page

    response = signed_in.post(
        reverse("portal:accounting_new"),
        {
            "patient": str(patient.pk),
            "entity": str(entity_a.pk),
            "period_start": "2020-03-10",
            "period_end": "2026-03-10",
        },
        follow=True,
    )
    req = Request.objects.get()
    assert req.kind == RequestKind.ACCOUNTING
    assert req.status == Status.SUBMITTED
    assert req.due_on == TODAY + timedelta(days=60)
    assert req.items.get().date_ranges == [["2020-03-10", "2026-03-10"]]
    assert Decimal(req.fee_estimate["total"]) == 0
    body = response.content.decode()
    assert "A list of who received the records" in body
    assert "March 10, 2020 to March 10, 2026" in body
    assert "Your first list of disclosures in 12 months is free" in body


def test_an_accounting_period_may_not_exceed_six_years(signed_in, entity_a, patient) -> None:
    response = signed_in.post(
        reverse("portal:accounting_new"),
        {
            "patient": str(patient.pk),
            "entity": str(entity_a.pk),
            "period_start": "2020-03-09",
            "period_end": "2026-03-10",
        },
    )
    body = response.content.decode()
    assert "at most 6 years back" in body
    assert 'value="2020-03-09"' in body  # what was typed stays
    response = signed_in.post(
        reverse("portal:accounting_new"),
        {
            "patient": str(patient.pk),
            "entity": str(entity_a.pk),
            "period_start": "2025-01-01",
            "period_end": "2024-01-01",
        },
    )
    assert "The period starts after it ends." in response.content.decode()
    assert not Request.objects.exists()


def test_a_second_accounting_within_12_months_carries_the_fee(signed_in, entity_a, patient) -> None:
    entity_a.policy.accounting_fee = Decimal("12.00")
    entity_a.policy.save()
    data = {
        "patient": str(patient.pk),
        "entity": str(entity_a.pk),
        "period_start": "2024-01-01",
        "period_end": "2026-03-01",
    }
    page = signed_in.get(reverse("portal:accounting_new")).content.decode()
    assert "A second list within 12 months costs $12.00." in page
    signed_in.post(reverse("portal:accounting_new"), data)
    signed_in.post(reverse("portal:accounting_new"), data)
    first, second = Request.objects.order_by("pk")
    assert Decimal(first.fee_estimate["total"]) == 0
    assert Decimal(second.fee_estimate["total"]) == Decimal("12.00")
