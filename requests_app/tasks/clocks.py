"""Celery tasks for the legal-clock sweeps, run by beat (requests_app/schedule.py): no
arguments in, one service call, a small JSON summary out. Each sweep is idempotent by its
query, so a late, repeated or concurrent run changes nothing twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from ..services import clocks

__all__ = ["authorization_expiry_sweep", "deadline_sweep", "requester_reminder_sweep"]

# The database briefly away is worth another try; anything else is a bug to see in the logs.
TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 3}
)
def deadline_sweep() -> dict[str, Any]:
    return clocks.deadline_sweep().as_dict()


@shared_task(
    acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 3}
)
def authorization_expiry_sweep() -> dict[str, Any]:
    return clocks.authorization_expiry_sweep().as_dict()


@shared_task(
    acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, retry_kwargs={"max_retries": 3}
)
def requester_reminder_sweep() -> dict[str, Any]:
    return clocks.requester_reminder_sweep().as_dict()
