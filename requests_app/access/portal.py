"""The one place that decides what a portal visitor may see (STYLE.md point 4).

A signed-in requester sees the requests they filed and, as the patient, the requests about
them. A guest confirmed an email address with a one-time code; the session then lists the
drafts and requests that guest may open, and each must also carry that address. Everything
else is a 404, never a 403: a patient cannot even learn that a number exists.

Session contract (the accounts, wizard and request views all use these helpers, never the keys
directly):
- GUEST_EMAIL: the address a guest confirmed (lower-case);
- GUEST_DRAFTS: keys (str) of the drafts this guest may continue;
- GUEST_REQUESTS: primary keys of the requests this guest may follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from ..models import Request, RequestDraft

GUEST_EMAIL = "portal_guest_email"
GUEST_DRAFTS = "portal_guest_drafts"
GUEST_REQUESTS = "portal_guest_requests"


@dataclass(frozen=True)
class PortalIdentity:
    user: AbstractBaseUser | None
    guest_email: str | None

    @property
    def is_known(self) -> bool:
        return self.user is not None or bool(self.guest_email)


def portal_identity(request: HttpRequest) -> PortalIdentity:
    user = request.user if request.user.is_authenticated else None
    if user is not None and (user.is_staff or user.is_superuser):
        # Staff and admins never act in the patient portal with their staff account.
        return PortalIdentity(None, None)
    email = None if user else request.session.get(GUEST_EMAIL)
    return PortalIdentity(user, email)


def guest_confirm_email(request: HttpRequest, email: str) -> None:
    """Called once the one-time code for `email` was checked. A new address starts a new guest
    session: nothing the previous guest could open carries over."""
    email = email.strip().lower()
    if request.session.get(GUEST_EMAIL) != email:
        request.session.cycle_key()
        request.session[GUEST_DRAFTS] = []
        request.session[GUEST_REQUESTS] = []
    request.session[GUEST_EMAIL] = email


def guest_allow_draft(request: HttpRequest, draft: RequestDraft) -> None:
    keys = request.session.get(GUEST_DRAFTS, [])
    if str(draft.key) not in keys:
        request.session[GUEST_DRAFTS] = [*keys, str(draft.key)]


def guest_allow_requests(request: HttpRequest, requests: list[Request]) -> None:
    pks = request.session.get(GUEST_REQUESTS, [])
    request.session[GUEST_REQUESTS] = sorted({*pks, *(r.pk for r in requests)})


def portal_requests(request: HttpRequest) -> QuerySet[Request]:
    identity = portal_identity(request)
    if identity.user is not None:
        return Request.objects.filter(
            Q(requester__user=identity.user) | Q(patient__user=identity.user)
        ).distinct()
    if identity.guest_email:
        return Request.objects.filter(
            pk__in=request.session.get(GUEST_REQUESTS, []),
            requester__user__isnull=True,
            requester__email__iexact=identity.guest_email,
        )
    return Request.objects.none()


def get_portal_request_or_404(request: HttpRequest, number: str) -> Request:
    found = (
        portal_requests(request)
        .select_related("entity__policy", "patient", "requester", "location")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise Http404
    return found


def portal_drafts(request: HttpRequest) -> QuerySet[RequestDraft]:
    identity = portal_identity(request)
    drafts = RequestDraft.objects.filter(submitted_at__isnull=True)
    if identity.user is not None:
        return drafts.filter(user=identity.user)
    if identity.guest_email:
        return drafts.filter(
            user__isnull=True,
            guest_email__iexact=identity.guest_email,
            key__in=request.session.get(GUEST_DRAFTS, []),
        )
    return drafts.none()


def get_draft_or_404(request: HttpRequest, key: str) -> RequestDraft:
    try:
        draft = portal_drafts(request).filter(key=key).first()
    except ValidationError as exc:  # a malformed UUID in the URL
        raise Http404 from exc
    if draft is None:
        raise Http404
    return draft
