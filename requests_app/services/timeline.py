"""Writing timeline events; every service that changes a request calls this in its
transaction. A requester-visible event with notify=True also queues its email (a Notification
row, services/notifications.py) in the same transaction; a worker sends it after commit."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ..models import Request, TimelineEvent


def actor_label(actor: Any) -> str:
    if actor is None:
        return "System"
    return actor.get_full_name() or actor.get_username()


def event_record(
    *,
    request: Request,
    kind: str,
    actor: Any = None,
    action: str = "",
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict | None = None,
    visible_to_requester: bool = True,
    notify: bool = False,
    label: str = "",
) -> TimelineEvent:
    """`label` names an actor who has no account (a guest, by email address)."""
    event = TimelineEvent.objects.create(
        request=request,
        at=timezone.now(),
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label or actor_label(actor),
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
        visible_to_requester=visible_to_requester,
    )
    if notify and visible_to_requester:
        from .notifications import event_notify

        event_notify(event)
    return event
