"""Two deadline sweeps at the same instant, each in its own database connection: every alert,
timeline event and email exists once. PostgreSQL only (SQLite runs one writer at a time)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connections

from requests_app.models import ClockAlert, Notification, TimelineEvent
from requests_app.services import clocks
from requests_app.services import transitions as t

from ..factories import submit
from ..needs import need_postgresql

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 20, 9, tzinfo=LA)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    need_postgresql("concurrent writers")


@pytest.fixture
def backlog(entity_a, staff_a):
    start = datetime(2026, 10, 20, 9, tzinfo=LA)
    made = []
    with time_machine.travel(start, tick=False):
        for day in range(24):
            req = submit(entity=entity_a, received_at=start + timedelta(days=day))
            t.request_assign(req, actor=staff_a, assignee=staff_a)
            made.append(req)
    mail.outbox.clear()  # the "received" emails: committed here, so sent
    return made


def race(*moments: datetime) -> list[BaseException]:
    """Each sweep in its own thread and connection, released together."""
    barrier = threading.Barrier(len(moments))
    errors: list[BaseException] = []

    def one(moment: datetime) -> None:
        try:
            barrier.wait()
            clocks.deadline_sweep(now=moment)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(m,)) for m in moments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def assert_once(backlog) -> None:
    alerts = list(ClockAlert.objects.values_list("request_id", "threshold", "due_on"))
    assert alerts and len(alerts) == len(set(alerts))
    assert set(ClockAlert.objects.values_list("delivered_at", flat=True)) != {None}
    events = TimelineEvent.objects.filter(kind=TimelineEvent.Kind.CLOCK)
    assert events.count() == len(alerts)
    assert Notification.objects.filter(template__startswith="staff_").count() == len(alerts)
    sent = Counter((m.to[0], m.subject) for m in mail.outbox)
    assert len(sent) == len(alerts) and set(sent.values()) == {1}


def test_two_sweeps_at_the_same_instant_alert_once(backlog) -> None:
    with time_machine.travel(NOW, tick=False):
        assert race(NOW, NOW) == []
    assert_once(backlog)


def test_without_taking_turns_the_unique_constraint_still_holds(backlog, monkeypatch) -> None:
    monkeypatch.setattr(clocks, "_take_turns", lambda: None)
    with time_machine.travel(NOW, tick=False):
        assert race(NOW, NOW + timedelta(microseconds=1), NOW + timedelta(seconds=1)) == []
    assert_once(backlog)
