"""Celery tasks: ids in, one service call, nothing else (HackSoft styleguide)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from ..services.notifications import event_notify_requester


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    retry_kwargs={"max_retries": 6},
)
def notify_requester(event_id: int) -> bool:
    return event_notify_requester(event_id=event_id)
