"""Handing work to Celery, after commit, without ever failing or holding the user's request.

Every piece of background work is described by a row committed with the change that caused it:
a Notification (queued), a Packet (queued or building), a TimelineEvent waiting for its letter,
a ClockAlert not yet delivered. Publishing the task is only the fast path. When the broker is
down or stalled the publish gives up quickly (short socket timeouts, no retry that would wait
out a second timeout: settings.CELERY_*), the failure is logged, and the recovery sweep
(services/recovery.py, run by beat every minute) publishes the work again from those rows once
the broker is back. Tasks are idempotent, so publishing twice is harmless.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

logger = logging.getLogger(__name__)

try:  # the Redis transport raises these when kombu does not wrap them
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency (celery[redis])
    RedisError = KombuOperationalError

BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuOperationalError, RedisError, OSError)
# After a publish failed for want of a broker, this process stops trying for a few seconds:
# one submit can publish several tasks, and each attempt against a stalled Redis costs a full
# socket timeout. The rows keep the work; the recovery sweep publishes it.
PAUSE_AFTER_FAILURE = 10.0  # seconds
_broker_away_until = 0.0


def broker_reset() -> None:
    """Forget a past failure (tests)."""
    global _broker_away_until
    _broker_away_until = 0.0


def publish(task: Any, *args: Any) -> bool:
    """Publish now. Returns False (and logs) when the broker cannot take it."""
    global _broker_away_until
    if time.monotonic() < _broker_away_until:
        logger.info("Broker away; %s%r is left to the recovery sweep", task.name, args)
        return False
    try:
        task.apply_async(
            args=args, retry=True, retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY
        )
    except Exception as exc:
        if task.app.conf.task_always_eager or not isinstance(exc, BROKER_ERRORS):
            # With task_always_eager (tests) this is the task itself failing: the row it works
            # from says so, and the user's request must not fail with it.
            logger.exception("%s%r failed", task.name, args)
            return False
        _broker_away_until = time.monotonic() + PAUSE_AFTER_FAILURE
        logger.warning(
            "Broker unavailable (%s); %s%r is left to the recovery sweep", exc, task.name, args
        )
        return False
    return True


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Publish once the surrounding transaction commits (never for work that rolled back).
    Arguments are ids only: a task message never carries personal health information."""
    transaction.on_commit(lambda: publish(task, *args))
