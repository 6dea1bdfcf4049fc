from __future__ import annotations

from django.http import HttpRequest

from .rules.facts import LEGAL_NUMBERS
from .views.portal.access import portal_identity


def portal(request: HttpRequest) -> dict[str, object]:
    """Who the portal visitor is (an account, a confirmed guest, or nobody), for the header,
    and the legal numbers the pages quote."""
    return {"portal_guest_email": portal_identity(request).guest_email, "legal": LEGAL_NUMBERS}
