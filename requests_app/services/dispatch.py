"""Handing work to Celery, after commit, without ever failing or holding the user's request.

Every piece of background work is described by a row committed with the change that caused it:
a Notification (queued), a Packet (queued or building), a TimelineEvent waiting for its letter.
Publishing the task is only the fast path. When the broker is down or stalled the publish gives
up quickly (short socket timeouts, a short retry policy: settings.CELERY_*), the failure is
logged, and the recovery sweep (services/recovery.py, run by beat every minute) publishes the
work again from those rows once the broker is back. Tasks are idempotent, so publishing twice
is harmless.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def publish(task: Any, *args: Any) -> bool:
    """Publish now. Returns False (and logs) when the broker cannot take it."""
    try:
        task.apply_async(
            args=args, retry=True, retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY
        )
    except Exception as exc:  # kombu raises OperationalError, redis its own errors, OSError...
        logger.warning(
            "Broker unavailable (%s); %s%r is left to the recovery sweep", exc, task.name, args
        )
        return False
    return True


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Publish once the surrounding transaction commits (never for work that rolled back).
    Arguments are ids only: a task message never carries personal health information."""
    transaction.on_commit(lambda: publish(task, *args))
