"""services/recovery.py: the sweep publishes again exactly the work that is due, once per
REPUBLISH_AFTER, in a fixed number of queries, and stops when the broker goes away."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from requests_app.models import ClockAlert, Notification, Packet, TimelineEvent
from requests_app.services import recovery
from requests_app.services.timeline import event_record

from ..factories import submit

pytestmark = pytest.mark.django_db

N = Notification.State


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, tuple]]:
    """What the sweep publishes, by task name, without running it."""
    seen: list[tuple[str, tuple]] = []

    def fake_publish(task, *args) -> bool:
        seen.append((task.name.rsplit(".", 1)[-1], args))
        return True

    monkeypatch.setattr(recovery, "publish", fake_publish)
    return seen


def quiet_submit(entity):
    """A request without its confirmation email, so each test counts only its own rows."""
    request = submit(entity=entity)
    Notification.objects.filter(request=request).delete()
    return request


@pytest.fixture
def req(entity_a):
    return quiet_submit(entity_a)


def _notification(req, key: str, **fields) -> Notification:
    fields.setdefault("next_attempt_at", timezone.now() - timedelta(seconds=1))
    return Notification.objects.create(
        key=key, template="received", audience="requester", to="ana@example.org", request=req,
        **fields,
    )  # fmt: skip


def _letter_event(req, minutes_ago: int, **data) -> TimelineEvent:
    event = event_record(
        request=req,
        kind=TimelineEvent.Kind.STATUS,
        action="deny",
        data={"letter_kind": "denial", **data},
    )
    TimelineEvent.objects.filter(pk=event.pk).update(
        at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return event


def _packet(req, state: str, lease_until) -> Packet:
    event_record(
        request=req,
        kind=TimelineEvent.Kind.SYSTEM,
        actor=None,
        action="packet_build",
        visible_to_requester=False,
    )
    return Packet.objects.create(request=req, state=state, lease_until=lease_until)


def test_it_publishes_due_emails_once_and_leaves_the_rest(req, published) -> None:
    now = timezone.now()
    due = _notification(req, "due")
    dead_send = _notification(req, "dead", state=N.SENDING, claimed_until=now - timedelta(1))
    _notification(req, "young", next_attempt_at=now + timedelta(minutes=10))
    live = _notification(req, "live", state=N.SENDING, claimed_until=now + timedelta(minutes=3))
    _notification(req, "sent", state=N.SENT)
    _notification(req, "failed", state=N.FAILED)

    result = recovery.recover_pending_work(now=now)

    assert published == [("send_notification", (due.pk,)), ("send_notification", (dead_send.pk,))]
    assert result["notifications"] == 2 and result["complete"] is True
    due.refresh_from_db()
    assert due.next_attempt_at == now + recovery.REPUBLISH_AFTER
    # The next minute: nothing again, while the worker has it.
    published.clear()
    recovery.recover_pending_work(now=now + timedelta(minutes=1))
    assert published == []
    # Still not sent after REPUBLISH_AFTER: the message was lost too; once more. The live
    # claim has expired by then as well (its worker died).
    recovery.recover_pending_work(now=now + recovery.REPUBLISH_AFTER + timedelta(seconds=1))
    assert [args for _name, args in published] == [(live.pk,), (due.pk,), (dead_send.pk,)]


def test_it_publishes_queued_packets_with_the_clerk_and_takes_over_dead_builds(
    entity_a, staff_a, published
) -> None:
    now = timezone.now()
    waiting = _packet(quiet_submit(entity_a), Packet.State.QUEUED, now - timedelta(seconds=5))
    TimelineEvent.objects.filter(request=waiting.request, action="packet_build").update(
        actor=staff_a
    )
    _packet(quiet_submit(entity_a), Packet.State.QUEUED, now + timedelta(seconds=90))
    _packet(quiet_submit(entity_a), Packet.State.BUILDING, now + timedelta(minutes=5))
    dead = _packet(quiet_submit(entity_a), Packet.State.BUILDING, now - timedelta(seconds=1))
    Packet.objects.filter(pk=dead.pk).update(progress=40)

    result = recovery.recover_pending_work(now=now)

    assert published == [
        ("build_packet", (waiting.pk, staff_a.pk)),
        ("build_packet", (dead.pk, None)),
    ]
    assert result["packets"] == 2
    dead.refresh_from_db()
    assert (dead.state, dead.progress) == (Packet.State.QUEUED, 0)
    assert dead.lease_until == now + recovery.REPUBLISH_AFTER
    interrupted = TimelineEvent.objects.get(request=dead.request, action="packet_interrupted")
    assert not interrupted.visible_to_requester
    published.clear()
    recovery.recover_pending_work(now=now + timedelta(minutes=1))
    assert published == []


def test_it_publishes_letters_still_pending_after_a_minute(req, published) -> None:
    now = timezone.now()
    pending = _letter_event(req, minutes_ago=2)
    young = _letter_event(req, minutes_ago=0)  # its on-commit publish has it
    _letter_event(req, minutes_ago=2, letter_id=1)
    _letter_event(req, minutes_ago=2, letter_error="template error")
    _letter_event(req, minutes_ago=60 * 24 * 40)  # outside the look-back

    recovery.recover_pending_work(now=now)

    assert published == [("letter_render", (pending.pk,))]
    pending.refresh_from_db()
    assert pending.data["letter_kind"] == "denial"  # the marker is merged in, nothing lost
    published.clear()
    recovery.recover_pending_work(now=now + timedelta(minutes=1))
    assert published == []
    recovery.recover_pending_work(now=now + recovery.REPUBLISH_AFTER + timedelta(seconds=1))
    assert published == [("letter_render", (pending.pk,)), ("letter_render", (young.pk,))]


def test_it_delivers_clock_alerts_left_undelivered(req, published) -> None:
    now = timezone.now()
    ClockAlert.objects.create(
        request=req, threshold="overdue", due_on=now.date(), created_at=now - timedelta(minutes=2)
    )
    recovery.recover_pending_work(now=now)
    assert published == [("deliver_clock_alerts", ())]


def test_the_first_failed_publish_stops_the_sweep_and_bumps_nothing(
    req, entity_a, monkeypatch
) -> None:
    now = timezone.now()
    first = _notification(req, "first")
    _notification(req, "second")
    packet = _packet(quiet_submit(entity_a), Packet.State.QUEUED, now - timedelta(seconds=5))
    calls = []

    def broker_away(task, *args) -> bool:
        calls.append(args)
        return False

    monkeypatch.setattr(recovery, "publish", broker_away)
    result = recovery.recover_pending_work(now=now)

    assert calls == [(first.pk,)]
    assert result == {
        "notifications": 0,
        "packets": 0,
        "letters": 0,
        "clock_alerts": 0,
        "complete": False,
    }
    first.refresh_from_db()
    packet.refresh_from_db()
    assert first.next_attempt_at < now  # due again on the next run
    assert packet.lease_until < now


def test_it_selects_in_the_same_number_of_queries_whatever_the_backlog(entity_a, published) -> None:
    def backlog(count: int) -> int:
        now = timezone.now()
        for n in range(count):
            req = quiet_submit(entity_a)
            _notification(req, f"{count}-{n}")
            _packet(req, Packet.State.QUEUED, now - timedelta(seconds=5))
            _letter_event(req, minutes_ago=2)
        with CaptureQueriesContext(connection) as queries:
            recovery.recover_pending_work(now=timezone.now())
        return len(queries)

    assert backlog(2) == backlog(12)


def test_a_lost_email_is_sent_by_the_sweep(req, mailoutbox) -> None:
    # The real publish, with Celery eager: the sweep's publish runs the send task.
    lost = _notification(req, "received:lost", data={"submission": str(req.submission)})
    recovery.recover_pending_work()
    lost.refresh_from_db()
    assert lost.state == N.SENT
    assert [m.to for m in mailoutbox] == [["ana@example.org"]]
    recovery.recover_pending_work(now=timezone.now() + timedelta(hours=1))
    assert len(mailoutbox) == 1
