from __future__ import annotations

from django.http import HttpRequest

from .views.portal.access import portal_identity


def portal(request: HttpRequest) -> dict[str, object]:
    """Who the portal visitor is (an account, a confirmed guest, or nobody), for the header."""
    return {"portal_guest_email": portal_identity(request).guest_email}
