"""Celery tasks for the email outbox: ids in, one service call, nothing else."""

from __future__ import annotations

from celery import shared_task

from ..services import notifications
from ..services.notifications_staff import clock_alerts_deliver


@shared_task(
    acks_late=True,
    # Only what another try can fix: the mail server refused or could not be reached. The
    # service has already put the row back in the queue with the same backoff.
    autoretry_for=notifications.TRANSIENT_ERRORS,
    retry_backoff=notifications.BACKOFF_BASE_SECONDS,
    retry_backoff_max=notifications.BACKOFF_MAX_SECONDS,
    retry_jitter=True,
    max_retries=notifications.MAX_ATTEMPTS - 1,
)
def send_notification(notification_id: int) -> bool:
    return notifications.notification_send(notification_id=notification_id)


@shared_task(acks_late=True)
def deliver_clock_alerts() -> int:
    return clock_alerts_deliver()
