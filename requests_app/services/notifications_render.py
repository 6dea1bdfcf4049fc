"""Rendering a queued email from the database at send time: templates/emails/<template>/
{subject.txt, body.txt, body.html}, in the notification's language.

Only what the message needs goes in: the request number, status, dates, the entity's name and
how to reach it. Never record contents, diagnoses or the patient's date of birth; links go to
pages that ask for a login, a one-time code or a signed tracking link (the same ones the
confirmation email has always carried).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ..models import Authorization, Notification, Request, TimelineEvent
from ..selectors.calendar import entity_local_date

logger = logging.getLogger(__name__)


class RenderError(Exception):
    """The email cannot be rendered; trying again would fail the same way."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def absolute(path: str) -> str:
    if not path:
        return ""
    if path.startswith("http"):
        return path
    return settings.SITE_URL.rstrip("/") + path


def requester_link(request: Request) -> str:
    """Where the requester follows the request: the portal page (login) for an account, the
    signed tracking link for a guest (services.accounts; it still needs the address the
    request was filed with)."""
    if request.requester.user_id is not None:
        return absolute(reverse("portal:request_detail", kwargs={"number": request.number}))
    from .accounts import guest_tracking_url

    return absolute(guest_tracking_url(request))


def staff_link(request: Request) -> str:
    return absolute(reverse("staff:request_file", kwargs={"number": request.number}))


def help_phone(request: Request) -> str:
    """The number a requester calls about a request (emails and letters): the entity's help
    line, else its main number, else the organization's."""
    policy = getattr(request.entity, "policy", None)
    return (
        (policy.help_phone if policy else "")
        or request.entity.phone
        or request.entity.organization.help_phone
    )


def _last_event(request: Request, action: str) -> TimelineEvent | None:
    return request.events.filter(action=action).order_by("-at", "-id").first()


def _received_rows(notification: Notification) -> list[dict[str, Any]]:
    submission = (notification.data or {}).get("submission")
    requests = (
        Request.objects.filter(submission=submission)
        .select_related("requester", "entity__policy", "entity__organization")
        .order_by("number")
        if submission
        else [notification.request]
    )
    return [{"request": r, "url": requester_link(r)} for r in requests]


def _context(notification: Notification) -> dict[str, Any]:
    request = notification.request
    event = notification.event
    data = notification.data or {}
    context: dict[str, Any] = {
        "notification": notification,
        "data": data,
        "event": event,
        "site_url": settings.SITE_URL,
    }
    if request is None:
        return context
    context.update(
        request=request,
        entity=request.entity,
        help_phone=help_phone(request),
        help_hours=getattr(getattr(request.entity, "policy", None), "help_hours", ""),
        number=request.number,
        due_on=request.current_due_on,
    )
    if notification.audience == Notification.Audience.STAFF:
        context.update(link=staff_link(request), user=notification.user)
        return context
    context.update(link=requester_link(request), requester=request.requester)
    template = notification.template
    if template == "received":
        rows = _received_rows(notification)
        context.update(
            rows=rows,
            numbers=", ".join(row["request"].number for row in rows),
            patient=request.patient,
            guest=request.requester.user_id is None,
        )
    elif template in ("pending", "reminder", "auto_closed"):
        pend = event if event is not None and event.action == "pend" else None
        pend = pend or _last_event(request, "pend")
        context.update(
            missing=pend.reason if pend else "",
            asked_on=entity_local_date(request.entity, pend.at) if pend else None,
            close_on=_date(data.get("close_on")),
        )
    elif template in ("ready", "released"):
        fee = request.stored_fee()
        context.update(
            delivery=request.get_delivery_method_display(),
            fee=fee.total if fee is not None and fee.total > 0 else None,
        )
    elif template == "shipped":
        context["shipped_on"] = _date((event.data if event else {}).get("shipped_on"))
    elif template == "revoked":
        context["authorization"] = Authorization.objects.filter(request=request).first()
    return context


def _date(value: Any) -> date | None:
    """A date kept in JSON data as ISO text (the event's or the notification's)."""
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def notification_render(notification: Notification) -> Rendered:
    """The subject, text and HTML of one email, rendered now, in its language."""
    name = notification.template
    try:
        with translation.override(notification.language or settings.LANGUAGE_CODE):
            context = _context(notification)
            subject = render_to_string(f"emails/{name}/subject.txt", context)
            text = render_to_string(f"emails/{name}/body.txt", context)
            html = render_to_string(f"emails/{name}/body.html", context)
    except DatabaseError:
        raise  # the database is away: transient, the claim expires and the row is retried
    except Exception as exc:  # a missing or broken template, a request deleted meanwhile...
        logger.exception("Notification %s (%s) does not render", notification.pk, name)
        raise RenderError(f"{type(exc).__name__}: {exc}") from exc
    # A header is one line: newlines in a subject are refused by the mail library.
    # Templates are laid out for reading; the email gets at most one blank line in a row.
    text = re.sub(r"\n[ \t]*\n(\s*\n)+", "\n\n", text).strip() + "\n"
    return Rendered(subject=" ".join(subject.split()), text=text, html=html)
