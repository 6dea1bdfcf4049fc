"""The queue's selectors below the view: its scope is the access helper's, exactly."""

from __future__ import annotations

from datetime import date

import pytest

from requests_app.access.staff import staff_entities, staff_requests
from requests_app.models import Location, StaffMembership
from requests_app.selectors.queue import (
    Cursor,
    _scope_rows,
    _scope_union,
    parse_date_of_birth,
    queue_scope,
)

from ..factories import EntityFactory, OrganizationFactory, UserFactory, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, entity_a, entity_b, staff_a, staff_b):
    elsewhere = EntityFactory(organization=OrganizationFactory(name="Keck"), short_name="Keck")
    for entity in (entity_a, entity_b, elsewhere):
        submit(entity=entity)
        Location.objects.create(entity=entity, name=f"{entity.short_name} clinic", address="x")
    supervisor = UserFactory(username="sup", first_name="Sam")
    StaffMembership.objects.create(user=supervisor, organization=org, role="supervisor")
    # A supervisor of one organization who is a clerk of one entity of another.
    both = UserFactory(username="both")
    StaffMembership.objects.create(user=both, organization=org, role="supervisor")
    clerk_there = StaffMembership.objects.create(user=both, organization=elsewhere.organization)
    clerk_there.entities.add(elsewhere)
    return {"supervisor": supervisor, "both": both, "elsewhere": elsewhere}


@pytest.mark.parametrize("who", ["staff_a", "staff_b", "supervisor", "both", "outsider"])
def test_the_queue_scope_is_the_access_helpers(request, world, who) -> None:
    user = world.get(who) or (
        UserFactory(username="outsider") if who == "outsider" else request.getfixturevalue(who)
    )

    scope = queue_scope(user)

    assert set(scope.requests()) == set(staff_requests(user))
    assert scope.entity_ids == set(staff_entities(user).values_list("pk", flat=True))
    assert {loc.entity_id for loc in scope.locations} <= scope.entity_ids
    assert scope.is_staff == (who != "outsider")


def test_the_scope_knows_supervisors_and_colleagues(world, staff_a, staff_b, entity_a) -> None:
    clerk = queue_scope(staff_a)
    assert not clerk.is_supervisor
    # Colleagues: whoever works for an entity in scope, and the organization's supervisors.
    assert {c.username for c in clerk.colleagues} == {"clerk.a", "sup", "both"}
    assert [e.short_name for e in clerk.entities] == ["COH NMC"]

    supervisor = queue_scope(world["supervisor"])
    assert supervisor.is_supervisor
    assert {c.username for c in supervisor.colleagues} == {"clerk.a", "clerk.b", "sup", "both"}
    assert "Keck clinic" not in {loc.name for loc in supervisor.locations}


def test_the_scope_query_compiled_once_answers_as_the_orm_for_each_viewer(
    world, staff_a, staff_b
) -> None:
    """The scope query is compiled for a placeholder user and reused with each viewer's id:
    every viewer, one after the other, gets exactly the rows the ORM gives for them."""
    inactive = UserFactory(username="gone", is_active=False)
    StaffMembership.objects.create(user=inactive, organization=world["elsewhere"].organization)
    outsider = UserFactory(username="outsider")
    for user in (staff_a, world["supervisor"], staff_b, world["both"], outsider, inactive, staff_a):
        assert sorted(_scope_rows(user)) == sorted(_scope_union(user))
    assert _scope_rows(inactive) == [] and _scope_rows(outsider) == []
    assert sorted(_scope_rows(staff_a)) != sorted(_scope_rows(staff_b))


def test_cursors_read_only_what_they_wrote() -> None:
    cursor = Cursor(date(2026, 3, 14), 4211)
    assert str(cursor) == "2026-03-14.4211"
    assert Cursor.parse(str(cursor)) == cursor
    for bad in ("", "2026-02-30.1", "2026-03-14", "x.1", "2026-03-14.-1", "2026-03-14.1;drop"):
        assert Cursor.parse(bad) is None


@pytest.mark.parametrize(
    ("typed", "born"),
    [
        ("1975-03-14", date(1975, 3, 14)),
        ("03/14/1975", date(1975, 3, 14)),
        ("3/14/1975", date(1975, 3, 14)),
        ("03-14-1975", date(1975, 3, 14)),
        ("14/03/1975", None),
        ("Garcia", None),
    ],
)
def test_dates_of_birth_are_read_as_a_us_front_desk_types_them(typed, born) -> None:
    assert parse_date_of_birth(typed) == born
