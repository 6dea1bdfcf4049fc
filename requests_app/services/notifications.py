"""Emails to the requester about what happened to their request, in their language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import TimelineEvent


def event_notify_requester(*, event_id: int) -> bool:
    """Send the email for one requester-visible event. Returns False when there is nobody to
    write to (a fax or mail requester with no email); staff then write on paper."""
    event = (
        TimelineEvent.objects.select_related("request__requester", "request__entity")
        .filter(pk=event_id, visible_to_requester=True)
        .first()
    )
    if event is None:
        return False
    request = event.request
    address = request.requester.email
    if not address:
        return False
    with translation.override(request.language or "en"):
        context = {"event": event, "request": request, "entity": request.entity}
        subject = _("Your records request %(number)s: %(what)s") % {
            "number": request.number,
            "what": request.get_status_display()
            if event.kind != TimelineEvent.Kind.EXTENSION
            else _("new due date"),
        }
        body = render_to_string("emails/request_event.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    return True
