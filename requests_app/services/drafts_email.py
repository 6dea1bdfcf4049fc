"""The confirmation email sent once a wizard submission is committed: every request number,
each due date with the rule behind it, and for a guest the link to follow the requests."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import Request

log = logging.getLogger(__name__)


def _absolute(site_url: str, path: str) -> str:
    if path.startswith("/") and site_url:
        return site_url.rstrip("/") + path
    return path if path.startswith("http") else ""


def _tracking_url(request: Request, site_url: str) -> str:
    """A guest's link to follow a request, from the guest pages (services.accounts). Without
    it there is no link, and the email still says how to follow the request by number."""
    try:
        from .accounts import guest_tracking_url
    except ImportError:
        return ""
    try:
        return _absolute(site_url, str(guest_tracking_url(request) or ""))
    except Exception:  # a broken link must not cost the patient the confirmation itself
        log.exception("No tracking link for %s", request.number)
        return ""


def _detail_url(request: Request, site_url: str) -> str:
    try:
        return _absolute(
            site_url, reverse("portal:request_detail", kwargs={"number": request.number})
        )
    except NoReverseMatch:
        return ""


def request_received_send(*, submission: uuid.UUID, language: str, site_url: str = "") -> bool:
    """Send the confirmation for one submission (all its split requests). Returns False when
    nobody can be written to. Called after commit, so a mail failure never undoes a request;
    it is logged and the requester still sees the numbers on the page."""
    requests = list(
        Request.objects.filter(submission=submission)
        .select_related("requester", "patient", "entity__policy")
        .order_by("number")
    )
    if not requests:
        return False
    requester = requests[0].requester
    if not requester.email:
        return False
    guest = requester.user_id is None
    with translation.override(language or "en"):
        rows = [
            {
                "request": r,
                "url": _tracking_url(r, site_url) if guest else _detail_url(r, site_url),
            }
            for r in requests
        ]
        numbers = ", ".join(r.number for r in requests)
        subject = _("We received your records request %(numbers)s") % {"numbers": numbers}
        body = render_to_string(
            "emails/request_received.txt",
            {"rows": rows, "requester": requester, "patient": requests[0].patient, "guest": guest},
        )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [requester.email])
    except Exception:  # SMTP down: the requests exist; staff see the failure in the logs
        log.exception("Confirmation email for %s not sent", numbers)
        return False
    return True
