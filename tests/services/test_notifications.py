"""The email outbox: a Notification row per email, queued in the caller's transaction, sent
once by whoever claims it, retried on SMTP errors and, after the last attempt, FAILED and on
the request's timeline for staff."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.utils import timezone

from requests_app.models import Notification, Request, TimelineEvent
from requests_app.rules.kinds import DeliveryMethod, RequestKind
from requests_app.services import notifications as n
from requests_app.services import transitions as t
from requests_app.services.submission import request_submit
from requests_app.tasks.notify import send_notification
from requests_app.workflow import Status
from roi_portal.celery import app as celery_app

from ..factories import submit

pytestmark = pytest.mark.django_db

FAILING = "tests.services.test_notifications.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    calls = 0

    def send_messages(self, messages):
        FailingBackend.calls += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def req(entity_a) -> Request:
    request = submit(entity=entity_a)
    Notification.objects.all().delete()  # the confirmation of the submission
    return request


def queue(req: Request, key: str = "test:1", template: str = "message") -> Notification | None:
    return n.notification_queue(
        key=key,
        template=template,
        audience=Notification.Audience.REQUESTER,
        to=req.requester.email,
        request=req,
    )


def email_events(req: Request):
    return req.events.filter(kind=TimelineEvent.Kind.EMAIL).order_by("id")


# --- queueing ----------------------------------------------------------------------------


def test_it_queues_once_per_key_and_sends_once(req, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = queue(req)
        second = queue(req)
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert len(callbacks) == 1  # one publish: the second call found the row
    assert [m.to for m in mail.outbox] == [[req.requester.email]]
    first.refresh_from_db()
    assert first.state == Notification.State.SENT and first.sent_at and first.attempts == 1
    # A late duplicate delivery of the task finds it sent and sends nothing.
    assert send_notification.delay(first.pk).get() is False
    assert len(mail.outbox) == 1


def test_a_new_row_waits_a_grace_period_before_the_recovery_sweep_may_take_it(req) -> None:
    before = timezone.now()
    notification = queue(req)
    assert notification.state == Notification.State.QUEUED
    assert notification.next_attempt_at >= before + n.GRACE


def test_losing_the_insert_race_returns_the_winners_row(req, monkeypatch) -> None:
    winner = queue(req)

    def raced(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(Notification.objects, "get_or_create", raced)
    with transaction.atomic():  # the caller's transaction survives the lost race
        assert queue(req).pk == winner.pk
        assert Request.objects.filter(pk=req.pk).exists()


def test_nobody_to_write_to_queues_nothing(req) -> None:
    req.requester.email = ""
    req.requester.save()
    assert n.requester_notify(request=req, template="message", key="k") is None
    assert not Notification.objects.exists()


def test_a_rolled_back_change_leaves_no_email(req, staff_a) -> None:
    Request.objects.filter(pk=req.pk).update(status=Status.IN_REVIEW)
    with pytest.raises(RuntimeError), transaction.atomic():
        t.request_pend(req, actor=staff_a, missing="Photo ID")
        assert Notification.objects.filter(template="pending").exists()
        raise RuntimeError("crash after the change")
    assert not Notification.objects.exists()


def test_the_event_carries_the_key_and_ids_only(req, staff_a) -> None:
    Request.objects.filter(pk=req.pk).update(status=Status.IN_REVIEW)
    t.request_pend(req, actor=staff_a, missing="Photo ID")
    notification = Notification.objects.get()
    event = req.events.get(action="pend")
    assert notification.key == f"event:{event.pk}" and notification.event == event
    assert notification.template == "pending" and notification.data == {}


def test_steps_without_a_template_send_nothing(req, staff_a) -> None:
    t.request_start_review(req, actor=staff_a)
    t.request_verify(req, actor=staff_a)
    t.request_add_note(req, actor=staff_a, text="internal")
    assert not Notification.objects.exists()


def test_a_split_submission_gets_one_confirmation(org, entity_a, entity_b, patient) -> None:
    from requests_app.models import Requester

    requester = Requester.objects.create(role="self", full_name="M", email="m@example.org")
    split = request_submit(
        organization=org,
        patient=patient,
        requester=requester,
        kind=RequestKind.ACCESS,
        delivery_method=DeliveryMethod.PORTAL,
        received_at=timezone.now(),
    )
    assert len(split) == 2
    (notification,) = Notification.objects.all()
    assert notification.key == f"received:{split[0].submission}"
    assert n.notification_send(notification_id=notification.pk) is True
    (message,) = mail.outbox
    assert split[0].number in message.body and split[1].number in message.body
    for request in split:  # staff see it on either request
        (event,) = email_events(request)
        assert event.reason.startswith("Email sent to m@example.org")


# --- sending -----------------------------------------------------------------------------


def test_a_sent_email_is_on_the_timeline_for_staff_only(req) -> None:
    notification = queue(req)
    assert n.notification_send(notification_id=notification.pk) is True
    (event,) = email_events(req)
    assert not event.visible_to_requester
    assert event.reason == f"Email sent to {req.requester.email}: {mail.outbox[0].subject}"
    assert event.data["notification"] == notification.pk
    assert n.notification_send(notification_id=notification.pk) is False
    assert email_events(req).count() == 1


def test_an_smtp_error_is_retried_with_backoff_then_failed_on_the_timeline(req, settings) -> None:
    settings.EMAIL_BACKEND = FAILING
    notification = queue(req)
    for attempt in range(1, n.MAX_ATTEMPTS):
        with pytest.raises(smtplib.SMTPException):
            n.notification_send(notification_id=notification.pk)
        notification.refresh_from_db()
        assert notification.state == Notification.State.QUEUED
        assert notification.attempts == attempt
        assert "SMTPServerDisconnected" in notification.last_error
        wait = notification.next_attempt_at - timezone.now()
        assert n.backoff(attempt) < wait <= n.backoff(attempt) + n.GRACE
        assert not email_events(req).exists()
    # The last attempt does not raise (nothing more to retry): it gives up, in writing.
    assert n.notification_send(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.state == Notification.State.FAILED
    assert notification.attempts == n.MAX_ATTEMPTS
    (event,) = email_events(req)
    assert event.kind == TimelineEvent.Kind.EMAIL and not event.visible_to_requester
    assert event.reason == (
        f"Email to {req.requester.email} could not be sent: "
        "SMTPServerDisconnected: Connection unexpectedly closed"
    )
    assert mail.outbox == []


def test_the_backoff_doubles_up_to_an_hour() -> None:
    assert [n.backoff(a).total_seconds() for a in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]


def test_the_task_retries_smtp_errors_until_the_last_attempt(req, settings) -> None:
    settings.EMAIL_BACKEND = FAILING
    FailingBackend.calls = 0
    notification = queue(req)
    # Eager Celery runs each retry at once, in-process, with the task's own retry settings
    # (with eager_propagates on, the first retry would surface as an exception instead).
    celery_app.conf.task_eager_propagates = False
    try:
        send_notification.delay(notification.pk)
    finally:
        celery_app.conf.task_eager_propagates = True
    notification.refresh_from_db()
    assert FailingBackend.calls == n.MAX_ATTEMPTS
    assert notification.state == Notification.State.FAILED
    assert email_events(req).filter(action="email_failed").count() == 1


def test_the_task_retries_only_transient_errors_with_jittered_exponential_backoff() -> None:
    assert send_notification.autoretry_for == n.TRANSIENT_ERRORS
    assert smtplib.SMTPException in n.TRANSIENT_ERRORS and OSError in n.TRANSIENT_ERRORS
    assert send_notification.max_retries == n.MAX_ATTEMPTS - 1
    assert send_notification.retry_backoff == n.BACKOFF_BASE_SECONDS
    assert send_notification.retry_backoff_max == n.BACKOFF_MAX_SECONDS
    assert send_notification.retry_jitter is True
    assert send_notification.acks_late is True


def test_a_template_that_does_not_render_fails_at_once(req) -> None:
    notification = queue(req, template="no_such_template")
    assert n.notification_send(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.state == Notification.State.FAILED
    assert notification.attempts == 0
    assert "TemplateDoesNotExist" in notification.last_error
    (event,) = email_events(req)
    assert event.reason.startswith(f"Email to {req.requester.email} could not be sent:")


def test_two_deliveries_of_one_email_send_it_once(req, settings) -> None:
    """The second delivery arrives while the first is talking to the mail server."""
    notification = queue(req)
    second: list[bool] = []

    class SlowBackend(BaseEmailBackend):
        def send_messages(self, messages):
            second.append(n.notification_send(notification_id=notification.pk))
            mail.outbox.extend(messages)
            return len(messages)

    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    globals()["SlowBackend"] = SlowBackend
    try:
        assert n.notification_send(notification_id=notification.pk) is True
    finally:
        del globals()["SlowBackend"]
    assert second == [False]
    assert len(mail.outbox) == 1
    assert email_events(req).count() == 1


def test_a_claim_expires_so_a_dead_worker_does_not_strand_the_email(req) -> None:
    notification = queue(req)
    assert n._claim(notification.pk) is True
    assert n._claim(notification.pk) is False  # held
    assert n.notification_send(notification_id=notification.pk) is False
    Notification.objects.filter(pk=notification.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert n.notification_send(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


def test_send_again_requeues_a_failed_email(req, django_capture_on_commit_callbacks) -> None:
    notification = queue(req, template="no_such_template")
    n.notification_send(notification_id=notification.pk)
    Notification.objects.filter(pk=notification.pk).update(template="message")
    with django_capture_on_commit_callbacks(execute=True):
        assert n.notification_resend(notification=notification) is True
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT and notification.attempts == 1
    assert len(mail.outbox) == 1
    assert n.notification_resend(notification=notification) is False  # not failed any more


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ValueError("Header values may not contain linefeed or carriage return characters")


def test_an_error_that_is_not_the_mail_servers_fails_at_once(req, settings) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    notification = queue(req)
    assert n.notification_send(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.state == Notification.State.FAILED and notification.attempts == 0
    assert notification.claimed_until is None  # not left for the recovery sweep to loop on
    assert email_events(req).get().action == "email_failed"
