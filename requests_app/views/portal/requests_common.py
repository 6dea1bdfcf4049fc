"""Shared by the "after submitting" views: who is looking, the sign-in redirect, the request
number in URLs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, register_converter, reverse
from django.urls.converters import get_converters

from ...access.portal import portal_identity
from ...selectors.portal import Viewer


class RequestNumberConverter:
    """Public request numbers (ROI-2026-000042). Matching only this shape keeps other portal
    areas' routes under requests/ from being taken for a number."""

    regex = r"[A-Za-z]{2,8}-[0-9]{4}-[0-9]{1,10}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


# Registered once per process; another area may share the name for the same numbers.
if "request_number" not in get_converters():
    register_converter(RequestNumberConverter, "request_number")


def login_url(next_path: str) -> str:
    """The portal's sign-in page (another area builds it); the portal start page until it
    exists. Never the admin login: staff accounts do not use the portal."""
    try:
        base = reverse("portal:login")
    except NoReverseMatch:
        base = "/portal/"
    return f"{base}?{urlencode({'next': next_path})}"


def viewer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A signed-in requester or a confirmed guest; anyone else is sent to sign in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not portal_identity(request).is_known:
            return HttpResponseRedirect(login_url(request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapped


def viewer_of(request: HttpRequest) -> Viewer:
    identity = portal_identity(request)
    return Viewer(
        user_id=identity.user.pk if identity.user is not None else None,
        guest_email=identity.guest_email.lower() if identity.guest_email else None,
    )


def acting_as(request: HttpRequest) -> dict[str, Any]:
    """The keyword arguments every requester service takes: actor or guest_email."""
    identity = portal_identity(request)
    if identity.user is not None:
        return {"actor": identity.user, "guest_email": None}
    return {"actor": None, "guest_email": identity.guest_email}


def reverse_or(name: str, fallback: str = "") -> str:
    """Links to other areas' pages, which may not be built yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback
