"""Emails to staff: a request assigned to them, a requester who wrote or revoked, and the
legal-clock alerts the deadline sweep raises (ClockAlert rows), expanded here into one email
per recipient.

Staff emails are written in the site's language (staff work in English; the requester's
language is for the requester) and carry the request number and dates only, with a link to
the request file, which needs a staff login.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from ..models import ClockAlert, Notification, Request, StaffMembership, TimelineEvent
from .notifications import notification_queue

logger = logging.getLogger(__name__)

T = ClockAlert.Threshold
ALERT_TEMPLATES = {
    T.DUE_SOON: "staff_due_soon",
    T.DUE_TODAY: "staff_due_today",
    T.OVERDUE: "staff_overdue",
    T.EXTENSION: "staff_extension",
}


def staff_notify(
    *,
    user: Any,
    request: Request,
    template: str,
    key: str,
    event: TimelineEvent | None = None,
    data: dict | None = None,
) -> Notification | None:
    """One email to one staff member; none (logged) when they have no address."""
    if not user.email:
        logger.warning("%s not emailed about %s: no email address", user, request.number)
        return None
    return notification_queue(
        key=key,
        template=template,
        audience=Notification.Audience.STAFF,
        to=user.email,
        language=settings.LANGUAGE_CODE,
        request=request,
        event=event,
        user=user,
        data=data,
    )


def assignment_notify(*, event: TimelineEvent, assignee: Any, actor: Any) -> None:
    """Tell the person a request was given to, unless they took it themselves."""
    if assignee is None or getattr(actor, "pk", None) == assignee.pk:
        return
    staff_notify(
        user=assignee,
        request=event.request,
        template="staff_assigned",
        key=f"assign:{event.pk}",
        event=event,
    )


def requester_action_notify(*, event: TimelineEvent) -> None:
    """The assignee learns that the requester wrote or revoked the authorization. An
    unassigned request is in the queue, where whoever takes it sees the message."""
    request = event.request
    assignee = request.assignee
    if assignee is None or not assignee.is_active:
        return
    staff_notify(
        user=assignee,
        request=request,
        template="staff_requester_message",
        key=f"event:{event.pk}:staff",
        event=event,
        data={"action": event.action},
    )


# --- legal-clock alerts ------------------------------------------------------------------


def _supervisors(organization_id: int, cache: dict[int, list[Any]]) -> list[Any]:
    if organization_id not in cache:
        cache[organization_id] = list(
            get_user_model()
            .objects.filter(
                is_active=True,
                staff_memberships__organization_id=organization_id,
                staff_memberships__role=StaffMembership.Role.SUPERVISOR,
            )
            .distinct()
            .order_by("pk")
        )
    return cache[organization_id]


def alert_recipients(alert: ClockAlert, supervisors: list[Any]) -> list[Any]:
    """Who hears about an alert: the assignee; the organization's supervisors too when the
    request is overdue, and instead of the assignee when nobody has it."""
    assignee = alert.request.assignee
    if assignee is not None and not assignee.is_active:
        assignee = None
    if alert.threshold == T.OVERDUE:
        people = ([assignee] if assignee else []) + supervisors
    else:
        people = [assignee] if assignee else supervisors
    seen: set[int] = set()
    return [p for p in people if not (p.pk in seen or seen.add(p.pk))]


def _undelivered(limit: int) -> list[ClockAlert]:
    alerts = ClockAlert.objects.filter(delivered_at__isnull=True).order_by("created_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        # Two sweeps at once each take different rows instead of waiting on each other.
        alerts = alerts.select_for_update(skip_locked=True, of=("self",))
    return list(alerts.select_related("request__assignee", "request__entity")[:limit])


def clock_alerts_deliver(*, limit: int = 500) -> int:
    """Expand undelivered alerts into staff emails (key alert:<alert>:<user>) and mark them
    delivered. Returns the number of alerts delivered. Safe to run concurrently: each alert is
    claimed by a conditional UPDATE (SQLite has no row locks), and the keys make a second
    expansion harmless anyway."""
    delivered = 0
    supervisors: dict[int, list[Any]] = {}
    with transaction.atomic():
        for alert in _undelivered(limit):
            claimed = ClockAlert.objects.filter(pk=alert.pk, delivered_at__isnull=True).update(
                delivered_at=timezone.now()
            )
            if not claimed:
                continue
            delivered += 1
            request = alert.request
            for user in alert_recipients(alert, _supervisors(request.organization_id, supervisors)):
                staff_notify(
                    user=user,
                    request=request,
                    template=ALERT_TEMPLATES[alert.threshold],
                    key=f"alert:{alert.pk}:{user.pk}",
                    data={"threshold": alert.threshold, "due_on": alert.due_on.isoformat()},
                )
    return delivered
