"""Celery tasks for packets: ids in, one service call (HackSoft styleguide)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from ..services.packets import packet_build

__all__ = ["build_packet"]


@shared_task(
    acks_late=True,
    # Only what may pass: the database or broker briefly away. A document that cannot be read
    # is not retried; the service marks the packet failed with a message naming it.
    autoretry_for=(OperationalError, InterfaceError, ConnectionError),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def build_packet(packet_id: int, actor_id: int | None = None) -> str:
    """Build the packet and release the request; a repeated delivery does nothing."""
    return packet_build(packet_id=packet_id, actor_id=actor_id).state
