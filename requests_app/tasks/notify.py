"""Celery tasks: ids in, one service call, nothing else (HackSoft styleguide)."""

from __future__ import annotations

import uuid
from smtplib import SMTPException

from celery import shared_task

from ..services.drafts_email import request_received_send
from ..services.notifications import event_notify_requester


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    retry_kwargs={"max_retries": 6},
)
def notify_requester(event_id: int) -> bool:
    return event_notify_requester(event_id=event_id)


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    retry_kwargs={"max_retries": 6},
)
def send_request_received(submission: str, language: str, site_url: str = "") -> bool:
    return request_received_send(
        submission=uuid.UUID(submission), language=language, site_url=site_url
    )
