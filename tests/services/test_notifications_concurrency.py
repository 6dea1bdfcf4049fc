"""The outbox under real concurrency, on PostgreSQL (SQLite serializes every writer, so the
races cannot happen there): two transactions queueing the same key, two workers sending the
same email. Each thread has its own database connection, as two processes would."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction

from requests_app.models import Notification, Request
from requests_app.services import notifications as n

from ..factories import submit
from ..needs import need_postgresql

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    need_postgresql("row locks and unique-index waits")


def in_threads(*targets: Callable[[], Any]) -> list[Any]:
    results: list[Any] = [None] * len(targets)
    errors: list[BaseException] = []

    def run(i: int, target: Callable[[], Any]) -> None:
        try:
            results[i] = target()
        except BaseException as exc:  # surfaced in the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


class SlowBackend(EmailBackend):
    """A mail server that takes its time, so the second worker arrives mid-send."""

    def send_messages(self, messages):
        time.sleep(0.3)
        return super().send_messages(messages)


def test_two_transactions_queueing_one_key_make_one_email(entity_a) -> None:
    req = submit(entity=entity_a)
    Notification.objects.all().delete()
    mail.outbox = []
    both_inside = threading.Barrier(2)

    def queue(hold: float) -> int:
        with transaction.atomic():
            Request.objects.get(pk=req.pk)
            both_inside.wait()
            notification = n.requester_notify(request=req, template="message", key="race:1")
            time.sleep(hold)  # the first one commits while the second waits on the index
        return notification.pk

    first, second = in_threads(lambda: queue(0.3), lambda: queue(0))
    assert first == second
    assert Notification.objects.filter(key="race:1").count() == 1
    assert len(mail.outbox) == 1  # only the transaction that created it published it


def test_two_workers_sending_one_email_send_it_once(entity_a, settings) -> None:
    req = submit(entity=entity_a)
    notification = Notification.objects.get(request=req)
    # Committed, so the confirmation already went out: make it a queued one again.
    Notification.objects.filter(pk=notification.pk).update(state=Notification.State.QUEUED)
    req.events.filter(kind="email").delete()
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    mail.outbox = []
    start = threading.Barrier(2)

    def send() -> bool:
        start.wait()
        return n.notification_send(notification_id=notification.pk)

    assert sorted(in_threads(send, send)) == [False, True]
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert req.events.filter(kind="email").count() == 1
