"""Celery tasks for letters: ids in, one service call."""

from __future__ import annotations

from celery import shared_task

from ..services.letters import letter_for_event

__all__ = ["letter_render"]


@shared_task(
    acks_late=True,
    # Only storage trouble is worth a retry; a template that fails to render fails again, so
    # the service records it on the event for staff instead of raising.
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def letter_render(event_id: int) -> int | None:
    letter = letter_for_event(event_id=event_id)
    return letter.pk if letter else None
