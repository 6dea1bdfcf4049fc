"""Bulk assignment from the queue: a clerk takes and gives back, a supervisor reassigns, and
nothing outside scope or already answered is touched."""

from __future__ import annotations

import pytest

from requests_app.models import Request
from requests_app.workflow import Status

from .helpers import TODAY, get, make

pytestmark = pytest.mark.django_db


def assign(client, user, numbers: list[str], to: str, next_url: str = "/staff/?kind=access"):
    client.force_login(user)
    return client.post(
        "/staff/queue/assign/", {"numbers": numbers, "assign_to": to, "next": next_url}
    )


def messages_of(client, response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_a_clerk_takes_unassigned_requests_in_bulk(client, staff_a, entity_a) -> None:
    first, second = make(entity_a, due=TODAY), make(entity_a, due=TODAY)

    response = assign(client, staff_a, [first.number, second.number], "me")

    assert response.status_code == 302
    assert response["Location"] == "/staff/?kind=access"  # back to the same filters
    assert set(Request.objects.filter(assignee=staff_a).values_list("number", flat=True)) == {
        first.number,
        second.number,
    }
    assert first.events.filter(kind="assignment", actor=staff_a).exists()
    page = client.get(response["Location"]).content.decode()
    assert "2 requests assigned to Alma Clerk." in page


def test_a_clerk_gives_back_their_own_but_not_a_colleagues(
    client, staff_a, colleague_a, entity_a
) -> None:
    mine = make(entity_a, due=TODAY, assignee=staff_a)
    theirs = make(entity_a, due=TODAY, assignee=colleague_a)

    response = assign(client, staff_a, [mine.number, theirs.number], "none")

    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.assignee is None
    assert theirs.assignee == colleague_a
    said = messages_of(client, response)
    assert "1 request unassigned." in said
    assert any(theirs.number in m and "only they or a supervisor" in m for m in said)


def test_a_clerk_cannot_take_a_colleagues_request(client, staff_a, colleague_a, entity_a) -> None:
    theirs = make(entity_a, due=TODAY, assignee=colleague_a)

    response = assign(client, staff_a, [theirs.number], "me")

    theirs.refresh_from_db()
    assert theirs.assignee == colleague_a
    assert any("ask a supervisor" in m for m in messages_of(client, response))


def test_a_clerk_cannot_hand_work_to_a_colleague(client, staff_a, colleague_a, entity_a) -> None:
    req = make(entity_a, due=TODAY)

    # The choice is not offered to a clerk...
    assert "Cora Colleague" not in get(client, staff_a).content.decode().split('id="bulk-form"')[1]
    response = assign(client, staff_a, [req.number], str(colleague_a.pk))
    req.refresh_from_db()
    assert req.assignee is None
    assert any("Select a valid choice" in m for m in messages_of(client, response))

    # ...and the service refuses it anyway.
    from requests_app.services.bulk import request_bulk_assign

    result = request_bulk_assign(actor=staff_a, numbers=[req.number], assignee_id=colleague_a.pk)
    assert result.assigned == [] and "only a supervisor" in result.refused[0][1]


def test_a_supervisor_reassigns_to_anyone_who_works_for_the_entity(
    client, supervisor, staff_a, staff_b, colleague_a, entity_a, entity_b
) -> None:
    in_a = make(entity_a, due=TODAY, assignee=colleague_a)
    in_b = make(entity_b, due=TODAY)

    response = assign(client, supervisor, [in_a.number, in_b.number], str(staff_a.pk))

    in_a.refresh_from_db(), in_b.refresh_from_db()
    assert in_a.assignee == staff_a
    assert in_b.assignee is None  # staff_a cannot open entity B's requests
    said = messages_of(client, response)
    assert "1 request assigned to Alma Clerk." in said
    assert any(in_b.number in m and "does not work for this entity" in m for m in said)


def test_bulk_assign_touches_nothing_outside_scope_or_answered(
    client, staff_a, entity_a, entity_b
) -> None:
    theirs = make(entity_b, due=TODAY)
    closed = make(entity_a, due=TODAY, status=Status.CLOSED)

    response = assign(client, staff_a, [theirs.number, closed.number, "ROI-2026-999999"], "me")

    assert not Request.objects.filter(assignee=staff_a).exists()
    said = messages_of(client, response)
    assert f"Not changed (not found): {theirs.number}, ROI-2026-999999." in said
    assert f"Not changed (not open): {closed.number}." in said


def test_bulk_assign_with_nothing_ticked_says_so(client, staff_a, entity_a) -> None:
    response = assign(client, staff_a, [], "me")

    assert response.status_code == 302
    assert "Tick at least one request to assign." in messages_of(client, response)


def test_bulk_assign_only_returns_to_the_queue(client, staff_a, entity_a) -> None:
    req = make(entity_a, due=TODAY)

    for target in ("https://evil.example/staff/", "//evil.example/", "/admin/"):
        response = assign(client, staff_a, [req.number], "me", next_url=target)
        assert response["Location"] == "/staff/"


def test_bulk_assign_needs_staff_and_a_post(client, patient_user, staff_a) -> None:
    client.force_login(patient_user)
    assert client.post("/staff/queue/assign/", {"assign_to": "me"}).status_code == 404
    client.force_login(staff_a)
    assert client.get("/staff/queue/assign/").status_code == 405
