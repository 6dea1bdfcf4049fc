"""Keyset paging through the queue (every row once, never past the scope) and what a page
costs in queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db.models.functions import Coalesce

from requests_app.models import Location, Request
from requests_app.services.transitions import request_pend

from .helpers import TODAY, get, make, numbers_in

pytestmark = pytest.mark.django_db


def _many(entity, count: int, due=lambda i: TODAY, **fields) -> list[str]:
    """`count` copies of one real request, each with its own number and due date: fast
    enough for pages of 50. Returns the numbers."""
    template = make(entity, due=due(0), **fields)
    base = Request.objects.filter(pk=template.pk).values()[0]
    base.pop("id")
    Request.objects.bulk_create(
        Request(**dict(base, number=f"ROI-2026-9{i:05d}", due_on=due(i))) for i in range(1, count)
    )
    return [template.number, *(f"ROI-2026-9{i:05d}" for i in range(1, count))]


def _link(response, rel: str) -> str:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return "/staff/" + found[1].replace("&amp;", "&") if found else ""


def test_keyset_paging_returns_every_row_once_even_with_ties_on_the_due_date(
    client, staff_a, entity_a
) -> None:
    # Runs of seven requests share a due date, so every page boundary falls inside a tie;
    # some are extended, which moves them in the order.
    _many(entity_a, 60, due=lambda i: TODAY + timedelta(days=i // 7))
    Request.objects.filter(number__in=["ROI-2026-900003", "ROI-2026-900010"]).update(
        extended_due_on=TODAY + timedelta(days=20)
    )
    expected = list(
        Request.objects.order_by(Coalesce("extended_due_on", "due_on"), "pk").values_list(
            "number", flat=True
        )
    )
    client.force_login(staff_a)

    forward, response, url = [], None, "/staff/?size=25"
    while url:
        response = client.get(url)
        forward.append(numbers_in(response))
        url = _link(response, "next")
    assert [len(p) for p in forward] == [25, 25, 10]
    assert sum(forward, []) == expected

    backward, url = [numbers_in(response)], _link(response, "prev")
    while url:
        response = client.get(url)
        backward.insert(0, numbers_in(response))
        url = _link(response, "prev")
    assert backward == forward
    assert "First page" not in response.content.decode()


def test_a_page_link_never_reaches_past_the_scope(client, staff_a, entity_a, entity_b) -> None:
    mine = make(entity_a, due=TODAY)
    make(entity_b, due=TODAY + timedelta(days=1))
    # A cursor typed by hand after the last own row shows nothing of entity B.
    response = get(client, staff_a, f"?after={TODAY.isoformat()}.{mine.pk}")
    assert numbers_in(response) == []


@pytest.mark.parametrize("rows", [1, 50])
def test_a_page_costs_at_most_five_queries_whatever_its_length(
    client, staff_a, entity_a, django_assert_max_num_queries, rows
) -> None:
    Location.objects.create(entity=entity_a, name="Duarte campus", address="Duarte")
    _many(entity_a, rows, due=lambda i: TODAY + timedelta(days=i % 9), assignee=staff_a)
    waiting = Request.objects.filter(entity=entity_a).first()
    request_pend(waiting, actor=staff_a, missing="A signed form")
    client.force_login(staff_a)

    with django_assert_max_num_queries(5):
        response = client.get("/staff/?size=50")

    assert len(numbers_in(response)) == rows
    assert "A signed form" in response.content.decode()
