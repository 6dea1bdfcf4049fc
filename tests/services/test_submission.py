"""Submitting a request: routing, numbering, the legal clock and the fee estimate."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from requests_app.models import Request, RequestNumberCounter, TimelineEvent
from requests_app.rules.kinds import DeliveryMethod, ReleaseScope, RequesterRole, RequestKind
from requests_app.services.numbering import request_number_next
from requests_app.services.submission import ItemSpec, request_submit

from ..factories import LocationFactory, PatientFactory, RequesterFactory, submit

LA = ZoneInfo("America/Los_Angeles")


def test_it_numbers_requests_by_year_and_never_reuses_a_number(entity_a) -> None:
    first = submit(entity=entity_a, received_at=datetime(2026, 3, 2, 9, tzinfo=LA))
    second = submit(entity=entity_a, received_at=datetime(2026, 3, 2, 10, tzinfo=LA))
    assert (first.number, second.number) == ("ROI-2026-000001", "ROI-2026-000002")
    second.delete()
    third = submit(entity=entity_a, received_at=datetime(2026, 3, 3, 9, tzinfo=LA))
    assert third.number == "ROI-2026-000003"
    next_year = submit(entity=entity_a, received_at=datetime(2027, 1, 4, 9, tzinfo=LA))
    assert next_year.number == "ROI-2027-000001"


@pytest.mark.django_db
def test_the_counter_row_is_created_once_per_year() -> None:
    assert request_number_next(year=2030) == "ROI-2030-000001"
    assert request_number_next(year=2030) == "ROI-2030-000002"
    assert RequestNumberCounter.objects.get(year=2030).last == 2


def test_a_request_to_the_organization_becomes_one_per_entity(org, entity_a, entity_b) -> None:
    patient = PatientFactory()
    requests = request_submit(
        organization=org,
        patient=patient,
        requester=RequesterFactory(full_name=patient.full_name),
        kind=RequestKind.ACCESS,
        delivery_method=DeliveryMethod.PORTAL,
        received_at=datetime(2026, 11, 20, 10, tzinfo=LA),
        items=[ItemSpec("lab_results", date_ranges=((date(2025, 1, 1), date(2025, 12, 31)),))],
    )
    assert {r.entity for r in requests} == {entity_a, entity_b}
    assert len({r.submission for r in requests}) == 1
    assert len({r.number for r in requests}) == 2
    for request in requests:
        assert request.location is None
        assert request.items.get().date_ranges == [["2025-01-01", "2025-12-31"]]
        created = request.events.get()
        assert created.kind == TimelineEvent.Kind.CREATED
        assert created.data["due_on"] == "2026-12-05"


def test_a_clinic_releases_only_its_own_records_to_the_patient(entity_a) -> None:
    clinic = LocationFactory(entity=entity_a, release_scope=ReleaseScope.OWN_LOCATION)
    own = submit(entity=entity_a, location=clinic)
    assert own.location == clinic
    rep = RequesterFactory(role=RequesterRole.REPRESENTATIVE, full_name="Linda Ortiz")
    routed = submit(entity=entity_a, location=clinic, requester=rep)
    assert routed.location is None
    assert routed.routing_note


def test_california_copies_are_due_in_15_calendar_days(entity_a) -> None:
    # Received the Friday after Thanksgiving: calendar days do not skip holidays or weekends.
    req = submit(entity=entity_a, received_at=datetime(2026, 11, 27, 16, tzinfo=LA))
    assert req.due_on == date(2026, 12, 12)
    assert req.due_rule_parts == {
        "binding": "law",
        "law": "CA",
        "days": 15,
        "unit": "calendar",
        "citation": "Cal. Health & Safety Code 123110",
    }
    assert req.due_rule == ""  # no words stored: they are put together for each reader
    assert req.due_rule_text == "California law: within 15 days (Cal. Health & Safety Code 123110)"
    assert req.latest_extension_on is None  # HSC 123110 gives no extension for copies


def test_california_inspection_is_due_in_5_working_days(entity_a) -> None:
    req = submit(
        entity=entity_a,
        delivery=DeliveryMethod.INSPECTION,
        received_at=datetime(2026, 11, 25, 9, tzinfo=LA),
    )
    # Thu 26 Thanksgiving and Fri 27 (California observes it) are closed.
    assert req.due_on == date(2026, 12, 4)


def test_received_at_late_evening_counts_in_the_entity_time_zone(entity_a) -> None:
    # 23:30 in Los Angeles is already the next day in UTC; the clock uses the local date.
    req = submit(entity=entity_a, received_at=datetime(2026, 2, 13, 23, 30, tzinfo=LA))
    assert req.due_on == date(2026, 2, 28)


def test_fee_estimate_is_stored_with_its_lines(entity_a) -> None:
    attorney = RequesterFactory(
        role=RequesterRole.THIRD_PARTY,
        full_name="Dana Lee",
        third_party_type="attorney",
        organization_name="Lee & Park",
    )
    req = submit(
        entity=entity_a,
        requester=attorney,
        kind=RequestKind.AUTHORIZED,
        delivery=DeliveryMethod.MAIL,
        estimated_pages=40,
    )
    # California Evidence Code 1158: $0.10 a page for an attorney's copies.
    assert Decimal(req.fee_estimate["total"]) == Decimal("4.00")
    lines = {line["label"]: line for line in req.fee_estimate["lines"]}
    assert lines["Pages copied"]["quantity"] == 40
    free = submit(
        entity=entity_a,
        kind=RequestKind.CONTINUITY,
        delivery=DeliveryMethod.FAX,
        requester=RequesterFactory(
            role=RequesterRole.PROVIDER, full_name="Dr. Kim", organization_name="Pasadena Oncology"
        ),
        estimated_pages=200,
    )
    assert Decimal(free.fee_estimate["total"]) == 0


def test_more_than_ten_date_ranges_are_refused(entity_a) -> None:
    ranges = tuple((date(2000 + i, 1, 1), date(2000 + i, 12, 31)) for i in range(11))
    with pytest.raises(ValidationError):
        submit(entity=entity_a, items=[ItemSpec("complete", date_ranges=ranges)])
    assert not Request.objects.exists()


def test_a_backwards_date_range_is_refused(entity_a) -> None:
    with pytest.raises(ValidationError):
        submit(
            entity=entity_a,
            items=[ItemSpec("complete", date_ranges=((date(2025, 5, 1), date(2025, 1, 1)),))],
        )


def test_a_delivery_method_the_entity_does_not_offer_is_refused(entity_a) -> None:
    entity_a.policy.delivery_methods = [DeliveryMethod.PORTAL]
    entity_a.policy.save()
    with pytest.raises(ValidationError):
        submit(entity=entity_a, delivery=DeliveryMethod.USB)
