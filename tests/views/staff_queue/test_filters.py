"""Narrowing the queue: every filter, bad filter input, the search (names, other names, date
of birth, request number) and the counts per status."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine

from requests_app.models import Location
from requests_app.rules.kinds import RequestKind
from requests_app.workflow import Status

from ...factories import PatientFactory
from .helpers import LA, TODAY, get, make, numbers_in

pytestmark = pytest.mark.django_db


# --- Filters.


def test_it_filters_by_entity_location_kind_and_status(
    client, supervisor, entity_a, entity_b
) -> None:
    duarte = Location.objects.create(entity=entity_a, name="Duarte campus", address="Duarte")
    in_a = make(entity_a, due=TODAY)
    at_duarte = make(entity_a, due=TODAY, location=duarte)
    in_b = make(entity_b, due=TODAY)
    amendment = make(entity_b, due=TODAY, kind=RequestKind.AMENDMENT)
    ready = make(entity_b, due=TODAY, status=Status.READY)
    closed = make(entity_a, due=TODAY, status=Status.CLOSED)

    def shown(query: str) -> set[str]:
        return set(numbers_in(get(client, supervisor, query)))

    assert shown(f"?entity={entity_a.pk}") == {in_a.number, at_duarte.number}
    assert shown(f"?location={duarte.pk}") == {at_duarte.number}
    assert shown("?kind=amendment") == {amendment.number}
    assert shown("?status=ready") == {ready.number}
    assert shown("?status=closed") == {closed.number}
    assert closed.number in shown("?status=all")
    assert in_b.number in shown("")


def test_it_filters_by_assignee(client, staff_a, colleague_a, entity_a) -> None:
    mine = make(entity_a, due=TODAY, assignee=staff_a)
    nobodys = make(entity_a, due=TODAY)
    theirs = make(entity_a, due=TODAY, assignee=colleague_a)

    def shown(query: str) -> set[str]:
        return set(numbers_in(get(client, staff_a, query)))

    assert shown("") == {mine.number, nobodys.number}
    assert shown("?assignee=me") == {mine.number}
    assert shown("?assignee=unassigned") == {nobodys.number}
    assert shown("?assignee=anyone") == {mine.number, nobodys.number, theirs.number}
    assert shown(f"?assignee={colleague_a.pk}") == {theirs.number}


def test_it_filters_by_due_date(client, staff_a, entity_a) -> None:
    overdue = make(entity_a, due=TODAY - timedelta(days=1))
    today = make(entity_a, due=TODAY)
    in_three = make(entity_a, due=TODAY + timedelta(days=3))
    make(entity_a, due=TODAY + timedelta(days=4))
    make(entity_a, due=TODAY - timedelta(days=9), status=Status.RELEASED)  # answered: not late

    def shown(query: str) -> set[str]:
        return set(numbers_in(get(client, staff_a, query)))

    assert shown("?overdue=on") == {overdue.number}
    assert shown("?overdue=on&status=all") == {overdue.number}
    assert shown("?due_within=3") == {overdue.number, today.number, in_three.number}
    assert shown("?due_within=0") == {overdue.number, today.number}


def test_overdue_is_judged_by_each_entitys_own_today(
    client, supervisor, entity_a, entity_b
) -> None:
    entity_b.timezone = "America/New_York"
    entity_b.save()
    # 10 pm in Los Angeles is already tomorrow in New York.
    with time_machine.travel(datetime(2026, 3, 2, 22, 0, tzinfo=LA), tick=False):
        in_la = make(entity_a, due=TODAY)
        in_ny = make(entity_b, due=TODAY)
        shown = set(numbers_in(get(client, supervisor, "?overdue=on")))
    assert shown == {in_ny.number}
    assert in_la.number not in shown


def test_it_filters_by_the_day_received(client, staff_a, entity_a) -> None:
    early = make(entity_a, due=TODAY, received_at=datetime(2026, 2, 1, 23, 30, tzinfo=LA))
    middle = make(entity_a, due=TODAY, received_at=datetime(2026, 2, 10, 0, 15, tzinfo=LA))
    make(entity_a, due=TODAY, received_at=datetime(2026, 2, 20, 9, 0, tzinfo=LA))

    shown = numbers_in(get(client, staff_a, "?received_from=2026-02-01&received_to=2026-02-10"))

    assert set(shown) == {early.number, middle.number}


def test_bad_filter_input_keeps_what_was_typed_and_says_why(client, staff_a, entity_a) -> None:
    req = make(entity_a, due=TODAY)

    page = get(
        client,
        staff_a,
        "?due_within=soon&received_from=2026-02-10&received_to=2026-02-01&after=nonsense&q=Rivera",
    ).content.decode()

    assert "Enter a whole number." in page
    assert "The end date is before the start date." in page
    assert "That page link is out of date" in page
    assert 'value="Rivera"' in page
    assert req.number in page  # the filters that were valid still apply


# --- Search.


@pytest.mark.parametrize(
    "term",
    [
        "García",
        "lópez",
        "María García",
        "1975-03-14",
        "03/14/1975",
        "garcía 03/14/1975",
        # Typed without accents, as on most keyboards: still found.
        "garcia",
        "maria lopez",
        "GARCIA 1975-03-14",
    ],
)
def test_it_searches_by_patient_name_other_names_and_date_of_birth(
    client, staff_a, colleague_a, entity_a, term
) -> None:
    patient = PatientFactory(
        first_name="María",
        last_name="García",
        other_names="María López",
        date_of_birth=date(1975, 3, 14),
    )
    found = make(entity_a, due=TODAY, patient=patient, assignee=colleague_a)
    make(entity_a, due=TODAY, patient=PatientFactory(date_of_birth=date(1975, 3, 15)))

    shown = numbers_in(get(client, staff_a, f"?q={term}"))

    # A search looks at every assignee: a caller's request is found whoever holds it.
    assert shown == [found.number]


def test_it_searches_by_request_number_whole_or_in_part(client, staff_a, entity_a) -> None:
    wanted = make(entity_a, due=TODAY, status=Status.CLOSED)
    other = make(entity_a, due=TODAY)

    assert numbers_in(get(client, staff_a, f"?q={wanted.number.lower()}")) == [wanted.number]
    tail = wanted.number[-3:]
    assert numbers_in(get(client, staff_a, f"?q={tail}")) == [wanted.number]
    assert other.number not in numbers_in(get(client, staff_a, f"?q={wanted.number}"))


def test_a_search_keeps_a_status_the_clerk_chose(client, staff_a, entity_a) -> None:
    patient = PatientFactory(last_name="Okafor")
    make(entity_a, due=TODAY, patient=patient, status=Status.CLOSED)
    open_one = make(entity_a, due=TODAY, patient=patient)

    assert numbers_in(get(client, staff_a, "?q=okafor&status=submitted")) == [open_one.number]


# --- Counts.


def test_it_counts_open_requests_per_status_for_the_filters(client, staff_a, entity_a) -> None:
    for _ in range(2):
        make(entity_a, due=TODAY)
    make(entity_a, due=TODAY, status=Status.IN_REVIEW)
    make(entity_a, due=TODAY, status=Status.RELEASED)
    make(entity_a, due=TODAY, status=Status.IN_REVIEW, kind=RequestKind.AMENDMENT)

    page = get(client, staff_a).content.decode()
    assert re.search(r"Open <strong>4</strong>", page)
    assert re.search(r"Submitted <strong>2</strong>", page)
    assert re.search(r"In review <strong>2</strong>", page)
    # Answered requests are history, not work: they are not counted at the top.
    assert "Released <strong>" not in page

    amendments = get(client, staff_a, "?kind=amendment").content.decode()
    assert re.search(r"Open <strong>1</strong>", amendments)
    assert re.search(r"In review <strong>1</strong>", amendments)
