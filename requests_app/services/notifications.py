"""The email outbox: every email is a Notification row first, written in the transaction that
decided to send it, then sent by a worker from that row (healthchecks' Flip, pretix's
TransactionAwareTask). The task message carries the row's id only; the subject and body are
rendered at send time, in the notification's language, from the database.

Why a row and not just a task: a broker that is down, a worker killed mid-send or a sweep run
twice must never lose or double an email. `key` makes creating one idempotent (the same fact
never produces two rows), the claim (a conditional UPDATE) makes sending it exclusive, and the
recovery sweep (services/recovery.py) republishes rows whose `next_attempt_at` has passed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from smtplib import SMTPException
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Notification, Request, TimelineEvent
from .dispatch import enqueue_on_commit
from .notifications_render import RenderError, notification_render

logger = logging.getLogger(__name__)

N = Notification.State

# The on-commit publish is the fast path; the recovery sweep only picks a queued row up once
# this has passed, so it does not race the normal delivery of a row written a moment ago.
GRACE = timedelta(minutes=2)
# How long a worker owns a row it claimed. Longer than a slow SMTP exchange (EMAIL_TIMEOUT per
# socket operation), so a live send is never taken over; a killed worker's claim expires.
LEASE = timedelta(minutes=5)
# One try and six retries (tasks.notify.send_notification retries as many times, with the same
# exponential backoff, so the row and Celery agree on which attempt is the last).
MAX_ATTEMPTS = 7
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
# Worth another try: the mail server refused or was unreachable. Anything else is a bug.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (SMTPException, OSError)


def backoff(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 30 s, 1 min, 2 min... at most an hour."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


# --- queueing ----------------------------------------------------------------------------


def notification_queue(
    *,
    key: str,
    template: str,
    audience: str,
    to: str,
    language: str = "en",
    request: Request | None = None,
    event: TimelineEvent | None = None,
    user: Any = None,
    data: dict | None = None,
) -> Notification | None:
    """Queue one email, once per `key`, in the caller's transaction; the send task is
    published after commit (never for work that rolled back). Returns None when there is no
    address to write to (a requester who filed by fax or mail; staff then write on paper)."""
    to = (to or "").strip()
    if not to:
        return None
    defaults = {
        "template": template,
        "audience": audience,
        "to": to,
        "language": language or settings.LANGUAGE_CODE,
        "request": request,
        "event": event,
        "user": user if getattr(user, "pk", None) else None,
        "data": data or {},
        "next_attempt_at": timezone.now() + GRACE,
    }
    try:
        # A savepoint, so that losing the race to a concurrent insert of the same key does not
        # break the caller's transaction (PostgreSQL aborts it on an IntegrityError).
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(key=key, defaults=defaults)
    except IntegrityError:
        notification, created = Notification.objects.get(key=key), False
    if created:
        from ..tasks.notify import send_notification

        enqueue_on_commit(send_notification, notification.pk)
    return notification


def requester_language(request: Request) -> str:
    """The language the request was filed in, else the requester's preference."""
    return request.language or request.requester.preferred_language or settings.LANGUAGE_CODE


def requester_notify(
    *,
    request: Request,
    template: str,
    key: str,
    event: TimelineEvent | None = None,
    data: dict | None = None,
    to: str | None = None,
) -> Notification | None:
    """An email to whoever filed the request, in their language. `to` names someone else who
    acted on it (a patient replying on a request their representative filed)."""
    return notification_queue(
        key=key,
        template=template,
        audience=Notification.Audience.REQUESTER,
        to=request.requester.email if to is None else to,
        language=requester_language(request),
        request=request,
        event=event,
        data=data,
    )


# --- sending -----------------------------------------------------------------------------


def _claim(notification_id: int) -> bool:
    """Take the row for this worker: queued, or sending under a claim that expired (its worker
    died). A conditional UPDATE and its row count, so two deliveries of the same task never
    both send, on SQLite too, where select_for_update does nothing."""
    now = timezone.now()
    claimable = Q(state=N.QUEUED) | Q(state=N.SENDING, claimed_until__lt=now)
    return (
        Notification.objects.filter(claimable, pk=notification_id).update(
            state=N.SENDING, claimed_until=now + LEASE
        )
        == 1
    )


def _timeline(notification: Notification, reason: str, *, sent: bool) -> None:
    """An internal EMAIL event on every request the email was about, so staff see what went
    out and what did not. A confirmation covers every request split from one submission."""
    if notification.request_id is None:
        return
    requests = [notification.request]
    submission = (notification.data or {}).get("submission")
    if submission:
        requests = list(Request.objects.filter(submission=submission).order_by("number"))
    from .timeline import event_record

    for request in requests:
        event_record(
            request=request,
            kind=TimelineEvent.Kind.EMAIL,
            action="email_sent" if sent else "email_failed",
            reason=reason,
            data={
                "notification": notification.pk,
                "template": notification.template,
                "to": notification.to,
                "attempts": notification.attempts,
            },
            visible_to_requester=False,
        )


def _give_up(notification: Notification, error: str) -> None:
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, state=N.SENDING).update(
            state=N.FAILED, last_error=error, claimed_until=None, next_attempt_at=None
        )
        if updated:
            notification.refresh_from_db()
            _timeline(
                notification,
                _("Email to %(to)s could not be sent: %(error)s")
                % {"to": notification.to, "error": error},
                sent=False,
            )
    logger.error("Notification %s (%s) failed: %s", notification.pk, notification.template, error)


def notification_send(*, notification_id: int) -> bool:
    """Send one queued email. Returns True when this call sent it, False when there was
    nothing to do (already sent or failed, or another worker holds it).

    A transient failure (SMTP, network) puts the row back in the queue with a backoff and
    re-raises, so the task retries; after MAX_ATTEMPTS the row is FAILED and the request's
    timeline says so. A template that does not render would fail again: FAILED at once."""
    if not _claim(notification_id):
        return False
    notification = Notification.objects.select_related("request", "user").get(pk=notification_id)
    try:
        rendered = notification_render(notification)
    except RenderError as exc:
        _give_up(notification, str(exc))
        return False
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to],
    )
    message.attach_alternative(rendered.html, "text/html")
    try:
        message.send(fail_silently=False)
    except TRANSIENT_ERRORS as exc:
        attempts = notification.attempts + 1
        error = f"{type(exc).__name__}: {exc}"[:1000]
        if attempts >= MAX_ATTEMPTS:
            Notification.objects.filter(pk=notification.pk).update(attempts=attempts)
            notification.attempts = attempts
            _give_up(notification, error)
            return False
        Notification.objects.filter(pk=notification.pk, state=N.SENDING).update(
            state=N.QUEUED,
            attempts=attempts,
            last_error=error,
            claimed_until=None,
            # A little after Celery's own retry (jittered at or below the same backoff), so
            # the recovery sweep only steps in when that retry was lost.
            next_attempt_at=timezone.now() + backoff(attempts) + GRACE,
        )
        logger.warning(
            "Notification %s attempt %s failed (%s); retrying", notification.pk, attempts, error
        )
        raise
    except Exception as exc:  # a bug (a bad header...): another try would fail the same way
        logger.exception("Notification %s cannot be sent", notification.pk)
        _give_up(notification, f"{type(exc).__name__}: {exc}"[:1000])
        return False
    with transaction.atomic():
        # Conditional: a worker that outlived its claim must not log a send twice.
        marked = Notification.objects.filter(pk=notification.pk, state=N.SENDING).update(
            state=N.SENT,
            attempts=notification.attempts + 1,
            sent_at=timezone.now(),
            claimed_until=None,
            next_attempt_at=None,
            last_error="",
        )
        if marked:
            notification.attempts += 1
            _timeline(
                notification,
                _("Email sent to %(to)s: %(subject)s")
                % {"to": notification.to, "subject": rendered.subject},
                sent=True,
            )
    return True


def notification_resend(*, notification: Notification) -> bool:
    """Queue a FAILED email again (the admin's "send again"), with a fresh set of attempts.
    Returns False when it was not failed (sent or queued meanwhile)."""
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, state=N.FAILED).update(
            state=N.QUEUED,
            attempts=0,
            claimed_until=None,
            next_attempt_at=timezone.now() + GRACE,
        )
        if updated:
            from ..tasks.notify import send_notification

            enqueue_on_commit(send_notification, notification.pk)
    return bool(updated)


# --- which event sends which email -------------------------------------------------------

# The one map from a requester-visible event to its email. An event not listed sends nothing
# (start of review, identity verified, resumed, back to work, reopened: staff-side steps the
# requester sees on their page). Keyed by (event kind, action).
K = TimelineEvent.Kind
EVENT_TEMPLATES: dict[tuple[str, str], str] = {
    (K.CREATED, ""): "received",
    (K.STATUS, "pend"): "pending",
    (K.STATUS, "deny"): "denied",
    (K.STATUS, "partially_deny"): "partially_denied",
    (K.STATUS, "mark_ready"): "ready",
    (K.STATUS, "release"): "released",
    (K.STATUS, "answer"): "answered",
    (K.STATUS, "close"): "closed",
    (K.STATUS, "withdraw"): "withdrawn",
    (K.EXTENSION, "extend"): "extension",
    (K.MESSAGE_TO_REQUESTER, "message"): "message",
    (K.SYSTEM, "shipment"): "shipped",
    # Receipts for what the requester did themselves.
    (K.MESSAGE_FROM_REQUESTER, "reply"): "reply_received",
    (K.AUTHORIZATION, "revoke"): "revoked",
}


def event_template(event: TimelineEvent) -> str | None:
    template = EVENT_TEMPLATES.get((event.kind, event.action))
    if template == "closed" and (event.data or {}).get("auto_closed"):
        # Closed by the reminder sweep: the email says why and how to reopen.
        return "auto_closed"
    return template


def _acting_address(event: TimelineEvent) -> str:
    """Who did a requester-side action (data "by"), when that is not the requester: a patient
    replying on a request their representative filed hears back too. Staff never do."""
    by = (event.data or {}).get("by")
    if by == "guest":
        return event.data.get("guest_email", "")
    if by == "requester" and event.actor is not None:
        return event.actor.email
    return ""


def event_notify(event: TimelineEvent) -> list[Notification]:
    """The requester's email for an event, queued in the event's transaction. Keyed by the
    event, so a retried caller never sends it twice; the confirmation of a submission is keyed
    by the submission, so the requests split from it share one email."""
    template = event_template(event) if event.visible_to_requester else None
    if template is None:
        return []
    request = event.request
    if template == "received":
        key, data = f"received:{request.submission}", {"submission": str(request.submission)}
    else:
        key, data = f"event:{event.pk}", None
    queued = [requester_notify(request=request, template=template, key=key, event=event, data=data)]
    other = _acting_address(event)
    if other and other.lower() != (request.requester.email or "").lower():
        queued.append(
            requester_notify(
                request=request, template=template, key=f"{key}:actor", event=event, to=other
            )
        )
    return [n for n in queued if n is not None]
