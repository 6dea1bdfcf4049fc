"""Celery tasks for packets: ids in, one service call (HackSoft styleguide)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from ..services.packets import PacketBusy, packet_build

__all__ = ["build_packet"]


@shared_task(
    bind=True,
    acks_late=True,
    # Only what may pass: the database or broker briefly away. A document that cannot be read
    # is not retried; the service marks the packet failed with a message naming it.
    autoretry_for=(OperationalError, InterfaceError, ConnectionError),
    retry_backoff=True,
    # On the task, not in retry_kwargs: the PacketBusy retry below (self.retry) counts against
    # it too, and would otherwise stop at Celery's default of 3.
    max_retries=5,
)
def build_packet(self, packet_id: int, actor_id: int | None = None) -> str:
    """Build the packet and release the request; a repeated delivery does nothing."""
    try:
        return packet_build(packet_id=packet_id, actor_id=actor_id).state
    except PacketBusy as busy:
        # Another delivery is building it (a redelivery after a broker reconnect, the recovery
        # sweep). Dropping this one would lose the build if that worker dies: look again when
        # its lease ends, then the packet is built (nothing to do) or the build is taken over.
        wait = (busy.lease_until - timezone.now()).total_seconds()
        raise self.retry(countdown=max(1, int(wait) + 1), exc=busy) from None
