"""The queue's default view: my open requests and the unassigned ones, oldest legal due date
first, each row with its time-left badge, its pause reason and what a clerk needs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from requests_app.models import Location, Request
from requests_app.services.transitions import request_pend
from requests_app.workflow import Status

from ...factories import PatientFactory
from .helpers import TODAY, get, make, numbers_in

pytestmark = pytest.mark.django_db


def test_it_shows_my_open_requests_and_the_unassigned_ones_oldest_due_first(
    client, staff_a, colleague_a, entity_a
) -> None:
    later_mine = make(entity_a, due=TODAY + timedelta(days=9), assignee=staff_a)
    soon_unassigned = make(entity_a, due=TODAY + timedelta(days=2))
    overdue_mine = make(entity_a, due=TODAY - timedelta(days=4), assignee=staff_a)
    colleagues = make(entity_a, due=TODAY, assignee=colleague_a)
    answered = make(entity_a, due=TODAY - timedelta(days=9), status=Status.RELEASED)

    response = get(client, staff_a)

    assert numbers_in(response) == [overdue_mine.number, soon_unassigned.number, later_mine.number]
    page = response.content.decode()
    assert colleagues.number not in page and answered.number not in page


def test_it_orders_by_the_extended_due_date_when_there_is_one(client, staff_a, entity_a) -> None:
    extended = make(entity_a, due=TODAY - timedelta(days=1))
    Request.objects.filter(pk=extended.pk).update(extended_due_on=TODAY + timedelta(days=20))
    plain = make(entity_a, due=TODAY + timedelta(days=5))

    response = get(client, staff_a)

    assert numbers_in(response) == [plain.number, extended.number]
    assert "Extended from 03/01/2026" in response.content.decode()


def test_it_shows_the_time_left_as_a_badge(client, staff_a, entity_a) -> None:
    make(entity_a, due=TODAY - timedelta(days=2))
    make(entity_a, due=TODAY)
    make(entity_a, due=TODAY + timedelta(days=3))
    make(entity_a, due=TODAY + timedelta(days=12))

    page = get(client, staff_a).content.decode()

    assert 'class="badge badge-overdue">Overdue 2 days' in page
    assert 'class="badge badge-due-today">Due today' in page
    assert 'class="badge badge-due-soon">Due in 3 days' in page
    assert 'class="badge badge-on-track">On track, 12 days left' in page


def test_it_shows_the_reason_for_a_pause(client, staff_a, entity_a) -> None:
    req = make(entity_a, due=TODAY + timedelta(days=5))
    request_pend(req, actor=staff_a, missing="An old reason")
    Request.objects.filter(pk=req.pk).update(status=Status.IN_REVIEW)
    request_pend(req, actor=staff_a, missing="A copy of the power of attorney")
    Request.objects.filter(pk=req.pk).update(paused_on=TODAY - timedelta(days=1))

    page = get(client, staff_a).content.decode()

    assert "Waiting for the requester" in page
    assert "A copy of the power of attorney" in page
    assert "An old reason" not in page
    assert "Clock paused since 03/01/2026" in page


def test_it_shows_what_a_clerk_needs_in_each_row(client, staff_a, entity_a) -> None:
    location = Location.objects.create(entity=entity_a, name="Duarte campus", address="Duarte")
    patient = PatientFactory(
        first_name="Rosa", last_name="Delgado", date_of_birth=date(1955, 10, 30)
    )
    req = make(entity_a, due=TODAY + timedelta(days=5), patient=patient, location=location)

    page = get(client, staff_a).content.decode()

    for text in (
        req.number,
        "Rosa Delgado",
        "10/30/1955",
        "Access",
        "COH NMC",
        "Duarte campus",
        "Submitted",
        "02/25/2026",  # received, in the entity's time zone
        "03/07/2026",
        "Unassigned",
        "Portal",
    ):
        assert text in page


def test_htmx_gets_only_the_results_for_the_same_filters(client, staff_a, entity_a) -> None:
    req = make(entity_a, due=TODAY)
    client.force_login(staff_a)

    response = client.get("/staff/?status=submitted", headers={"HX-Request": "true"})

    page = response.content.decode()
    assert "<html" not in page and 'id="bulk-form"' in page
    assert numbers_in(response) == [req.number]
    # The bulk form sends the clerk back to these filters after assigning.
    assert 'name="next" value="/staff/?status=submitted"' in page
