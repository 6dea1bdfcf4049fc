"""The metrics page and its CSV, on a small dataset whose figures are worked out by hand."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
import time_machine

from requests_app.models import Request
from requests_app.rules.kinds import RequestKind
from requests_app.workflow import Status

from ..factories import submit
from .staff_queue.helpers import LA

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=LA)  # a Monday

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(y: int, m: int, d: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=LA)


def make(entity, received: datetime, *, status=Status.SUBMITTED, **changes) -> Request:
    req = submit(entity=entity, received_at=received, kind=changes.pop("kind", RequestKind.ACCESS))
    Request.objects.filter(pk=req.pk).update(status=status, **changes)
    return req


@pytest.fixture
def dataset(entity_a, entity_b) -> None:
    # Open, by age on 2026-03-02: 0 and 7 days, 8, 20, 45 and 61 days.
    for received in (
        at(2026, 3, 2, 8),
        at(2026, 2, 23),
        at(2026, 2, 22),
        at(2026, 2, 10),
        at(2026, 1, 16),
        at(2025, 12, 31),
    ):
        make(entity_a, received, status=Status.IN_REVIEW)
    released = Status.RELEASED
    # Answered in the last 30 days: on time (9 days), on time at 11:30 pm on the due date
    # (already the next day in UTC; 15 days), late (25 days).
    make(
        entity_a,
        at(2026, 2, 1),
        status=released,
        due_on=date(2026, 2, 16),
        answered_at=at(2026, 2, 10, 12),
    )
    make(
        entity_a,
        at(2026, 2, 5),
        status=released,
        due_on=date(2026, 2, 20),
        answered_at=at(2026, 2, 20, 23, 30),
    )
    make(
        entity_a,
        at(2026, 1, 20),
        status=Status.DENIED,
        kind=RequestKind.AUTHORIZED,
        due_on=date(2026, 2, 4),
        answered_at=at(2026, 2, 14, 10),
    )
    # Answered 51 days ago, after the first due date but before the extended one (31 days).
    make(
        entity_a,
        at(2025, 12, 10),
        status=Status.CLOSED,
        due_on=date(2025, 12, 25),
        extended_due_on=date(2026, 1, 20),
        answered_at=at(2026, 1, 10),
    )
    # Left out: withdrawn by the requester, answered too long ago, and another entity's.
    make(entity_a, at(2026, 2, 1), status=Status.WITHDRAWN, answered_at=at(2026, 2, 15))
    make(
        entity_a,
        at(2025, 9, 15),
        status=released,
        due_on=date(2025, 9, 30),
        answered_at=at(2025, 10, 1),
    )
    make(
        entity_b,
        at(2026, 2, 1),
        status=released,
        due_on=date(2026, 2, 2),
        answered_at=at(2026, 2, 25),
    )


def csv_rows(client) -> list[list[str]]:
    response = client.get("/staff/metrics.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "roi-metrics-2026-03-02.csv" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_it_computes_the_figures_of_a_known_dataset(client, staff_a, dataset) -> None:
    client.force_login(staff_a)

    rows = csv_rows(client)

    assert rows[0] == ["metric", "group", "value", "n"]
    figures = {(metric, group): (value, n) for metric, group, value, n in rows[1:]}
    assert figures[("as_of", "2026-03-02")] == ("", "")
    backlog = [(g, v) for (m, g), (v, _n) in figures.items() if m == "backlog_by_age"]
    assert backlog == [
        ("0–7 days", "2"),
        ("8–15 days", "1"),
        ("16–30 days", "1"),
        ("31–60 days", "1"),
        ("Over 60 days", "1"),
    ]
    assert figures[("on_time_rate_30_days_percent", "")] == ("66.7", "3")
    assert figures[("on_time_rate_90_days_percent", "")] == ("75.0", "4")
    assert figures[("median_turnaround_days_by_kind", "Access")] == ("15.0", "3")
    assert figures[("median_turnaround_days_by_kind", "Authorization")] == ("25.0", "1")
    assert figures[("median_turnaround_days_by_entity", "COH NMC")] == ("20.0", "4")
    assert ("median_turnaround_days_by_entity", "COH MF") not in figures
    weeks = [(g, v) for (m, g), (v, _n) in figures.items() if m == "received_per_week"]
    assert len(weeks) == 12
    assert weeks[0] == ("2025-12-15", "0")
    assert weeks[-1] == ("2026-03-02", "1")
    assert dict(weeks)["2026-01-26"] == "2"  # Sunday 2/1: the answered one and the withdrawn
    assert dict(weeks)["2026-02-16"] == "1"  # Sunday 2/22 ends the week of 2/16
    assert sum(int(v) for _g, v in weeks) == 10  # all but the two received before 12/15


def test_the_page_draws_accessible_charts_with_the_numbers_in_tables(
    client, staff_a, dataset
) -> None:
    client.force_login(staff_a)

    page = client.get("/staff/metrics/").content.decode()

    assert page.count("<svg") == 5
    assert page.count('role="img"') == 5
    assert '<title id="backlog-title">Open requests by age</title>' in page
    assert "0–7 days 2; 8–15 days 1" in page  # the <desc>
    assert "66.7%" in page and "75%" in page
    assert '<th scope="row" class="fw-normal">Over 60 days</th><td class="text-end">1</td>' in page
    assert "6 open requests" in page
    assert 'href="/staff/metrics.csv"' in page


def test_a_supervisor_sees_the_organization_or_one_entity(
    client, org, entity_a, entity_b, dataset
) -> None:
    from requests_app.models import StaffMembership

    from ..factories import UserFactory

    supervisor = UserFactory(username="sup")
    StaffMembership.objects.create(user=supervisor, organization=org, role="supervisor")
    client.force_login(supervisor)

    figures = {(m, g): (v, n) for m, g, v, n in csv_rows(client)[1:]}
    assert figures[("on_time_rate_30_days_percent", "")] == ("50.0", "4")
    assert ("median_turnaround_days_by_entity", "COH MF") in figures

    response = client.get(f"/staff/metrics.csv?entity={entity_b.pk}")
    only_b = {(m, g): (v, n) for m, g, v, n in csv.reader(io.StringIO(response.content.decode()))}
    assert only_b[("scope", "COH MF")] == ("", "")
    assert only_b[("on_time_rate_30_days_percent", "")] == ("0.0", "1")
    assert (
        f'value="{entity_b.pk}" selected'
        in client.get(f"/staff/metrics/?entity={entity_b.pk}").content.decode()
    )


def test_a_clerk_gets_404_for_another_entitys_figures(client, staff_a, entity_b) -> None:
    client.force_login(staff_a)

    assert client.get(f"/staff/metrics/?entity={entity_b.pk}").status_code == 404
    assert client.get(f"/staff/metrics.csv?entity={entity_b.pk}").status_code == 404
    assert client.get("/staff/metrics/?entity=nonsense").status_code == 404


def test_metrics_need_a_staff_member(client, patient_user) -> None:
    assert client.get("/staff/metrics/").status_code == 302
    client.force_login(patient_user)
    assert client.get("/staff/metrics/").status_code == 404
    assert client.get("/staff/metrics.csv").status_code == 404


def test_an_empty_scope_says_so_instead_of_drawing_nothing(client, staff_a) -> None:
    client.force_login(staff_a)

    page = client.get("/staff/metrics/").content.decode()

    assert "none answered" in page
    rows = csv_rows(client)
    assert ["on_time_rate_30_days_percent", "", "", "0"] in rows


def test_the_csv_never_starts_a_cell_with_a_formula(client, staff_a, entity_a) -> None:
    entity_a.short_name = "=HYPERLINK(1)"
    entity_a.save()
    make(
        entity_a,
        at(2026, 2, 1),
        status=Status.RELEASED,
        due_on=date(2026, 2, 16),
        answered_at=at(2026, 2, 10),
    )
    client.force_login(staff_a)

    rows = csv_rows(client)

    assert ["median_turnaround_days_by_entity", "'=HYPERLINK(1)", "9.0", "1"] in rows
