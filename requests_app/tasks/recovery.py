"""The recovery sweep as a Celery task, run by beat every minute (requests_app/schedule.py)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from ..services.recovery import recover_pending_work as recover

__all__ = ["recover_pending_work"]


@shared_task(acks_late=True)
def recover_pending_work() -> dict[str, Any]:
    return recover()
