"""The recovery sweep: publish again the work a stopped broker or a killed worker left behind.

Work is enqueued only after commit (services/dispatch.py), and when the broker is down at that
moment the publish is given up within about a second: the user's request is saved and answered
anyway. Nothing is lost because every piece of background work is first a row, written in the
transaction that decided it:

- an email is a Notification (an outbox table: queued, sending, sent, failed);
- a packet build is its Packet, queued or building under a lease (services/packets.py);
- a letter is its TimelineEvent, whose data says a letter is due and not yet made;
- a staff alert is a ClockAlert not yet delivered.

So the outbox is a table for emails only; for packets and letters the rows that already say
what is pending are the outbox. Beat runs this sweep every minute (requests_app/schedule.py):
it selects what is due, in a fixed number of queries whatever the backlog, and publishes it
again. Every task is idempotent (a claim or a lock in its service), so publishing something
that was in fact delivered costs one no-op. Rows it published are left alone for
REPUBLISH_AFTER, so a worker pool that is down or busy is not flooded with the same message
every minute. The first failed publish stops the sweep: the broker is away again, and the rows
wait for the next run.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Func, JSONField, OuterRef, Q, Subquery, Value
from django.utils import timezone

from ..models import ClockAlert, Notification, Packet, TimelineEvent
from .dispatch import publish
from .packets import packet_requeue_interrupted

logger = logging.getLogger(__name__)

N = Notification.State
# Once published again, a row waits this long before the sweep publishes it once more.
REPUBLISH_AFTER = timedelta(minutes=5)
# A letter (or a clock alert) younger than this is still in the hands of its on-commit publish.
GRACE = timedelta(minutes=1)
# Letters are looked for among recent events only: the timeline is the biggest table, and the
# time window lets the index on `at` do the work.
LETTER_LOOKBACK = timedelta(days=30)
LETTER_RECOVER_KEY = "letter_recover_after"  # in the event's data: a Unix time
BATCH = 500


class JSONMerge(Func):
    """data || patch on PostgreSQL, json_patch(data, patch) on SQLite: one UPDATE sets a key
    in many rows' JSON without reading them."""

    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra):  # noqa: ANN001, ANN201
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" || ")

    def as_sqlite(self, compiler, connection, **extra):  # noqa: ANN001, ANN201
        return self.as_sql(compiler, connection, function="json_patch")


def _due_notifications(now: datetime) -> list[int]:
    """Queued and due, or sending under a claim that expired (the worker died mid-send)."""
    due = Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)
    waiting = Q(state=N.QUEUED) | Q(state=N.SENDING, claimed_until__lt=now)
    return list(
        Notification.objects.filter(due & waiting)
        .order_by(F("next_attempt_at").asc(nulls_first=True), "id")
        .values_list("pk", flat=True)[:BATCH]
    )


def _due_packets(now: datetime) -> list[tuple[int, int | None]]:
    """Builds whose worker died go back to the queue (a timeline entry each); then every
    queued build past its grace, with the clerk who pressed Release (the release event's
    actor)."""
    expired = Packet.objects.filter(state=Packet.State.BUILDING, lease_until__lt=now)
    requeued = [
        pk
        for pk in expired.values_list("pk", flat=True)[:BATCH]
        if packet_requeue_interrupted(packet_id=pk, now=now)
    ]
    pressed = TimelineEvent.objects.filter(
        request=OuterRef("request"), action="packet_build"
    ).order_by("-at", "-id")
    due = Q(lease_until__lte=now) | Q(lease_until__isnull=True) | Q(pk__in=requeued)
    return list(
        Packet.objects.filter(due, state=Packet.State.QUEUED)
        .annotate(actor_id=Subquery(pressed.values("actor_id")[:1]))
        .order_by("id")
        .values_list("pk", "actor_id")[:BATCH]
    )


def _due_letters(now: datetime) -> list[int]:
    """Events waiting for their letter: neither made nor failed (a failure is for staff to
    retry, services.letters.letter_retry)."""
    return list(
        TimelineEvent.objects.filter(
            at__gte=now - LETTER_LOOKBACK,
            at__lte=now - GRACE,
            data__has_key="letter_kind",
            data__letter_id__isnull=True,
            data__letter_error__isnull=True,
        )
        .filter(
            Q(**{f"data__{LETTER_RECOVER_KEY}__isnull": True})
            | Q(**{f"data__{LETTER_RECOVER_KEY}__lte": int(now.timestamp())})
        )
        .order_by("at", "id")
        .values_list("pk", flat=True)[:BATCH]
    )


def _publish_all(task: Any, rows: list[tuple]) -> tuple[list[tuple], bool]:
    """Publish each; stop at the first failure. Returns what went out and whether all did."""
    done = []
    for args in rows:
        if not publish(task, *args):
            return done, False
        done.append(args)
    return done, True


def recover_pending_work(*, now: datetime | None = None) -> dict[str, Any]:
    """Publish again what is due. Returns how many of each were published and whether the
    broker took them all ("complete": False means it went away during the sweep)."""
    from ..tasks.letters import letter_render
    from ..tasks.notify import deliver_clock_alerts, send_notification
    from ..tasks.packets import build_packet

    now = now or timezone.now()
    later = now + REPUBLISH_AFTER
    result: dict[str, Any] = {
        "notifications": 0,
        "packets": 0,
        "letters": 0,
        "clock_alerts": 0,
        "complete": False,
    }

    notifications, complete = _publish_all(
        send_notification, [(pk,) for pk in _due_notifications(now)]
    )
    if notifications:
        Notification.objects.filter(
            pk__in=[pk for (pk,) in notifications], state__in=[N.QUEUED, N.SENDING]
        ).update(next_attempt_at=later)
    result["notifications"] = len(notifications)
    if not complete:
        return _stopped(result)

    if ClockAlert.objects.filter(delivered_at__isnull=True, created_at__lte=now - GRACE).exists():
        if not publish(deliver_clock_alerts):
            return _stopped(result)
        result["clock_alerts"] = 1

    packets, complete = _publish_all(build_packet, _due_packets(now))
    if packets:
        # Still queued: the sweep's next look. A build that claimed it meanwhile keeps its lease.
        Packet.objects.filter(
            pk__in=[pk for pk, _actor in packets], state=Packet.State.QUEUED
        ).update(lease_until=later)
    result["packets"] = len(packets)
    if not complete:
        return _stopped(result)

    letters, complete = _publish_all(letter_render, [(pk,) for pk in _due_letters(now)])
    if letters:
        TimelineEvent.objects.filter(
            pk__in=[pk for (pk,) in letters], data__letter_id__isnull=True
        ).update(
            data=JSONMerge(
                F("data"), Value({LETTER_RECOVER_KEY: int(later.timestamp())}, JSONField())
            )
        )
    result["letters"] = len(letters)
    if not complete:
        return _stopped(result)
    result["complete"] = True
    if any(result[key] for key in ("notifications", "packets", "letters", "clock_alerts")):
        logger.info("Recovery sweep published pending work again: %s", result)
    return result


def _stopped(result: dict[str, Any]) -> dict[str, Any]:
    logger.warning("Recovery sweep stopped: the broker is unavailable (%s)", result)
    return result
