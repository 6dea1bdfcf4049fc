"""Celery task for the daily clean-up of what the portal and intake keep only for a while."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from ..services.drafts_cleanup import drafts_purge_abandoned

__all__ = ["purge_abandoned_drafts"]


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_kwargs={"max_retries": 3},
)
def purge_abandoned_drafts() -> dict[str, Any]:
    return drafts_purge_abandoned().as_dict()
